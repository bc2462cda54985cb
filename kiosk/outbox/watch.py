"""What the relay knows about each destination: its health, and how its last rows fared.

Health is logged only when it changes, as Home Assistant's update coordinator does: an
outage is one line, not one per retry. Only a delivery shows a destination is up: a 400 for
one report says the server answers, not that it takes reports, so it changes nothing.

The last outcomes per destination tell a poisoned row from an outage: a server error for
one row while the destination's previous answer to another row was a delivery points at the
row, not the server (see `Relay`).
"""

from __future__ import annotations

import logging
from typing import Literal

logger = logging.getLogger(__name__)

Health = Literal["up", "failing", "auth"]


class DestinationWatch:
    def __init__(self) -> None:
        self._health: dict[str, Health] = {}
        # destination -> the last two outcomes of distinct rows: (submission id, delivered)
        self._recent: dict[str, list[tuple[str, bool]]] = {}

    def health(self, destination: str) -> Health | None:
        return self._health.get(destination)

    def note_outcome(self, destination: str, submission_id: str, delivered: bool) -> None:
        recent = [entry for entry in self._recent.get(destination, [])
                  if entry[0] != submission_id]
        self._recent[destination] = [(submission_id, delivered), *recent][:2]

    def other_delivered_last(self, destination: str, submission_id: str) -> bool:
        """Was the destination's latest outcome for another row a delivery?"""
        for sid, delivered in self._recent.get(destination, []):
            if sid != submission_id:
                return delivered
        return False

    def set_health(self, destination: str, health: Health, detail: str) -> None:
        previous = self._health.get(destination)
        self._health[destination] = health
        if health == previous:
            return
        if health == "up":
            if previous is not None:
                logger.info("destination %s recovered", destination)
        elif health == "auth":
            logger.error("destination %s refuses our credentials (%s): check its api_key "
                         "in the profile; submissions are kept and retried",
                         destination, detail)
        else:
            logger.warning("destination %s unavailable (%s); submissions are kept and retried",
                           destination, detail)
