"""Child process of `bench/cold_start.py`: start, show one window, report its first paint.

Kept separate and minimal so that what the parent times is the thing being measured, not
this script's own imports. Usage (set QT_QPA_PLATFORM=offscreen):

    python bench/_cold_child.py bare WIDTH HEIGHT
    python bench/_cold_child.py kiosk PROFILE STATE_DIR

On the first Paint event of the top-level window it waits for that paint to finish (a
zero-delay timer runs after the whole backing-store sync) and prints one line,
`PAINTED {json}`, holding `time.perf_counter()` stamps taken along the way. On Linux that
clock is CLOCK_MONOTONIC, shared by every process, so the parent can subtract its own stamp
taken just before it started this process.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any


def _watch_first_paint(window: Any, stamps: dict[str, float], on_done: Any) -> Any:
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "paint_start" not in stamps:
                stamps["paint_start"] = time.perf_counter()
                QTimer.singleShot(0, on_done)
            return False

    watcher = FirstPaint()
    window.installEventFilter(watcher)
    return watcher


def _finish(stamps: dict[str, float]) -> None:
    stamps["painted"] = time.perf_counter()
    sys.stdout.write("PAINTED " + json.dumps(stamps) + "\n")
    sys.stdout.flush()


def bare(width: int, height: int) -> int:
    stamps = {"main": time.perf_counter()}
    from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

    stamps["imported"] = time.perf_counter()
    app = QApplication([sys.argv[0]])
    window = QWidget()
    layout = QVBoxLayout(window)
    layout.addWidget(QLabel("Welcome to Demo Borough Council"))
    window.resize(width, height)
    stamps["built"] = time.perf_counter()

    def done() -> None:
        _finish(stamps)
        app.quit()

    watcher = _watch_first_paint(window, stamps, done)
    window.show()
    stamps["shown"] = time.perf_counter()
    code = app.exec()
    window.removeEventFilter(watcher)
    return code


def kiosk(profile: str, state_dir: str) -> int:
    """What `kiosk run` does (the relay runs as its own process): the profile, the start-up
    shell painted first (`ui.boot`), then the rest built into it. Also stamps when the kiosk
    is ready, and a first touch on the attract screen until the menu is painted."""
    stamps = {"main": time.perf_counter()}
    from pathlib import Path

    from kiosk.first_frame import FirstFrame, remembered
    from ui.boot import open_shell

    stamps["imported"] = time.perf_counter()
    path = Path(profile)
    # As `kiosk run` does: the remembered first frame of a profile validated before, byte
    # for byte; otherwise the profile validated in full before anything shows.
    frame = remembered(path, Path(state_dir))
    device = None
    if frame is None:
        from kiosk.profile import load_device_profile

        device = load_device_profile(path)
        frame = FirstFrame.of(device)
        stamps["validated_first"] = time.perf_counter()
    stamps["profile"] = time.perf_counter()
    shell = open_shell(frame)
    stamps["shown"] = time.perf_counter()
    from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    built: list[object] = []

    class MenuPainted(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and "touched" in stamps \
                    and "menu_painted" not in stamps and _on_menu(built):
                stamps["menu_painted"] = time.perf_counter()
                QTimer.singleShot(0, finish)
            return False

    menu_watch = MenuPainted()

    def finish() -> None:
        _finish(stamps)
        app.quit()

    def touch() -> None:
        window = built[0].window  # type: ignore[attr-defined]
        window.installEventFilter(menu_watch)
        page = window.page
        stamps["touched"] = time.perf_counter()
        QTest.mouseClick(page, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
        window.repaint()

    def load_rest() -> None:
        stamps["first_frame"] = time.perf_counter()
        from ui.app import build_into

        built.append(build_into(shell, path, device, Path(state_dir)))
        stamps["ready"] = time.perf_counter()
        QTimer.singleShot(0, touch)

    def first_paint() -> None:
        stamps["paint_start"] = stamps.get("paint_start", time.perf_counter())
        load_rest()

    shell.after_first_paint(first_paint)
    try:
        return int(app.exec())
    finally:
        for kiosk in built:
            kiosk.close()  # type: ignore[attr-defined]
        shell.close()


def _on_menu(built: list[object]) -> bool:
    if not built:
        return False
    page = built[0].window.page  # type: ignore[attr-defined]
    return page is not None and page.property("pageName") == "menu"


def main(argv: list[str]) -> int:
    if argv[:1] == ["bare"] and len(argv) == 3:
        return bare(int(argv[1]), int(argv[2]))
    if argv[:1] == ["kiosk"] and len(argv) == 3:
        return kiosk(argv[1], argv[2])
    sys.stderr.write(__doc__ or "")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
