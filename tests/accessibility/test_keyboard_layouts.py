"""The on-screen keyboard's layouts, as data: every letter a resident needs is on a key.

No Qt here, like the module under test: these run with PySide6 uninstalled.
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import unicodedata
from collections import deque

import pytest

from accessibility.keyboard_layouts import (
    LANGUAGES,
    PURPOSES,
    Action,
    Key,
    Layout,
    layout_for,
)

WELSH = "âêîôûŵŷ"
WELSH_EXTRA = "àáäèéëïöüẁẃẅỳýÿ"
POLISH = "ąćęłńóśźż"
ROMANIAN = "ăâîșț"  # comma-below ș ț (U+0219, U+021B)
URDU = "ٹڈڑںہھےیکگ"
URDU_ALPHABET = "ابپتٹثجچحخدڈذرڑزژسشصضطظعغفقکگلمنںوہھءیے"
URDU_DIGITS = "۰۱۲۳۴۵۶۷۸۹"

ALL_LAYOUTS = [(lang, purpose) for lang in LANGUAGES for purpose in PURPOSES]


def typeable(layout: Layout) -> set[str]:
    """Everything the layout can type: each key's text, and its capital with Shift."""
    out: set[str] = set()
    for page in layout.pages:
        for key in page.all_keys():
            if key.action is Action.CHAR:
                out.add(key.text)
                if key.shifted:
                    out.add(key.shifted)
    return out


def actions(layout: Layout, page_name: str | None = None) -> set[Action]:
    pages = [layout.page(page_name)] if page_name else list(layout.pages)
    return {key.action for page in pages for key in page.all_keys()}


def shifted_on_a_page_with_shift(layout: Layout) -> set[str]:
    return {key.shifted for page in layout.pages if Action.SHIFT in actions(layout, page.name)
            for key in page.all_keys() if key.shifted}


@pytest.mark.parametrize(("language", "purpose"), ALL_LAYOUTS)
def test_every_layout_is_complete_and_connected(language: str, purpose: str) -> None:
    layout = layout_for(language, purpose)  # type: ignore[arg-type]
    assert layout.pages, layout.name
    names = layout.page_names
    assert len(set(names)) == len(names)
    # Every page can be reached from the first, and every switch key leads somewhere real.
    seen, todo = {names[0]}, deque([names[0]])
    while todo:
        for key in layout.page(todo.popleft()).all_keys():
            if key.action is Action.SWITCH:
                assert key.target in names, (layout.name, key)
                if key.target not in seen:
                    seen.add(key.target)
                    todo.append(key.target)
    assert seen == set(names), layout.name
    for page in layout.pages:
        # Delete and Done on every page: nobody has to change page to correct or finish.
        assert {Action.BACKSPACE, Action.DONE} <= actions(layout, page.name), (layout.name,
                                                                                page.name)
        assert len(page.rows) == layout.row_count, "pages keep one height when switching"
        for key in page.all_keys():
            assert key.width > 0
            if key.action is Action.CHAR:
                assert key.text, key
                assert key.text.isprintable(), key
            elif key.action is not Action.GAP:
                assert key.message or key.label, f"{key} has no caption"
    # Capitals only come from Shift: a page offering them must have a Shift key.
    assert {k.shifted for p in layout.pages for k in p.all_keys() if k.shifted} \
        == shifted_on_a_page_with_shift(layout)


def test_english_text_is_uk_qwerty_with_accents_for_names() -> None:
    layout = layout_for("en", "text")
    top = [key.text for key in layout.rows[0]]
    assert top == list("qwertyuiop")
    assert [key.text for key in layout.rows[1]][:9] == list("asdfghjkl")
    chars = typeable(layout)
    assert set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") <= chars
    assert {"'", "-", ".", ",", "/", "£", "@", "&"} <= chars  # O'Brien-Smith, Flat 2/3
    assert {"é", "ë", "ñ", "É", "Ë"} <= chars
    assert Action.SPACE in actions(layout)


@pytest.mark.parametrize(("language", "letters"), [
    ("cy", WELSH + WELSH_EXTRA), ("pl", POLISH), ("ro", ROMANIAN),
])
def test_each_language_has_its_letters_and_their_capitals(language: str, letters: str) -> None:
    layout = layout_for(language, "text")
    chars = typeable(layout)
    missing = [c for c in letters + letters.upper() if c not in chars]
    assert not missing, f"{language} cannot type {missing}"
    assert layout.rows[0][0].text == "q", "the same QWERTY as English"
    assert not layout.right_to_left


