"""The call screens around the video: consent (with an interpreter and sharing the answers
so far), the queue, and why there is no call (out of hours, no camera, nobody free, cut off)
with the opening hours and a call back. The live call itself is `ui/pages/call_live.py`."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QAbstractButton, QButtonGroup, QGridLayout, QWidget

from accessibility.themes import Theme
from kiosk.calls.screens import CallConsentScreen, CallOverScreen, CallQueueScreen, CallScreen
from kiosk.calls.words import hours_lines, interpreter_name, over_words, queue_lines
from kiosk.terminal_calls import CallDesk
from kiosk.texts import Texts
from ui.pages.base import Intents, Page
from ui.pages.inputs import option_indent
from ui.pages.spinner import Spinner
from ui.widgets import WrapRadio, button, label, lock_down


def _radio(text: str, name: str, theme: Theme, group: QButtonGroup) -> QAbstractButton:
    choice = WrapRadio(text, option_indent(theme))
    choice.setObjectName(name)
    lock_down(choice)
    group.addButton(choice)
    return choice


class CallConsentView(Page):
    """What a video call means, said before anything is switched on; nothing is joined
    until the resident presses Join."""

    def __init__(self, texts: Texts, theme: Theme, intents: Intents,
                 model: CallConsentScreen) -> None:
        super().__init__(texts, theme, intents, "call_consent")
        self.model = model
        self.body.addWidget(label(texts("call.consent.title"), "heading", name="title"))
        self.body.addWidget(label(texts("call.consent.body"), name="body"))
        self.body.addWidget(label(texts("call.consent.camera_hint"), "hint", name="cameraHint"))
        self.interpreters = QButtonGroup(self)
        self.interpreter_choices: dict[str | None, QAbstractButton] = {}
        if model.interpreter_languages:
            self.body.addWidget(label(texts("call.consent.interpreter_question"), "value",
                                      name="interpreterQuestion"))
            none = _radio(texts("call.consent.no_interpreter"), "option-none", theme,
                          self.interpreters)
            self.interpreter_choices[None] = none
            self.body.addWidget(none)
            for code in model.interpreter_languages:
                choice = _radio(interpreter_name(code, texts), f"option-{code}", theme,
                                self.interpreters)
                self.interpreter_choices[code] = choice
                self.body.addWidget(choice)
            self.interpreter_choices[model.proposed_interpreter].setChecked(True)
        self.share = QButtonGroup(self)
        self.share_yes: QAbstractButton | None = None
        if model.share_service is not None:
            self.body.addWidget(label(texts("call.consent.share_question",
                                            service=model.share_service), "value",
                                      name="shareQuestion"))
            self.share_yes = _radio(texts("call.consent.share_yes"), "option-share-yes", theme,
                                    self.share)
            share_no = _radio(texts("call.consent.share_no"), "option-share-no", theme, self.share)
            share_no.setChecked(True)  # nothing shared unless the resident says so
            self.body.addWidget(self.share_yes)
            self.body.addWidget(share_no)
        self.join_button = button(texts("call.consent.join"), "primary", name="joinQueue")
        self.join_button.clicked.connect(self._join)
        self.action_row.addWidget(self.join_button)
        go_back = button(texts("call.go_back"), name="goBack")
        go_back.clicked.connect(intents.close_call)
        self.action_row.addWidget(go_back)
        self.finish_layout()

    def chosen_interpreter(self) -> str | None:
        for code, choice in self.interpreter_choices.items():
            if choice.isChecked():
                return code
        return None

    def _join(self) -> None:
        share = self.share_yes is not None and self.share_yes.isChecked()
        self.intents.join_call(self.chosen_interpreter(), share)


class CallQueueView(Page):
    """Where the resident is in the queue and about how long; a turning spinner says the
    kiosk is still waiting, not stuck."""

    def __init__(self, texts: Texts, theme: Theme, intents: Intents,
                 model: CallQueueScreen) -> None:
        super().__init__(texts, theme, intents, "call_queue", centre=True)
        self.model = model
        self.body.addWidget(label(texts("call.queue.title"), "heading", name="title"))
        self.spinner = Spinner(theme)
        self.body.addWidget(self.spinner)
        for item, words in queue_lines(model, texts):
            self.body.addWidget(label(words, "value" if item == "position" else "",
                                      name=f"queue-{item}"))
        leave = button(texts("call.queue.leave"), name="leaveQueue")
        leave.clicked.connect(intents.leave_call)
        self.action_row.addWidget(leave)
        self.finish_layout()


class CallOverView(Page):
    """Why there is no call, plainly, then when advisors answer, a call back and Go back."""

    def __init__(self, texts: Texts, theme: Theme, intents: Intents,
                 model: CallOverScreen) -> None:
        super().__init__(texts, theme, intents, f"call_over:{model.reason}")
        self.model = model
        title, body = over_words(model, texts)
        self.body.addWidget(label(title, "heading", name="title"))
        self.body.addWidget(label(body, name="body"))
        if model.reason in ("out_of_hours", "no_answer", "unavailable"):
            self.body.addWidget(label(texts("call.hours.title"), "value", name="hoursTitle"))
            grid = QGridLayout()
            grid.setHorizontalSpacing(theme.gap_px * 2)
            for row, (day, times) in enumerate(hours_lines(model.hours, texts)):
                grid.addWidget(label(day, "value", name=f"hours-day-{row}"), row, 0)
                grid.addWidget(label(times, name=f"hours-{row}"), row, 1)
            self.body.addLayout(grid)
        if model.can_call_back:
            call_back = button(texts("call.over.call_back"), "primary", name="callBack")
            call_back.clicked.connect(intents.call_back_instead)
            self.action_row.addWidget(call_back)
        go_back = button(texts("call.go_back"), "" if model.can_call_back else "primary",
                         name="goBack")
        go_back.clicked.connect(intents.close_call)
        self.action_row.addWidget(go_back)
        self.finish_layout()


def call_view(screen: CallScreen, texts: Texts, theme: Theme, intents: Intents,
              desk: CallDesk, on_teardown_failed: Callable[[list[str]], None]) -> QWidget:
    """The view for a call screen. The live call's module is imported only here, when a call
    is answered: it is the one that loads QtWebEngine (start-up never pays for it)."""
    if isinstance(screen, CallConsentScreen):
        return CallConsentView(texts, theme, intents, screen)
    if isinstance(screen, CallQueueScreen):
        return CallQueueView(texts, theme, intents, screen)
    if isinstance(screen, CallOverScreen):
        return CallOverView(texts, theme, intents, screen)
    from ui.pages.call_live import CallLiveView

    return CallLiveView(texts, theme, intents, screen, desk,
                        on_teardown_failed=on_teardown_failed)
