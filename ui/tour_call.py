"""The tour's advisor-call part: from an exit page, Talk to an advisor → consent → the queue,
saving each as a PNG, then leaving the queue (nobody answers in a tour; the live call is
tests/ui/test_call_live.py). A kiosk without calls, or whose hub cannot be reached, shows the
page that says so, which is saved instead."""

from __future__ import annotations

from collections.abc import Callable

from ui.built import Kiosk
from ui.driving import page_name, tap, wait_for


def call_tour(kiosk: Kiosk, shot: Callable[[str], None], seconds: float) -> None:
    """Starts and ends on an exit page (or any page with the button); leaves it as it was."""
    window = kiosk.window
    if not kiosk.terminal.calls.offered:
        return
    tap(window, "talkToAdvisor")
    if page_name(window) != "call_consent":
        shot("call-" + page_name(window).replace(":", "-").replace("_", "-"))
        tap(window, "goBack")
        return
    shot("call-consent")
    tap(window, "joinQueue")
    wait_for(lambda: kiosk.terminal.calls.phase != "joining", seconds=seconds,
             what="the advisor queue")
    shot("call-queue" if page_name(window) == "call_queue"
         else "call-" + page_name(window).replace(":", "-").replace("_", "-"))
    tap(window, "leaveQueue" if page_name(window) == "call_queue" else "goBack")
