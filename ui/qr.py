"""A QR code drawn straight into a pixmap, for the screen when the receipt cannot print.

Drawn from the code's module matrix with exact whole-pixel modules and a four-module quiet
zone, so a phone camera reads it from the screen as well as from paper.
"""

from __future__ import annotations

import qrcode
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter, QPixmap


def qr_pixmap(payload: str, side_px: int, *, dark: str = "#000000", light: str = "#ffffff"
              ) -> QPixmap:
    """A square pixmap no larger than `side_px` (smaller to keep modules whole pixels)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()  # includes the border
    count = len(matrix)
    module = max(1, side_px // count)
    pixmap = QPixmap(module * count, module * count)
    pixmap.fill(QColor(light))
    painter = QPainter(pixmap)
    try:
        painter.setPen(QColor(dark))
        for row, cells in enumerate(matrix):
            for column, on in enumerate(cells):
                if on:
                    painter.fillRect(QRect(column * module, row * module, module, module), QColor(dark))
    finally:
        painter.end()
    return pixmap
