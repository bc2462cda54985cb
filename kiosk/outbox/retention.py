"""The outbox's retention limit: nothing a resident typed waits on the device for ever.

A report the council has not received after `outbox.retention_days` (30 unless the profile
says otherwise) is dead-lettered and its payload destroyed, waiting or already dead: after a
month the resident has long been told to call, and keeping their words longer on a public
terminal only adds risk. This is an alert, not a quiet clean-up: one error line names the
references (never their contents), and device status shows the expired rows until IT
dismisses them with `kiosk outbox discard`.

The relay runs it after its delivery passes, at most every ten minutes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from kiosk.outbox.store import Outbox

logger = logging.getLogger(__name__)

DAY = 24 * 60 * 60.0
EVERY_SECONDS = 600.0
_NAMED = 20  # references named in the log line; the rest are counted


def expired_reason(days: int) -> str:
    return f"expired: not delivered within {days} days, contents destroyed"


class Retention:
    def __init__(self, outbox: Outbox, days: int, *, clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic,
                 every_seconds: float = EVERY_SECONDS) -> None:
        if days < 1:
            raise ValueError("retention must be at least one day")
        self.outbox = outbox
        self.days = days
        self._clock = clock
        self._monotonic = monotonic
        self._every = every_seconds
        self._last: float | None = None

    def run(self) -> list[str]:
        """Expire now; the references expired."""
        self._last = self._monotonic()
        references = self.outbox.expire(self._clock() - self.days * DAY, expired_reason(self.days))
        if references:
            more = len(references) - _NAMED
            logger.error(
                "outbox: %d undelivered report(s) were older than %d days: dead-lettered and "
                "their contents destroyed (%s%s). Tell the council's service team; see "
                "`kiosk outbox list`", len(references), self.days, ", ".join(references[:_NAMED]),
                f" and {more} more" if more > 0 else "")
        return references

    def due(self) -> bool:
        return self._last is None or self._monotonic() - self._last >= self._every

    def after_pass(self, _outcomes: object = None) -> None:
        """The relay worker's `on_pass` hook."""
        if self.due():
            self.run()
