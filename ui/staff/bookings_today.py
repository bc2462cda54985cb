"""Today's bookings at this kiosk's site, for staff with their card on the reader: the time,
what for, who (staff greet the resident by name) and the reference; bookings made with staff
help and cancelled ones are said in words, never marked by colour alone."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from accessibility.themes import Theme
from kiosk.bookings.base import Today, TodayOutcome
from kiosk.texts import Texts
from ui.widgets import label


def _time(start: str) -> str:
    try:
        return f"{datetime.fromisoformat(start):%H:%M}"  # the hub's local time, as written
    except ValueError:
        return start


class TodaysBookingsView(QWidget):
    def __init__(self, texts: Texts, theme: Theme, outcome: TodayOutcome | None) -> None:
        super().__init__()
        self.setObjectName("todaysBookings")
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(theme.gap_px)
        column.addWidget(label(texts("staff.bookings_today"), "heading"))
        if outcome is None:
            column.addWidget(label(texts("staff.bookings.loading"), name="bookingsLoading"))
            return
        if not isinstance(outcome, Today):
            column.addWidget(label(texts("staff.bookings.failed"), "error", name="bookingsFailed"))
            return
        if not outcome.bookings:
            column.addWidget(label(texts("staff.bookings.none"), name="bookingsNone"))
            return
        grid = QGridLayout()
        grid.setHorizontalSpacing(theme.gap_px * 2)
        grid.setVerticalSpacing(theme.gap_px // 2)
        for row, booking in enumerate(outcome.bookings):
            notes = [texts("staff.bookings.assisted")] if booking.assisted else []
            if booking.status == "cancelled":
                notes.append(texts("staff.bookings.cancelled"))
            grid.addWidget(label(_time(booking.start), "value", name=f"booking-time-{row}"), row, 0)
            grid.addWidget(label(booking.type_label, name=f"booking-type-{row}"), row, 1)
            who = booking.name + (f" ({', '.join(notes)})" if notes else "")
            grid.addWidget(label(who, name=f"booking-name-{row}"), row, 2)
            grid.addWidget(label(booking.reference, "caption", name=f"booking-ref-{row}"), row, 3)
        grid.setColumnStretch(2, 1)
        column.addLayout(grid)
