"""The on-screen keyboard, driven the way a resident drives it: by tapping keys.

Every layout types into a real QLineEdit, keys are big enough and never overlap, the field
keeps focus, and nothing of what was typed stays in the keyboard.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from accessibility.keyboard_layouts import LANGUAGES, Action, Key, Purpose
from accessibility.languages import Translator
from accessibility.themes import MIN_GAP_MM, MIN_TARGET_MM, Theme, standard_theme, style_sheet
from kiosk.clock import FakeClock
from ui.keyboard import (
    DEFAULT_REPEAT,
    KeyRepeat,
    OnScreenKeyboard,
    key_gap_px,
    key_px,
    purpose_for,
)
from ui.keyboard_dock import KeyboardDock

SAMPLES = {
    "en": "Zoë O'Brien-Smith, 2/3 High St.",
    "cy": "Tŷ Âê Îô Ûŵ ŶŴ àáäèéëïöüẁẃẅỳýÿ",
    "pl": "Zażółć gęślą jaźń ĄĆĘŁŃÓŚŹŻ",
    "ro": "Știință și țară ĂÂÎȘȚ",
    "ur": "پاکستان ٹڈڑںہھےیکگ ۱۲۳ 12 SW1A",
}


class Rig:
    """A stand-in for the kiosk window: a page (click focus, like ui.pages.base.Page) with
    fields in a scroll area, and the keyboard in the root layout below it."""

    def __init__(self, qtbot, theme: Theme, language: str = "en") -> None:
        self.clock = FakeClock()
        self.root = QWidget()
        self.root.resize(1920, 1080)
        outer = QVBoxLayout(self.root)
        outer.setContentsMargins(0, 0, 0, 0)
        self.page = QWidget()
        self.page.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        column = QVBoxLayout(self.page)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        holder = QWidget()
        self.fields = QVBoxLayout(holder)
        self.scroll_area.setWidget(holder)
        column.addWidget(self.scroll_area)
        outer.addWidget(self.page, 1)
        self.text = self.add(QLineEdit(objectName="text"))
        self.email = self.add(QLineEdit(objectName="email"))
        self.email.setProperty("keyboardPurpose", "email")
        self.phone = self.add(QLineEdit(objectName="phone"))
        self.phone.setInputMethodHints(Qt.InputMethodHint.ImhDialableCharactersOnly)
        self.area = self.add(QPlainTextEdit(objectName="area"))
        self.keyboard = OnScreenKeyboard(Translator(language), theme, clock=self.clock.monotonic)
        outer.addWidget(self.keyboard)
        self.dock = KeyboardDock(self.keyboard, self.root)
        qtbot.addWidget(self.root)
        self.root.show()
        self.root.activateWindow()
        qtbot.waitUntil(self.root.isActiveWindow)

    def add(self, field: QWidget) -> QWidget:
        self.fields.addWidget(field)
        QApplication.processEvents()  # shown and laid out, as a page is before any touch
        return field

    def focus(self, field: QWidget) -> None:
        field.setFocus(Qt.FocusReason.MouseFocusReason)
        assert QApplication.focusWidget() is field


@pytest.fixture
def theme(qapp) -> Iterator[Theme]:
    """The reference panel's theme, with its style sheet applied as the kiosk applies it."""
    previous = qapp.styleSheet()
    chosen = standard_theme()
    qapp.setStyleSheet(style_sheet(chosen))
    yield chosen
    qapp.setStyleSheet(previous)


@pytest.fixture
def rig(qtbot, theme: Theme) -> Rig:
    return Rig(qtbot, theme)


# ----- driving the keyboard like a finger ---------------------------------------------------------


def tap(qtbot, widget: QPushButton) -> None:
    assert widget.isVisible(), widget.objectName()
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def press(qtbot, keyboard: OnScreenKeyboard, key: Key) -> None:
    found = [b for k, b in keyboard.key_buttons() if k is key]
    assert found, f"{key} is not on page {keyboard.page_name}"
    tap(qtbot, found[0])


def press_action(qtbot, keyboard: OnScreenKeyboard, action: Action) -> None:
    found = [b for k, b in keyboard.key_buttons() if k.action is action]
    assert found, f"no {action} on page {keyboard.page_name}"
    tap(qtbot, found[0])


