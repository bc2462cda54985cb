"""Run the real kiosk (`kiosk run`: the start-up shell painted first, the kiosk built into
it) and report what is on screen.

For the tests under a real X server (tests/ui/test_x11_taps.py): xdotool does the touching,
and this driver says where the widgets are and which page shows, one `STATE {json}` line on
stdout whenever that changes. It only reads the window; it never touches it.

    python -m tests.ui.x11_driver PROFILE STATE_DIR
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# Widgets the X tests touch, by object name.
WATCHED = ("start", "service-feedback", "option-compliment", "option-bins", "continue", "back",
           "answer", "answer-day", "key-a", "option-no", "submit", "finish",
           "service-missed-bin", "option-recycling")


def main(argv: list[str]) -> int:
    from PySide6.QtCore import QEvent, QObject, QPoint, QTimer
    from PySide6.QtGui import QWindow
    from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QWidget

    from kiosk.cli import main as kiosk_main
    from ui.app_lockdown import AppLockdown
    from ui.lockdown import Lockdown
    from ui.qt_app import application
    from ui.window import KioskWindow

    profile, state_dir = Path(argv[0]), Path(argv[1])
    app = application()
    last: list[object] = [None]
    keys = [0]

    class KeyCount(QObject):
        """Key releases reaching the native window (before the lockdown refuses any): the
        lockdown tests press a harmless key after each chord and wait for it here."""

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.KeyRelease and isinstance(watched, QWindow):
                keys[0] += 1
            return False

    counter = KeyCount()
    app.installEventFilter(counter)

    def report() -> None:
        # Inside the start-up shell (ui.boot), once it is built: not a top-level window.
        windows = [w for w in app.allWidgets() if isinstance(w, KioskWindow) and w.isVisible()]
        if not windows:
            return
        window = windows[0]
        rects = {}
        # A test that walks other pages names what it touches (comma-separated).
        extra = tuple(n for n in os.environ.get("KIOSK_X11_WATCH", "").split(",") if n)
        for name in (*WATCHED, *extra):
            shown = [w for w in window.findChildren(QWidget, name) if w.isVisible()]
            if shown:
                corner = shown[0].mapToGlobal(QPoint(0, 0))
                rects[name] = [corner.x(), corner.y(), shown[0].width(), shown[0].height()]
        page = window.page.property("pageName") if window.page is not None else None
        delivery = [w.text() for w in window.findChildren(QLabel, "deliveryState")
                    if w.isVisible()]
        state = {"page": page, "keyboard": window.keyboard.isVisible(), "widgets": rects,
                 "active": window.isActiveWindow(), "delivery": delivery[0] if delivery else None}
        top = window.window()
        geometry = top.frameGeometry()
        lock = top.findChild(Lockdown, "lockdown")
        app_lock = app.findChild(AppLockdown)
        answer = [w for w in window.findChildren(QLineEdit, "answer") if w.isVisible()]
        state.update(
            full_screen=top.isFullScreen(), minimized=top.isMinimized(), shown=top.isVisible(),
            geometry=[geometry.x(), geometry.y(), geometry.width(), geometry.height()],
            windows=sum(1 for w in QApplication.topLevelWidgets() if w.isVisible()),
            popup=QApplication.activePopupWidget() is not None, keys=keys[0],
            refused=dict(lock.refused) if lock is not None else None,
            primary_given_up=app_lock.selections_given_up if app_lock is not None else None,
            answer_length=len(answer[0].text()) if answer else None)
        if state != last[0]:
            last[0] = state
            print("STATE " + json.dumps(state), flush=True)

    timer = QTimer()
    timer.timeout.connect(report)
    timer.start(20)
    return kiosk_main(["run", "--profile", str(profile), "--state-dir", str(state_dir)])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
