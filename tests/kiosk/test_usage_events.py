"""The usage-event model: the fixed vocabulary both the terminal and the hub validate with."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from kiosk.usage_events import (
    KINDS,
    MAX_BATCH,
    EventBatch,
    UsageEvent,
    duration_bucket,
    hour_of,
)

VISIT = "0123456789abcdef"
HOUR = "2025-03-04T09"

GOOD: dict[str, dict[str, Any]] = {
    "visit_started": {},
    "visit_ended": {"reason": "timeout", "duration": "3-5"},
    "service_chosen": {"service": "missed-bin"},
    "page_reached": {"service": "missed-bin", "page": "check_answers"},
    "exit_page": {"service": "missed-bin", "page": "not_collected_yet"},
    "submitted": {"service": "missed-bin"},
    "advisor_call": {"service": "missed-bin"},
    "accessibility": {"choice": "text_size", "value": "1.5"},
    "staff_assist": {},
    "satisfaction": {"value": "5"},
    "avoidable_contact": {"value": "not_sure"},
}


def event(kind: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "visit": VISIT, "seq": 0, "hour": HOUR, **fields}


def test_every_kind_has_a_good_example_that_round_trips() -> None:
    assert set(GOOD) == set(KINDS)
    for kind, fields in GOOD.items():
        parsed = UsageEvent.model_validate(event(kind, **fields))
        assert UsageEvent.from_json(parsed.to_json()) == parsed
        assert set(json.loads(parsed.to_json())) == {"kind", "visit", "seq", "hour", *fields}


def test_advisor_call_outside_a_journey_has_no_service() -> None:
    UsageEvent.model_validate(event("advisor_call"))


@pytest.mark.parametrize("kind", KINDS)
def test_a_key_another_kind_carries_is_refused(kind: str) -> None:
    stranger = {"page": "start"} if kind == "visit_ended" else {"reason": "finished"}
    with pytest.raises(ValidationError, match=f"carries no {next(iter(stranger))}"):
        UsageEvent.model_validate(event(kind, **GOOD[kind], **stranger))


@pytest.mark.parametrize("kind", [k for k in KINDS if GOOD[k] and k != "advisor_call"])
def test_a_missing_key_is_refused(kind: str) -> None:
    fields = dict(GOOD[kind])
    dropped = sorted(fields)[0]
    del fields[dropped]
    with pytest.raises(ValidationError, match="needs"):
        UsageEvent.model_validate(event(kind, **fields))


@pytest.mark.parametrize("bad", [
    {"kind": "typed_text"},
    {"visit": "0123456789ABCDEF"}, {"visit": "0123"}, {"visit": "resident@example.org"},
    {"seq": -1}, {"seq": "1"}, {"seq": 1.0},
    {"hour": "2025-03-04T09:15"}, {"hour": "2025-13-04T09"}, {"hour": "2025-03-04T24"},
    {"answer": "12 High Street"}, {"text": "hello"},
])
def test_common_fields_are_strict(bad: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        UsageEvent.model_validate({**event("visit_started"), **bad})


@pytest.mark.parametrize(("kind", "fields"), [
    ("visit_ended", {"reason": "crashed", "duration": "0-1"}),
    ("visit_ended", {"reason": "finished", "duration": "7"}),
    ("service_chosen", {"service": "Missed Bin"}),
    ("page_reached", {"service": "missed-bin", "page": "Your address is 12 High St"}),
    ("accessibility", {"choice": "read_aloud", "value": "yes"}),
    ("accessibility", {"choice": "language", "value": "english!"}),
    ("accessibility", {"choice": "text_size", "value": "huge"}),
    ("accessibility", {"choice": "volume", "value": "on"}),
    ("satisfaction", {"value": "6"}), ("satisfaction", {"value": 5}),
    ("avoidable_contact", {"value": "maybe"}),
])
def test_values_come_from_closed_sets(kind: str, fields: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        UsageEvent.model_validate(event(kind, **fields))


def batch(events: list[dict[str, Any]], **over: Any) -> dict[str, Any]:
    return {"batch_id": "ab" * 16, "sent_at": "2025-03-04T09:15:00Z", "events": events, **over}


def test_a_batch_parses_from_its_canonical_bytes() -> None:
    body = EventBatch.model_validate(batch([event(k, **f) for k, f in GOOD.items()]))
    assert EventBatch.parse(body.canonical()) == body
    assert b" " not in body.canonical()


def test_a_batch_error_names_the_event_and_field() -> None:
    events = [event("visit_started"), event("satisfaction", value="9")]
    with pytest.raises(ValidationError) as caught:
        EventBatch.parse(json.dumps(batch(events)))
    assert caught.value.errors()[0]["loc"][:2] == ("events", 1)


@pytest.mark.parametrize("over", [
    {"batch_id": "AB" * 16}, {"batch_id": "ab"}, {"sent_at": "yesterday"},
    {"events": []}, {"events": [event("visit_started")] * (MAX_BATCH + 1)}, {"extra": 1},
])
def test_batch_fields_are_strict(over: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        EventBatch.model_validate({**batch([event("visit_started")]), **over})


def test_hour_and_duration_are_coarse() -> None:
    assert hour_of(datetime(2025, 3, 4, 9, 59, 59, tzinfo=UTC)) == "2025-03-04T09"
    assert hour_of(datetime(2025, 7, 4, 10, 30, tzinfo=timezone(timedelta(hours=1)))) == "2025-07-04T09"
    assert [duration_bucket(s) for s in (0, 59, 60, 179, 180, 299, 300, 599, 600, 1199, 1200, 9e9)] \
        == ["0-1", "0-1", "1-3", "1-3", "3-5", "3-5", "5-10", "5-10", "10-20", "10-20", "20+", "20+"]
    assert duration_bucket(-5) == "0-1"
