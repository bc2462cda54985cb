"""A real X server (Xvfb), with or without a window manager, running the real kiosk
(`tests.ui.x11_driver`: `kiosk run` reporting what is on screen), and xdotool to touch and
type on it. Shared by tests/ui/test_x11_taps.py and tests/ui/test_x11_lockdown.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.kiosk_fixtures import demo_profile_copy
from tests.needs import require_program
from tests.ui.processes import Watched

ROOT = Path(__file__).resolve().parents[2]


def require_x_tools() -> None:
    """Xvfb and xdotool (Debian packages xvfb and xdotool: script/bootstrap --test)."""
    require_program("Xvfb", "Xvfb, the virtual X server (script/bootstrap --test)")
    require_program("xdotool", "xdotool, to press real X buttons (script/bootstrap --test)")


HOLD_SECONDS = 0.15


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

    def __init__(self, kiosk: Watched, env: dict[str, str], *, openbox: bool = False) -> None:
        self.kiosk, self.env, self.openbox = kiosk, env, openbox

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

    # ----- for the lockdown tests --------------------------------------------------------

    def xdotool_out(self, *args: str) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env, timeout=10, text=True,
                              stdin=subprocess.DEVNULL, capture_output=True, check=False)
        return done.stdout.strip()

    def key(self, chord: str) -> None:
        self.xdotool("key", "--clearmodifiers", chord)

    def sync(self, what: str) -> None:
        """Press Shift (which nothing acts on) and wait until the kiosk has seen it: every
        key sent before it has been handled by then (X delivers in order)."""
        seen = self.state().get("keys", 0)
        self.xdotool("key", "shift")
        self.wait(f"the key after {what} to arrive", lambda s: s.get("keys", 0) > seen)

    def move(self, x: int, y: int) -> None:
        """The pointer to (x, y), waiting until it is there (`--sync` waits forever if the
        pointer is there already, so not then)."""
        out = self.xdotool_out("getmouselocation", "--shell")
        at = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        if (at.get("X"), at.get("Y")) != (str(x), str(y)):
            self.xdotool("mousemove", "--sync", str(x), str(y))

    def visible_windows(self) -> set[str]:
        """Every viewable window on the server (the window manager's frames and menus too)."""
        return set(self.xdotool_out("search", "--onlyvisible", "--name", "").split())

    def client_windows(self) -> set[str]:
        """Viewable windows of programs (they name their class; a window manager's frames
        and menus do not)."""
        return set(self.xdotool_out("search", "--onlyvisible", "--class", ".").split())

    def kiosk_windows(self) -> list[str]:
        return self.xdotool_out("search", "--onlyvisible", "--pid", str(self.kiosk.proc.pid)).split()

    def geometry(self, window: str) -> tuple[int, int, int, int]:
        """x, y, width, height as the X server has them."""
        out = self.xdotool_out("getwindowgeometry", "--shell", window)
        values = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        return (int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"]))


WINDOW_MANAGERS = ["no window manager", "openbox"]


def start_screen(tmp_path: Path, window_manager: str,
                 extra_env: dict[str, str] | None = None) -> Iterator[Screen]:
    """The screen for a test (a generator for a fixture): Xvfb, openbox if asked, the
    kiosk; every process stopped afterwards, whatever happened."""
    require_x_tools()
    wm_wanted = window_manager == "openbox"
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
                   QT_QPA_PLATFORM="xcb", **(extra_env or {}))
        if wm_wanted:
            ready = tmp_path / "openbox-ready"
            wm = Watched(["openbox", "--sm-disable", "--startup", f"touch {ready}"], env,
                         tmp_path)
            started.append(wm)
            wm.wait_for(ready.exists, 15, "openbox running")
        profile = demo_profile_copy(tmp_path)
        kiosk = Watched([sys.executable, "-m", "tests.ui.x11_driver", str(profile),
                         str(tmp_path / "state")], env, ROOT)
        started.append(kiosk)
        yield Screen(kiosk, env, openbox=wm_wanted)
    finally:
        for process in reversed(started):
            if isinstance(process, Watched):
                if process.proc.poll() is None:
                    process.terminate(10)
                process.stop()
            else:
                process.stop()
