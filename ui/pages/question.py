"""A question page (GOV.UK pattern): back, error summary, heading, hint, input, Continue."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QVBoxLayout

from accessibility.themes import Theme
from kiosk.journey.pages import QuestionPage
from kiosk.texts import Texts
from ui.keyboard import CONTEXT_PROPERTY
from ui.pages.base import Intents, Page
from ui.pages.inputs import InputFactory, QuestionInput, builtin_inputs
from ui.widgets import button, label


class QuestionView(Page):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, model: QuestionPage,
                 inputs: Mapping[str, InputFactory] | None = None) -> None:
        super().__init__(texts, theme, intents, f"question:{model.page_id}")
        self.model = model
        self.back_button = button(texts("nav.back"), "link", name="back")
        self.back_button.clicked.connect(intents.back)
        self.body.addWidget(self.back_button, 0, Qt.AlignmentFlag.AlignLeft)
        if model.errors:
            self.body.addWidget(self._error_summary(model))
        self.body.addWidget(label(model.service_title, "caption"))
        title = texts("question.optional", label=model.title) if model.optional else model.title
        self.title = label(title, "heading", name="title")
        self.body.addWidget(self.title)
        if model.hint:
            self.body.addWidget(label(model.hint, "hint", name="hint"))
        for error in model.errors:
            self.body.addWidget(label(error.message, "error", name=f"error-{error.field}"))
        factory = (inputs if inputs is not None else builtin_inputs())[model.qtype]
        self.input: QuestionInput = factory(model, texts, theme)
        self.body.addWidget(self.input)
        # With the keyboard open, the question stays in view above the field.
        self.input.setProperty(CONTEXT_PROPERTY, self.title)
        self.continue_button = button(texts("nav.continue"), "primary", name="continue")
        self.continue_button.clicked.connect(self._continue)
        self.action_row.addWidget(self.continue_button)
        self.finish_layout()

    def _error_summary(self, model: QuestionPage) -> QFrame:
        box = QFrame()
        box.setObjectName("errorSummary")
        box.setProperty("role", "errorSummary")
        inner = QVBoxLayout(box)
        inner.addWidget(label(self.texts("question.error_summary"), "heading"))
        for error in model.errors:
            inner.addWidget(label(error.message, "error"))
        return box

    def _continue(self) -> None:
        self.intents.answer(self.model.page_id, self.input.value())
