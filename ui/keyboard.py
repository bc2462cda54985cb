"""The kiosk's own on-screen keyboard (`ui.keyboard_dock` shows it while a text field has focus).

Residents have a touch screen and nothing else, so this keyboard is how every name, address,
email and phone number gets typed. It is a plain widget inside the kiosk's one window rather
than Qt Virtual Keyboard, which draws a second top-level QtQuick window that a single-window
kiosk under cage cannot host reliably (docs/keyboard.md has the full reasoning).

What it promises:

* It never takes focus (every key is `Qt.NoFocus`), so the field keeps its cursor, its focus
  ring and physical-keyboard input; keys reach the field as ordinary key events, so the
  field's own rules (maximum length, read-only, validators) apply exactly as for a real key.
* Keys are at least 20 mm high and wide (the theme's minimum target), `key_gap_px` apart,
  and their captions grow with large print; in large and extra-large print they grow only as
  far as their captions need (`key_px`), so the question being answered still fits above
  the field with the keyboard open.
* It keeps no history: no prediction, no learned words, nothing of what was typed. Attaching
  to a field resets Shift, the page and the double-strike memory.
* Key repeat (Delete only) and double-strike protection are adjustable, as EN 301 549 5.7
  and 5.8 require, through `set_key_repeat` and `set_double_strike_ms`.

The layouts themselves are Qt-free data in `accessibility.keyboard_layouts`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import QFont, QFontMetrics, QKeyEvent, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTextEdit,
    QWidget,
)

from accessibility.keyboard_layouts import (
    FALLBACK_LANGUAGE,
    PURPOSES,
    Action,
    Key,
    KeyPage,
    Layout,
    Purpose,
    layout_for,
)
from accessibility.themes import MIN_GAP_MM, MIN_TARGET_MM, Theme
from kiosk.texts import Texts
from ui.widgets import button

PURPOSE_PROPERTY = "keyboardPurpose"
NO_KEYBOARD = "none"  # keyboardPurpose value for a field that must not open the keyboard
# A field's (or its container's) property naming the widget that says what it asks for (the
# question's label): the dock keeps it in view with the field while the keyboard is open.
CONTEXT_PROPERTY = "keyboardContext"
# Events after which no press may be held any more: a deferred hide then settles.
PRESS_ENDS = frozenset({QEvent.Type.MouseButtonRelease, QEvent.Type.TouchEnd,
                         QEvent.Type.TouchCancel, QEvent.Type.NonClientAreaMouseButtonRelease})


@dataclass(frozen=True)
class KeyRepeat:
    """How Delete repeats while held. EN 301 549 5.7 asks that the delay can be set to at
    least 2 s and the rate down to one character per 2 s; `None` turns repeat off."""

    delay_ms: int
    interval_ms: int


# Holding a key is not something every resident means to do (tremor, a resting finger), so
# repeat starts only after 2 s: long enough not to eat a word by accident, and already the
# EN 301 549 figure, so the default passes the checklist's GEN-07 test as it stands.
DEFAULT_REPEAT = KeyRepeat(delay_ms=2000, interval_ms=250)


def is_text_input(widget: QWidget | None) -> bool:
    """A field the keyboard can type into: an enabled, editable line or text box."""
    if widget is None or not shiboken6.isValid(widget) or not widget.isEnabled():
        return False
    if isinstance(widget, QLineEdit | QPlainTextEdit | QTextEdit):
        return not widget.isReadOnly()
    return False


def purpose_for(widget: QWidget) -> Purpose:
    """Which layout a field wants: its `keyboardPurpose` property, else its input hints.

    Reading the hints as a fallback means fields made with `ui.widgets.line_edit` (email,
    phone, number, date hints) get the right keyboard before anyone sets the property.
    """
    declared = widget.property(PURPOSE_PROPERTY)
    for purpose in PURPOSES:
        if declared == purpose:
            return purpose
    hints = widget.inputMethodHints()
    digits = (Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhDialableCharactersOnly
              | Qt.InputMethodHint.ImhFormattedNumbersOnly)
    if hints & digits:
        return "digits"
    if hints & Qt.InputMethodHint.ImhEmailCharactersOnly:
        return "email"
    return "text"


def key_caption_px(theme: Theme) -> int:
    """Letters at heading size in standard print; in large print as big as the page's text
    (twice standard in extra large), not bigger, so a key stays close to 20 mm."""
    return min(theme.heading_px, max(round(theme.body_px * 1.5), theme.font_px))


def key_gap_px(theme: Theme) -> int:
    """Space between keys: the standard print's gap (over the 2 mm minimum) in every size.
    Keys of at least 20 mm need no more apart, and every pixel saved here is room for the
    question above the field in large print."""
    return max(math.ceil(MIN_GAP_MM * theme.px_per_mm), round(theme.body_px * 0.6))


def key_px(theme: Theme) -> int:
    """A key's height: the 20 mm minimum target, or room for its caption if that is more.

    Not the page's `target_px` (which grows with the text): in extra-large print a keyboard of
    such keys took 706 of 1080 px and left 214 px for the page, less than a question's label
    and its field, so the resident could not see what they were answering.
    """
    minimum = math.ceil(MIN_TARGET_MM * theme.px_per_mm)
    return max(minimum, round(key_caption_px(theme) * 1.5))


def keyboard_style_sheet(theme: Theme) -> str:
    """The keyboard's own rules, on top of the window's style sheet (which it inherits).

    Local so the keyboard could be built without touching `accessibility.themes`. The
    window's `min-height` is lifted because it counts only the content box: with borders a
    key would come out taller than the row the keyboard places it in. Keys get their height
    (exactly `key_px`) from `_place_page`. Letters are drawn large (`key_caption_px`) because
    a single glyph on a 20 mm key is read at arm's length.
    """
    p = theme.palette
    return f"""
