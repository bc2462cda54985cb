"""Polls a printer's status for the heartbeat and the staff health view, logging only changes.

Modelled on Home Assistant's `DataUpdateCoordinator`: every poll records the status, but
the log hears only when the printer stops being available (one warning) and when it comes
back (one "recovered" line), so a printer left off all weekend does not flood the log.

Available means no known fault: `online`, `paper_near_end` (it still prints) and `unknown`
(printers that cannot report status, such as a CUPS queue or a USB printer without a
return channel, must not be shown as broken for ever). `offline`, `paper_out` and
`cover_open` are faults. The caller decides how often to poll, on a worker thread: a poll
can take as long as the backend's timeout.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Protocol

from peripherals.printer.base import PrinterStatus

_log = logging.getLogger(__name__)

FAULTS = frozenset({PrinterStatus.OFFLINE, PrinterStatus.PAPER_OUT, PrinterStatus.COVER_OPEN})


class StatusSource(Protocol):
    def status(self) -> PrinterStatus: ...


class WallClock(Protocol):
    """Anything with an aware `now()`, such as the kiosk's clock."""

    def now(self) -> datetime: ...


class PrinterHealth:
    def __init__(self, printer: StatusSource, clock: WallClock, *, name: str = "receipt printer") -> None:
        self.printer = printer
        self.clock = clock
        self.name = name
        self.last_status: PrinterStatus | None = None
        self.last_success: datetime | None = None
        self.changed_at: datetime | None = None
        self._available = True  # until a poll says otherwise, as in Home Assistant

    @property
    def available(self) -> bool:
        """False from a poll that finds a fault until one that does not."""
        return self._available

    def poll(self) -> PrinterStatus:
        status = self.printer.status()
        now = self.clock.now()
        if status != self.last_status:
            self.changed_at = now
        self.last_status = status
        available = status not in FAULTS
        if available:
            self.last_success = now
        if self._available and not available:
            _log.warning("%s unavailable: %s", self.name, status)
        elif available and not self._available:
            _log.info("%s recovered: %s", self.name, status)
        self._available = available
        return status
