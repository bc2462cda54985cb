"""Small building blocks shared by every page: themed labels, big buttons, safe text inputs."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QWidget,
)


def label(text: str, role: str = "", *, name: str = "", wrap: bool = True) -> QLabel:
    widget = QLabel(text)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.PlainText)
    widget.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    if role:
        widget.setProperty("role", role)
    if name:
        widget.setObjectName(name)
    return widget


def button(text: str, role: str = "", *, name: str = "") -> QPushButton:
    widget = QPushButton(text)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    # Touch does not move focus; only the keyboard does, so focus never lingers on a
    # button the resident touched on an earlier page.
    widget.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    widget.setAutoDefault(False)
    if role:
        widget.setProperty("role", role)
    if name:
        widget.setObjectName(name)
    widget.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
    return widget


def lock_down(widget: QWidget) -> None:
    """No context menus, no drops: both are ways out of a kiosk (escape vectors K6)."""
    if isinstance(widget, QRadioButton | QCheckBox):
        widget.setFocusPolicy(Qt.FocusPolicy.TabFocus)
    widget.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
    widget.setAcceptDrops(False)


_SENSITIVE = (Qt.InputMethodHint.ImhSensitiveData | Qt.InputMethodHint.ImhNoPredictiveText
              | Qt.InputMethodHint.ImhNoAutoUppercase)


def line_edit(value: str, *, max_length: int | None, name: str,
              hints: Qt.InputMethodHint = Qt.InputMethodHint.ImhNone) -> QLineEdit:
    edit = QLineEdit()
    edit.setObjectName(name)
    if max_length:
        edit.setMaxLength(max_length + 50)  # room to see you typed too much; engine says so
    edit.setText(value)
    edit.setInputMethodHints(_SENSITIVE | hints)
    edit.setDragEnabled(False)
    lock_down(edit)
    return edit


def text_area(value: str, *, name: str) -> QPlainTextEdit:
    edit = QPlainTextEdit()
    edit.setObjectName(name)
    edit.setPlainText(value)
    edit.setTabChangesFocus(True)
    edit.setInputMethodHints(_SENSITIVE)
    lock_down(edit)
    lock_down(edit.viewport())
    return edit


def rule() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    return line


class RowRadio(QRadioButton):
    """A radio whose whole row is the target, not just the circle and the words."""

    def hitButton(self, pos: QPoint) -> bool:
        return self.rect().contains(pos)


class RowCheckBox(QCheckBox):
    """A checkbox whose whole row is the target."""

    def hitButton(self, pos: QPoint) -> bool:
        return self.rect().contains(pos)