def go_to(qtbot, keyboard: OnScreenKeyboard, page: str) -> None:
    """Tap switch keys along the shortest route to `page`, as a resident would have to."""
    layout = keyboard.keyboard_layout
    routes: dict[str, list[Key]] = {keyboard.page_name: []}
    todo = deque([keyboard.page_name])
    while todo and page not in routes:
        here = todo.popleft()
        for key in layout.page(here).all_keys():
            if key.action is Action.SWITCH and key.target not in routes:
                routes[key.target] = [*routes[here], key]
                todo.append(key.target)
    assert page in routes, f"page {page} cannot be reached"
    for key in routes[page]:
        press(qtbot, keyboard, key)
    assert keyboard.page_name == page


def find(keyboard: OnScreenKeyboard, char: str) -> tuple[str, Key, bool]:
    """Where `char` is typed: (page, key, needs shift), preferring the page on show."""
    layout = keyboard.keyboard_layout
    names = sorted(layout.page_names, key=lambda n: n != keyboard.page_name)
    for name in names:
        for key in layout.page(name).all_keys():
            if key.action is Action.CHAR and key.text == char:
                return name, key, False
            if key.action is Action.CHAR and key.shifted == char:
                return name, key, True
    raise AssertionError(f"{char!r} is on no key of {layout.name}")


def type_on(qtbot, keyboard: OnScreenKeyboard, text: str) -> None:
    for char in text:
        if char == " ":
            press_action(qtbot, keyboard, Action.SPACE)
            continue
        page, key, shifted = find(keyboard, char)
        if keyboard.page_name != page:
            go_to(qtbot, keyboard, page)
        if key.shifted and shifted != keyboard.shift_active:
            press_action(qtbot, keyboard, Action.SHIFT)
        press(qtbot, keyboard, key)


# ----- typing ------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_typing_fills_the_field_in_every_language(qtbot, theme: Theme, language: str) -> None:
    rig = Rig(qtbot, theme, language)
    rig.keyboard.set_language(language)
    rig.focus(rig.text)
    assert rig.keyboard.isVisible()
    assert rig.keyboard.keyboard_layout.name == f"{language}-text"
    type_on(qtbot, rig.keyboard, SAMPLES[language])
    assert rig.text.text() == SAMPLES[language]
    assert QApplication.focusWidget() is rig.text, "the field kept focus throughout"


def test_urdu_vowel_marks_combine_with_the_letter(qtbot, rig: Rig) -> None:
    rig.keyboard.set_language("ur")
    rig.focus(rig.text)
    type_on(qtbot, rig.keyboard, "ب\u064e")
    assert rig.text.text() == "بَ"


def test_email_layout_types_an_address(qtbot, rig: Rig) -> None:
    rig.focus(rig.email)
    keyboard = rig.keyboard
    assert keyboard.keyboard_layout.name == "email"
    type_on(qtbot, keyboard, "Jo.Bloggs_1-x+y@example")
    suffix = next(k for k, _b in keyboard.key_buttons() if k.text == ".co.uk")
    press(qtbot, keyboard, suffix)
    assert rig.email.text() == "Jo.Bloggs_1-x+y@example.co.uk"
    press_action(qtbot, keyboard, Action.BACKSPACE)
    rig.email.clear()
    type_on(qtbot, keyboard, "a@b")
    press(qtbot, keyboard, next(k for k, _b in keyboard.key_buttons() if k.text == ".com"))
    assert rig.email.text() == "a@b.com"


def test_digits_layout_types_a_phone_number(qtbot, rig: Rig) -> None:
    rig.focus(rig.phone)
    assert rig.keyboard.keyboard_layout.name == "digits"
    type_on(qtbot, rig.keyboard, "+44 7700 900982")
    press_action(qtbot, rig.keyboard, Action.BACKSPACE)
    type_on(qtbot, rig.keyboard, "3")
    assert rig.phone.text() == "+44 7700 900983"


def test_multi_line_fields_work_too(qtbot, rig: Rig) -> None:
    rig.focus(rig.area)
    type_on(qtbot, rig.keyboard, "Bin 7 ")
    press_action(qtbot, rig.keyboard, Action.BACKSPACE)
    assert rig.area.toPlainText() == "Bin 7"


