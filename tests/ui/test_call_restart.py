"""A production screen restarts between sessions after a visit that had a video call
(ui/app.py restart_after_a_call): QtWebEngine's memory and helper processes go with it."""

from __future__ import annotations

from kiosk.calls.fake import FakeCalls
from kiosk.terminal import Terminal
from tests.kiosk.test_terminal_calls import (  # noqa: F401 - fixtures
    assembly,
    clock,
    queue,
    terminal,
    to_queue,
)
from ui.app import restart_after_a_call


def test_a_visit_with_a_call_restarts_the_screen_between_sessions(
        terminal: Terminal, queue: FakeCalls) -> None:  # noqa: F811 - the imported fixtures
    restarts: list[bool] = []
    restart_after_a_call(terminal, lambda: restarts.append(True))
    terminal.start()
    terminal.finish()  # a visit with no call: no restart
    assert restarts == []
    to_queue(terminal)
    queue.answer()
    terminal.calls.poll()
    terminal.calls.end_call()
    terminal.finish()
    assert restarts == [True]
