"""The frame every page shares: a scrolling, left-aligned column with touch scrolling."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from accessibility.themes import Theme
from kiosk.texts import Texts
from ui.widgets import button, scroll_area

if TYPE_CHECKING:
    # Types only: the attract page is built before the journey code is loaded (paint first).
    from kiosk.journey.validation import RawAnswer


@dataclass
class Intents:
    """What a resident can ask for; the window wires these to the session."""

    start: Callable[[], None]
    choose_service: Callable[[str], None]
    answer: Callable[[str, RawAnswer], None]
    back: Callable[[], None]
    change: Callable[[str], None]
    submit: Callable[[], None]
    finish: Callable[[], None]
    start_again: Callable[[], None]
    # "We cannot look this up right now" → Try again: the window asks the session's engine
    # (`JourneyEngine.try_again`) and runs the lookup again. Nothing until it is wired.
    try_again: Callable[[], None] = lambda: None
    # "Print this" on a printable result page (`Terminal.print_page`).
    print_page: Callable[[], None] = lambda: None
    # "Request a call back" when the council's booking system cannot be reached.
    call_back: Callable[[], None] = lambda: None
    # Another service a result page offers, the answers carried (`Terminal.take_offer`).
    take_offer: Callable[[], None] = lambda: None
    # "Talk to an advisor" (menu, exit pages, "I need help with this" on check answers);
    # None: this kiosk has no advisor calls, and no page shows the button.
    talk: Callable[[], None] | None = None
    # The call screens (kiosk/terminal_calls.CallDesk).
    join_call: Callable[[str | None, bool], None] = lambda interpreter, share: None
    leave_call: Callable[[], None] = lambda: None
    close_call: Callable[[], None] = lambda: None
    call_back_instead: Callable[[], None] = lambda: None
    # The optional questions on confirmation and exit pages (ui/pages/satisfaction.py):
    # answers, and what was answered this visit (rating, contacted before).
    rate_visit: Callable[[int], None] = lambda score: None
    contacted_before: Callable[[str], None] = lambda answer: None
    feedback_state: Callable[[], tuple[int | None, str | None]] = lambda: (None, None)


def talk_button(text: str, intents: Intents, row: QHBoxLayout) -> QPushButton | None:
    """"Talk to an advisor" added to a page's action bar, or None on a kiosk without calls
    (read aloud says it last, as buttons are: `ui.read_aloud`)."""
    if intents.talk is None:
        return None
    widget = button(text, name="talkToAdvisor")
    widget.clicked.connect(intents.talk)
    row.addWidget(widget)
    return widget


class Page(QWidget):
    """A page: title area and body in a scroll area, so nothing is clipped at large sizes."""

    def __init__(self, texts: Texts, theme: Theme, intents: Intents, name: str,
                 *, centre: bool = False) -> None:
        super().__init__()
        self.setObjectName("page")
        self.setProperty("pageName", name)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.texts, self.theme, self.intents = texts, theme, intents
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.scroll_area = scroll_area()
        outer.addWidget(self.scroll_area)
        holder = QWidget()
        row = QHBoxLayout(holder)
        m = theme.margin_px
        row.setContentsMargins(m, m, m, m)
        column = QWidget()
        column.setMaximumWidth(round(theme.font_px * 52))
        column.setMinimumWidth(0)
        self.body = QVBoxLayout(column)
        self.body.setContentsMargins(0, 0, 0, 0)
        self.body.setSpacing(theme.gap_px)
        row.addWidget(column, 1)
        # A side column (the receipt preview on the confirmation page), empty elsewhere.
        self.aside = QVBoxLayout()
        self.aside.setSpacing(theme.gap_px)
        row.addLayout(self.aside)
        row.addStretch(1 if centre else 0)
        if centre:
            row.insertStretch(0, 1)
        self.scroll_area.setWidget(holder)
        # The page's main action sits in a bar that never scrolls away: a resident should
        # never have to discover that Continue is hidden below the fold.
        self.action_bar = bar = QWidget()
        bar.setObjectName("actionBar")
        bar.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.action_row = QHBoxLayout(bar)
        self.action_row.setContentsMargins(m, theme.gap_px, m, theme.gap_px)
        self.action_row.setSpacing(theme.gap_px * 2)
        outer.addWidget(bar)

    def finish_layout(self) -> None:
        self.body.addStretch(1)
        self.action_row.addStretch(1)
        # Large scroll buttons when the page is taller than the screen (extra-large text,
        # long lists): dragging a thin scroll bar is hard, and a swipe is a gesture.
        self.scroll_up = button(self.texts("nav.scroll_up"), "link", name="scrollUp")
        self.scroll_down = button(self.texts("nav.scroll_down"), "link", name="scrollDown")
        self.scroll_up.clicked.connect(lambda: self._scroll_by(-1))
        self.scroll_down.clicked.connect(lambda: self._scroll_by(1))
        self.action_row.addWidget(self.scroll_up)
        self.action_row.addWidget(self.scroll_down)
        bar = self.scroll_area.verticalScrollBar()
        bar.rangeChanged.connect(self._update_scroll_buttons)
        bar.valueChanged.connect(self._update_scroll_buttons)
        self._update_scroll_buttons()

    def _scroll_by(self, direction: int) -> None:
        bar = self.scroll_area.verticalScrollBar()
        bar.setValue(bar.value() + direction * round(self.scroll_area.viewport().height() * 0.8))

    def _update_scroll_buttons(self) -> None:
        bar = self.scroll_area.verticalScrollBar()
        overflows = bar.maximum() > 0
        self.scroll_up.setVisible(overflows)
        self.scroll_down.setVisible(overflows)
        self.scroll_up.setEnabled(bar.value() > bar.minimum())
        self.scroll_down.setEnabled(bar.value() < bar.maximum())
        items = [self.action_row.itemAt(i) for i in range(self.action_row.count())]
        widgets = [item.widget() for item in items if item is not None]
        has_actions = any(w is not None and not w.isHidden() for w in widgets)
        self.action_bar.setVisible(has_actions and not self._actions_folded)

    _actions_folded = False

    def fold_actions(self, folded: bool) -> None:
        """Hide the action bar while the on-screen keyboard needs its room (large print; the
        window decides), and bring it back as it was."""
        self._actions_folded = folded
        self._update_scroll_buttons()

    def focus_first(self) -> None:
        """Where keyboard focus lands when the page appears (the first input or button)."""
