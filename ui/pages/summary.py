"""Check your answers, the confirmation page and exit pages."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QVBoxLayout, QWidget

from accessibility.themes import Theme
from kiosk.journey.pages import CheckAnswersPage, ConfirmationPage, EvidenceView, ExitPage
from kiosk.reference import spaced
from kiosk.texts import Texts
from ui.pages.base import Intents, Page, talk_button
from ui.pages.satisfaction import FeedbackPanel
from ui.qr import qr_pixmap
from ui.widgets import button, label


def evidence_list(items: tuple[EvidenceView, ...], heading: str) -> QWidget | None:
    """"What you need to bring or post": the heading, each document, its hint (if any)."""
    if not items:
        return None
    box = QWidget()
    box.setObjectName("evidence")
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.addWidget(label(heading, "heading", name="evidenceHeading"))
    for index, item in enumerate(items):
        column.addWidget(label(item.label, "value", name=f"evidence-{index}"))
        if item.hint:
            column.addWidget(label(item.hint, "hint", name=f"evidence-hint-{index}"))
    return box


class CheckAnswersView(Page):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents,
                 model: CheckAnswersPage) -> None:
        super().__init__(texts, theme, intents, "check_answers")
        self.model = model
        back = button(texts("nav.back"), "link", name="back")
        back.clicked.connect(intents.back)
        self.body.addWidget(back, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addWidget(label(model.service_title, "caption"))
        self.body.addWidget(label(model.title, "heading", name="title"))
        self.error = label("", "error", name="submitError")
        self.error.hide()
        self.body.addWidget(self.error)
        grid = QGridLayout()
        grid.setHorizontalSpacing(theme.gap_px * 2)
        grid.setVerticalSpacing(theme.gap_px)
        for row, item in enumerate(model.rows):
            key = label(item.label, "value")
            value = label(item.value, name=f"value-{item.page_id}")
            change = button(texts("nav.change"), "link", name=f"change-{item.page_id}")
            change.setAccessibleName(texts("nav.change_hidden", label=item.label))
            change.clicked.connect(lambda _=False, pid=item.page_id: intents.change(pid))
            grid.addWidget(key, row * 2, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(value, row * 2, 1, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(change, row * 2, 2, Qt.AlignmentFlag.AlignTop)
            line = QFrame()
            line.setProperty("role", "summaryRow")
            line.setFixedHeight(theme.border_px)
            grid.addWidget(line, row * 2 + 1, 0, 1, 3)
        grid.setColumnStretch(0, 2)
        grid.setColumnStretch(1, 3)
        self.body.addLayout(grid)
        evidence = evidence_list(model.evidence, model.evidence_heading)
        if evidence is not None:
            self.body.addWidget(evidence)
        self.submit_button = button(model.submit_label, "primary", name="submit")
        self.submit_button.clicked.connect(intents.submit)
        self.action_row.addWidget(self.submit_button)
        self.talk_button = talk_button(texts("call.need_help"), intents,
                                       self.action_row)
        self.finish_layout()

    def sending(self) -> None:
        """While the outbox commits: one press only, and say what is happening."""
        self.submit_button.setEnabled(False)
        self.submit_button.setText(self.texts("send.sending"))

    def failed(self) -> None:
        self.submit_button.setEnabled(True)
        self.submit_button.setText(self.model.submit_label)
        self.error.setText(self.texts("send.failed"))
        self.error.show()


class ConfirmationView(Page):
    """The reference, whether it was sent, and the receipt.

    When the receipt printed, a picture of it; when it did not (out of paper, offline), the
    page says so plainly and shows the receipt's QR code large enough to photograph, so the
    resident still leaves with a way to check progress. The submission is not affected.
    """

    def __init__(self, texts: Texts, theme: Theme, intents: Intents, model: ConfirmationPage,
                 *, printed: bool, preview_png: bytes | None, qr_payload: str | None = None) -> None:
        super().__init__(texts, theme, intents, "confirmation")
        panel = QFrame()
        panel.setProperty("role", "panel")
        inner = QVBoxLayout(panel)
        inner.addWidget(label(model.title, "panelText", name="title"))
        inner.addWidget(label(texts("confirmation.reference_label"), "panelText"))
        ref = label(spaced(model.reference), "reference", name="reference")
        ref.setAccessibleName(" ".join(model.reference))
        inner.addWidget(ref)
        self.body.addWidget(panel)
        state = "confirmation.sent" if model.delivered else "confirmation.queued"
        self.body.addWidget(label(texts(state),
                                  name="deliveryState"))
        if model.told:  # "tell us once": each service told, by its name
            self.body.addWidget(label(texts("confirmation.told_label"), "heading"))
            for service in model.told:
                self.body.addWidget(label(service, name="serviceTold"))
        receipt_key = "confirmation.receipt_printed" if printed else "confirmation.receipt_failed"
        self.body.addWidget(label(texts(receipt_key), "value" if not printed else "",
                                  name="receiptState"))
        self.body.addWidget(label(texts("confirmation.next_steps_label"), "heading"))
        self.body.addWidget(label(model.next_steps, name="nextSteps"))
        evidence = evidence_list(model.evidence, model.evidence_heading)
        if evidence is not None:
            self.body.addWidget(evidence)
        if printed and preview_png:
            self._preview(preview_png, theme)
        elif not printed and qr_payload:
            self._photo_code(qr_payload, texts, theme)
        self.body.addWidget(FeedbackPanel(texts, theme, intents))
        self.body.addWidget(label(texts("confirmation.finish_hint"), "hint"))
        self.finish_button = button(texts("nav.finish"), "primary", name="finish")
        self.finish_button.clicked.connect(intents.finish)
        self.action_row.addWidget(self.finish_button)
        self.finish_layout()

    def _preview(self, preview_png: bytes, theme: Theme) -> None:
        picture = QLabel()
        picture.setAlignment(Qt.AlignmentFlag.AlignTop)
        picture.setObjectName("receiptPreview")
        pixmap = QPixmap()
        pixmap.loadFromData(preview_png, "PNG")
        limit = round(theme.font_px * 16)
        if pixmap.width() > limit:
            pixmap = pixmap.scaledToWidth(limit, Qt.TransformationMode.SmoothTransformation)
        picture.setPixmap(pixmap)
        picture.setFrameShape(QFrame.Shape.Box)
        self.aside.addWidget(picture, 0, Qt.AlignmentFlag.AlignTop)

    def _photo_code(self, payload: str, texts: Texts, theme: Theme) -> None:
        # 60 mm square: a phone camera reads it from arm's length (always dark on light,
        # whatever the colour scheme, as QR readers expect).
        code = QLabel()
        code.setObjectName("photoCode")
        code.setPixmap(qr_pixmap(payload, round(60 * theme.px_per_mm)))
        code.setAccessibleName(texts("confirmation.photo_code"))
        self.aside.addWidget(code, 0, Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
        self.aside.addWidget(label(texts("confirmation.photo_code"), name="photoCodeHint"))
        self.aside.addStretch(1)


class ExitView(Page):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, model: ExitPage) -> None:
        super().__init__(texts, theme, intents, f"exit:{model.page_id}")
        back = button(texts("nav.back"), "link", name="back")
        back.clicked.connect(intents.back)
        self.body.addWidget(back, 0, Qt.AlignmentFlag.AlignLeft)
        self.body.addWidget(label(model.service_title, "caption"))
        self.body.addWidget(label(model.title, "heading", name="title"))
        self.body.addWidget(label(model.body, name="body"))
        self.body.addWidget(FeedbackPanel(texts, theme, intents))
        self.body.addWidget(label(texts("exit.start_again_hint"), "hint"))
        again = button(texts("nav.start_again"), "primary", name="exitStartAgain")
        again.clicked.connect(intents.start_again)
        self.action_row.addWidget(again)
        self.talk_button = talk_button(texts("call.talk"), intents, self.action_row)
        self.finish_layout()
