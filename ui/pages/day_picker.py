"""The day picker: days with free times as large tiles in week rows, not a tiny calendar.

The layout (which row and column, where a month begins, the words on each tile) is decided
Qt-free in `kiosk.journey.days`, shared with the speech script; this only draws it. A tile is
one touch target showing the weekday, the day and month, and how many times are free; its
accessible name is the whole day in words ("Monday 30 November, 6 times free").
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractButton, QButtonGroup, QGridLayout, QWidget

from accessibility.themes import Theme
from kiosk.journey.days import day_layout
from kiosk.journey.pages import QuestionPage
from kiosk.journey.validation import RawAnswer
from kiosk.texts import Texts
from ui.pages.inputs import QuestionInput
from ui.widgets import WrapButton, WrapRadio, label, lock_down


class DayInput(QuestionInput):
    def __init__(self, page: QuestionPage, texts: Texts, theme: Theme) -> None:
        super().__init__(page, texts, theme)
        layout = day_layout(page.options, texts.language)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.tiles: dict[str, QAbstractButton] = {}
        grid_holder = QWidget()
        grid = QGridLayout(grid_holder)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(theme.gap_px)
        grid.setVerticalSpacing(theme.gap_px)
        row = 0
        for column, name in enumerate(layout.column_names):
            grid.addWidget(label(name, "caption", name=f"weekday-{column}", wrap=False), row, column)
        row += 1
        for week in layout.weeks:
            if week.heading:
                year, month = week.months[0]
                grid.addWidget(label(week.heading, "value", name=f"month:{year}-{month:02d}"),
                               row, 0, 1, len(layout.columns))
                row += 1
            for column, tile in enumerate(week.tiles):
                if tile is None:
                    continue
                words = "\n".join(w for w in (tile.weekday, tile.day_month, tile.hint) if w)
                button = WrapButton(words, "choice", name=f"option-{tile.value}",
                                    padding=(theme.gap_px, theme.gap_px // 2))
                button.setCheckable(True)
                button.setChecked(tile.selected)
                button.setProperty("value", tile.value)
                button.setMinimumWidth(theme.target_px)
                button.setAccessibleName(texts("day.option", label=tile.label, hint=tile.hint)
                                         if tile.hint else tile.label)
                lock_down(button)
                self.group.addButton(button)
                self.tiles[tile.value] = button
                grid.addWidget(button, row, column)
            row += 1
        for column in range(len(layout.columns)):
            grid.setColumnStretch(column, 1)
        self.layout_.addWidget(grid_holder)
        # Anything offered that is not a date (a source's "as soon as possible") as a choice.
        for option in layout.others:
            choice = WrapRadio(option.label, round(theme.target_px * 0.5) + theme.gap_px * 2)
            choice.setObjectName(f"option-{option.value}")
            choice.setProperty("value", option.value)
            choice.setChecked(option.selected)
            lock_down(choice)
            self.group.addButton(choice)
            self.tiles[option.value] = choice
            self.layout_.addWidget(choice)

    def value(self) -> RawAnswer:
        checked = self.group.checkedButton()
        return str(checked.property("value")) if checked else ""