def test_physical_keyboard_still_types_while_shown(qtbot, rig: Rig) -> None:
    rig.focus(rig.text)
    qtbot.keyClicks(rig.text, "abc")
    type_on(qtbot, rig.keyboard, "d")
    assert rig.text.text() == "abcd"
    assert rig.keyboard.isVisible()


def test_keys_respect_the_field_rules(qtbot, rig: Rig) -> None:
    """Keys arrive as key events, so maximum length and read-only apply as for real keys."""
    rig.text.setMaxLength(2)
    rig.focus(rig.text)
    type_on(qtbot, rig.keyboard, "abc")
    assert rig.text.text() == "ab"


# ----- shift, delete, done, names -----------------------------------------------------------------


def captions(keyboard: OnScreenKeyboard) -> str:
    return "".join(b.text() for k, b in keyboard.key_buttons() if k.shifted)


def test_shift_is_one_shot(qtbot, rig: Rig) -> None:
    keyboard = rig.keyboard
    rig.focus(rig.text)
    assert captions(keyboard).startswith("qwerty")
    press_action(qtbot, keyboard, Action.SHIFT)
    assert keyboard.shift_active
    assert captions(keyboard).startswith("QWERTY"), "keys show capitals while Shift is on"
    a_key = find(keyboard, "a")[1]
    press(qtbot, keyboard, a_key)
    press(qtbot, keyboard, a_key)
    assert rig.text.text() == "Aa"
    assert not keyboard.shift_active
    assert captions(keyboard).startswith("qwerty")
    press_action(qtbot, keyboard, Action.SHIFT)
    press_action(qtbot, keyboard, Action.SHIFT)
    type_on(qtbot, keyboard, "b")
    assert rig.text.text() == "Aab", "Shift pressed twice is off again"


def test_shift_carries_to_the_accents_page(qtbot, rig: Rig) -> None:
    rig.keyboard.set_language("cy")
    rig.focus(rig.text)
    press_action(qtbot, rig.keyboard, Action.SHIFT)
    go_to(qtbot, rig.keyboard, "accents")
    press(qtbot, rig.keyboard, find(rig.keyboard, "ŵ")[1])
    assert rig.text.text() == "Ŵ"


def test_backspace_deletes_and_repeats_only_slowly(qtbot, rig: Rig) -> None:
    keyboard = rig.keyboard
    rig.focus(rig.text)
    type_on(qtbot, keyboard, "abc")
    press_action(qtbot, keyboard, Action.BACKSPACE)
    assert rig.text.text() == "ab"
    # GEN-07 / EN 301 549 5.7: only Delete repeats, after at least 2 s, and can be slowed
    # to one character per 2 s or turned off.
    for page in keyboard.keyboard_layout.page_names:
        for key, widget in keyboard.key_buttons(page):
            assert widget.autoRepeat() == (key.action is Action.BACKSPACE), key
            if widget.autoRepeat():
                assert widget.autoRepeatDelay() >= 2000
    assert DEFAULT_REPEAT.delay_ms >= 2000
    delete = next(b for k, b in keyboard.key_buttons() if k.action is Action.BACKSPACE)
    keyboard.set_key_repeat(KeyRepeat(delay_ms=3000, interval_ms=2000))
    assert (delete.autoRepeatDelay(), delete.autoRepeatInterval()) == (3000, 2000)
    keyboard.set_key_repeat(None)
    assert not delete.autoRepeat()


def test_done_emits_and_hides(qtbot, rig: Rig) -> None:
    rig.focus(rig.text)
    with qtbot.waitSignal(rig.keyboard.done, timeout=1000):
        press_action(qtbot, rig.keyboard, Action.DONE)
    assert rig.keyboard.isHidden()
    assert not rig.text.hasFocus(), "so that touching the field again reopens the keyboard"
    qtbot.mouseClick(rig.text, Qt.MouseButton.LeftButton)
    assert rig.keyboard.isVisible()


