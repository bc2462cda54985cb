"""Layers drawn over the page inside the one window: "need more time?" and out-of-order.

Never QDialog: a kiosk has exactly one window, and dialogs are an escape route (K4).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from accessibility.themes import Theme
from kiosk.texts import Texts
from ui.widgets import button, label


class Overlay(QWidget):
    """Covers its parent completely and swallows touches to what is underneath."""

    def __init__(self, parent: QWidget, theme: Theme, *, tall: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("overlay")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        self.card = QFrame()
        self.card.setObjectName("dialogCard")
        self.card.setMaximumWidth(round(theme.font_px * 40))
        self.inner = QVBoxLayout(self.card)
        m = theme.margin_px
        self.inner.setContentsMargins(m, m, m, m)
        self.inner.setSpacing(theme.gap_px)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.card, 4)
        row.addStretch(1)
        outer.addLayout(row, 20 if tall else 0)
        outer.addStretch(1)
        self.hide()

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()


class TimeoutOverlay(Overlay):
    def __init__(self, parent: QWidget, texts: Texts, theme: Theme,
                 on_more_time: Callable[[], None], on_end: Callable[[], None]) -> None:
        super().__init__(parent, theme)
        self.texts = texts
        self.inner.addWidget(label(texts("timeout.title"), "heading", name="timeoutTitle"))
        self.countdown = label("", name="countdown")
        self.inner.addWidget(self.countdown)
        self.body = label("", name="timeoutBody")
        self.inner.addWidget(self.body)
        self.more_time = button(texts("timeout.yes"), "primary", name="moreTime")
        self.more_time.clicked.connect(on_more_time)
        self.inner.addWidget(self.more_time)
        self.end_now = button(texts("timeout.no"), name="endNow")
        self.end_now.clicked.connect(on_end)
        self.inner.addWidget(self.end_now)

    def show_seconds(self, seconds: int, can_extend: bool) -> None:
        self.countdown.setText(str(seconds))
        self.body.setText(self.texts("timeout.body", seconds=str(seconds)))
        self.more_time.setVisible(can_extend)


class FaultOverlay(Overlay):
    """Shown when the kiosk cannot guarantee a clean session: fail closed, ask for staff."""

    def __init__(self, parent: QWidget, texts: Texts, theme: Theme) -> None:
        super().__init__(parent, theme)
        self.inner.addWidget(label(texts("fault.title"), "heading", name="faultTitle"))
        self.inner.addWidget(label(texts("fault.body")))
