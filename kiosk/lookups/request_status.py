"""`request-status` as this kiosk can answer it: the reference's row in its own outbox.

"Track my request" asks the council's hub where a reference has got to. Before the hub can
know anything, this kiosk may: a report still waiting in its outbox is "waiting to be sent"
(the relay will send it), and one that became a dead letter is "not sent, ask a member of
staff". Both are said here, without asking anyone. For a report this kiosk delivered, the
hub is asked; if it cannot be asked, or has not heard of the reference yet (the relay
reports third-party deliveries a moment later), the kiosk says what it knows: the council
received it.

Rows are worded like the hub's (`hub.lookup_sources.request_status`): the same message keys
in the resident's language, and the service's title from this kiosk's catalogue. Only the
outbox's metadata is read (state, times, service id), never a payload.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Literal, Protocol

from accessibility.languages import Translator
from kiosk.clock import UK
from kiosk.localtext import LocalText
from kiosk.lookups.base import Lookup, LookupItem, LookupRequest, LookupResult, LookupUnavailable
from kiosk.reference import spaced

log = logging.getLogger(__name__)

SOURCE = "request-status"
LocalState = Literal["waiting", "not_sent", "received", "cannot_check"]
_SPACES = re.compile(r"[\s-]+")


class KnownRow(Protocol):
    """What is read of an outbox row (`kiosk.outbox.OutboxRow`): no payload."""

    @property
    def state(self) -> str: ...

    @property
    def service_id(self) -> str | None: ...

    @property
    def accepted_at(self) -> float: ...

    @property
    def delivered_at(self) -> float | None: ...

    @property
    def part(self) -> str: ...


class KnowsReferences(Protocol):
    def find_all(self, reference: str) -> Sequence[KnownRow]: ...


Titles = Callable[[str], LocalText | None]
# (service id, delivery id) -> the delivery's label ("Council Tax"), for "tell us once".
PartLabels = Callable[[tuple[str, str]], LocalText | None]
_STATES: dict[str, LocalState] = {"pending": "waiting", "dead": "not_sent",
                                  "delivered": "received"}


def _date(moment: float, texts: Translator) -> str:
    day = datetime.fromtimestamp(moment, UK)
    return texts("date.long", day=str(day.day), month=texts(f"month.{day.month}"),
                 year=str(day.year))


class TrackingLookup:
    """A `Lookup` that answers `request-status` from the outbox when it knows best, and asks
    `inner` (the hub client) for everything else."""

    def __init__(self, inner: Lookup | None, outbox: KnowsReferences, titles: Titles,
                 part_labels: PartLabels | None = None) -> None:
        self._inner = inner
        self._outbox = outbox
        self._titles = titles
        self._part_labels = part_labels

    @property
    def inner(self) -> Lookup | None:
        """The backend asked for everything this kiosk cannot answer itself."""
        return self._inner

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if callable(close):
            close()

    def lookup(self, request: LookupRequest) -> LookupResult:
        if request.source != SOURCE:
            return self._ask(request)
        reference = _SPACES.sub("", request.inputs.get("reference", "")).upper()
        rows = self._rows(reference)
        if any(r.part for r in rows):
            return self._parts(request, reference, rows)
        row = rows[0] if rows else None
        if row is not None and row.state in ("pending", "dead"):
            state: LocalState = "waiting" if row.state == "pending" else "not_sent"
            return self._local(request, reference, row, state)
        delivered = row is not None and row.state == "delivered"
        try:
            result = self._ask(request)
        except LookupUnavailable:
            if row is not None and delivered:
                return self._local(request, reference, row, "cannot_check")
            raise
        if not result.items and row is not None and delivered:
            return self._local(request, reference, row, "received")
        return result

    def _ask(self, request: LookupRequest) -> LookupResult:
        if self._inner is None:
            raise LookupUnavailable("not_configured")
        return self._inner.lookup(request)

    def _rows(self, reference: str) -> Sequence[KnownRow]:
        try:
            return self._outbox.find_all(reference)
        except Exception as exc:  # noqa: BLE001 - the hub may still know: ask it
            log.warning("outbox could not be read for tracking: %s", type(exc).__name__)
            return ()

    def _parts(self, request: LookupRequest, reference: str, rows: Sequence[KnownRow]
               ) -> LookupResult:
        """A "tell us once" reference: the whole first (waiting while any service waits),
        then one row per service told with its own state. A service still here says what
        this kiosk's outbox knows (waiting, not sent); for one delivered, the hub is asked,
        and its row for that part (open, in progress, closed) replaces "received" when it
        has one. The hub unreachable, or not knowing the part yet (a third party's), leaves
        the kiosk's own word."""
        states = [_STATES.get(r.state, "waiting") for r in rows]
        whole: LocalState = ("waiting" if "waiting" in states else
                             "not_sent" if "not_sent" in states else "received")
        hub_rows = self._hub_parts(request) if "received" in states else {}
        result = self._local(request, reference, rows[0], whole)
        t = Translator(request.language)
        items = list(result.items)
        for row, state in zip(rows, states, strict=True):
            from_hub = hub_rows.get(row.part) if state == "received" else None
            if from_hub is not None:
                items.append(from_hub)
                continue
            label = (self._part_labels((row.service_id or "", row.part))
                     if self._part_labels is not None else None)
            items.append(LookupItem(f"part:{row.part}",
                                    label.get(request.language) if label else row.part,
                                    t(f"track.status.{state}"), {"state": state}))
        return LookupResult(SOURCE, tuple(items))

    def _hub_parts(self, request: LookupRequest) -> dict[str, LookupItem]:
        """The hub's row for each part it holds (`part:<delivery id>`), or none."""
        try:
            answered = self._ask(request)
        except LookupUnavailable:
            return {}
        return {item.value.removeprefix("part:"): item for item in answered.items
                if item.value.startswith("part:")}

    def _local(self, request: LookupRequest, reference: str, row: KnownRow,
               state: LocalState) -> LookupResult:
        t = Translator(request.language)
        items = [
            LookupItem("status", t("track.row.status"), t(f"track.status.{state}"),
                       {"state": state, "reference": reference, "checked": "kiosk"}),
            LookupItem("reference", t("track.row.reference"), spaced(reference)),
        ]
        title = self._titles(row.service_id) if row.service_id else None
        if title is not None:
            items.append(LookupItem("service", t("track.row.service"), title.get(request.language)))
        if state in ("waiting", "not_sent"):
            items.append(LookupItem("saved", t("track.row.saved"), _date(row.accepted_at, t)))
        elif row.delivered_at is not None:
            items.append(LookupItem("received", t("track.row.received"),
                                    _date(row.delivered_at, t)))
        log.info("lookup %s answered by this kiosk: %s", SOURCE, state)
        return LookupResult(SOURCE, tuple(items))
