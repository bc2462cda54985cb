"""Every key shows what it is: Qt reads "&" in a button's text as a mnemonic marker, so the
"&" key on the symbols and email layouts came out blank."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit

from accessibility.keyboard_layouts import LANGUAGES, PURPOSES, Action, Purpose
from accessibility.languages import Translator
from accessibility.themes import standard_theme
from ui.keyboard import OnScreenKeyboard


def shown(text: str) -> str:
    """What Qt draws for a button's text: "&&" is a literal "&", a lone "&" marks the next
    letter as the shortcut and is not drawn."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "&":
            if i + 1 < len(text) and text[i + 1] == "&":
                out.append("&")
                i += 2
                continue
            i += 1
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def test_shown_follows_qt_rules() -> None:
    assert shown("&&") == "&"
    assert shown("&") == ""
    assert shown("Save && &quit") == "Save & quit"


@pytest.mark.parametrize("purpose", PURPOSES)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_key_shows_its_caption(qtbot, language: str, purpose: Purpose) -> None:
    keyboard = OnScreenKeyboard(Translator(language), standard_theme(), language=language)
    qtbot.addWidget(keyboard)
    field = QLineEdit()
    qtbot.addWidget(field)
    keyboard.attach_to(field, purpose)
    keyboard.resize(1920, keyboard.sizeHint().height())
    keyboard.show()
    for page in keyboard.keyboard_layout.page_names:
        for key, widget in keyboard.key_buttons(page):
            caption = keyboard.caption(key)
            assert caption, f"{key} has no caption"
            assert shown(widget.text()) == caption, (language, purpose, page, key)
            assert caption.lower() in widget.accessibleName().lower()


@pytest.mark.parametrize("purpose", ["text", "email"])
def test_the_ampersand_key_shows_types_and_is_named(qtbot, purpose: Purpose) -> None:
    keyboard = OnScreenKeyboard(Translator("en"), standard_theme(), language="en")
    qtbot.addWidget(keyboard)
    field = QLineEdit()
    qtbot.addWidget(field)
    field.show()
    keyboard.attach_to(field, purpose)
    keyboard.show()
    found = [(key, button) for key, button in keyboard.key_buttons("numbers")
             if key.action is Action.CHAR and key.text == "&"]
    assert len(found) == 1
    key, button = found[0]
    assert shown(button.text()) == "&"
    assert button.accessibleName() == "&"
    # Read aloud says the character itself; espeak-ng names it ("and") in every voice.
    assert keyboard.spoken_name(key) == "&"
    spoken: list[str] = []
    keyboard.key_pressed.connect(spoken.append)
    keyboard.show_page("numbers")
    button.click()
    assert field.text() == "&"
    assert spoken == ["&"]