def test_key_pressed_says_each_key_name(qtbot, rig: Rig) -> None:
    keyboard = rig.keyboard
    rig.focus(rig.text)
    names: list[str] = []
    keyboard.key_pressed.connect(names.append)
    type_on(qtbot, keyboard, "a ")
    press_action(qtbot, keyboard, Action.SHIFT)
    type_on(qtbot, keyboard, "B")  # Shift is on already, so this is one key
    press_action(qtbot, keyboard, Action.BACKSPACE)
    go_to(qtbot, keyboard, "numbers")
    assert names == ["a", "Space", "Shift", "B", "Delete", "123"]
    keyboard.set_language("ur")
    names.clear()
    go_to(qtbot, keyboard, "accents")
    press(qtbot, keyboard, find(keyboard, "\u064e")[1])
    assert names[-1] == "زبر"
    zabar = next(b for k, b in keyboard.key_buttons() if k.text == "\u064e")
    assert zabar.text() in zabar.accessibleName(), "label in name (WCAG 2.5.3)"


def test_double_strike_protection(qtbot, rig: Rig) -> None:
    """GEN-08: the same key again within the set time is ignored; another key is not."""
    rig.keyboard.set_double_strike_ms(500)
    rig.focus(rig.text)
    type_on(qtbot, rig.keyboard, "a")
    rig.clock.advance(0.4)
    type_on(qtbot, rig.keyboard, "a")
    type_on(qtbot, rig.keyboard, "b")
    rig.clock.advance(0.6)
    type_on(qtbot, rig.keyboard, "b")
    assert rig.text.text() == "abb"


# ----- focus, size, direction ----------------------------------------------------------------------


def test_the_keyboard_never_takes_focus(qtbot, rig: Rig) -> None:
    keyboard = rig.keyboard
    rig.focus(rig.text)
    type_on(qtbot, keyboard, "Aé1")  # letters, Shift, two page switches
    assert QApplication.focusWidget() is rig.text
    assert keyboard.focusPolicy() == Qt.FocusPolicy.NoFocus
    for child in keyboard.findChildren(QWidget):
        assert child.focusPolicy() == Qt.FocusPolicy.NoFocus, child.objectName()


def key_rects(keyboard: OnScreenKeyboard, page: str) -> list[tuple[str, QRect]]:
    keyboard.show_page(page)
    return [(b.text(), b.geometry()) for _k, b in keyboard.key_buttons(page)]


def check_geometry(keyboard: OnScreenKeyboard, theme: Theme) -> None:
    min_width = MIN_TARGET_MM * theme.px_per_mm
    for page in keyboard.keyboard_layout.page_names:
        rects = key_rects(keyboard, page)
        for name, rect in rects:
            where = f"{keyboard.keyboard_layout.name}/{page}/{name}"
            assert rect.height() == key_px(theme), where
            assert rect.height() >= min_width, where
            assert rect.width() >= min_width, where
            assert keyboard.rect().contains(rect), f"{where} runs off the keyboard"
        for i, (name, rect) in enumerate(rects):
            gap = key_gap_px(theme)
            assert gap >= MIN_GAP_MM * theme.px_per_mm
            grown = rect.adjusted(-gap + 1, -gap + 1, gap - 1, gap - 1)
            for other_name, other in rects[i + 1:]:
                assert not grown.intersects(other), f"{name} and {other_name} closer than a gap"
        for (_key, widget), (name, _rect) in zip(keyboard.key_buttons(page), rects,
                                                strict=True):
            if name:
                room = widget.width() - 2 * theme.border_px
                assert widget.fontMetrics().horizontalAdvance(name) <= room, f"{name} clipped"


@pytest.mark.parametrize("purpose", ["text", "email", "digits"])
def test_keys_are_big_and_apart(qtbot, rig: Rig, theme: Theme, purpose: Purpose) -> None:
    rig.focus(rig.text)  # shown, so laid out across the window
    rig.keyboard.attach_to(rig.text, purpose)
    check_geometry(rig.keyboard, theme)


def test_urdu_keys_are_big_and_apart_in_large_print(qtbot, qapp, rig: Rig,
                                                   theme: Theme) -> None:
    rig.focus(rig.text)
    large = theme.scaled(2.0)
    qapp.setStyleSheet(style_sheet(large))
    rig.keyboard.set_theme(large)
    rig.keyboard.set_language("ur")  # the widest layout: 12 keys to a row
    check_geometry(rig.keyboard, large)
    letter = rig.keyboard.key_buttons()[0][1]
    assert letter.font().pixelSize() >= large.font_px, "key captions grow with large print"
    assert letter.height() == key_px(large)
    assert letter.height() >= math.ceil(MIN_TARGET_MM * large.px_per_mm), "never below 20 mm"
    assert letter.height() >= letter.font().pixelSize() * 1.4, "room for the caption"


