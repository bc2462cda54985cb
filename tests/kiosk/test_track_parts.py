"""Track my request for a "tell us once" reference: each service's row says what is known
best — the kiosk's own outbox for a service still waiting or not sent, the hub's answer
(open, in progress, closed) for one delivered, the kiosk's "received" when the hub cannot be
asked or does not know that part (a third party's back office)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.localtext import LocalText
from kiosk.lookups.base import LookupItem, LookupRequest, LookupResult, LookupUnavailable
from kiosk.lookups.request_status import SOURCE, TrackingLookup

REFERENCE = "TELL2345"


@dataclass(frozen=True)
class Row:
    part: str
    state: str
    service_id: str | None = "moved"
    accepted_at: float = 1_764_000_000.0
    delivered_at: float | None = None


class Outbox:
    def __init__(self, rows: Sequence[Row]) -> None:
        self.rows = rows

    def find_all(self, reference: str) -> Sequence[Row]:
        return self.rows if reference == REFERENCE else ()


class Hub:
    """The council's hub: it holds the parts delivered to it, or cannot be reached."""

    def __init__(self, parts: dict[str, str] | None) -> None:
        self.parts = parts
        self.asked = 0

    def lookup(self, request: LookupRequest) -> LookupResult:
        self.asked += 1
        if self.parts is None:
            raise LookupUnavailable("unreachable")
        return LookupResult(SOURCE, (
            LookupItem("status", "Status", "In progress", {"state": "in_progress"}),
            *(LookupItem(f"part:{part}", f"Hub's {part}", status, {"state": status.lower()})
              for part, status in self.parts.items())))


LABELS = {("moved", "council_tax"): LocalText.of("Council Tax"),
          ("moved", "electoral"): LocalText.of("Electoral register"),
          ("moved", "libraries"): LocalText.of("Libraries")}
WAITING = ("Waiting to be sent. This kiosk will send it to the council as soon as it can: you "
           "do not need to do anything.")
ROWS = (Row("council_tax", "delivered", delivered_at=1_764_000_100.0),
        Row("electoral", "pending"),
        Row("libraries", "delivered", delivered_at=1_764_000_100.0))


def _parts(hub: Hub, rows: Sequence[Row] = ROWS) -> dict[str, tuple[str, str | None]]:
    lookup = TrackingLookup(hub, Outbox(rows), {"moved": LocalText.of("I have moved")}.get,
                            LABELS.get)
    result = lookup.lookup(LookupRequest(SOURCE, {"reference": "tell 2345"}, "en"))
    return {item.value: (item.label, item.hint) for item in result.items
            if item.value.startswith("part:")}


def test_the_hub_words_the_parts_it_holds_and_the_kiosk_the_rest() -> None:
    hub = Hub({"council_tax": "Closed"})  # libraries went to a third party: the hub has not heard
    assert _parts(hub) == {
        "part:council_tax": ("Hub's council_tax", "Closed"),
        "part:electoral": ("Electoral register", WAITING),
        "part:libraries": ("Libraries", "Received by the council"),
    }
    assert hub.asked == 1


def test_the_hub_unreachable_leaves_the_kiosks_word_and_nothing_delivered_asks_nobody() -> None:
    assert _parts(Hub(None)) == {
        "part:council_tax": ("Council Tax", "Received by the council"),
        "part:electoral": ("Electoral register", WAITING),
        "part:libraries": ("Libraries", "Received by the council"),
    }
    waiting = Hub({"council_tax": "Closed"})
    _parts(waiting, [Row("council_tax", "pending"), Row("electoral", "dead")])
    assert waiting.asked == 0
