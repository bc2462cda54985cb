"""The two optional questions on a confirmation or exit page: "How was using this screen
today?" (GOV.UK's five words, 1 very dissatisfied … 5 very satisfied) and "Did you phone or
visit us about this before today?". One touch each, then "Thank you". They sit in the page's
body, above its hint and buttons, so Finish is always where it was and never waits on them.

The terminal decides whether a touch counts (`Terminal.rate_visit`, `contacted_before`); this
panel only shows the state it reads back, so a re-render keeps "Thank you".
"""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout

from accessibility.themes import Theme
from kiosk.texts import Texts
from ui.pages.base import Intents
from ui.widgets import WrapButton, label

RATINGS = ((1, "feedback.very_dissatisfied"), (2, "feedback.dissatisfied"),
           (3, "feedback.neutral"), (4, "feedback.satisfied"), (5, "feedback.very_satisfied"))
CONTACTS = (("yes", "feedback.yes"), ("no", "feedback.no"), ("not_sure", "feedback.not_sure"))


class FeedbackPanel(QFrame):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents) -> None:
        super().__init__()
        self.setObjectName("feedbackPanel")
        self.texts = texts
        self.intents = intents
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(theme.gap_px)
        padding = (theme.gap_px * 2, theme.gap_px)
        layout.addWidget(label(texts("feedback.rate_question"), "heading", name="rateQuestion"))
        layout.addWidget(label(texts("feedback.optional"), "hint", name="feedbackHint"))
        # One under another, as GOV.UK's scale is: five words in a row do not fit large text.
        self.rate_column = QVBoxLayout()
        self.rate_column.setSpacing(theme.gap_px)
        self.rate_buttons = []
        for score, key in RATINGS:
            choice = WrapButton(texts(key), name=f"rate-{score}", padding=padding)
            choice.clicked.connect(lambda _=False, s=score: self._rate(s))
            self.rate_column.addWidget(choice)
            self.rate_buttons.append(choice)
        layout.addLayout(self.rate_column)
        self.rate_thanks = label(texts("feedback.thanks"), "value", name="rateThanks")
        layout.addWidget(self.rate_thanks)
        layout.addWidget(label(texts("feedback.contact_question"), "heading",
                               name="contactQuestion"))
        self.contact_row = QHBoxLayout()
        self.contact_row.setSpacing(theme.gap_px)
        self.contact_buttons = []
        for answer, key in CONTACTS:
            choice = WrapButton(texts(key), name=f"contacted-{answer}", padding=padding)
            choice.setMinimumWidth(theme.target_px * 2)
            choice.clicked.connect(lambda _=False, a=answer: self._contacted(a))
            self.contact_row.addWidget(choice)
            self.contact_buttons.append(choice)
        self.contact_row.addStretch(1)
        layout.addLayout(self.contact_row)
        self.contact_thanks = label(texts("feedback.thanks"), "value", name="contactThanks")
        layout.addWidget(self.contact_thanks)
        self._refresh()

    def _rate(self, score: int) -> None:
        self.intents.rate_visit(score)
        self._refresh()

    def _contacted(self, answer: str) -> None:
        self.intents.contacted_before(answer)
        self._refresh()

    def _refresh(self) -> None:
        rating, contacted = self.intents.feedback_state()
        for widget in self.rate_buttons:
            widget.setVisible(rating is None)
        self.rate_thanks.setVisible(rating is not None)
        for widget in self.contact_buttons:
            widget.setVisible(contacted is None)
        self.contact_thanks.setVisible(contacted is not None)
