"""Taps under a real X server (Xvfb), by xdotool, on the real kiosk process.

The defect this guards: with the on-screen keyboard open, a 150 ms tap on Continue was lost
(5 of 5): the press took focus from the field, the keyboard hid, the page grew, Continue
moved, and the release missed it. pytest-qt offscreen covers the logic
(test_tap_while_keyboard_open.py); this covers what only a real server does: real pointer
events through xcb, window activation, and a window manager between them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.x11_screen import WINDOW_MANAGERS, Screen, start_screen

TAPS = 5


@pytest.fixture(params=WINDOW_MANAGERS)
def screen(request, tmp_path: Path) -> Iterator[Screen]:
    yield from start_screen(tmp_path, request.param)


def test_held_taps_on_continue_act_while_the_keyboard_is_open(screen: Screen) -> None:
    started = time.monotonic()
    screen.wait_page("attract", timeout=30)
    # A window manager maps, activates and sizes the full-screen window after it shows: a
    # click before that lands where the start button is not yet.
    screen.wait("the window active", lambda s: s.get("active"), timeout=15)
    screen.click("start")
    screen.wait_page("menu")
    screen.click("service-feedback")
    screen.wait_page("question:feedback_type")
    screen.click("option-compliment")
    screen.click("continue")
    screen.wait_page("question:topics")
    screen.click("option-bins")
    screen.click("continue")
    screen.wait_page("question:message")
    screen.open_keyboard("answer")
    screen.click("key-a")
    lost: list[str] = []
    # Tap 1 on the message page, taps 2-5 on the (optional) date page, coming back each time.
    for tap in range(1, TAPS + 1):
        here, onward = (("question:message", "question:happened_on") if tap == 1
                        else ("question:happened_on", "question:wants_reply"))
        if tap > 1:
            screen.open_keyboard("answer-day")
        screen.slow_tap("continue")
        try:
            screen.wait_page(onward, timeout=5)
        except AssertionError:
            lost.append(f"tap {tap} on {here}")
            break
        if tap < TAPS:
            screen.wait("the keyboard hidden", lambda s: not s.get("keyboard"))
            if tap > 1:
                screen.click("back")
                screen.wait_page("question:happened_on")
    assert lost == [], f"taps lost: {lost}"
    # Every process this test started is stopped by the fixture; the kiosk itself exits 0
    # on SIGTERM (its speech folder gone: test_speech_folder_lifecycle.py).
    assert screen.kiosk.terminate(10) == 0, screen.kiosk.output()
    assert time.monotonic() - started < 60
