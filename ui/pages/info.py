"""Pages that are not questions: information (title, body, Continue) and a lookup's result
(rows such as the next collection days, Continue)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout

from accessibility.themes import Theme
from kiosk.journey.pages import InfoPage, ResultPage
from kiosk.texts import Texts
from ui.pages.base import Intents, Page
from ui.widgets import button, label


class _ContinuePage(Page):
    """Back at the top, Continue in the action bar: Continue is the engine's `answer` with
    nothing to check, so the page's routes decide what comes next."""

    def __init__(self, texts: Texts, theme: Theme, intents: Intents, name: str,
                 page_id: str) -> None:
        super().__init__(texts, theme, intents, name)
        back = button(texts("nav.back"), "link", name="back")
        back.clicked.connect(intents.back)
        self.body.addWidget(back, 0, Qt.AlignmentFlag.AlignLeft)
        self.continue_button = button(texts("nav.continue"), "primary", name="continue")
        self.continue_button.clicked.connect(lambda: intents.answer(page_id, ""))
        self.action_row.addWidget(self.continue_button)


class InfoView(_ContinuePage):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, model: InfoPage) -> None:
        super().__init__(texts, theme, intents, f"info:{model.page_id}", model.page_id)
        self.model = model
        self.body.addWidget(label(model.service_title, "caption"))
        self.body.addWidget(label(model.title, "heading", name="title"))
        self.body.addWidget(label(model.body, name="body"))
        self.finish_layout()


class ResultView(_ContinuePage):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, model: ResultPage) -> None:
        super().__init__(texts, theme, intents, f"result:{model.page_id}", model.page_id)
        self.model = model
        self.body.addWidget(label(model.service_title, "caption"))
        self.body.addWidget(label(model.title, "heading", name="title"))
        if model.hint:
            self.body.addWidget(label(model.hint, "hint", name="hint"))
        if not model.rows:
            self.body.addWidget(label(model.empty_text, "value", name="empty"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(theme.gap_px * 2)
        grid.setVerticalSpacing(theme.gap_px)
        for n, row in enumerate(model.rows):
            grid.addWidget(label(row.label, "value", name=f"row-{n}"), n * 2, 0,
                           Qt.AlignmentFlag.AlignTop)
            if row.detail:
                grid.addWidget(label(row.detail, name=f"row-detail-{n}"), n * 2, 1,
                               Qt.AlignmentFlag.AlignTop)
            line = QFrame()
            line.setProperty("role", "summaryRow")
            line.setFixedHeight(theme.border_px)
            grid.addWidget(line, n * 2 + 1, 0, 1, 2)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        self.body.addLayout(grid)
        self.finish_layout()
