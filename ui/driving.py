"""Touch the kiosk the way a resident does: find widgets by name, tap, type, wait.

Shared by the demo tour (`ui.tour`, `ui.tour_staff`) and the UI tests, so the pictures the
tour takes and the journeys the tests check are driven the same way. Taps and presses go
through the native window, as a touch screen's input arrives: Qt hit-tests them to the
widget, and window-level observers (the idle watch, the logo hold) see them too. Waiting is
always for a condition, with a deadline, while the event loop runs; never a fixed pause.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt
from PySide6.QtGui import QWindow
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QPlainTextEdit, QScrollArea, QWidget

from accessibility.keyboard_layouts import Action

if TYPE_CHECKING:
    from kiosk.clock import FakeClock
    from ui.window import KioskWindow

_LEFT = Qt.MouseButton.LeftButton
_NO_MODIFIER = Qt.KeyboardModifier.NoModifier
_POLL_MS = 10


class DriveFailed(AssertionError):
    """The kiosk did not do what the driver expected: a widget missing, or a wait ran out.

    An AssertionError, so a test reports it as a failed check; the tour lets it end the run.
    """


def page_name(window: KioskWindow) -> str:
    return str(window.page.property("pageName")) if window.page is not None else "(none)"


def on_page(window: KioskWindow, name: str) -> Callable[[], bool]:
    """A condition for `wait_for`: the window shows the page of that name."""
    return lambda: page_name(window) == name


def widget(window: KioskWindow, name: str) -> QWidget:
    """The shown widget with this name (pages being replaced linger hidden until deleted)."""
    found = [w for w in window.findChildren(QWidget, name) if w.isVisibleTo(window)]
    found = found or window.findChildren(QWidget, name)
    if not found:
        raise DriveFailed(f"no widget named {name!r} on page {page_name(window)}")
    return found[0]


def reveal(target: QWidget) -> None:
    """Scroll the page so the widget is on screen, as a resident would before touching it."""
    parent = target.parentWidget()
    while parent is not None and not isinstance(parent, QScrollArea):
        parent = parent.parentWidget()
    if isinstance(parent, QScrollArea):
        parent.ensureWidgetVisible(target)


def tap(window: KioskWindow, name: str) -> None:
    """Tap the named button, after scrolling it into view; it must be shown and enabled."""
    button = widget(window, name)
    if not isinstance(button, QAbstractButton):
        raise DriveFailed(f"{name!r} is a {type(button).__name__}, not a button")
    if not button.isVisible() and window.keyboard.isVisible():
        # In large print the page's Continue bar folds away while the keyboard is open: a
        # resident presses Done first, and so does the driver.
        press_done(window)
        button = widget(window, name)
    if not button.isVisible():
        raise DriveFailed(f"{name!r} is not shown on page {page_name(window)}")
    if not button.isEnabled():
        raise DriveFailed(f"{name!r} cannot be pressed on page {page_name(window)}")
    reveal(button)
    touch(window, button)


def press_done(window: KioskWindow) -> None:
    """The on-screen keyboard's Done key: it closes the keyboard."""
    done = next((button for key, button in window.keyboard.key_buttons()
                 if key.action is Action.DONE), None)
    if done is None:
        raise DriveFailed("the on-screen keyboard has no Done key on this page")
    touch(window, done)
    deliver_posted_events()


def _handle_and_point(window: QWidget, target: QWidget, at: QPoint | None) -> tuple[QWindow, QPoint]:
    handle = window.windowHandle()
    if handle is None:
        raise DriveFailed("the kiosk window has no native window: show it before touching it")
    return handle, target.mapTo(window, at if at is not None else target.rect().center())


def touch(window: QWidget, target: QWidget, at: QPoint | None = None) -> None:
    """Press and release on `target` (at its centre unless `at`, in its own coordinates)."""
    handle, point = _handle_and_point(window, target, at)
    QTest.mouseClick(handle, _LEFT, _NO_MODIFIER, point)


def press(window: QWidget, target: QWidget, at: QPoint | None = None) -> None:
    handle, point = _handle_and_point(window, target, at)
    QTest.mousePress(handle, _LEFT, _NO_MODIFIER, point)


def release(window: QWidget, target: QWidget, at: QPoint | None = None) -> None:
    handle, point = _handle_and_point(window, target, at)
    QTest.mouseRelease(handle, _LEFT, _NO_MODIFIER, point)


def hold(window: QWidget, target: QWidget, clock: FakeClock, seconds: float,
         at: QPoint | None = None) -> None:
    """Press, keep the finger down for `seconds` of the kiosk's (fake) time, release."""
    press(window, target, at)
    clock.advance(seconds)
    release(window, target, at)


def _text_field(window: KioskWindow, name: str) -> QLineEdit | QPlainTextEdit:
    edit = widget(window, name)
    if not isinstance(edit, QLineEdit | QPlainTextEdit):
        raise DriveFailed(f"{name!r} is a {type(edit).__name__}, not a text field")
    reveal(edit)
    edit.setFocus()
    return edit


def type_text(window: KioskWindow, name: str, text: str) -> None:
    """Type into the named field, key by key, after the field takes focus."""
    QTest.keyClicks(_text_field(window, name), text)


def clear_text(window: KioskWindow, name: str) -> None:
    """Select everything in the named field and delete it, as a resident correcting it would."""
    edit = _text_field(window, name)
    edit.selectAll()
    QTest.keyClick(edit, Qt.Key.Key_Backspace)


def answer_text(window: KioskWindow, text: str) -> None:
    type_text(window, "answer", text)
    tap(window, "continue")


def choose(window: KioskWindow, value: str) -> None:
    tap(window, f"option-{value}")
    tap(window, "continue")


def answer_address(window: KioskWindow, postcode: str, choice: str) -> None:
    """The address question: the postcode, Continue, the addresses there looked up, then one
    chosen by its UPRN, or `not_listed` (the address is typed next: `type_address`)."""
    answer_text(window, postcode)
    wait_for(lambda: not page_name(window).startswith("waiting"),
             what="the addresses at the postcode")
    choose(window, choice)


def type_address(window: KioskWindow, line1: str, town: str) -> None:
    """"Enter the address": its first line and town (the postcode is filled in already)."""
    type_text(window, "answer-line1", line1)
    type_text(window, "answer-town", town)
    tap(window, "continue")


def answer_date(window: KioskWindow, day: str, month: str, year: str) -> None:
    for part, value in (("day", day), ("month", month), ("year", year)):
        type_text(window, f"answer-{part}", value)
    tap(window, "continue")


def wait_for(condition: Callable[[], bool], *, seconds: float = 5.0, what: str = "the kiosk") -> None:
    """Run the event loop until `condition` holds; fail after `seconds` naming `what`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise DriveFailed(f"timed out after {seconds:g} s waiting for {what}")
        QTest.qWait(_POLL_MS)


def deliver_posted_events() -> None:
    """Deliver what is already queued (layouts, paints, deferred deletes, zero-delay timers)
    without waiting for anything new: the state a picture of the screen should show."""
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
