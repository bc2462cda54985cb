"""A dead letter as staff see it on the relay socket and in device status.

Only what identifies the report and says why it failed: its reference, service id,
destination name and reason. Never the payload, and the reason is flattened to one bounded
line of printable text, since it is shown as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.outbox.store import OutboxRow

MAX_DEAD_LETTERS = 10
MAX_REASON = 120


@dataclass(frozen=True)
class DeadLetter:
    reference: str
    service: str
    destination: str
    reason: str
    # False once the payload is destroyed (expired by retention): nothing left to send.
    retryable: bool


def reason_line(text: str) -> str:
    flat = " ".join("".join(c if c.isprintable() else " " for c in text).split())
    return flat if len(flat) <= MAX_REASON else flat[:MAX_REASON - 1] + "…"


def to_wire(row: OutboxRow) -> dict[str, object]:
    return {"reference": row.reference, "service": row.service_id or "unknown",
            "destination": row.destination,
            "reason": reason_line(row.last_reason or row.last_error or "unknown"),
            "retryable": row.has_payload}


def from_wire(item: object) -> DeadLetter | None:
    """One listed dead letter from a status answer; None if it is not well formed."""
    if not isinstance(item, dict):
        return None
    values = [item.get(k) for k in ("reference", "service", "destination", "reason")]
    if not all(isinstance(v, str) for v in values):
        return None
    reference, service, destination, reason = (str(v) for v in values)
    return DeadLetter(reference[:16], service[:64], destination[:64], reason_line(reason),
                      item.get("retryable") is True)
