"""Run in a child process on a real X display: open the start-up shell for a profile, full
screen, and print where the attract screen's start button ends up (JSON on stdout)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from kiosk.first_frame import FirstFrame
from kiosk.profile import load_device_profile
from ui.boot import open_shell
from ui.qt_app import application


def main(argv: list[str]) -> int:
    frame = FirstFrame.of(load_device_profile(Path(argv[1])))
    shell = open_shell(frame)
    app = application()
    deadline = time.monotonic() + 20
    screen = app.primaryScreen().size()
    while time.monotonic() < deadline:
        app.processEvents()
        if shell.isVisible() and shell.width() == screen.width():
            break
        time.sleep(0.02)  # a child process polling its own event loop for the window manager
    for _ in range(20):
        app.processEvents()
    start = shell.findChild(type(shell), "start") or next(
        w for w in shell.findChildren(object) if getattr(w, "objectName", lambda: "")() == "start")
    bottom = start.mapTo(shell, start.rect().bottomLeft()).y()
    print(json.dumps({"screen": [screen.width(), screen.height()],
                      "window": [shell.width(), shell.height()],
                      "start_bottom": bottom, "start_visible": start.isVisible(),
                      "target_px": shell.theme.target_px}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
