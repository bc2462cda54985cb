"""What a resident cannot do with the kiosk's window (issue 9; reliability-security V2, V6, V7).

One `Lockdown` per top-level window, made by `install_lockdown` when the start-up shell is
shown (`ui.boot`) or the kiosk is built on its own (`ui.app.build`). It does two things:

* **Input.** An event filter on the window's native window (its `QWindow`). Everything the
  window system delivers arrives there before any widget sees it, shortcut matching
  included (Qt sends `ShortcutOverride` through it first): keys, mouse buttons, drags and
  the platform's context-menu requests. Keys go through `ui.key_policy.key_allowed` (an
  allow-list); a refused key is refused as a shortcut too, so no `QShortcut`, `QAction` or
  mnemonic fires on it. Only the left button (a touch is a left button) passes: no middle
  click (X PRIMARY paste), no right click (context menus). Drags are refused on entry, so
  nothing is ever dropped. The filter sits on the native window rather than the
  application because an application filter sees every event of every object (about a
  thousand per page change, PySide6 calling into Python for each): measured, it added
  3 ms of CPU to every tap, a third of a tap's cost. Events sent by our own code straight
  to a widget (the on-screen keyboard's keys) do not pass through it, and need not.
* **The window.** It refuses a close that comes from the window system (Alt+F4 under a
  window manager, its "Close" menu item: a spontaneous close) and takes back full screen,
  or comes back from minimised, whenever something else changes its state. Our own code
  may still close it (quitting, `Kiosk.close`, a restart): those closes are not
  spontaneous. Outside those, only `maintenance` lets it go.

`maintenance` is the one switch: a plain bool that IT maintenance (a remote command) sets,
decided elsewhere. While it is on the window may be closed, minimised or taken out of full
screen; the input filter stays on.

Application-wide refusals that do not depend on a window (URL handlers, the X PRIMARY
selection) are `ui.app_lockdown`'s, installed once per application by `install_lockdown`.
"""

from __future__ import annotations

import logging
import time
from collections import Counter

import shiboken6
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import (
    QGuiApplication,
    QKeyEvent,
    QMouseEvent,
    QWindow,
    QWindowStateChangeEvent,
)
from PySide6.QtWidgets import QApplication, QWidget

from ui.app_lockdown import lock_application
from ui.key_policy import USES_ESCAPE, key_allowed

log = logging.getLogger(__name__)

_T = QEvent.Type
_KEYS = frozenset({_T.KeyPress, _T.KeyRelease, _T.ShortcutOverride})
_BUTTONS = frozenset({_T.MouseButtonPress, _T.MouseButtonRelease, _T.MouseButtonDblClick})
_DRAGS = frozenset({_T.DragEnter, _T.DragMove, _T.Drop})
_OTHER_REFUSED = frozenset({_T.ContextMenu, _T.WhatsThis, _T.QueryWhatsThis,
                            _T.EnterWhatsThisMode})
_WS = Qt.WindowState
REMAP_SECONDS = 2.0


