"""Save and come back: choose a memorable word, saving, saved (the reference and the date),
continue a saved application (reference and word, GOV.UK error summary), and "start again"
after five wrong words. The words come from kiosk/saved/speech.py, as read aloud says them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QFrame, QPushButton, QVBoxLayout, QWidget

from accessibility.themes import Theme
from kiosk.reference import spaced
from kiosk.saved.screens import (
    ResumeGoneScreen,
    ResumeScreen,
    SavedDoneScreen,
    SavedScreen,
    SavedWaitScreen,
    SaveWordScreen,
)
from kiosk.saved.speech import done_lines, resume_error, word_error
from kiosk.texts import Texts
from ui.pages.base import Intents, Page
from ui.pages.spinner import Spinner
from ui.widgets import button, label, line_edit


@dataclass
class SavedIntents:
    """What the saved screens can ask of the terminal's SavedDesk (`Terminal.saved`)."""

    choose_word: Callable[[str], None]
    resume: Callable[[str, str], None]
    close: Callable[[], None]
    finish: Callable[[], None]


def _error_summary(texts: Texts, message: str) -> QFrame:
    box = QFrame()
    box.setObjectName("errorSummary")
    box.setProperty("role", "errorSummary")
    inner = QVBoxLayout(box)
    inner.addWidget(label(texts("question.error_summary"), "heading"))
    inner.addWidget(label(message, "error", name="error-message"))
    return box


class SaveWordView(Page):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, saved: SavedIntents,
                 model: SaveWordScreen) -> None:
        super().__init__(texts, theme, intents, "saved_word")
        self.model = model
        error = word_error(model, texts)
        if error:
            self.body.addWidget(_error_summary(texts, error))
        self.body.addWidget(label(model.service_title, "caption"))
        self.body.addWidget(label(texts("saved.word.title"), "heading", name="title"))
        self.body.addWidget(label(texts("saved.word.hint"), "hint", name="hint"))
        self.body.addWidget(label(texts("saved.word.label"), "value", name="wordLabel"))
        self.word = line_edit("", max_length=40, name="answer-word")
        self.body.addWidget(self.word)
        save = button(texts("saved.word.save"), "primary", name="saveWord")
        save.clicked.connect(lambda: saved.choose_word(self.word.text()))
        self.action_row.addWidget(save)
        back = button(texts("saved.go_back"), name="goBack")
        back.clicked.connect(saved.close)
        self.action_row.addWidget(back)
        self.finish_layout()


class SavedWaitView(Page):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents,
                 model: SavedWaitScreen) -> None:
        super().__init__(texts, theme, intents, "saved_waiting", centre=True)
        key = "saved.waiting.resuming" if model.resuming else "saved.waiting.saving"
        self.body.addWidget(label(texts(key), "heading", name="title"))
        self.spinner = Spinner(theme)
        self.body.addWidget(self.spinner)
        self.finish_layout()


class SavedDoneView(Page):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, saved: SavedIntents,
                 model: SavedDoneScreen) -> None:
        super().__init__(texts, theme, intents, "saved_done")
        self.body.addWidget(label(texts("saved.done.title"), "heading", name="title"))
        self.body.addWidget(label(texts("saved.reference_label"), name="referenceLabel"))
        self.body.addWidget(label(spaced(model.reference), "reference", name="reference"))
        for item, words in done_lines(model, texts):
            self.body.addWidget(label(words, name=item))
        finish = button(texts("saved.done.finish"), "primary", name="finish")
        finish.clicked.connect(saved.finish)
        self.action_row.addWidget(finish)
        self.finish_layout()


class ResumeView(Page):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, saved: SavedIntents,
                 model: ResumeScreen) -> None:
        super().__init__(texts, theme, intents, "saved_resume")
        error = resume_error(model, texts)
        if error:
            self.body.addWidget(_error_summary(texts, error))
        self.body.addWidget(label(texts("saved.resume.title"), "heading", name="title"))
        self.body.addWidget(label(texts("saved.resume.hint"), "hint", name="hint"))
        self.body.addWidget(label(texts("saved.resume.reference"), "value"))
        self.reference = line_edit("", max_length=12, name="answer-reference")
        self.body.addWidget(self.reference)
        self.body.addWidget(label(texts("saved.word.label"), "value"))
        self.word = line_edit("", max_length=40, name="answer-word")
        self.body.addWidget(self.word)
        go = button(texts("nav.continue"), "primary", name="continue")
        go.clicked.connect(lambda: saved.resume(self.reference.text(), self.word.text()))
        self.action_row.addWidget(go)
        back = button(texts("saved.go_back"), name="goBack")
        back.clicked.connect(saved.close)
        self.action_row.addWidget(back)
        self.finish_layout()


class ResumeGoneView(Page):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, saved: SavedIntents,
                 model: ResumeGoneScreen) -> None:
        super().__init__(texts, theme, intents, "saved_gone")
        self.body.addWidget(label(texts("saved.gone.title"), "heading", name="title"))
        self.body.addWidget(label(texts("saved.gone.body"), name="body"))
        back = button(texts("saved.go_back"), "primary", name="goBack")
        back.clicked.connect(saved.close)
        self.action_row.addWidget(back)
        self.finish_layout()


def saved_view(screen: SavedScreen, texts: Texts, theme: Theme, intents: Intents,
               saved: SavedIntents) -> QWidget:
    if isinstance(screen, SaveWordScreen):
        return SaveWordView(texts, theme, intents, saved, screen)
    if isinstance(screen, SavedWaitScreen):
        return SavedWaitView(texts, theme, intents, screen)
    if isinstance(screen, SavedDoneScreen):
        return SavedDoneView(texts, theme, intents, saved, screen)
    if isinstance(screen, ResumeScreen):
        return ResumeView(texts, theme, intents, saved, screen)
    return ResumeGoneView(texts, theme, intents, saved, screen)




def add_save_button(view: Page, texts: Texts, on_click: Callable[[], None]) -> QPushButton:
    """"Save and come back later" beside Continue on a question page (the window adds it
    where `SavedDesk.can_save` says, so question.py needs no knowledge of it)."""
    widget = button(texts("saved.save_button"), name="saveForLater")
    widget.clicked.connect(on_click)
    view.action_row.insertWidget(1, widget)
    return widget


def add_menu_entry(page: Page, texts: Texts, on_click: Callable[[], None]) -> QPushButton:
    """"Continue a saved application" at the end of the menu, before its stretch."""
    widget = button(texts("saved.menu"), name="continueSaved")
    widget.clicked.connect(on_click)
    page.body.insertWidget(page.body.count() - 1, widget)
    return widget
