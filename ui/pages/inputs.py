"""The input widget for each question type. Each shows a raw value and gives it back."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from accessibility.themes import Theme
from kiosk.journey.pages import QuestionPage
from kiosk.journey.types.address import FIELDS as ADDRESS_FIELDS
from kiosk.journey.types.address import AddressParts
from kiosk.journey.validation import DateParts, RawAnswer
from kiosk.texts import Texts
from ui.widgets import WrapCheckBox, WrapRadio, label, line_edit, lock_down, text_area


def option_indent(theme: Theme) -> int:
    """Room for the radio circle or checkbox square to the left of the wrapped words."""
    return round(theme.target_px * 0.5) + theme.gap_px * 2


class QuestionInput(QWidget):
    """Base: `value()` is what the resident entered, exactly, for the engine to check."""

    def __init__(self, page: QuestionPage, texts: Texts, theme: Theme) -> None:
        super().__init__()
        self.page = page
        self.setProperty("personal", page.personal)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(theme.gap_px)

    def value(self) -> RawAnswer:
        raise NotImplementedError

    def describe(self, edit: QWidget, purpose: str, *, invalid: bool) -> None:
        """What the style sheet, the on-screen keyboard and read aloud need to know."""
        edit.setProperty("invalid", invalid)
        edit.setProperty("keyboardPurpose", purpose)
        edit.setProperty("personal", self.page.personal)

    def invalid(self, field: str) -> bool:
        return any(e.field == field or e.field.startswith(field + "-") for e in self.page.errors)


class ChoiceInput(QuestionInput):
    """Options to choose from, each with its hint: one (radios, yes/no) or several
    (checkboxes, `many`). One widget, so both modes show and say the same things."""

    def __init__(self, page: QuestionPage, texts: Texts, theme: Theme, *,
                 many: bool = False) -> None:
        super().__init__(page, texts, theme)
        self.many = many
        self.group = QButtonGroup(self)
        self.group.setExclusive(not many)
        self.buttons: list[QAbstractButton] = []
        for option in page.options:
            choice: QAbstractButton = (WrapCheckBox(option.label, option_indent(theme)) if many
                                       else WrapRadio(option.label, option_indent(theme)))
            choice.setObjectName(f"option-{option.value}")
            choice.setProperty("value", option.value)
            choice.setChecked(option.selected)
            lock_down(choice)
            self.group.addButton(choice)
            self.layout_.addWidget(choice)
            self.buttons.append(choice)
            if option.hint:
                self.layout_.addWidget(label(option.hint, "hint", name=f"option-hint-{option.value}"))

    def value(self) -> RawAnswer:
        if self.many:
            return tuple(str(b.property("value")) for b in self.buttons if b.isChecked())
        checked = self.group.checkedButton()
        return str(checked.property("value")) if checked else ""


class AddressListInput(ChoiceInput):
    """The addresses at a postcode, each a full-width target; the page scrolls (with its large
    Scroll up and Scroll down buttons) when there are more than fit. GOV.UK's "or" sets the
    way on ("The address is not listed") apart from the addresses."""

    def __init__(self, page: QuestionPage, texts: Texts, theme: Theme) -> None:
        super().__init__(page, texts, theme)
        if len(self.buttons) > 1:
            index = self.layout_.indexOf(self.buttons[-1])
            self.layout_.insertWidget(index, label(texts("address.or"), "hint", name="or"))


class ManualAddressInput(QuestionInput):
    """The address typed by hand (GOV.UK "Addresses"): address line 1, line 2 (optional),
    town or city, postcode; each box labelled, each marked when its answer needs fixing."""

    def __init__(self, page: QuestionPage, texts: Texts, theme: Theme) -> None:
        super().__init__(page, texts, theme)
        parts = page.value if isinstance(page.value, AddressParts) else AddressParts()
        self.edits: dict[str, QLineEdit] = {}
        for name, chars in zip(ADDRESS_FIELDS, (34, 34, 24, 10), strict=True):
            self.layout_.addWidget(label(texts(f"address.field.{name}"), name=f"label-{name}"))
            edit = line_edit(getattr(parts, name), max_length=page.max_length,
                             name=f"answer-{name}", hints=_HINTS.get(name, _NO_HINT))
            self.describe(edit, "text", invalid=self.invalid(f"{page.page_id}-{name}"))
            edit.setMaximumWidth(round(theme.font_px * 0.75 * chars) + theme.gap_px * 2)
            self.layout_.addWidget(edit)
            self.edits[name] = edit

    def value(self) -> RawAnswer:
        return AddressParts(*(self.edits[name].text() for name in ADDRESS_FIELDS))


_NO_HINT = Qt.InputMethodHint.ImhNone
_HINTS = {
    "email": Qt.InputMethodHint.ImhEmailCharactersOnly,
    "phone": Qt.InputMethodHint.ImhDialableCharactersOnly,
    "number": Qt.InputMethodHint.ImhFormattedNumbersOnly,
    "postcode": Qt.InputMethodHint.ImhPreferUppercase,
    "address": Qt.InputMethodHint.ImhPreferUppercase,
    "reference": Qt.InputMethodHint.ImhPreferUppercase,
    "booking_reference": Qt.InputMethodHint.ImhPreferUppercase,
    "ni_number": Qt.InputMethodHint.ImhPreferUppercase,
}
_KEYBOARD = {"email": "email", "phone": "digits", "number": "digits"}
_WIDTH_CHARS = {"postcode": 10, "address": 10, "phone": 16, "number": 8, "email": 34, "text": 34,
                "reference": 12, "booking_reference": 14, "ni_number": 16}


class LineInput(QuestionInput):
    """Single-line text: text, email, phone, postcode, number, a receipt's reference."""

    def __init__(self, page: QuestionPage, texts: Texts, theme: Theme) -> None:
        super().__init__(page, texts, theme)
        value = page.value if isinstance(page.value, str) else ""
        self.edit = line_edit(value, max_length=page.max_length, name="answer",
                              hints=_HINTS.get(page.qtype, Qt.InputMethodHint.ImhNone))
        self.describe(self.edit, _KEYBOARD.get(page.qtype, "text"),
                      invalid=self.invalid(page.page_id))
        width = _WIDTH_CHARS.get(page.qtype, 34)
        self.edit.setMaximumWidth(round(theme.font_px * 0.75 * width) + theme.gap_px * 2)
        self.layout_.addWidget(self.edit)

    def value(self) -> RawAnswer:
        return self.edit.text()