class Lockdown(QObject):
    """The lock on one top-level window. `refused` counts what was refused, by kind."""

    def __init__(self, window: QWidget, *, quit_chord: bool = False) -> None:
        super().__init__(window)
        self.setObjectName("lockdown")
        self.window = window
        self.quit_chord = quit_chord
        self.maintenance = False
        self.refused: Counter[str] = Counter()
        self._handle: QWindow | None = None
        self._full_screen = bool(window.windowState() & _WS.WindowFullScreen)
        self._restoring = False
        self._pending = False
        self._remapped_at = -REMAP_SECONDS
        self._reactivate = False
        window.setAcceptDrops(False)
        window.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        window.installEventFilter(self)
        self.attach()

    # ----- installing ----------------------------------------------------------------------

    def attach(self) -> None:
        """Filter the window's native window; again after it changed, or to run first: Qt
        runs the newest filter first, and filters installed later (the kiosk window's idle
        watch and scanner) should never see a refused key."""
        handle = self.window.windowHandle()
        if handle is None:
            self.window.winId()  # make the native window now: input may come at once
            handle = self.window.windowHandle()
        if self._handle is not None and shiboken6.isValid(self._handle):
            self._handle.removeEventFilter(self)
        self._handle = handle
        if handle is not None:
            handle.installEventFilter(self)

    def remove(self) -> None:
        """Stop filtering (the kiosk is closing down)."""
        if shiboken6.isValid(self.window):
            self.window.removeEventFilter(self)
        if self._handle is not None and shiboken6.isValid(self._handle):
            self._handle.removeEventFilter(self)
        self._handle = None

    # ----- the filter ----------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.window:
            return self._window_event(kind, event)
        if kind in _KEYS:
            return isinstance(event, QKeyEvent) and self._key(event)
        if kind in _BUTTONS:
            if isinstance(event, QMouseEvent) and event.button() != Qt.MouseButton.LeftButton:
                self.refused["button"] += 1
                return True
            return False
        if kind in _DRAGS:
            event.ignore()
            self.refused["drop"] += 1
            return True
        if kind in _OTHER_REFUSED:
            self.refused["menu"] += 1
            return True
        if kind == _T.Expose and self._handle is not None:
            if not self._handle.isExposed():
                QTimer.singleShot(0, self._check_shown)
            elif self._reactivate:
                # Shown again: ask for the focus now (asked while still hidden, a window
                # manager may ignore it).
                self._reactivate = False
                QTimer.singleShot(0, self.window.activateWindow)
        return False

    def _key(self, event: QKeyEvent) -> bool:
        focus = QApplication.focusWidget()
        if key_allowed(event.key(), event.modifiers(), event.text(),
                       escape_wanted=_wants_escape(focus), quit_chord=self.quit_chord):
            return False
        if event.type() == _T.ShortcutOverride:
            # Accepted: "the focus widget takes this key", so no shortcut runs on it; the
            # key press that follows is refused below.
            event.accept()
        else:
            self.refused["key"] += 1
        return True

    def _window_event(self, kind: QEvent.Type, event: QEvent) -> bool:
        if kind == _T.Close and event.spontaneous() and not self.maintenance:
            event.ignore()
            self.refused["close"] += 1
            log.info("the window system asked the kiosk window to close: refused")
            return True
        if kind == _T.WindowStateChange and isinstance(event, QWindowStateChangeEvent):
            self._state_changed()
        elif kind == _T.WinIdChange:
            QTimer.singleShot(0, self.attach)  # a new native window: filter that one
        return False

    # ----- the window's state --------------------------------------------------------------

    def _state_changed(self) -> None:
        state = self.window.windowState()
        if self.maintenance or self._restoring:
            self._full_screen = bool(state & _WS.WindowFullScreen)
            return
        if state & _WS.WindowFullScreen:
            self._full_screen = True
        lost = bool(state & _WS.WindowMinimized) or (
            self._full_screen and not state & _WS.WindowFullScreen)
        if lost and not self._pending:
            self._pending = True
            self.refused["state"] += 1
            log.info("the kiosk window was minimised or left full screen: taken back")
            # After this event: the platform is still telling Qt about the change.
            QTimer.singleShot(0, self.restore)

    def _check_shown(self) -> None:
        """An X window manager can unmap the window without minimising it ("show desktop",
        openbox's Super+D): Qt's state stays full screen, the window is simply gone, and
        an activation is deferred until it is mapped again, which never happens. So map it
        again. Only under X11: under a Wayland compositor (cage) nobody but the compositor
        hides the window, and it also stops showing it when the screen is off. At most
        once per REMAP_SECONDS, so a window still being mapped is never hidden twice."""
        handle = self._handle
        if (self.maintenance or handle is None or not shiboken6.isValid(handle)
                or handle.isExposed() or not self.window.isVisible() or not _on_x11()
                or time.monotonic() - self._remapped_at < REMAP_SECONDS):
            return
        self.refused["state"] += 1
        log.info("the kiosk window was hidden by the window manager: shown again")
        self._show_again(remap=True)

    def restore(self) -> None:
        """Full screen again (or back from minimised), in front, with the input focus."""
        self._pending = False
        if self.maintenance or not shiboken6.isValid(self.window) or not self.window.isVisible():
            return  # closed by our own code meanwhile (a minimised window is still visible)
        self._show_again(remap=False)

    def _show_again(self, *, remap: bool) -> None:
        """`remap`: map the window afresh (X11, after a window manager unmapped it)."""
        self._restoring = True
        try:
            if remap:
                self._remapped_at = time.monotonic()
                self.window.hide()
            if self._full_screen:
                self.window.showFullScreen()
            else:
                self.window.showNormal()
            self.window.raise_()
            self.window.activateWindow()
            self._reactivate = True
        finally:
            self._restoring = False


def _on_x11() -> bool:
    return QGuiApplication.platformName() == "xcb"


def _wants_escape(widget: QWidget | None) -> bool:
    while widget is not None:
        if widget.property(USES_ESCAPE):
            return True
        widget = widget.parentWidget()
    return False


def install_lockdown(window: QWidget, *, quit_chord: bool = False) -> Lockdown:
    """Lock the top-level window holding `window` (once: a second call finds the same lock,
    moves its filter in front and widens it to the quit chord if asked), and refuse URLs and
    PRIMARY for the whole application."""
    top = window.window()
    lock = top.findChild(Lockdown, "lockdown", Qt.FindChildOption.FindDirectChildrenOnly)
    if lock is None:
        lock = Lockdown(top, quit_chord=quit_chord)
    else:
        lock.quit_chord = lock.quit_chord or quit_chord
        lock.attach()
    app = QApplication.instance()
    if isinstance(app, QApplication):
        lock_application(app)
    return lock
