"""Guards on the Qt binding itself: a kiosk runs for days, so a per-call leak is a crash.

PySide6 6.12.0 on CPython 3.11 dropped a reference to None on every call returning nothing;
after enough calls the interpreter aborts ("deallocating None"). We pin a release without it
and this test keeps an upgrade from bringing it back.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel


def test_calls_returning_nothing_keep_none_alive(qapp) -> None:
    obj, timer, text = QObject(), QTimer(), QLabel()
    before = sys.getrefcount(None)
    for _ in range(1000):
        obj.setObjectName("x")
        timer.stop()
        text.setText("y")
    assert abs(sys.getrefcount(None) - before) < 50
