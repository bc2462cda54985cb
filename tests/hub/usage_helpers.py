"""Usage events for hub tests and benchmarks: batches signed as a terminal signs them."""

from __future__ import annotations

import secrets
from typing import Any

from kiosk.device_identity import DeviceKeys
from kiosk.usage_events import EventBatch, UsageEvent, batch_envelope

VISIT = "0123456789abcdef"


def event(kind: str, seq: int, hour: str = "2026-03-02T10", visit: str = VISIT,
          **fields: Any) -> UsageEvent:
    return UsageEvent.model_validate({"kind": kind, "visit": visit, "seq": seq, "hour": hour,
                                      **fields})


def a_visit(visit: str = VISIT, hour: str = "2026-03-02T10", service: str = "missed-bin",
            submitted: bool = True, **extra: str) -> list[UsageEvent]:
    """One resident's visit: a journey through two pages, submitted or timed out."""
    events = [event("visit_started", 0, hour, visit),
              event("service_chosen", 1, hour, visit, service=service),
              event("page_reached", 2, hour, visit, service=service, page="address"),
              event("page_reached", 3, hour, visit, service=service, page="details")]
    if submitted:
        events.append(event("submitted", 4, hour, visit, service=service))
        events.append(event("visit_ended", 5, hour, visit, reason="finished", duration="1-3"))
    else:
        events.append(event("visit_ended", 4, hour, visit, reason="timeout", duration="3-5"))
    for index, (choice, value) in enumerate(extra.items()):
        events.append(event("accessibility", 10 + index, hour, visit, choice=choice, value=value))
    return events


def batch(events: list[UsageEvent], batch_id: str | None = None) -> EventBatch:
    return EventBatch(batch_id=batch_id or secrets.token_hex(16), sent_at="2026-03-02T10:05:00Z",
                      events=events)


def signed(keys: DeviceKeys, events: list[UsageEvent], batch_id: str | None = None) -> bytes:
    return batch_envelope(keys, batch(events, batch_id))


def visit_id(number: int) -> str:
    return f"{number:016x}"
