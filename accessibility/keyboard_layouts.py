"""On-screen keyboard layouts as plain data: which keys, in which rows, on which pages.

The kiosk has no physical keyboard, so these layouts are the only way a resident types a
name, an address, an email or a phone number. They are data, free of Qt (the house rule for
`accessibility/`), so that what matters can be checked without a screen: every Welsh,
Polish, Romanian and Urdu letter is reachable, Romanian uses comma-below ș ț and not the
look-alike cedilla letters, Urdu runs right to left. The widget in `ui/keyboard.py` only
draws what it is given.

There is deliberately no prediction, completion or learned vocabulary, here or in the
widget: a public kiosk must never remember what one resident typed and offer it to the next.

Row widths are in "units" (one letter key). Every page of a layout is laid out on the same
unit so keys keep their size when the resident switches between letters, numbers and
accents. Rows are listed in reading order; on a right-to-left layout the widget places the
first key of a row at the right, except on rows listed in `KeyPage.left_to_right_rows`
(digits and Latin letters, which are written left to right even in Urdu).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from typing import Literal

Purpose = Literal["text", "email", "digits"]
PURPOSES: tuple[Purpose, ...] = ("text", "email", "digits")

# Languages with their own text layout. Anything else gets the English one, as the app's
# text falls back to English.
LANGUAGES: tuple[str, ...] = ("en", "cy", "pl", "ur", "ro")
FALLBACK_LANGUAGE = "en"

LETTERS = "letters"
NUMBERS = "numbers"
ACCENTS = "accents"
LATIN = "latin"
DIGITS = "digits"


class Action(Enum):
    """What pressing a key does. Only CHAR keys put their own text into the field."""

    CHAR = "char"
    SHIFT = "shift"
    BACKSPACE = "backspace"
    SPACE = "space"
    DONE = "done"
    SWITCH = "switch"
    GAP = "gap"  # an empty slot: keeps Shift and Delete at the row ends; never a button


@dataclass(frozen=True)
class Key:
    """One key. Action keys name a message key for their caption, so they are translated
    like every other word on screen; character keys show what they type."""

    action: Action
    text: str = ""
    shifted: str = ""
    label: str = ""
    message: str = ""
    spoken: str = ""
    target: str = ""
    width: float = 1.0

    def output(self, shift: bool) -> str:
        """The text this key types: the capital while Shift is on, where there is one."""
        return self.shifted if shift and self.shifted else self.text

    def caption(self, shift: bool) -> str:
        """The visible caption, unless `message` names a translated one (the UI resolves it)."""
        return self.label or self.output(shift)


@dataclass(frozen=True)
class KeyPage:
    """One screenful of keys: letters, numbers, accents, ... The layout switches pages."""

    name: str
    rows: tuple[tuple[Key, ...], ...]
    left_to_right_rows: frozenset[int] = frozenset()

    @staticmethod
    def row_units(row: tuple[Key, ...]) -> float:
        return sum(key.width for key in row)

    @property
    def width_units(self) -> float:
        return max(self.row_units(row) for row in self.rows)

    def all_keys(self) -> Iterator[Key]:
        for row in self.rows:
            yield from row


@dataclass(frozen=True)
class Layout:
    """A keyboard for one language and purpose; the first page is shown on attaching."""

    name: str
    pages: tuple[KeyPage, ...]
    right_to_left: bool = False

    @property
    def first_page(self) -> KeyPage:
        return self.pages[0]

    @property
    def rows(self) -> tuple[tuple[Key, ...], ...]:
        return self.first_page.rows

    @property
    def page_names(self) -> tuple[str, ...]:
        return tuple(page.name for page in self.pages)

    def page(self, name: str) -> KeyPage:
        for page in self.pages:
            if page.name == name:
                return page
        raise KeyError(f"layout {self.name!r} has no page {name!r}")

    @property
    def width_units(self) -> float:
        """The widest row on any page: the widget sizes its unit from this."""
        return max(page.width_units for page in self.pages)

    @property
    def row_count(self) -> int:
        return max(len(page.rows) for page in self.pages)

    def row_right_to_left(self, page: KeyPage, row: int) -> bool:
        return self.right_to_left and row not in page.left_to_right_rows


# ----- building keys -----------------------------------------------------------------------


def _char(text: str, *, label: str = "", spoken: str = "", width: float = 1.0) -> Key:
    upper = text.upper()
    # Only a single letter with a single-letter capital shifts: "ß".upper() is "SS", and
    # ".com" or "'" must type the same whatever Shift says.
    shifted = upper if len(text) == 1 and len(upper) == 1 and upper != text else ""
    return Key(Action.CHAR, text=text, shifted=shifted, label=label, spoken=spoken,
               width=width)


def _chars(spaced: str) -> tuple[Key, ...]:
    return tuple(_char(text) for text in spaced.split())


def _shift(width: float = 1.5) -> Key:
    return Key(Action.SHIFT, message="keyboard.shift", width=width)


def _backspace(width: float = 1.5) -> Key:
    return Key(Action.BACKSPACE, message="keyboard.backspace", width=width)


def _space(width: float) -> Key:
    return Key(Action.SPACE, text=" ", message="keyboard.space", width=width)


def _done(width: float = 2.0) -> Key:
    return Key(Action.DONE, message="keyboard.done", width=width)


def _switch(target: str, *, message: str = "", label: str = "", spoken: str = "",
            width: float = 1.5) -> Key:
    return Key(Action.SWITCH, target=target, message=message, label=label, spoken=spoken,
               width=width)


def _gap(width: float) -> Key:
    return Key(Action.GAP, width=width)


def _edge_row(left: Key, middle: tuple[Key, ...], right: Key, units: float) -> tuple[Key, ...]:
    """Keys between Shift and Delete, padded so the two stay at the row's ends."""
    row = (left, *middle, right)
    missing = units - KeyPage.row_units(row)
    return (left, *middle, _gap(missing), right) if missing > 0 else row


