"""A realistic year of usage events for the demo council, so the report has something to show
(`kiosk-hub demo-events`, run by script/demo when the hub has none), and for the tests and
benchmarks' generated data.

Seeded, so the same seed makes the same year. Visits follow opening hours (weekdays 9 to 5,
Saturday mornings), busier on Mondays and late mornings, with more bin reports after
Christmas; journeys follow each service's pages and stop part way at realistic rates; a
few visits are assisted by staff, read aloud, in large print or another language; about a
third answer the satisfaction question.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from kiosk.usage_events import EventBatch, UsageEvent, duration_bucket, hour_of

LONDON = ZoneInfo("Europe/London")


@dataclass(frozen=True)
class Terminal:
    device_id: str
    site: str
    busy: float  # visits in an average open hour


@dataclass(frozen=True)
class Journey:
    service: str
    pages: tuple[str, ...]
    exits: tuple[str, ...]
    sends: bool
    weight: float


DEMO_TERMINALS = (
    Terminal("demo-library-1", "central-library", 3.0),
    Terminal("demo-library-2", "central-library", 2.0),
    Terminal("demo-town-hall-1", "town-hall", 3.5),
    Terminal("demo-north-1", "north-community-hub", 1.2),
    Terminal("demo-leisure-1", "leisure-centre", 0.8),
)
DEMO_JOURNEYS = (
    Journey("missed-bin", ("address", "bin_type", "due_date", "details", "contact_method",
                           "check_answers", "confirmation"), ("no_garden_subscription",), True, 5),
    Journey("street-problem", ("problem", "location", "details", "photo", "contact_method",
                               "check_answers", "confirmation"), (), True, 3),
    Journey("bin-day", ("address", "collections"), (), False, 4),
    Journey("book-appointment", ("type", "site", "day", "time", "name", "contact_method",
                                 "check_answers", "confirmation"), ("no_times",), True, 2),
    Journey("feedback", ("feedback_type", "topics", "message", "wants_reply", "check_answers",
                         "confirmation"), (), True, 1.5),
    Journey("track-request", ("reference", "status"), (), False, 1.5),
)
# Share of an open hour's traffic by local hour, and of a week's by weekday (1 = Monday).
HOURS = {9: 0.6, 10: 1.2, 11: 1.4, 12: 1.1, 13: 0.9, 14: 1.2, 15: 1.0, 16: 0.7}
DAYS = {1: 1.3, 2: 1.0, 3: 1.0, 4: 1.1, 5: 0.9, 6: 0.7}
SATURDAY_HOURS = (9, 10, 11, 12)


def journeys_from_catalogue(services: Sequence[object]) -> tuple[Journey, ...]:
    """The demo journeys for the services a catalogue has (others keep the built-in shape)."""
    known = {getattr(s, "id", "") for s in services}
    return tuple(j for j in DEMO_JOURNEYS if j.service in known) or DEMO_JOURNEYS


class _Visit:
    def __init__(self, rng: random.Random, start: datetime) -> None:
        self.rng = rng
        self.visit = f"{rng.getrandbits(64):016x}"
        self.seq = 0
        self.at = start
        self.events: list[UsageEvent] = []

    def add(self, kind: str, minutes: float = 0.3, **fields: str) -> None:
        self.at += timedelta(minutes=minutes * self.rng.uniform(0.5, 1.5))
        self.events.append(UsageEvent.model_validate(
            {"kind": kind, "visit": self.visit, "seq": self.seq, "hour": hour_of(self.at),
             **fields}))
        self.seq += 1


def _journey(v: _Visit, journey: Journey) -> str | None:
    """Walk a journey; returns how the visit ends if it ends here, else None."""
    rng = v.rng
    v.add("service_chosen", service=journey.service)
    for index, page in enumerate(journey.pages):
        v.add("page_reached", 0.6, service=journey.service, page=page)
        if journey.exits and index == 1 and rng.random() < 0.06:
            v.add("exit_page", 0.5, service=journey.service, page=rng.choice(journey.exits))
            return "finished"
        if page == "confirmation":
            break
        stop = 0.03 + (0.05 if page in ("contact_method", "details", "photo") else 0)
        if rng.random() < stop:
            if rng.random() < 0.25:
                v.add("advisor_call", 1, service=journey.service)
                return "call"
            return "timeout" if rng.random() < 0.6 else "start_again"
        if page == "check_answers":
            v.add("submitted", 0.5, service=journey.service)
    return None


def _visit(rng: random.Random, start: datetime, journeys: Sequence[Journey]) -> list[UsageEvent]:
    v = _Visit(rng, start)
    v.add("visit_started", 0)
    if rng.random() < 0.07:
        v.add("accessibility", choice="language", value=rng.choice(("cy", "pl", "ur", "ro", "pl")))
    if rng.random() < 0.05:
        v.add("accessibility", choice="read_aloud", value="on")
    if rng.random() < 0.08:
        v.add("accessibility", choice="text_size", value=rng.choice(("1.5", "2")))
    if rng.random() < 0.03:
        v.add("accessibility", choice="colours", value=rng.choice(("dark", "yellow")))
    if rng.random() < 0.06:
        v.add("staff_assist")
    weights = [j.weight * (1.6 if j.service == "missed-bin" and start.month == 1 else 1)
               for j in journeys]
    ending: str | None = None
    for _ in range(2 if rng.random() < 0.1 else 1):
        ending = _journey(v, rng.choices(journeys, weights)[0])
        if ending is not None:
            break
    if ending in (None, "finished") and rng.random() < 0.35:
        v.add("satisfaction", 0.2, value=rng.choices("12345", (3, 4, 8, 30, 55))[0])
        if rng.random() < 0.7:
            v.add("avoidable_contact", 0.1, value=rng.choices(("yes", "no", "not_sure"),
                                                             (25, 60, 15))[0])
    if ending == "timeout":
        v.add("visit_ended", 2, reason="timeout", duration=duration_bucket(
            (v.at - start).total_seconds() + 120))
    else:
        v.add("visit_ended", 0.2, reason="call" if ending == "call" else rng.choice(
            ("finished", "finished", "finished", "start_again")),
            duration=duration_bucket((v.at - start).total_seconds()))
    return v.events


def _open_hours(day: date) -> tuple[int, ...]:
    weekday = day.isoweekday()
    if weekday == 7 or (day.month == 12 and day.day in (25, 26)) or (day.month, day.day) == (1, 1):
        return ()
    return SATURDAY_HOURS if weekday == 6 else tuple(HOURS)


def visits(terminal: Terminal, first: date, days: int, seed: int,
           journeys: Sequence[Journey] = DEMO_JOURNEYS) -> Iterator[list[UsageEvent]]:
    """Each visit's events at one terminal, day by day from `first`."""
    rng = random.Random(f"{seed}:{terminal.device_id}")
    for offset in range(days):
        day = first + timedelta(days=offset)
        for hour in _open_hours(day):
            mean = terminal.busy * HOURS.get(hour, 1.0) * DAYS.get(day.isoweekday(), 1.0)
            count = sum(1 for _ in range(int(mean * 4)) if rng.random() < 0.25)
            for _ in range(count):
                local = datetime(day.year, day.month, day.day, hour, rng.randrange(60),
                                 tzinfo=LONDON)
                yield _visit(rng, local.astimezone(UTC), journeys)


def batches(terminal: Terminal, first: date, days: int, seed: int, size: int = 500,
            journeys: Sequence[Journey] = DEMO_JOURNEYS) -> Iterator[EventBatch]:
    """The terminal's events cut into batches as its relay cuts them (a visit may straddle
    two batches)."""
    rng = random.Random(f"batch:{seed}:{terminal.device_id}")
    pending: list[UsageEvent] = []
    for events in visits(terminal, first, days, seed, journeys):
        pending.extend(events)
        while len(pending) >= size:
            yield _batch(rng, pending[:size])
            del pending[:size]
    if pending:
        yield _batch(rng, pending)


def _batch(rng: random.Random, events: list[UsageEvent]) -> EventBatch:
    return EventBatch(batch_id=f"{rng.getrandbits(128):032x}", sent_at="2026-01-01T00:00:00Z",
                      events=list(events))