class AreaInput(QuestionInput):
    """Several lines of text, with the limit said up front rather than discovered."""

    def __init__(self, page: QuestionPage, texts: Texts, theme: Theme) -> None:
        super().__init__(page, texts, theme)
        if page.max_length:
            self.layout_.addWidget(
                label(texts("question.characters_left", max=str(page.max_length)), "hint")
            )
        value = page.value if isinstance(page.value, str) else ""
        self.edit: QPlainTextEdit = text_area(value, name="answer")
        self.describe(self.edit, "text", invalid=self.invalid(page.page_id))
        self.edit.setMinimumHeight(theme.target_px * 3)
        self.layout_.addWidget(self.edit)

    def value(self) -> RawAnswer:
        return self.edit.toPlainText()


class DateInput(QuestionInput):
    """GOV.UK date pattern: separate day, month and year boxes, each labelled."""

    def __init__(self, page: QuestionPage, texts: Texts, theme: Theme) -> None:
        super().__init__(page, texts, theme)
        parts = page.value if isinstance(page.value, DateParts) else DateParts()
        row = QHBoxLayout()
        row.setSpacing(theme.gap_px * 2)
        self.edits: dict[str, QLineEdit] = {}
        for part, chars in (("day", 2), ("month", 2), ("year", 4)):
            cell = QVBoxLayout()
            cell.addWidget(label(texts(f"date.{part}"), wrap=False))
            edit = line_edit(getattr(parts, part), max_length=chars, name=f"answer-{part}",
                             hints=Qt.InputMethodHint.ImhDigitsOnly)
            fields = (page.page_id, f"{page.page_id}-{part}")
            self.describe(edit, "digits", invalid=any(e.field in fields for e in page.errors))
            edit.setFixedWidth(round(theme.font_px * (chars + 2.5)))
            cell.addWidget(edit)
            row.addLayout(cell)
            self.edits[part] = edit
        row.addStretch(1)
        self.layout_.addLayout(row)

    def value(self) -> RawAnswer:
        return DateParts(*(self.edits[p].text() for p in ("day", "month", "year")))


InputFactory = Callable[[QuestionPage, Texts, Theme], QuestionInput]
"""Makes the input for a question page of one type (a `QuestionInput` class, usually)."""


def builtin_inputs() -> dict[str, InputFactory]:
    """The input widget for each built-in question type, by the type's registered name.

    Adding a question type: register its core half in `kiosk/journey/types/`, and its input
    here (or pass a bigger mapping to `ui.pages.registry.view_for`).
    """
    return {
        "address": LineInput,
        "address_list": AddressListInput,
        "address_manual": ManualAddressInput,
        "radios": ChoiceInput,
        "yes_no": ChoiceInput,
        "checkboxes": partial(ChoiceInput, many=True),
        "text": LineInput,
        "email": LineInput,
        "phone": LineInput,
        "postcode": LineInput,
        "reference": LineInput,
        "booking_reference": LineInput,
        "ni_number": LineInput,
        "number": LineInput,
        "textarea": AreaInput,
        "date": DateInput,
    }
