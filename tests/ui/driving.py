"""Touch the kiosk the way a resident does: find widgets by name, click, type."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit, QScrollArea, QWidget

from ui.window import KioskWindow


def widget(window: KioskWindow, name: str) -> QWidget:
    """The shown widget with this name (pages being replaced linger hidden until deleted)."""
    found = [w for w in window.findChildren(QWidget, name) if w.isVisibleTo(window)]
    found = found or window.findChildren(QWidget, name)
    assert found, f"no widget named {name!r} on page {page_name(window)}"
    return found[0]


def reveal(target: QWidget) -> None:
    """Scroll the page so the widget is on screen, as a resident would before touching it."""
    parent = target.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if isinstance(parent, QScrollArea):
        parent.ensureWidgetVisible(target)


def page_name(window: KioskWindow) -> str:
    return str(window.page.property("pageName")) if window.page is not None else "(none)"


def tap(qtbot, window: KioskWindow, name: str) -> None:
    button = widget(window, name)
    assert isinstance(button, QAbstractButton), name
    assert button.isVisible(), f"{name} is not shown"
    assert button.isEnabled(), f"{name} cannot be pressed"
    reveal(button)
    touch(qtbot, window, button)


def touch(qtbot, window: KioskWindow, target: QWidget, at: QPoint | None = None) -> None:
    """Press and release through the native window, as a touch screen's input arrives: Qt
    hit-tests it to the widget, and window-level observers (the idle timer) see it too."""
    handle = window.windowHandle()
    assert handle is not None
    point = target.mapTo(window, at if at is not None else target.rect().center())
    qtbot.mouseClick(handle, Qt.MouseButton.LeftButton, pos=point)


def type_text(qtbot, window: KioskWindow, name: str, text: str) -> None:
    edit = widget(window, name)
    assert isinstance(edit, QLineEdit | QPlainTextEdit), name
    reveal(edit)
    edit.setFocus()
    qtbot.keyClicks(edit, text)


def answer_text(qtbot, window: KioskWindow, text: str) -> None:
    type_text(qtbot, window, "answer", text)
    tap(qtbot, window, "continue")


def choose(qtbot, window: KioskWindow, value: str) -> None:
    tap(qtbot, window, f"option-{value}")
    tap(qtbot, window, "continue")


def answer_date(qtbot, window: KioskWindow, day: str, month: str, year: str) -> None:
    for part, value in (("day", day), ("month", month), ("year", year)):
        type_text(qtbot, window, f"answer-{part}", value)
    tap(qtbot, window, "continue")
