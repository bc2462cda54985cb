"""Telling a poisoned row from an outage.

A server error (5xx) that one row keeps getting while the same destination accepts other
rows is that row's fault (a back office that chokes on its location, say), not an outage.
During a pass, a 5xx is followed by the destination's next row (up to `probe_limit` 5xx in a
row before the destination counts as down for the pass). A row whose 5xx came while the
destination delivered another row, in the same pass or just before, earns a strike;
`poison_after` strikes make it a dead letter with the server's reason. Such 5xx never mark
the destination down; 5xx for every row are an outage and earn no strikes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from kiosk.outbox.open311 import SendResult
from kiosk.outbox.store import Outbox, OutboxRow, State
from kiosk.outbox.watch import DestinationWatch

logger = logging.getLogger(__name__)


def server_error(result: SendResult) -> bool:
    """A 5xx answer that does not ask us to wait: the row or the server may be at fault."""
    return result.status is not None and result.status >= 500 and result.retry_after is None


@dataclass
class PassView:
    """One delivery pass's view of each destination, result by result in sending order."""

    probe_limit: int
    delivered: set[str] = field(default_factory=set)
    down: set[str] = field(default_factory=set)
    streak: dict[str, int] = field(default_factory=dict)
    # destination -> (index in outcomes, row, result, the destination's prior answer was OK)
    server_errors: dict[str, list[tuple[int, OutboxRow, SendResult, bool]]] = field(
        default_factory=dict)

    def judge(self, index: int, row: OutboxRow, state: State, result: SendResult,
              prior_ok: bool) -> None:
        """What one result says about its destination for the rest of the pass."""
        destination = row.destination
        if state == "delivered":
            self.delivered.add(destination)
            self.streak[destination] = 0
        elif state == "pending" and server_error(result):
            self.server_errors.setdefault(destination, []).append((index, row, result, prior_ok))
            self.streak[destination] = self.streak.get(destination, 0) + 1
            if self.streak[destination] >= self.probe_limit:
                self.down.add(destination)
        elif state == "pending":
            self.down.add(destination)


class PoisonJudge:
    def __init__(self, outbox: Outbox, watch: DestinationWatch, poison_after: int) -> None:
        self._outbox = outbox
        self._watch = watch
        self._poison_after = poison_after

    def settle(self, view: PassView) -> dict[int, str]:
        """End of a pass: each 5xx is the row's fault (a strike) if the destination took
        another row in this pass, or took another row last and did not look down after.
        The outcomes (by index) that became dead letters, with their reasons."""
        dead: dict[int, str] = {}
        for destination, failures in view.server_errors.items():
            delivered = destination in view.delivered
            looks_down = destination in view.down and not delivered
            struck = False
            for index, row, result, prior_ok in failures:
                if delivered or (prior_ok and not looks_down):
                    struck = True
                    reason = self.strike(row, result)
                    if reason is not None:
                        dead[index] = reason
            if not delivered and not struck:
                self._watch.set_health(destination, "failing", failures[-1][2].detail)
        return dead

    def strike(self, row: OutboxRow, result: SendResult) -> str | None:
        """Count one strike; the dead letter's reason if that was the last one allowed."""
        strikes = self._outbox.add_strike(row.submission_id)
        if strikes < self._poison_after:
            return None
        reason = (f"Refused with a server error {strikes} times while other reports to "
                  f"{row.destination} were delivered, so the fault is in this report: "
                  f"{result.reason}")
        # The row was rescheduled by its attempt; as a dead letter it must not be sent again.
        self._outbox.mark_dead(row.submission_id, error="poison", attempted=False, reason=reason)
        logger.warning("submission %s dead-lettered as poison after %d server errors (%s)",
                       row.submission_id, strikes, result.detail)
        return reason