def test_welsh_circumflex_letters_come_first_on_the_accents_page() -> None:
    first_row = "".join(key.text for key in layout_for("cy", "text").page("accents").rows[0])
    assert first_row.startswith(WELSH)


def test_romanian_uses_comma_below_never_cedilla() -> None:
    chars = typeable(layout_for("ro", "text"))
    assert {"\u0219", "\u021b", "\u0218", "\u021a"} <= chars
    assert not {"\u015f", "\u0163", "\u015e", "\u0162"} & chars  # ş ţ Ş Ţ
    assert unicodedata.name("ș") == "LATIN SMALL LETTER S WITH COMMA BELOW"


def test_capitals_are_single_letters() -> None:
    for language in LANGUAGES:
        for page in layout_for(language, "text").pages:
            for key in page.all_keys():
                if key.shifted:
                    assert len(key.shifted) == 1, key
                    assert key.shifted == key.text.upper(), key
                    assert key.shifted.isupper()


def test_urdu_is_right_to_left_with_the_whole_alphabet() -> None:
    layout = layout_for("ur", "text")
    assert layout.right_to_left
    chars = typeable(layout)
    assert set(URDU) <= chars
    assert set(URDU_ALPHABET) <= chars
    letters_page = layout.first_page
    assert "".join(k.text for k in letters_page.all_keys() if k.action is Action.CHAR) \
        == URDU_ALPHABET, "all 39 letters on the first page, in dictionary order"
    # Urdu and Latin digits both, written left to right even in an RTL layout.
    numbers = layout.page("numbers")
    assert set(URDU_DIGITS) <= chars
    assert set("0123456789") <= chars
    assert not layout.row_right_to_left(numbers, 0)
    assert not layout.row_right_to_left(numbers, 1)
    assert layout.row_right_to_left(numbers, 2)
    assert layout.row_right_to_left(letters_page, 0)
    # English letters for postcodes and street names, laid out left to right.
    latin = layout.page("latin")
    assert set("abcXYZ") <= chars
    assert not any(layout.row_right_to_left(latin, r) for r in range(len(latin.rows)))
    # Vowel marks show on a dotted circle and have spoken names.
    marks = [k for k in layout.page("accents").all_keys() if k.text == "\u064e"]
    assert len(marks) == 1
    assert marks[0].label == "\u25cc\u064e"
    assert marks[0].spoken == "زبر"


def test_email_layout_has_the_address_keys_and_no_space() -> None:
    for language in LANGUAGES:
        layout = layout_for(language, "email")
        assert layout.name == "email", language
        assert not layout.right_to_left, "addresses are written left to right"
        chars = typeable(layout)
        assert {"@", ".", "-", "_", ".com", ".co.uk"} <= chars
        assert set("abcdefghijklmnopqrstuvwxyz0123456789") <= chars
        assert Action.SPACE not in actions(layout), "an address never holds a space"


def test_digits_layout_is_a_phone_pad() -> None:
    for language in LANGUAGES:
        layout = layout_for(language, "digits")
        assert not layout.right_to_left
        assert len(layout.pages) == 1
        rows = [[k.text for k in row if k.action is Action.CHAR] for row in layout.rows]
        assert rows[:3] == [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"]], "1-2-3 on top"
        assert "0" in rows[3]
        assert typeable(layout) == set("0123456789+."), "no letters on a number pad"
        assert {Action.SPACE, Action.BACKSPACE, Action.DONE} <= actions(layout)


def test_unknown_language_falls_back_to_english() -> None:
    assert layout_for("de", "text") == layout_for("en", "text")
    with pytest.raises(ValueError, match="purpose"):
        layout_for("en", "postcode")  # type: ignore[arg-type]


def test_layouts_are_fresh_immutable_data_with_no_memory() -> None:
    first, second = layout_for("cy", "text"), layout_for("cy", "text")
    assert first == second
    assert first is not second
    key: Key = first.rows[0][0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.text = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.pages = ()  # type: ignore[misc]


def test_rows_fit_the_layout_width() -> None:
    for language, purpose in ALL_LAYOUTS:
        layout = layout_for(language, purpose)  # type: ignore[arg-type]
        # 12 units is the most that keeps a key over 30 mm wide on a 1920 px, 21.5" panel.
        assert layout.width_units <= 12, layout.name
        for page in layout.pages:
            for row in page.rows:
                assert page.row_units(row) <= layout.width_units


def test_module_never_imports_qt() -> None:
    code = ("import sys, accessibility.keyboard_layouts as k; "
            "k.layout_for('ur', 'text'); "
            "assert not any(m.startswith(('PySide6', 'shiboken6')) for m in sys.modules)")
    subprocess.run([sys.executable, "-c", code], check=True)
