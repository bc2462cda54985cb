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

# From this text scale (extra large) a week's row is split in two: six tiles side by side
# would run off a 1920-pixel screen; the rows then show each tile's weekday, not a header.
SPLIT_WEEK_SCALE = 1.75
SPLIT_COLUMNS = 3


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
        across = len(layout.columns)
        if theme.text_scale >= SPLIT_WEEK_SCALE and across > SPLIT_COLUMNS:
            across = SPLIT_COLUMNS
        row = 0
        if across == len(layout.columns):
            for column, name in enumerate(layout.column_names):
                grid.addWidget(label(name, "caption", name=f"weekday-{column}", wrap=False),
                               row, column)
            row += 1
        for week in layout.weeks:
            if week.heading:
                year, month = week.months[0]
                grid.addWidget(label(week.heading, "value", name=f"month:{year}-{month:02d}"),
                               row, 0, 1, across)
                row += 1
            for index, tile in enumerate(week.tiles):
                if tile is None:
                    continue
                words = "\n".join(w for w in (tile.weekday, tile.day_month, tile.hint) if w)
                button = WrapButton(words, "day", name=f"option-{tile.value}",
                                    padding=(theme.gap_px // 2, theme.gap_px // 2))
                button.setCheckable(True)
                button.setChecked(tile.selected)
                button.setProperty("value", tile.value)
                button.setMinimumWidth(theme.target_px)
                button.setAccessibleName(texts("day.option", label=tile.label, hint=tile.hint)
                                         if tile.hint else tile.label)
                lock_down(button)
                self.group.addButton(button)
                self.tiles[tile.value] = button
                grid.addWidget(button, row + index // across, index % across)
            row += (len(week.tiles) - 1) // across + 1
        for column in range(across):
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
