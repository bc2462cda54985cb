"""What one visit counts for: the aggregate keys its events add to, worked out from all of
the visit's events together (a pure function, so ingest and a recount agree by construction).

A visit counts once under "" (all services) and once under each service it started a
journey in, for every *visit measure* (`slot` under "" only: the heat map is of visits):
`visits`, `assisted`, `read_aloud`, `large_print`,
`high_contrast` (each "yes" or "no"), `language` (the last one chosen, or "default"),
`satisfaction` ("1".."5" or "none", the last answer), `avoidable` ("yes", "no",
"not_sure" or "none"), `duration` and `ended` (from visit_ended, else "unknown"), and
`slot` (weekday 1-7 and hour of the visit's first event, council local time).

Each journey (a service the visit chose) counts under its service and under "" for the
*journey measures*: `journeys` ("started"), `outcome` (exactly one of "submitted",
"advisor", "exit", "timeout", "left") and `stopped` (where it ended: "submitted",
"advisor", "exit", or "at:<page>" for the last page reached by an abandoned journey,
"at:start" if none; under its service only: a funnel is one service's pages). So every
measure's keys add up exactly to its base (visits or
journeys started): the lines small-cell suppression protects (`hub.usage.suppression`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

ALL = ""  # the service key of "all services"
VISIT_MEASURES = ("visits", "assisted", "read_aloud", "large_print", "high_contrast", "language",
                  "satisfaction", "avoidable", "duration", "ended", "slot")
JOURNEY_MEASURES = ("journeys", "outcome", "stopped")
OUTCOMES = ("submitted", "advisor", "exit", "timeout", "left")
STANDARD_COLOURS = "standard"

Key = tuple[str, str, str]  # (service, measure, key)


@dataclass(frozen=True, slots=True)
class Event:
    """One stored event, as the measures need it."""

    seq: int
    kind: str
    hour: datetime  # aware, UTC
    service: str | None = None
    page: str | None = None
    reason: str | None = None
    duration: str | None = None
    choice: str | None = None
    value: str | None = None


@dataclass(frozen=True)
class VisitCount:
    month: str  # council local "YYYY-MM" of the visit's first event
    counts: Counter[Key]


def _last(events: Iterable[Event], kind: str, choice: str | None = None) -> Event | None:
    found = None
    for event in events:
        if event.kind == kind and (choice is None or event.choice == choice):
            found = event
    return found


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _large(value: str | None) -> bool:
    try:
        return value is not None and float(value) > 1.0
    except ValueError:
        return False


def _visit_keys(ordered: list[Event], zone: ZoneInfo) -> list[tuple[str, str]]:
    local = ordered[0].hour.astimezone(zone)
    access = [e for e in ordered if e.kind == "accessibility"]
    language = _last(access, "accessibility", "language")
    satisfaction = _last(ordered, "satisfaction")
    avoidable = _last(ordered, "avoidable_contact")
    ended = _last(ordered, "visit_ended")
    return [
        ("visits", ""),
        ("assisted", _yes(any(e.kind == "staff_assist" for e in ordered))),
        ("read_aloud", _yes(any(e.choice == "read_aloud" and e.value == "on" for e in access))),
        ("large_print", _yes(any(e.choice == "text_size" and _large(e.value) for e in access))),
        ("high_contrast", _yes(any(e.choice == "colours" and e.value != STANDARD_COLOURS
                                   for e in access))),
        ("language", language.value or "default" if language is not None else "default"),
        ("satisfaction", satisfaction.value or "none" if satisfaction is not None else "none"),
        ("avoidable", avoidable.value or "none" if avoidable is not None else "none"),
        ("duration", ended.duration or "unknown" if ended is not None else "unknown"),
        ("ended", ended.reason or "unknown" if ended is not None else "unknown"),
        ("slot", f"{local.isoweekday()}-{local.hour:02d}"),
    ]


def _journeys(ordered: list[Event]) -> list[str]:
    """Services the visit started a journey in, in the order first met."""
    services: list[str] = []
    for event in ordered:
        if (event.service is not None and event.kind != "advisor_call"
                and event.service not in services):
            services.append(event.service)
    return services


def _journey_keys(ordered: list[Event], service: str, last_service: str) -> list[tuple[str, str]]:
    mine = [e for e in ordered if e.service == service]
    kinds = {e.kind for e in mine}
    ended = _last(ordered, "visit_ended")
    if "submitted" in kinds:
        outcome = "submitted"
    elif "advisor_call" in kinds:
        outcome = "advisor"
    elif "exit_page" in kinds:
        outcome = "exit"
    elif ended is not None and ended.reason == "timeout" and service == last_service:
        outcome = "timeout"
    else:
        outcome = "left"
    if outcome in ("timeout", "left"):
        page = _last(mine, "page_reached")
        stopped = f"at:{page.page}" if page is not None and page.page else "at:start"
    else:
        stopped = outcome
    return [("journeys", "started"), ("outcome", outcome), ("stopped", stopped)]


def visit_counts(events: Iterable[Event], zone: ZoneInfo) -> VisitCount | None:
    """What one visit's events (all of them so far, in any order) count for; None if none."""
    ordered = sorted(events, key=lambda e: (e.seq, e.kind))
    if not ordered:
        return None
    counts: Counter[Key] = Counter()
    journeys = _journeys(ordered)
    visit_keys = _visit_keys(ordered, zone)
    for service in (ALL, *journeys):
        for measure, key in visit_keys:
            if service == ALL or measure != "slot":
                counts[(service, measure, key)] += 1
    last = journeys[-1] if journeys else ""
    for service in journeys:
        for measure, key in _journey_keys(ordered, service, last):
            counts[(service, measure, key)] += 1
            if measure != "stopped":
                counts[(ALL, measure, key)] += 1
    month = f"{ordered[0].hour.astimezone(zone):%Y-%m}"
    return VisitCount(month, counts)
