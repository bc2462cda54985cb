"""One input widget class per question type. Each shows a raw value and gives it back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from accessibility.themes import Theme
from kiosk.journey.pages import QuestionPage
from kiosk.journey.validation import DateParts, RawAnswer
from kiosk.texts import Texts
from ui.widgets import WrapCheckBox, WrapRadio, label, line_edit, lock_down, text_area


def _indent(theme: Theme) -> int:
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
    """Radios and yes/no: one answer from a list."""

    def __init__(self, page: QuestionPage, texts: Texts, theme: Theme) -> None:
        super().__init__(page, texts, theme)
        self.group = QButtonGroup(self)
        self.buttons: list[QRadioButton] = []
        for option in page.options:
            radio = WrapRadio(option.label, _indent(theme))
            radio.setObjectName(f"option-{option.value}")
            radio.setProperty("value", option.value)
            radio.setChecked(option.selected)
            lock_down(radio)
            self.group.addButton(radio)
            self.layout_.addWidget(radio)
            self.buttons.append(radio)
            if option.hint:
                self.layout_.addWidget(label(option.hint, "hint"))

    def value(self) -> RawAnswer:
        checked = self.group.checkedButton()
        return str(checked.property("value")) if checked else ""


class CheckboxInput(QuestionInput):
    def __init__(self, page: QuestionPage, texts: Texts, theme: Theme) -> None:
        super().__init__(page, texts, theme)
        self.boxes: list[QCheckBox] = []
        for option in page.options:
            box = WrapCheckBox(option.label, _indent(theme))
            box.setObjectName(f"option-{option.value}")
            box.setProperty("value", option.value)
            box.setChecked(option.selected)
            lock_down(box)
            self.layout_.addWidget(box)
            self.boxes.append(box)

    def value(self) -> RawAnswer:
        return tuple(str(b.property("value")) for b in self.boxes if b.isChecked())


_HINTS = {
    "email": Qt.InputMethodHint.ImhEmailCharactersOnly,
    "phone": Qt.InputMethodHint.ImhDialableCharactersOnly,
    "number": Qt.InputMethodHint.ImhFormattedNumbersOnly,
    "postcode": Qt.InputMethodHint.ImhPreferUppercase,
}
_KEYBOARD = {"email": "email", "phone": "digits", "number": "digits"}
_WIDTH_CHARS = {"postcode": 10, "phone": 16, "number": 8, "email": 34, "text": 34}


class LineInput(QuestionInput):
    """Single-line text: text, email, phone, postcode, number."""

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


RENDERERS: dict[str, type[QuestionInput]] = {
    "radios": ChoiceInput,
    "yes_no": ChoiceInput,
    "checkboxes": CheckboxInput,
    "text": LineInput,
    "email": LineInput,
    "phone": LineInput,
    "postcode": LineInput,
    "number": LineInput,
    "textarea": AreaInput,
    "date": DateInput,
}
