"""The lockdown under a real X server, with and without a window manager (issue 9): the real
`kiosk run` on Xvfb, chords and presses sent by xdotool. The process lives, stays full
screen and on the same page, and no window of its own or anyone else's appears; a middle
click pastes nothing another client offers, and selecting text offers nothing to others.

openbox is the window manager a resident could otherwise talk to: its Alt+F4 closes, its
Alt+Space menu iconifies, its Super+D shows the desktop (the issue's finding: the kiosk
closed for good, or hid behind the desktop menu). Production runs under cage, which has
none of these; this is the harder case.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ui.processes import Watched
from tests.ui.x11_screen import ROOT, WINDOW_MANAGERS, Screen, start_screen

CHORDS = ["alt+F4", "alt+Tab", "alt+shift+Tab", "super", "ctrl+alt+F1", "ctrl+alt+F2",
          "ctrl+alt+Delete", "ctrl+alt+BackSpace", "alt+Escape", "ctrl+Escape",
          *[f"F{n}" for n in range(1, 13)], "shift+F1", "shift+F10", "Menu", "Escape",
          "ctrl+q", "ctrl+w", "ctrl+v", "shift+Insert", "ctrl+p", "ctrl+o", "ctrl+s"]
PRIMARY_CANARY = "primarycnry8830"
TYPED = "DE991AA"


@pytest.fixture(params=WINDOW_MANAGERS)
def screen(request, tmp_path: Path) -> Iterator[Screen]:
    yield from start_screen(tmp_path, request.param)


def selection_client(screen: Screen, *args: str) -> Watched:
    return Watched([sys.executable, "-m", "tests.ui.x11_selection", *args], screen.env, ROOT)


def read_primary(screen: Screen) -> str:
    reader = selection_client(screen, "read")
    try:
        line = reader.wait_for_line("PRIMARY ", 20)
    finally:
        reader.stop()
    return str(json.loads(line.split(" ", 1)[1]))


def held(screen: Screen, page: str, what: str) -> None:
    """Still here: alive, the same page, full screen, one window, nothing new on screen."""
    screen.sync(what)
    state = screen.wait(f"the kiosk full screen again after {what}",
                        lambda s: s.get("full_screen") and not s.get("minimized")
                        and s.get("shown"), timeout=10)
    assert screen.kiosk.proc.poll() is None, f"the kiosk exited after {what}"
    assert state["page"] == page, f"{what} moved the kiosk to {state['page']}"
    assert state["windows"] == 1, f"{what}: {state['windows']} windows of the kiosk's own"
    assert not state["popup"], f"{what} opened a popup"
    screen.kiosk.wait_for(lambda: len(screen.kiosk_windows()) == 1, 10,
                          f"the kiosk's window viewable after {what}")
    [window] = screen.kiosk_windows()
    x, y, width, height = screen.geometry(window)
    covers = (x <= 0, y <= 0, x + width >= 1280, y + height >= 1024)  # the 1280x1024 screen
    assert all(covers), (what, x, y, width, height)
    assert screen.client_windows() == {window}, f"another window after {what}"


def test_a_resident_cannot_close_hide_or_leave_the_kiosk(screen: Screen) -> None:
    screen.wait_page("attract", timeout=30)
    screen.wait("the window active and full screen",
                lambda s: s.get("active") and s.get("full_screen"), timeout=15)
    [kiosk_window] = screen.kiosk_windows()
    assert screen.client_windows() == {kiosk_window}
    if screen.openbox:  # its Alt+F4 closes the window it has focused: ours, first
        screen.kiosk.wait_for(lambda: screen.xdotool_out("getactivewindow") == kiosk_window,
                              15, "openbox focusing the kiosk")

    def chords(page: str) -> None:
        for chord in CHORDS:
            screen.key(chord)
            held(screen, page, chord)
        before = len(screen.visible_windows())
        screen.key("alt+space")
        if screen.openbox:
            # openbox's window menu shows (its windows, not a program's). Its "Iconify" is
            # greyed out (Qt's hints for a frameless window offer no minimise); a minimise
            # asked of the window manager directly is tried below. Escape closes the menu.
            screen.kiosk.wait_for(lambda: len(screen.visible_windows()) > before, 10,
                                  "openbox's window menu")
            screen.key("Escape")
            screen.kiosk.wait_for(lambda: len(screen.visible_windows()) <= before, 10,
                                  "the window menu gone")
        held(screen, page, "alt+space")

    chords("attract")
    if screen.openbox:
        screen.wait("Alt+F4's close refused", lambda s: s["refused"].get("close"))
    # A question with its keyboard open: the same again, then the mouse.
    screen.click("start")
    screen.wait_page("menu")
    screen.click("service-missed-bin")
    screen.wait_page("question:address")  # the address question's postcode
    screen.open_keyboard("answer")
    page = "question:address"
    chords(page)
    x, y = screen.centre("answer")
    refused = screen.state()["refused"].get("button", 0)
    for press in (["click", "3"], ["click", "2"], ["mousedown", "3", "sleep", "1", "mouseup", "3"],
                  ["mousedown", "1", "sleep", "1.5", "mouseup", "1"]):
        screen.move(x, y)
        screen.xdotool(*press)
        held(screen, page, " ".join(press))
    assert screen.state()["refused"].get("button", 0) >= refused + 6
    assert screen.state()["answer_length"] == 0  # nothing pasted, nothing typed by a chord
    # The window manager hiding the window ("show desktop") or minimising it (what its
    # Iconify does): it comes back, full screen, on the same page.
    screen.key("super+d")
    held(screen, page, "super+d")
    screen.xdotool("windowminimize", kiosk_window)
    held(screen, page, "a minimise request")
    if screen.openbox:
        # At least one of the two took the window away and the lock brought it back (`held`
        # proved it is back each time). Not both, always: 1 run in 5 openbox folds the
        # minimise into the restore of "show desktop", seen with and without other changes.
        refused = screen.state()["refused"]
        assert refused.get("state", 0) >= 1, refused
    assert screen.kiosk.terminate(10) == 0, screen.kiosk.output()


def test_primary_is_neither_pasted_nor_offered(screen: Screen) -> None:
    screen.wait_page("attract", timeout=30)
    screen.wait("the window active", lambda s: s.get("active"), timeout=15)
    screen.click("start")
    screen.wait_page("menu")
    screen.click("service-missed-bin")
    screen.wait_page("question:address")  # the address question's postcode
    screen.open_keyboard("answer")
    owner = selection_client(screen, "own", PRIMARY_CANARY)
    try:
        owner.wait_for_line("OWNED", 20)
        assert read_primary(screen) == PRIMARY_CANARY  # another client's text is on offer
        x, y = screen.centre("answer")
        screen.move(x, y)
        screen.xdotool("click", "2")
        screen.sync("a middle click")
        assert screen.state()["answer_length"] == 0  # not pasted
    finally:
        owner.stop()
    screen.xdotool("type", "--delay", "30", TYPED)
    screen.wait("the postcode typed", lambda s: s.get("answer_length") == len(TYPED))
    given_up = screen.state()["primary_given_up"]
    # Select what was typed, with the mouse (a drag) and with a double click: each offers
    # the selection to other clients unless the kiosk gives it up.
    rect = screen.state()["widgets"]["answer"]
    left, right = rect[0] + 8, rect[0] + min(rect[2] - 8, 400)
    screen.move(right, y)
    screen.xdotool("mousedown", "1", "mousemove", "--sync", str(left), str(y), "mouseup", "1")
    screen.move(left + 20, y)
    screen.xdotool("click", "--repeat", "2", "1")
    screen.wait("the selection given up", lambda s: s["primary_given_up"] > given_up)
    assert TYPED not in read_primary(screen)
    # The demo's quit chord still ends the kiosk, cleanly.
    screen.key("ctrl+shift+q")
    screen.kiosk.wait_for(lambda: screen.kiosk.proc.poll() is not None, 30, "the kiosk to quit")
    assert screen.kiosk.proc.returncode == 0, screen.kiosk.output()
