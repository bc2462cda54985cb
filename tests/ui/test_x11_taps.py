"""Taps under a real X server (Xvfb), by xdotool, on the real kiosk process.

The defect this guards: with the on-screen keyboard open, a 150 ms tap on Continue was lost
(5 of 5): the press took focus from the field, the keyboard hid, the page grew, Continue
moved, and the release missed it. pytest-qt offscreen covers the logic
(test_tap_while_keyboard_open.py); this covers what only a real server does: real pointer
events through xcb, window activation, and a window manager between them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.kiosk_fixtures import demo_profile_copy
from tests.needs import require_program
from tests.ui.processes import Watched


@pytest.fixture(autouse=True)
def _x_tools() -> None:
    """Xvfb and xdotool (Debian packages xvfb and xdotool: script/bootstrap --test)."""
    require_program("Xvfb", "Xvfb, the virtual X server (script/bootstrap --test)")
    require_program("xdotool", "xdotool, to press real X buttons (script/bootstrap --test)")

HOLD_SECONDS = 0.15
TAPS = 5


class Xvfb:
    """An X server on a free display number, chosen by the server itself (-displayfd)."""

    def __init__(self, work: Path) -> None:
        read, write = os.pipe()
        try:
            self.proc = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x1024x24",
                 "-nolisten", "tcp"],
                pass_fds=(write,), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=(work / "xvfb.log").open("wb"), cwd=work,
            )
        finally:
            os.close(write)
        with os.fdopen(read, "rb") as answer:
            number = answer.readline().strip()  # returns when the server is ready (or died)
        if not number:
            self.stop()
            raise AssertionError("Xvfb did not start: " + (work / "xvfb.log").read_text())
        self.display = f":{number.decode()}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class Screen:
    """The kiosk driver on the X server, its reported state, and xdotool to touch it."""

    def __init__(self, kiosk: Watched, env: dict[str, str]) -> None:
        self.kiosk, self.env = kiosk, env

    def state(self) -> dict:
        for line in reversed(self.kiosk.lines):
            if line.startswith("STATE "):
                return json.loads(line[6:])
        return {}

    def wait(self, what: str, condition, timeout: float = 15) -> dict:
        self.kiosk.wait_for(lambda: bool(condition(self.state())), timeout, what)
        return self.state()

    def wait_page(self, name: str, timeout: float = 15) -> dict:
        return self.wait(f"page {name}", lambda s: s.get("page") == name, timeout)

    def centre(self, name: str) -> tuple[int, int]:
        rect = self.wait(f"{name} on screen", lambda s: name in s.get("widgets", {}))
        x, y, w, h = rect["widgets"][name]
        return x + min(w // 2, 40) if name.startswith("answer") else x + w // 2, y + h // 2

    def xdotool(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.env, check=True, timeout=10,
                       stdin=subprocess.DEVNULL, capture_output=True)

    def click(self, name: str) -> None:
        x, y = self.centre(name)
        self.xdotool("mousemove", "--sync", str(x), str(y), "click", "1")

    def slow_tap(self, name: str) -> None:
        """mousedown, 150 ms, mouseup at the same point: one xdotool run, so the hold is
        exactly what a finger does and nothing else runs between."""
        x, y = self.centre(name)
        self.xdotool("mousemove", "--sync", str(x), str(y), "mousedown", "1",
                     "sleep", str(HOLD_SECONDS), "mouseup", "1")

    def open_keyboard(self, field: str) -> None:
        self.click(field)
        self.wait("the keyboard open", lambda s: s.get("keyboard"))


@pytest.fixture(params=["no window manager", "openbox"])
def screen(request, tmp_path: Path) -> Iterator[Screen]:
    wm_wanted = request.param == "openbox"
    if wm_wanted:
        require_program("openbox", "openbox, a window manager (script/bootstrap --test)")
    started: list = []
    try:
        xvfb = Xvfb(tmp_path)
        started.append(xvfb)
        home = tmp_path / "home"
        runtime = tmp_path / "run"
        for folder in (home, runtime):
            folder.mkdir(mode=0o700)
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("XDG_", "QT_", "WAYLAND")) and k != "DISPLAY"}
        env.update(DISPLAY=xvfb.display, HOME=str(home), XDG_RUNTIME_DIR=str(runtime),
                   XDG_CONFIG_HOME=str(home / ".config"), XDG_CACHE_HOME=str(home / ".cache"),
                   QT_QPA_PLATFORM="xcb")
        if wm_wanted:
            ready = tmp_path / "openbox-ready"
            wm = Watched(["openbox", "--sm-disable", "--startup", f"touch {ready}"], env,
                         tmp_path)
            started.append(wm)
            wm.wait_for(ready.exists, 15, "openbox running")
        profile = demo_profile_copy(tmp_path)
        kiosk = Watched([sys.executable, "-m", "tests.ui.x11_driver", str(profile),
                         str(tmp_path / "state")], env, Path(__file__).resolve().parents[2])
        started.append(kiosk)
        yield Screen(kiosk, env)
    finally:
        for process in reversed(started):
            if isinstance(process, Watched):
                if process.proc.poll() is None:
                    process.terminate(10)
                process.stop()
            else:
                process.stop()


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
