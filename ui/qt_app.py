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


def choose_panel(platform: str, screen: tuple[int, int] | None,
                 profile: tuple[int, int]) -> tuple[int, int]:
    """The pixel size touch targets are computed for. On a real display it is the screen
    the kiosk is on: a profile written for a 1920×1080 panel must not push the start button
    below the fold of a 1280×720 one (cage gives the kiosk the whole output, whatever the
    profile says). Offscreen there is no panel, so the profile's size stands in for it."""
    if platform == "offscreen" or screen is None or min(screen) <= 0:
        return profile
    return screen


def panel_size(profile_width: int, profile_height: int) -> tuple[int, int]:
    """`choose_panel` for this process's application and primary screen."""
    app = QApplication.instance()
    screen = app.primaryScreen() if isinstance(app, QApplication) else None
    size = screen.size() if screen is not None else None
    return choose_panel(QApplication.platformName(),
                        (size.width(), size.height()) if size is not None else None,
                        (profile_width, profile_height))