# ----- Latin-script text (en, cy, pl, ro) ---------------------------------------------------

_QWERTY = ("q w e r t y u i o p", "a s d f g h j k l '", "z x c v b n m")

# Three rows per language: the language's own letters first, then common letters for
# residents' names from elsewhere (José, Zoë, Núñez). Rows 1-2 hold up to 10, row 3 up to 7
# (it also carries Shift and Delete). Capitals come from Shift.
_ACCENT_ROWS: dict[str, tuple[str, str, str]] = {
    "en": ("é è ê ë á à â ä", "ó ò ô ö ú ù û ü", "í ï ç ñ ã õ ø"),
    "cy": ("â ê î ô û ŵ ŷ à è", "á é í ó ú ẃ ý ẁ ỳ", "ä ë ï ö ü ẅ ÿ"),
    "pl": ("ą ć ę ł ń ó ś ź ż", "é è ê ë á à â ä ö ü", "í ï ô ú û ç ñ"),
    # Comma-below ș ț (U+0219, U+021B), never the cedilla ş ţ that old keyboards typed.
    "ro": ("ă â î ș ț", "é è ê ë á à ä ö ü ó", "í ï ô ú û ç ñ"),
}


def _latin_bottom(first: Key, second: Key) -> tuple[Key, ...]:
    return (first, second, _char("-"), _space(3), _char("."), _done(2))


def _latin_letters(second: Key) -> KeyPage:
    top, middle, bottom = _QWERTY
    return KeyPage(LETTERS, (
        _chars(top),
        _chars(middle),
        (_shift(), *_chars(bottom), _backspace()),
        _latin_bottom(_switch(NUMBERS, message="keyboard.numbers"), second),
    ))


def _latin_numbers(second: Key) -> KeyPage:
    return KeyPage(NUMBERS, (
        _chars("1 2 3 4 5 6 7 8 9 0"),
        _chars('@ £ € & ( ) / : ; "'),
        _edge_row(_gap(1.5), _chars(", ? ! ' # % +"), _backspace(), 10),
        _latin_bottom(_switch(LETTERS, message="keyboard.letters"), second),
    ))


def _latin_accents(language: str) -> KeyPage:
    first, second, third = _ACCENT_ROWS[language]
    return KeyPage(ACCENTS, (
        _chars(first),
        _chars(second),
        _edge_row(_shift(), _chars(third), _backspace(), 10),
        _latin_bottom(_switch(LETTERS, message="keyboard.letters"),
                      _switch(NUMBERS, message="keyboard.numbers")),
    ))


def _latin_text(language: str) -> Layout:
    to_accents = _switch(ACCENTS, message="keyboard.accents")
    return Layout(f"{language}-text", (
        _latin_letters(to_accents),
        _latin_numbers(to_accents),
        _latin_accents(language),
    ))


# ----- Urdu ---------------------------------------------------------------------------------

# The 39 letters in dictionary order (not a typist's phonetic layout: most residents look
# for a letter rather than touch-type), 12 to a row, read from the right.
_URDU_ROWS = (
    "ا ب پ ت ٹ ث ج چ ح خ د ڈ",
    "ذ ر ڑ ز ژ س ش ص ض ط ظ ع",
    "غ ف ق ک گ ل م ن ں و",
    "ہ ھ ء ی ے",
)
_URDU_DIGITS = "۱ ۲ ۳ ۴ ۵ ۶ ۷ ۸ ۹ ۰"  # Extended Arabic-Indic digits, as Urdu writes them
_URDU_UNITS = 12
# Vowel marks combine with the letter before them; the caption puts them on a dotted circle
# so they can be seen, and the spoken name is the mark's Urdu name.
_URDU_MARKS = (
    ("\u064e", "زبر"), ("\u0650", "زیر"), ("\u064f", "پیش"), ("\u064b", "دو زبر"),
    ("\u0651", "تشدید"), ("\u0652", "جزم"), ("\u0670", "کھڑا زبر"), ("\u0654", "ہمزہ"),
)


