"""A turning arc that says "still working": the waiting page is never a frozen screen."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QHideEvent, QPainter, QPaintEvent, QPen, QShowEvent
from PySide6.QtWidgets import QWidget

from accessibility.themes import Theme

STEP_DEGREES = 30
STEP_MS = 80


class Spinner(QWidget):
    """A quarter-circle arc turning once a second, in the theme's primary colour over its
    border colour, one touch target across. Turns only while shown."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("spinner")
        self.setAccessibleName("")
        self.theme = theme
        self.angle = 0
        self.side = theme.target_px
        self.setFixedSize(QSize(self.side, self.side))
        self.timer = QTimer(self)
        self.timer.setInterval(STEP_MS)
        self.timer.timeout.connect(self._turn)

    def _turn(self) -> None:
        self.angle = (self.angle + STEP_DEGREES) % 360
        self.update()

    def showEvent(self, event: QShowEvent) -> None:
        self.timer.start()
        super().showEvent(event)

    def hideEvent(self, event: QHideEvent) -> None:
        self.timer.stop()
        super().hideEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        width = max(self.theme.border_px * 2, self.side // 10)
        box = QRectF(width, width, self.side - 2 * width, self.side - 2 * width)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        track = QPen(QColor(self.theme.palette.border), width / 3)
        painter.setPen(track)
        painter.drawEllipse(box)
        arc = QPen(QColor(self.theme.palette.primary), width)
        arc.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(arc)
        # Qt angles are sixteenths of a degree, anticlockwise: minus turns it clockwise.
        painter.drawArc(box, -self.angle * 16, 90 * 16)
        painter.end()
