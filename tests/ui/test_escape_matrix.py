"""The escape matrix (issue 9, reliability-security V2/K1 at level 0): on every kind of page,
every modifier combination with every key, pressed through the native window as a keyboard's
keys arrive → no new window, no popup, the same page, the window still open and shown.

Before each chord the focus goes back where the resident's was (the answer field on a
question page), so every chord is tried from the same place. The demo's quit chord is off
here (it is tested in test_lockdown.py); on the PIN pad a plain Escape is its own "Cancel"
and is tried separately.
"""

from __future__ import annotations

import functools
import itertools
import operator
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QTextBrowser

from tests.ui.lockdown_pages import PAGE_KINDS, reach, staff_of, where
from ui.driving import deliver_posted_events

_M = Qt.KeyboardModifier
MODIFIER_SETS = [
    functools.reduce(operator.or_, combo, _M.NoModifier)
    for size in range(5)
    for combo in itertools.combinations(
        (_M.ShiftModifier, _M.ControlModifier, _M.AltModifier, _M.MetaModifier), size)
]
assert len(MODIFIER_SETS) == 16

_NAMES = (
    [f"Key_F{n}" for n in range(1, 36)]
    + [f"Key_{c}" for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"]
    + ["Key_Escape", "Key_Tab", "Key_Backtab", "Key_Menu", "Key_Delete", "Key_Backspace",
       "Key_Return", "Key_Enter", "Key_Insert", "Key_Left", "Key_Right", "Key_Up", "Key_Down",
       "Key_Home", "Key_End", "Key_PageUp", "Key_PageDown", "Key_Print", "Key_SysReq",
       "Key_Pause", "Key_Space", "Key_Super_L", "Key_Super_R", "Key_Meta", "Key_Alt",
       "Key_AltGr", "Key_Control", "Key_Shift", "Key_Hyper_L", "Key_CapsLock", "Key_NumLock",
       "Key_ScrollLock", "Key_Help", "Key_Back", "Key_Forward", "Key_Close", "Key_Exit",
       "Key_PowerOff", "Key_Sleep", "Key_Suspend", "Key_WakeUp", "Key_Explorer",
       "Key_Terminal", "Key_OpenUrl", "Key_HomePage", "Key_Search", "Key_Calculator",
       "Key_LaunchMail", "Key_Launch0", "Key_LaunchMedia", "Key_Copy", "Key_Cut", "Key_Paste",
       "Key_Undo", "Key_Redo", "Key_Find", "Key_Open", "Key_Save", "Key_New", "Key_Reload",
       "Key_Print", "Key_Printer", "Key_Execute", "Key_Select", "Key_Cancel", "Key_Clear",
       "Key_ZoomIn", "Key_ZoomOut", "Key_TopMenu", "Key_Context1", "Key_Call", "Key_Hangup",
       "Key_MediaPlay", "Key_VolumeUp", "Key_MonBrightnessDown", "Key_Display",
       "Key_Period", "Key_Slash", "Key_Minus", "Key_Plus", "Key_QuoteLeft", "Key_Apostrophe",
       "Key_Comma", "Key_Semicolon", "Key_BracketLeft", "Key_Backslash", "Key_unknown"]
)
KEYS = list(dict.fromkeys(getattr(Qt.Key, name) for name in _NAMES if hasattr(Qt.Key, name)))
PASTE_CANARY = "pastecnry4417"


def _shown_windows() -> set[int]:
    return {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()} | {
        id(w) for w in QGuiApplication.topLevelWindows() if w.isVisible()}


def _labels_are_plain(window) -> list[str]:
    """Remote text (catalogue, back office) never renders as links (V5)."""
    bad = []
    links = (Qt.TextInteractionFlag.LinksAccessibleByMouse
             | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
    for label in window.findChildren(QLabel):
        kind = label.textFormat()
        rich = kind == Qt.TextFormat.RichText or (
            kind != Qt.TextFormat.PlainText and "<" in label.text())
        if label.openExternalLinks() or (rich and (
                label.textInteractionFlags() & links or "<a" in label.text().lower())):
            bad.append(f"{label.objectName()}: {label.text()[:40]!r} {label.textFormat()!r} "
                       f"{label.textInteractionFlags()!r}")
    return bad + [b.objectName() for b in window.findChildren(QTextBrowser)]


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_no_chord_leaves_the_page(make_kiosk, qtbot, kind: str) -> None:
    kiosk = make_kiosk(demo_quit_shortcut=False)
    window = kiosk.window
    lockdown = kiosk.lockdown
    assert lockdown is not None
    assert lockdown.window is window
    focus = reach(kiosk, kind)
    handle = window.windowHandle()
    deliver_posted_events()
    before = where(kiosk)
    shown = _shown_windows()
    state = window.windowState()
    QGuiApplication.clipboard().setText(PASTE_CANARY, QClipboard.Mode.Clipboard)
    started = time.monotonic()
    tried = 0
    for key in KEYS:
        for mods in MODIFIER_SETS:
            if kind == "pin_pad" and key == Qt.Key.Key_Escape and mods == _M.NoModifier:
                continue  # the PIN pad's own Cancel: below
            if QApplication.focusWidget() is not focus:
                focus.setFocus()
            QTest.keyClick(handle, key, mods)
            tried += 1
            problem = _problem(kiosk, before, shown, state)
            assert problem is None, f"{mods!r}+{Qt.Key(key).name} on {kind}: {problem}"
    deliver_posted_events()  # anything a chord queued (a deferred quit, a new page)
    assert _problem(kiosk, before, shown, state) is None
    assert lockdown.refused["key"] > tried // 2  # refused by the lock, not by luck
    assert _labels_are_plain(window) == []
    for edit in window.findChildren(QLineEdit):
        assert PASTE_CANARY not in edit.text()  # Ctrl+V, Shift+Insert: never pasted
    if kind == "question":
        assert isinstance(focus, QLineEdit)
        assert focus.text()
    if kind == "pin_pad":
        QTest.keyClick(handle, Qt.Key.Key_Escape)
        assert staff_of(kiosk).pin_pad is None  # Escape still cancels where we use it
    print(f"{kind}: {tried} chords in {time.monotonic() - started:.1f} s")


def _problem(kiosk, before: tuple[object, ...], shown: set[int],
             state: Qt.WindowState) -> str | None:
    window = kiosk.window
    if QApplication.activePopupWidget() is not None:
        return f"a popup opened: {type(QApplication.activePopupWidget()).__name__}"
    if QApplication.activeModalWidget() is not None:
        return "a modal window opened"
    if not _shown_windows() <= shown:
        return "a new window is shown"
    if not window.isVisible():
        return "the window closed or hid"
    if window.windowState() != state:
        return f"the window state changed to {window.windowState()!r}"
    now = where(kiosk)
    if now != before:
        return f"moved from {before} to {now}"
    return None