def _to_urdu(width: float = 1.25) -> Key:
    return _switch(LETTERS, label="ابپ", spoken="اردو", width=width)


def _to_latin(width: float = 1.25) -> Key:
    # A literal "ABC", not keyboard.letters: in Urdu that key would be translated as the
    # Urdu alphabet, and this key must say "English letters" in any language.
    return _switch(LATIN, label="ABC", width=width)


def _urdu_letters() -> KeyPage:
    first, second, third, fourth = _URDU_ROWS
    return KeyPage(LETTERS, (
        _chars(first),
        _chars(second),
        (*_chars(third), _backspace(2)),
        (_switch(NUMBERS, message="keyboard.numbers", width=1.25), _to_latin(),
         *_chars(fourth), _space(2.5), _done(2)),
    ))


def _urdu_numbers() -> KeyPage:
    return KeyPage(NUMBERS, (
        _chars("1 2 3 4 5 6 7 8 9 0"),
        _chars(_URDU_DIGITS),
        (*_chars('؟ ، ۔ ؛ ! - / : ٪ "'), _backspace(2)),
        (_to_urdu(), _to_latin(), _switch(ACCENTS, message="keyboard.accents", width=2),
         _space(5.5), _done(2)),
    ), left_to_right_rows=frozenset({0, 1}))


def _urdu_accents() -> KeyPage:
    marks = tuple(_char(mark, label="\u25cc" + mark, spoken=name) for mark, name in _URDU_MARKS)
    return KeyPage(ACCENTS, (
        _chars("آ أ ئ ؤ ۓ ۃ"),
        marks,
        (*_chars("« » ۔ ، ؟ ؛"), _gap(4), _backspace(2)),
        (_to_urdu(), _to_latin(), _switch(NUMBERS, message="keyboard.numbers", width=2),
         _space(5.5), _done(2)),
    ))


def _urdu_latin() -> KeyPage:
    """English letters for postcodes, street names and the like, typed left to right."""
    top, middle, bottom = _QWERTY
    return KeyPage(LATIN, (
        _chars(top),
        _chars(middle),
        (_shift(), *_chars(bottom), _backspace()),
        _latin_bottom(_to_urdu(1.5), _switch(NUMBERS, message="keyboard.numbers")),
    ), left_to_right_rows=frozenset(range(4)))


def _urdu_text() -> Layout:
    return Layout("ur-text", (_urdu_letters(), _urdu_numbers(), _urdu_accents(), _urdu_latin()),
                  right_to_left=True)


# ----- email and digits (the same in every language) ----------------------------------------


def _email_bottom(switch: Key) -> tuple[Key, ...]:
    return (switch, _char("@"), _char("_"), _char("."), _char(".com", width=1.5),
            _char(".co.uk", width=2), _done(2))


def _email() -> Layout:
    """Addresses are written in Latin letters, left to right, whatever the UI language;
    there is no space key because an address cannot hold one."""
    top, middle, bottom = _QWERTY
    letters = KeyPage(LETTERS, (
        _chars(top),
        _chars(middle.replace("'", "-")),
        (_shift(), *_chars(bottom), _backspace()),
        _email_bottom(_switch(NUMBERS, message="keyboard.numbers")),
    ))
    numbers = KeyPage(NUMBERS, (
        _chars("1 2 3 4 5 6 7 8 9 0"),
        _chars("- _ . + ' & ! # $ %"),
        _edge_row(_gap(1.5), _chars("* / = ? ^ ~ |"), _backspace(), 10),
        _email_bottom(_switch(LETTERS, message="keyboard.letters")),
    ))
    return Layout("email", (letters, numbers))


def _digits() -> Layout:
    """A telephone pad (1-2-3 on top, EN 301 549 8.4.1). Latin digits only: the phone,
    number and date checks accept nothing else. "+" is for +44, "." for decimals."""
    return Layout(DIGITS, (KeyPage(DIGITS, (
        (*_chars("1 2 3"), _backspace()),
        (*_chars("4 5 6"), _space(1.5)),
        (*_chars("7 8 9"), _gap(1.5)),
        (*_chars("+ 0 ."), _done(1.5)),
    )),))


def layout_for(language: str, purpose: Purpose) -> Layout:
    """The layout for a field: `purpose` from the field, `language` the UI language.

    Built afresh on every call (a few dozen small objects): nothing is cached, so nothing
    about one field or resident can carry over to the next.
    """
    if purpose == "digits":
        return _digits()
    if purpose == "email":
        return _email()
    if purpose == "text":
        if language == "ur":
            return _urdu_text()
        return _latin_text(language if language in _ACCENT_ROWS else FALLBACK_LANGUAGE)
    raise ValueError(f"unknown keyboard purpose {purpose!r}")
