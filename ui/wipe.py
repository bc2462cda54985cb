"""Session-end wipe and its verification (reliability-security R1–R4).

A wipe that cannot be verified fails closed: the caller shows "out of order" rather than a
fresh-looking attract screen that might still hold the last resident's answers.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import QApplication, QLineEdit, QPlainTextEdit, QTextEdit, QWidget


def destroy(widgets: list[QWidget]) -> None:
    """Destroy now (not deleteLater): nothing of the session may linger until the next loop."""
    for widget in widgets:
        if shiboken6.isValid(widget):
            shiboken6.delete(widget)  # the destructor detaches it from its parent
    widgets.clear()


def clear_clipboard() -> None:
    clipboard = QGuiApplication.clipboard()
    clipboard.clear(QClipboard.Mode.Clipboard)
    if clipboard.supportsSelection():
        clipboard.clear(QClipboard.Mode.Selection)


def leftovers(extra: tuple[str, ...] = ()) -> list[str]:
    """Every trace a text input could keep: text, undo history, or any given canary text."""
    found: list[str] = []
    for widget in QApplication.allWidgets():
        if isinstance(widget, QLineEdit):
            if widget.text() or widget.isUndoAvailable():
                found.append(f"{type(widget).__name__}#{widget.objectName()}")
        elif isinstance(widget, QPlainTextEdit | QTextEdit):
            text = widget.toPlainText()
            if text or widget.document().isUndoAvailable():
                found.append(f"{type(widget).__name__}#{widget.objectName()}")
    clipboard = QGuiApplication.clipboard()
    modes = [QClipboard.Mode.Clipboard]
    if clipboard.supportsSelection():
        modes.append(QClipboard.Mode.Selection)
    for mode in modes:
        if clipboard.text(mode):
            found.append(f"clipboard:{mode.name}")
    if extra:
        for widget in QApplication.allWidgets():
            text = " ".join(
                str(getattr(widget, attr)()) for attr in ("text", "toolTip", "accessibleName",
                                                          "windowTitle")
                if hasattr(widget, attr)
            )
            if any(canary in text for canary in extra):
                found.append(f"{type(widget).__name__}#{widget.objectName()} shows a canary")
    return found
