"""The two states of a page that asks the council: waiting for the answer, and "we cannot
look this up right now" (GOV.UK's problem-with-the-service pattern, with a way forward)."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt

from accessibility.themes import Theme
from kiosk.journey.pages import LookupFailedPage, WaitingPage
from kiosk.texts import Texts
from ui.pages.base import Intents, Page
from ui.pages.spinner import Spinner
from ui.widgets import button, label


def fill_waiting(page: Page, service_title: str, title: str, hint: str, *,
                 can_go_back: bool) -> Spinner:
    """A waiting page's body (Back if leaving is safe, the title, a turning spinner, the
    hint), laid out; the spinner, for the view to keep."""
    if can_go_back:
        back = button(page.texts("nav.back"), "link", name="back")
        back.clicked.connect(page.intents.back)
        page.body.addWidget(back, 0, Qt.AlignmentFlag.AlignLeft)
    page.body.addWidget(label(service_title, "caption"))
    page.body.addWidget(label(title, "heading", name="title"))
    spinner = Spinner(page.theme)
    page.body.addWidget(spinner, 0, Qt.AlignmentFlag.AlignLeft)
    page.body.addWidget(label(hint, "hint", name="hint"))
    page.finish_layout()
    return spinner


class WaitingView(Page):
    """"Looking this up" with a turning spinner. Back stays available: a late answer to a
    question the resident left is ignored by the engine."""

    def __init__(self, texts: Texts, theme: Theme, intents: Intents, model: WaitingPage) -> None:
        super().__init__(texts, theme, intents, f"waiting:{model.page_id}")
        self.model = model
        self.spinner = fill_waiting(self, model.service_title, model.title, model.hint,
                                    can_go_back=True)


class LookupFailedView(Page):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents,
                 model: LookupFailedPage) -> None:
        super().__init__(texts, theme, intents, f"lookup_failed:{model.page_id}")
        self.model = model
        self.body.addWidget(label(model.service_title, "caption"))
        self.body.addWidget(label(model.title, "heading", name="title"))
        self.body.addWidget(label(model.body, name="body"))
        self.body.addWidget(label(model.staff_hint, "value", name="staffHint"))
        self.try_again = button(texts("lookup.try_again"), "primary", name="tryAgain")
        self.try_again.clicked.connect(intents.try_again)
        self.go_back = button(texts("lookup.go_back"), name="goBack")
        self.go_back.clicked.connect(intents.back)
        self.action_row.addWidget(self.try_again)
        # A way on that needs no lookup ("Enter the address yourself"): it answers the page.
        for option in model.ways_on:
            way = button(option.label, name=f"wayOn-{option.value}")
            way.clicked.connect(partial(intents.answer, model.page_id, option.value))
            self.action_row.addWidget(way)
        self.action_row.addWidget(self.go_back)
        self.finish_layout()
