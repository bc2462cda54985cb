"""Layers drawn over the page inside the one window: "need more time?" and out-of-order.

Never QDialog: a kiosk has exactly one window, and dialogs are an escape route (K4).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QVBoxLayout, QWidget

from accessibility.themes import Theme
from kiosk.texts import Texts
from ui.widgets import button, label, scroll_area


class Overlay(QWidget):
    """Covers its parent completely and swallows touches to what is underneath."""

    def __init__(self, parent: QWidget, theme: Theme, *, tall: bool = False) -> None:
        super().__init__(parent)
        self.setObjectName("overlay")
        # The window keeps every shown overlay covering it when it is resized.
        self.setProperty("overlay", True)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.tall = tall
        outer = QVBoxLayout(self)
        if not tall:
            outer.addStretch(1)
        self.card = QFrame()
        self.card.setObjectName("dialogCard")
        card = QVBoxLayout(self.card)
        m = theme.margin_px
        card.setContentsMargins(m, m, m, m)
        card.setSpacing(theme.gap_px)
        # Words scroll if they must (extra-large text); the buttons below them never do.
        self.scroll_area = scroll_area()
        self.content = QWidget()
        self.content.setObjectName("dialogContent")
        self.inner = QVBoxLayout(self.content)
        self.inner.setContentsMargins(0, 0, 0, 0)
        self.inner.setSpacing(theme.gap_px)
        self.scroll_area.setWidget(self.content)
        card.addWidget(self.scroll_area, 1)
        self.buttons = QVBoxLayout()
        self.buttons.setSpacing(theme.gap_px)
        card.addLayout(self.buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.card, 10 if theme.text_scale > 1 else 4)
        row.addStretch(1)
        outer.addLayout(row, 1 if tall else 0)
        if not tall:
            outer.addStretch(1)
        self.hide()

    def cover(self) -> None:
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()
        self.fit_card()

    def fit_card(self) -> None:
        """Box layouts size the card by its one-line hint; wrapped text needs more height,
        up to the whole window (beyond that the words scroll)."""
        layout, card = self.layout(), self.card.layout()
        if layout is None or card is None or self.tall:
            return
        layout.activate()
        words = self.inner.totalHeightForWidth(self.scroll_area.viewport().width())
        if words < 0:
            words = self.inner.sizeHint().height()
        self.scroll_area.setMinimumHeight(0)
        inner = card.contentsMargins()
        chrome = inner.top() + inner.bottom()
        if self.buttons.count():
            wanted = self.buttons.totalHeightForWidth(self.card.width())
            chrome += card.spacing() + (wanted if wanted > 0 else self.buttons.sizeHint().height())
        margins = layout.contentsMargins()
        room = (self.height() - margins.top() - margins.bottom() - 2 * layout.spacing()
                - 2 * self.card.frameWidth() - chrome - 8)
        self.scroll_area.setMinimumHeight(max(0, min(words, room)))
        card.activate()
        layout.activate()


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
        self.buttons.addWidget(self.more_time)
        self.end_now = button(texts("timeout.no"), name="endNow")
        self.end_now.clicked.connect(on_end)
        self.buttons.addWidget(self.end_now)

    def show_seconds(self, seconds: int, can_extend: bool) -> None:
        self.countdown.setText(str(seconds))
        self.body.setText(self.texts("timeout.body", seconds=str(seconds)))
        self.more_time.setVisible(can_extend)
        if self.isVisible():
            self.fit_card()


class FaultOverlay(Overlay):
    """Shown when the kiosk cannot guarantee a clean session: fail closed, ask for staff."""

    def __init__(self, parent: QWidget, texts: Texts, theme: Theme) -> None:
        super().__init__(parent, theme)
        self.inner.addWidget(label(texts("fault.title"), "heading", name="faultTitle"))
        self.inner.addWidget(label(texts("fault.body")))
