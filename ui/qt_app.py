"""The one QApplication, made the same way by the first frame and the composition root."""

from __future__ import annotations

import sys

from PySide6.QtCore import QLoggingCategory
from PySide6.QtWidgets import QApplication


def application() -> QApplication:
    """One QApplication with a fixed argv: Qt parses argv, so never pass the real one (a
    `-platform` or `-qwindowgeometry` given on the command line would be obeyed)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # Audio back ends Qt probes and does not need (PipeWire), and offscreen window-manager
    # hints, are noise in the journal.
    QLoggingCategory.setFilterRules("qt.multimedia.symbolsresolver=false\n"
                                    "qt.qpa.window=false\nqt.qpa.plugin=false")
    return QApplication([sys.argv[0] if sys.argv else "kiosk"])