def test_urdu_is_laid_out_right_to_left(qtbot, rig: Rig) -> None:
    keyboard = rig.keyboard
    keyboard.set_language("ur")
    assert keyboard.layoutDirection() == Qt.LayoutDirection.RightToLeft
    x = {k.text: b.geometry().x() for k, b in keyboard.key_buttons("letters")}
    assert x["ا"] > x["ب"] > x["پ"], "the alphabet starts at the right"
    x = {k.text: b.geometry().x() for k, b in keyboard.key_buttons("numbers")}
    assert x["1"] < x["2"], "digits read left to right, even in Urdu"
    assert x["۱"] < x["۲"]
    x = {k.text: b.geometry().x() for k, b in keyboard.key_buttons("latin")}
    assert x["q"] < x["w"]
    keyboard.set_language("en")
    assert keyboard.layoutDirection() == Qt.LayoutDirection.LeftToRight


# ----- the dock ----------------------------------------------------------------------------------


def test_dock_follows_focus_and_purpose(qtbot, rig: Rig) -> None:
    keyboard = rig.keyboard
    assert keyboard.isHidden(), "hidden until a text field has focus"
    for field, purpose in ((rig.text, "text"), (rig.email, "email"), (rig.phone, "digits"),
                           (rig.area, "text")):
        rig.focus(field)
        assert keyboard.isVisible(), field.objectName()
        assert keyboard.purpose == purpose
    rig.focus(rig.page)  # touching the page outside any field
    assert keyboard.isHidden()
    read_only = rig.add(QLineEdit(readOnly=True))
    rig.focus(read_only)
    assert keyboard.isHidden()
    opted_out = rig.add(QLineEdit())
    opted_out.setProperty("keyboardPurpose", "none")
    rig.focus(opted_out)
    assert keyboard.isHidden()


def test_dock_keeps_the_field_in_view_above_the_keyboard(qtbot, rig: Rig) -> None:
    for _ in range(12):
        rig.add(QLineEdit()).setMinimumHeight(80)
    last = rig.add(QLineEdit(objectName="last"))
    rig.focus(last)
    top_left = last.mapTo(rig.root, last.rect().topLeft())
    field = QRect(top_left, last.size())
    assert not field.intersects(rig.keyboard.geometry()), "VIS-12: focus never hidden"
    viewport = rig.scroll_area.viewport()
    shown = QRect(viewport.mapTo(rig.root, viewport.rect().topLeft()), viewport.size())
    assert shown.contains(field)


def test_purpose_from_property_then_hints() -> None:
    edit = QLineEdit()
    assert purpose_for(edit) == "text"
    edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    assert purpose_for(edit) == "digits"
    edit.setInputMethodHints(Qt.InputMethodHint.ImhEmailCharactersOnly)
    assert purpose_for(edit) == "email"
    edit.setProperty("keyboardPurpose", "text")
    assert purpose_for(edit) == "text", "the property wins over hints"


# ----- no history ---------------------------------------------------------------------------------

CANARY = "Qzxv"


def test_nothing_is_remembered_between_fields(qtbot, rig: Rig) -> None:
    keyboard = rig.keyboard
    rig.focus(rig.text)
    type_on(qtbot, keyboard, CANARY + "é")
    press_action(qtbot, keyboard, Action.SHIFT)  # left pending on the accents page
    rig.focus(rig.area)
    assert keyboard.page_name == "letters"
    assert not keyboard.shift_active
    assert rig.area.toPlainText() == ""
    type_on(qtbot, keyboard, "x")
    assert rig.area.toPlainText() == "x", "neither Shift nor text carried over"
    rig.focus(rig.page)
    shown = [w.text() + w.accessibleName() for w in keyboard.findChildren(QPushButton)]
    assert not [s for s in shown if CANARY.lower() in s.lower()]
    kept = [v for v in vars(keyboard).values() if isinstance(v, str)]
    assert not [v for v in kept if CANARY in v]
    assert keyboard.target() is None, "the keyboard lets go of the field"
    rig.dock.reset()
    assert keyboard.isHidden()


def test_unknown_language_gets_the_english_layout(qtbot, rig: Rig) -> None:
    rig.keyboard.set_language("de")
    assert rig.keyboard.keyboard_layout.name == "en-text"
