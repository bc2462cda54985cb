"""Which keys a resident may press: decided from the key alone, with no widget in sight.

An allow-list, not a list of dangers (iKAT's lesson: blacklists miss what nobody thought
of). What may pass is what typing an answer and moving between fields needs: characters,
the editing and arrow keys, Tab, Return and Space, Shift and the keys that only change
what other keys type. Everything else is refused, whatever it would do: every Ctrl, Alt
and Meta (Super) chord (Alt+F4, Ctrl+Q/W, Alt+Tab, Ctrl+Alt+*, Ctrl+C/V/Z), the function
keys F1-F35 (Shift+F1 "What's This", Shift+F10 context menu), Menu, Insert (Shift+Insert
pastes), Print, SysReq, media and launch keys. Escape passes only to our own widgets that
say they use it (`USES_ESCAPE`: the staff PIN pad's "Cancel"). The demo profile's quit
chord, Ctrl+Shift+Q, passes when that profile asks for it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

# A dynamic property our own widgets set to receive a plain Escape (ui.staff.pin_pad).
USES_ESCAPE = "kioskUsesEscape"

_K = Qt.Key
_M = Qt.KeyboardModifier

# Moving and editing inside the page (Shift with them selects, Shift+Tab goes back).
EDITING_KEYS = frozenset({
    _K.Key_Backspace, _K.Key_Return, _K.Key_Enter, _K.Key_Tab, _K.Key_Backtab, _K.Key_Space,
    _K.Key_Left, _K.Key_Right, _K.Key_Up, _K.Key_Down, _K.Key_Home, _K.Key_End,
    _K.Key_PageUp, _K.Key_PageDown,
})
# Keys that only change what the next key types (AltGr types "ą" on a Polish keyboard).
STATE_KEYS = frozenset({_K.Key_Shift, _K.Key_CapsLock, _K.Key_NumLock, _K.Key_AltGr})
CHORD_MODIFIERS = _M.ControlModifier | _M.AltModifier | _M.MetaModifier
# Keypad and group-switch bits say where a key is, not what it does: ignored.
_COUNTED = _M.ShiftModifier | CHORD_MODIFIERS
QUIT_KEY = _K.Key_Q
QUIT_MODIFIERS = _M.ControlModifier | _M.ShiftModifier


def key_allowed(key: int, modifiers: Qt.KeyboardModifier, text: str, *,
                escape_wanted: bool = False, quit_chord: bool = False) -> bool:
    """True if this key press (or release) may reach the kiosk's widgets."""
    mods = modifiers & _COUNTED
    if quit_chord and key == QUIT_KEY and mods == QUIT_MODIFIERS:
        return True
    if mods & CHORD_MODIFIERS:
        return False
    if key == _K.Key_Escape:
        return escape_wanted and mods == _M.NoModifier
    if key == _K.Key_Delete:
        return mods == _M.NoModifier  # Shift+Delete cuts to the clipboard
    if key in EDITING_KEYS or key in STATE_KEYS:
        return True
    # What is left types a character or nothing: F-keys, Menu, Insert, Print, media keys
    # carry no text (Key_unknown with text is the on-screen keyboard's character).
    return bool(text) and text.isprintable()
