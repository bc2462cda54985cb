"""The attract screen: what a passer-by sees. The whole screen is one big button."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from accessibility.languages import LANGUAGES
from accessibility.themes import Theme
from kiosk.texts import Texts
from ui.pages.base import Intents
from ui.widgets import button, label


class AttractPage(QWidget):
    def __init__(self, texts: Texts, theme: Theme, intents: Intents, council: str,
                 site: str, choose_language: Callable[[str], None]) -> None:
        super().__init__()
        self.setObjectName("page")
        self.setProperty("pageName", "attract")
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.intents = intents
        layout = QVBoxLayout(self)
        m = theme.margin_px
        layout.setContentsMargins(m * 2, m * 2, m * 2, m * 2)
        layout.setSpacing(theme.gap_px * 2)
        layout.addStretch(1)
        welcome = label(texts("attract.welcome", council=council), "big")
        welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(welcome)
        where = label(site, "heading")
        where.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(where)
        what = label(texts("attract.what_you_can_do"))
        what.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(what)
        self.start_button = button(texts("attract.touch_to_start"), "primary", name="start")
        self.start_button.setMinimumHeight(round(theme.target_px * 1.6))
        self.start_button.setMinimumWidth(round(theme.font_px * 22))
        self.start_button.clicked.connect(intents.start)
        layout.addWidget(self.start_button, 0, Qt.AlignmentFlag.AlignCenter)
        private = label(texts("attract.free_and_private"), "caption")
        private.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(private)
        layout.addStretch(1)
        # Each language named in itself, so a resident can find theirs without English.
        languages = QHBoxLayout()
        languages.setSpacing(theme.gap_px * 2)
        languages.addStretch(1)
        for lang in LANGUAGES:
            choice = button(lang.native_name, "choice" if lang.code != texts.language
                            else "primary", name=f"language-{lang.code}")
            choice.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
            choice.clicked.connect(lambda _=False, code=lang.code: choose_language(code))
            languages.addWidget(choice)
        languages.addStretch(1)
        layout.addLayout(languages)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        """Touching anywhere starts, not just the button: residents should not need to aim."""
        self.intents.start()
        event.accept()
