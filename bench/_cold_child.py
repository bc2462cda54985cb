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
    """What `kiosk run` does up to the first frame (the relay runs as its own process)."""
    stamps = {"main": time.perf_counter()}
    from pathlib import Path

    from kiosk.profile import load_profile
    from ui.app import build

    stamps["imported"] = time.perf_counter()
    loaded = load_profile(Path(profile))
    stamps["profile"] = time.perf_counter()
    built = build(loaded, Path(state_dir), start_relay=False)
    stamps["built"] = time.perf_counter()

    def done() -> None:
        _finish(stamps)
        built.app.quit()

    watcher = _watch_first_paint(built.window, stamps, done)
    built.window.show()
    stamps["shown"] = time.perf_counter()
    try:
        return int(built.app.exec())
    finally:
        built.window.removeEventFilter(watcher)
        built.close()


def main(argv: list[str]) -> int:
    if argv[:1] == ["bare"] and len(argv) == 3:
        return bare(int(argv[1]), int(argv[2]))
    if argv[:1] == ["kiosk"] and len(argv) == 3:
        return kiosk(argv[1], argv[2])
    sys.stderr.write(__doc__ or "")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