QWidget#onScreenKeyboard {{ background: {p.surface};
    border-top: {theme.border_px}px solid {p.border}; }}
QWidget#onScreenKeyboard QPushButton {{ min-height: 0px; padding: 0;
    font-size: {theme.font_px}px; }}
QWidget#onScreenKeyboard QPushButton[role="key"] {{ font-size: {key_caption_px(theme)}px; }}
QWidget#onScreenKeyboard QPushButton[role="keyAction"] {{ font-weight: bold; }}
QWidget#onScreenKeyboard QPushButton[role="keyAction"]:checked {{ background: {p.selected};
    color: {p.background}; }}
"""


class OnScreenKeyboard(QWidget):
    """Big themed keys that type into the focused (or attached) text field.

    Signals: `key_pressed(name)` with the key's spoken name after every accepted press (for
    read-aloud), and `done()` when the resident presses Done.

    Each page of the layout is one child widget, built the first time it is shown and kept
    until the layout, language or theme changes: switching pages is then one hide and one
    show, and a keyboard that is only ever used for letters never builds the other pages.
    """

    key_pressed = Signal(str)
    done = Signal()

    def __init__(self, texts: Texts, theme: Theme, *, language: str | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("onScreenKeyboard")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)
        self._texts, self._theme, self._clock = texts, theme, clock
        self._language = language or texts.language or FALLBACK_LANGUAGE
        self._purpose: Purpose = "text"
        self._layout = layout_for(self._language, self._purpose)
        self._page = self._layout.first_page.name
        self._shift = False
        self._target: QWidget | None = None
        self._repeat: KeyRepeat | None = DEFAULT_REPEAT
        self._double_strike_s = 0.0
        self._last_press: tuple[Key, float] | None = None
        self._buttons: dict[str, list[tuple[Key, QPushButton]]] = {}
        self._pages: dict[str, QWidget] = {}
        self._shown_shifted: dict[str, bool] = {}  # which captions each built page shows
        self._fitted: dict[int, tuple[int, int]] = {}  # id(button) -> (width, font px)
        self.setStyleSheet(keyboard_style_sheet(theme))
        self._rebuild()

    # ----- what it shows -----------------------------------------------------------------------

    @property
    def keyboard_layout(self) -> Layout:
        return self._layout

    @property
    def page_name(self) -> str:
        return self._page

    @property
    def theme(self) -> Theme:
        return self._theme

    @property
    def purpose(self) -> Purpose:
        return self._purpose

    @property
    def language(self) -> str:
        return self._language

    @property
    def shift_active(self) -> bool:
        return self._shift

    @property
    def attached_field(self) -> QWidget | None:
        return self._target

    def key_buttons(self, page: str | None = None) -> list[tuple[Key, QPushButton]]:
        """The keys of a page (default: the one showing) with their buttons, gaps excluded."""
        name = page or self._page
        self._build_page(self._layout.page(name))
        return list(self._buttons[name])

    def spoken_name(self, key: Key) -> str:
        """What read-aloud says for a key: its translated name, or what it types."""
        if key.spoken:
            return key.spoken
        if key.message:
            return self._texts(key.message)
        return key.caption(self._shift)

    def caption(self, key: Key) -> str:
        return self._texts(key.message) if key.message else key.caption(self._shift)

    def target(self) -> QWidget | None:
        """Where the next key goes: the focused text field, else the attached one."""
        focused = QApplication.focusWidget()
        if is_text_input(focused):
            return focused
        if self._target is not None and is_text_input(self._target):
            return self._target
        return None

    def sizeHint(self) -> QSize:
        t = key_px(self._theme)
        return QSize(round(self._layout.width_units * t * 2), self._height())

    # ----- what the window calls -------------------------------------------------------------

    def attach_to(self, widget: QWidget, purpose: Purpose | None = None) -> None:
        """Type into `widget` with the layout for `purpose` (default: read from the field).

        Starts from a clean state every time: first page, Shift off, no memory of the last
        key, so nothing about one field or resident carries over to the next.
        """
        chosen = purpose if purpose is not None else purpose_for(widget)
        self._target = widget
        if chosen != self._purpose:
            self._purpose = chosen
            self._layout = layout_for(self._language, chosen)
            self._rebuild()
        self._clean_state()

    def detach(self) -> None:
        self._target = None
        self._clean_state()

    def reset(self) -> None:
        """Session end: forget the field and every bit of state (the wipe calls this)."""
        self.detach()

    def set_language(self, code: str) -> None:
        """Switch layout and captions; call after the Texts callable has switched language."""
        self._language = code
        self._layout = layout_for(code, self._purpose)
        self._rebuild()
        self._clean_state()

    def set_theme(self, theme: Theme) -> None:
        """New sizes or colours (large print, high contrast): restyle and re-place the keys."""
        self._theme = theme
        self.setStyleSheet(keyboard_style_sheet(theme))
        self._rebuild()

    def set_key_repeat(self, repeat: KeyRepeat | None) -> None:
        """Delete's repeat while held (EN 301 549 5.7); None turns it off."""
        self._repeat = repeat
        for keys in self._buttons.values():
            for key, widget in keys:
                if key.action is Action.BACKSPACE:
                    self._apply_repeat(widget)

    def set_double_strike_ms(self, milliseconds: int) -> None:
        """Ignore the same key pressed again within this time (EN 301 549 5.8); 0 = off."""
        self._double_strike_s = max(0, milliseconds) / 1000
        self._last_press = None

    def show_page(self, name: str) -> None:
        holder = self._build_page(self._layout.page(name))  # KeyError: no such page
        previous, self._page = self._page, name
        if previous != name and previous in self._pages:
            self._pages[previous].hide()
        self._refresh_captions()
        holder.show()

    # ----- building ----------------------------------------------------------------------------

    def _clean_state(self) -> None:
        self._shift = False
        self._last_press = None
        self.show_page(self._layout.first_page.name)

    def _height(self) -> int:
        t, g = key_px(self._theme), key_gap_px(self._theme)
        rows = self._layout.row_count
        return rows * t + (rows + 1) * g

    def _rebuild(self) -> None:
        """Drop every built page (layout, language or theme changed) and show the first."""
        for holder in self._pages.values():
            holder.hide()
            holder.deleteLater()  # never delete now: this may run inside a key's click
        self._buttons, self._pages, self._shown_shifted, self._fitted = {}, {}, {}, {}
        self.setLayoutDirection(Qt.LayoutDirection.RightToLeft if self._layout.right_to_left
                                else Qt.LayoutDirection.LeftToRight)
        self.setFixedHeight(self._height())
        self._page = self._layout.first_page.name
        # Hidden (most pages have no text field): build the keys when next shown, so a theme
        # or language switch does not pay for a keyboard nobody sees.
        self._stale = not self.isVisible()
        if not self._stale:
            self.show_page(self._page)

    def showEvent(self, event: QShowEvent) -> None:
        if getattr(self, "_stale", False):
            self._stale = False
            self.show_page(self._page)
        super().showEvent(event)

    def _build_page(self, page: KeyPage) -> QWidget:
        holder = self._pages.get(page.name)
        if holder is not None:
            return holder
        holder = QWidget(self)
        holder.setObjectName(f"keyboardPage-{page.name}")
        holder.hide()
        self._pages[page.name] = holder
        self._shown_shifted[page.name] = False
        self._buttons[page.name] = [
            (key, self._make_button(key, page, holder)) for key in page.all_keys()
            if key.action is not Action.GAP
        ]
        self._place_page(page)
        return holder

    def _make_button(self, key: Key, page: KeyPage, holder: QWidget) -> QPushButton:
        role = "key" if key.action is Action.CHAR else "keyAction"
        if key.action is Action.DONE:
            role = "primary"
        widget = button(button_text(self.caption(key)), role, name=_object_name(key))
        widget.setParent(holder)
        widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the field keeps focus, always
        widget.setProperty("page", page.name)
        if key.action is Action.SHIFT:
            widget.setCheckable(True)
        if key.action is Action.BACKSPACE:
            self._apply_repeat(widget)
        widget.setAccessibleName(self._accessible_name(key))
        widget.clicked.connect(lambda _checked=False, k=key, b=widget: self._press(k, b))
        return widget

    def _apply_repeat(self, widget: QPushButton) -> None:
        widget.setAutoRepeat(self._repeat is not None)
        if self._repeat is not None:
            widget.setAutoRepeatDelay(self._repeat.delay_ms)
            widget.setAutoRepeatInterval(self._repeat.interval_ms)

    def _accessible_name(self, key: Key) -> str:
        """The spoken name, containing the visible caption (label-in-name, WCAG 2.5.3)."""
        name, shown = self.spoken_name(key), self.caption(key)
        return name if shown.lower() in name.lower() else f"{name} {shown}"

    def _refresh_captions(self) -> None:
        """Capitals on the letter keys while Shift is on; only the page on show, and only
        when its captions are out of date."""
        if self._shown_shifted.get(self._page) == self._shift:
            return
        self._shown_shifted[self._page] = self._shift
        for key, widget in self._buttons.get(self._page, []):
            if key.action is Action.CHAR and key.shifted and not key.label:
                widget.setText(button_text(key.caption(self._shift)))
                widget.setAccessibleName(self._accessible_name(key))
            elif key.action is Action.SHIFT:
                widget.setChecked(self._shift)

    # ----- placing -----------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        for page in self._layout.pages:
            if page.name in self._pages:
                self._place_page(page)

    def _place_page(self, page: KeyPage) -> None:
        """Lay a page out on the layout's unit, centring short rows, mirroring right-to-left
        rows.

        Done by hand rather than with a QGridLayout so that gaps are exactly `key_gap_px`, a key
        of width 1.5 lines up with one and a half letter keys plus the gap between them, every
        page shares one key size, and mirroring for Urdu can spare the rows written left to
        right.
        """
        t, g = key_px(self._theme), key_gap_px(self._theme)
        units = self._layout.width_units
        available = self.width() - 2 * g
        widest = int((available - (units - 1) * g) / units)
        # Letter keys stay near-square: a 4-key phone pad should not stretch to 1920 px.
        unit = max(1, min(widest, round(t * 2.5)))
        self._pages[page.name].setGeometry(self.rect())
        placed = iter(self._buttons[page.name])
        for r, row in enumerate(page.rows):
            row_units = page.row_units(row)
            row_width = int(row_units * unit + (row_units - 1) * g)
            x = g + (available - row_width) // 2
            y = g + r * (t + g)
            mirror = self._layout.row_right_to_left(page, r)
            for key in row:
                width = int(key.width * unit + (key.width - 1) * g)
                if key.action is not Action.GAP:
                    _key, widget = next(placed)
                    left = self.width() - x - width if mirror else x
                    widget.setGeometry(left, y, width, t)
                    self._fit(key, widget, width)
                x += width + g

    def _fit(self, key: Key, widget: QPushButton, width: int) -> None:
        """Shrink a long translated caption ("Znaki diakrytyczne") until it fits its key,
        but never below the standard body size: large print may lose some size on one key,
        never its words (VIS-06 forbids clipped text)."""
        if key.action is Action.CHAR:
            return
        known = self._fitted.get(id(widget))
        if known is not None and known[0] == width:
            return
        widget.ensurePolished()
        font = QFont(widget.font())
        room = width - 2 * self._theme.border_px - key_gap_px(self._theme)
        size = self._theme.font_px
        floor = min(size, self._theme.body_px)
        font.setPixelSize(size)
        caption = self.caption(key)
        while size > floor and QFontMetrics(font).horizontalAdvance(caption) > room:
            size -= 1
            font.setPixelSize(size)
        if (known[1] if known else self._theme.font_px) != size:
            widget.setStyleSheet(f"font-size: {size}px;" if size != self._theme.font_px else "")
        self._fitted[id(widget)] = (width, size)

    # ----- pressing ----------------------------------------------------------------------------

    def _press(self, key: Key, widget: QPushButton) -> None:
        repeating = widget.isDown()  # an auto-repeat tick arrives while the key is held
        if not repeating and self._double_strike(key):
            return
        spoken = self.spoken_name(key)
        if key.action is Action.CHAR:
            self._send(Qt.Key.Key_unknown, key.output(self._shift))
            if self._shift:
                self._set_shift(False)  # one-shot, like a phone keyboard
        elif key.action is Action.SPACE:
            self._send(Qt.Key.Key_Space, " ")
        elif key.action is Action.BACKSPACE:
            self._send(Qt.Key.Key_Backspace, "")
        elif key.action is Action.SHIFT:
            self._set_shift(not self._shift)
        elif key.action is Action.SWITCH:
            self.show_page(key.target)
        self.key_pressed.emit(spoken)
        if key.action is Action.DONE:
            self.done.emit()

    def _double_strike(self, key: Key) -> bool:
        """True if this press repeats the last accepted one too soon (tremor), so ignore it."""
        if self._double_strike_s <= 0:
            return False
        now = self._clock()
        last = self._last_press
        if last is not None and last[0] == key and now - last[1] < self._double_strike_s:
            return True
        self._last_press = (key, now)
        return False

    def _set_shift(self, on: bool) -> None:
        self._shift = on
        self._refresh_captions()

    def _send(self, code: Qt.Key, text: str) -> None:
        """Deliver a key press and release to the field, as a physical key would arrive."""
        target = self.target()
        if target is None:
            return
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(target, QKeyEvent(kind, code, Qt.KeyboardModifier.NoModifier,
                                                     text))


def button_text(caption: str) -> str:
    """A caption as a button's text: Qt reads "&" as a mnemonic marker (it underlines the
    next letter and hides the "&"), so the "&" key came out blank. Doubled, it shows. Only
    the button text is escaped: the key types, and read-aloud names, the caption itself."""
    return caption.replace("&", "&&")


def _object_name(key: Key) -> str:
    if key.action is Action.CHAR:
        return f"key-{key.text}"
    if key.action is Action.SWITCH:
        return f"key-to-{key.target}"
    return f"key-{key.action.value}"
