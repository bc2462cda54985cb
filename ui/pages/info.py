"""Pages that are not questions: information (title, body, Continue) and a lookup's result
(rows such as the next collection days or where a request has got to, Continue, and "Print
this" when the page is printable)."""

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
    nothing to check, so the page's routes decide what comes next. On the last page of a
    service that sends nothing (`final`), the button is Finish and ends the visit."""

    def __init__(self, texts: Texts, theme: Theme, intents: Intents, name: str,
                 page_id: str, final: bool) -> None:
        super().__init__(texts, theme, intents, name)
        back = button(texts("nav.back"), "link", name="back")
        back.clicked.connect(intents.back)
        self.body.addWidget(back, 0, Qt.AlignmentFlag.AlignLeft)
        if final:
            self.continue_button = button(texts("nav.finish"), "primary", name="finish")
            self.continue_button.clicked.connect(intents.finish)
        else:
            self.continue_button = button(texts("nav.continue"), "primary", name="continue")
            self.continue_button.clicked.connect(lambda: intents.answer(page_id, ""))
        self.action_row.addWidget(self.continue_button)


class InfoView(_ContinuePage):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, model: InfoPage) -> None:
        super().__init__(texts, theme, intents, f"info:{model.page_id}", model.page_id,
                         model.final)
        self.model = model
        self.body.addWidget(label(model.service_title, "caption"))
        self.body.addWidget(label(model.title, "heading", name="title"))
        self.body.addWidget(label(model.body, name="body"))
        self.finish_layout()


class ResultView(_ContinuePage):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, model: ResultPage) -> None:
        super().__init__(texts, theme, intents, f"result:{model.page_id}", model.page_id,
                         model.final)
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
        self.print_state = label("", "value", name="printState")
        self.print_state.hide()
        self.body.addWidget(self.print_state)
        self.print_button = button(texts("result.print"), name="print")
        self.print_button.clicked.connect(intents.print_page)
        self.print_button.setVisible(model.printable)
        self.action_row.addWidget(self.print_button)
        if model.offer is not None:  # another service, the answers it needs carried over
            offer = button(model.offer, name="offer")
            offer.clicked.connect(intents.take_offer)
            self.action_row.addWidget(offer)
        self.finish_layout()

    def printing(self) -> None:
        """One press prints one copy: the button waits until the printer has answered."""
        self.print_button.setEnabled(False)
        self.print_button.setText(self.texts("result.printing"))

    def printed(self, ok: bool) -> None:
        self.print_button.setEnabled(True)
        self.print_button.setText(self.texts("result.print"))
        self.print_state.setText(self.texts("result.printed" if ok else "result.print_failed"))
        self.print_state.show()
