"""The staff PIN pad: large digit keys over the resident's page, with the lockout countdown.

Opened by holding the council name for three seconds. Digits show as dots and are never
spoken, whatever the read-aloud setting. After five wrong PINs the keys are disabled and a
countdown says when the pad opens again (the lockout itself is `kiosk.staff.PinPad`'s).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QGridLayout, QPushButton, QWidget

from accessibility.themes import Theme
from kiosk.staff import PinResult
from kiosk.texts import Texts
from ui.key_policy import USES_ESCAPE
from ui.overlays import Overlay
from ui.widgets import button, label

MAX_DIGITS = 12


class PinPadOverlay(Overlay):
    def __init__(self, parent: QWidget, texts: Texts, theme: Theme, *,
                 on_pin: Callable[[str], PinResult], locked_for: Callable[[], int],
                 on_cancel: Callable[[], None]) -> None:
        super().__init__(parent, theme, tall=True)
        self.setObjectName("pinPad")
        self.setProperty(USES_ESCAPE, True)  # Escape cancels (the lockdown lets it through)
        self.texts = texts
        self._on_pin, self._locked_for, self._on_cancel = on_pin, locked_for, on_cancel
        self._digits = ""
        self.inner.addWidget(label(texts("pin.title"), "heading", name="pinTitle"))
        self.inner.addWidget(label(texts("pin.hint"), "hint"))
        self.display = label("", "reference", name="pinDisplay")
        self.display.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.display.setAccessibleName(texts("pin.title"))
        self.inner.addWidget(self.display)
        self.message = label("", "error", name="pinMessage")
        self.message.hide()
        self.inner.addWidget(self.message)
        grid = QGridLayout()
        grid.setSpacing(theme.gap_px)
        self.keys: list[QPushButton] = []
        layout = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "delete")
        for index, key in enumerate(layout):
            text = key if key.isdigit() else texts(f"pin.{key}")
            widget = button(text, "choice", name=f"pin-{key}")
            widget.setMinimumHeight(theme.target_px)
            widget.clicked.connect(lambda _=False, k=key: self._press(k))
            grid.addWidget(widget, index // 3, index % 3)
            self.keys.append(widget)
        self.inner.addLayout(grid)
        self.enter = button(texts("pin.enter"), "primary", name="pinEnter")
        self.enter.clicked.connect(self.submit)
        self.buttons.addWidget(self.enter)
        cancel = button(texts("pin.cancel"), name="pinCancel")
        cancel.clicked.connect(on_cancel)
        self.buttons.addWidget(cancel)
        self.countdown = QTimer(self)
        self.countdown.setInterval(1000)
        self.countdown.timeout.connect(self.refresh_lock)
        self.refresh_lock()

    # --- input ----------------------------------------------------------------------------

    def _press(self, key: str) -> None:
        if key == "clear":
            self._digits = ""
        elif key == "delete":
            self._digits = self._digits[:-1]
        elif len(self._digits) < MAX_DIGITS:
            self._digits += key
        self._show_digits()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """A USB keypad or keyboard works too (staff at a desk terminal)."""
        text = event.text()
        if text.isdigit() and len(text) == 1:
            self._press(text)
        elif event.key() == Qt.Key.Key_Backspace:
            self._press("delete")
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
        elif event.key() == Qt.Key.Key_Escape:
            self._on_cancel()
        else:
            super().keyPressEvent(event)

    def _show_digits(self) -> None:
        self.display.setText("●" * len(self._digits))

    def submit(self) -> None:
        if not self._digits or self._locked_for():
            return
        pin, self._digits = self._digits, ""
        self._show_digits()
        result = self._on_pin(pin)
        if result.outcome == "refused":
            self._say(self.texts("pin.wrong", left=str(result.attempts_left)))
        elif result.outcome == "locked":
            self.refresh_lock()

    # --- lockout --------------------------------------------------------------------------

    def refresh_lock(self) -> None:
        """Keys off and a minutes:seconds countdown while locked; on again when it ends."""
        left = self._locked_for()
        for key in (*self.keys, self.enter):
            key.setEnabled(not left)
        if left:
            minutes, seconds = divmod(left, 60)
            self._say(self.texts("pin.locked", time=f"{minutes}:{seconds:02d}"))
            if not self.countdown.isActive():
                self.countdown.start()
        else:
            self.countdown.stop()
            if self.message.property("locked"):
                self.message.hide()
            self.message.setProperty("locked", False)
            return
        self.message.setProperty("locked", True)

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()
        if self.isVisible():
            self.fit_card()
