"""The accessibility and language panel: big toggles that apply at once, keep every answer,
and reset when the session ends. Drawn inside the window (never a dialog)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QWidget

from accessibility.languages import LANGUAGES
from accessibility.themes import Theme
from kiosk.preferences import COLOURS, TEXT_SIZES, Preferences
from kiosk.texts import Texts
from ui.overlays import Overlay
from ui.widgets import WrapButton, button, label

CHOSEN = "\u2713 "  # a tick as well as the border: colour is never the only cue


class AccessibilityPanel(Overlay):
    def __init__(self, parent: QWidget, texts: Texts, theme: Theme, prefs: Preferences,
                 on_change: Callable[[Preferences], None], on_close: Callable[[], None]) -> None:
        super().__init__(parent, theme, tall=True)
        self.setProperty("pageName", "accessibility")
        self.prefs, self.on_change = prefs, on_change
        self.inner.addWidget(label(texts("a11y.title"), "heading", name="a11yTitle"))
        body = QWidget()
        grid = QGridLayout(body)
        grid.setHorizontalSpacing(theme.gap_px * 2)
        grid.setVerticalSpacing(theme.gap_px * 2)
        on_off = [(True, texts("a11y.on")), (False, texts("a11y.off"))]
        sections: list[tuple[str, str, list[tuple[object, str]]]] = [
            ("read_aloud", texts("a11y.read_aloud"), list(on_off)),
            ("slow_speech", texts("a11y.slower_speech"), list(on_off)),
            ("read_personal", texts("a11y.read_my_answers"), list(on_off)),
            ("text_size", texts("a11y.text_size"),
             [(size, texts(f"a11y.size.{size}")) for size in TEXT_SIZES]),
            ("colours", texts("a11y.colours"),
             [(c, texts(f"a11y.colours.{c}")) for c in COLOURS]),
            ("language", texts("a11y.language"),
             [(lang.code, lang.native_name) for lang in LANGUAGES]),
        ]
        self.groups: dict[str, QButtonGroup] = {}
        columns = 3 if theme.text_scale <= 1.5 else 2
        for row, (field, title, choices) in enumerate(sections):
            grid.addWidget(label(title, "value"), row, 0, Qt.AlignmentFlag.AlignTop)
            holder = QWidget()
            line = QGridLayout(holder)
            line.setContentsMargins(0, 0, 0, 0)
            line.setSpacing(theme.gap_px)
            group = QButtonGroup(self)
            group.setExclusive(True)
            current = getattr(prefs, field)
            for index, (value, text) in enumerate(choices):
                chosen = value == current
                choice = WrapButton(CHOSEN + text if chosen else text, "choice",
                                    name=f"a11y-{field}-{str(value).lower()}",
                                    padding=(theme.gap_px, theme.gap_px // 2))
                choice.setCheckable(True)
                choice.setChecked(chosen)
                choice.setProperty("value", value)
                choice.setMinimumHeight(theme.target_px)
                if field == "language":
                    choice.words.setLayoutDirection(Qt.LayoutDirection.LeftToRight)
                group.addButton(choice)
                choice.clicked.connect(lambda _=False, f=field, v=value: self._choose(f, v))
                line.addWidget(choice, index // columns, index % columns)
            for column in range(columns):
                line.setColumnStretch(column, 1)
            self.groups[field] = group
            grid.addWidget(holder, row, 1)
        if prefs.read_personal:
            grid.addWidget(label(texts("a11y.read_my_answers_hint"), "hint"), len(sections), 1)
        grid.setColumnStretch(1, 1)
        self.inner.addWidget(body, 1)
        done = button(texts("a11y.done"), "primary", name="a11yDone")
        done.clicked.connect(on_close)
        self.buttons.addWidget(done, 0, Qt.AlignmentFlag.AlignLeft)

    def _choose(self, field: str, value: object) -> None:
        self.on_change(self.prefs.with_(**{field: value}))
