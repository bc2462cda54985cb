"""The usage events a terminal sends to the hub: one fixed, small vocabulary, one model.

Both ends validate with these models: the terminal before an event is buffered, the hub
(`hub/`) when a batch arrives. So what can be said is decided here and nowhere else: a
fixed set of kinds, a fixed set of keys for each kind, and every value an id, a short code
or a bucket from a closed set. There is no field a sentence, an answer, a reference, a name
or an exact time could travel in (docs/measures.md, "On the kiosk", says why each is left
out), and the models refuse anything extra (`extra="forbid"`, strict types).

A batch body is canonical JSON (as the heartbeat's: `kiosk.heartbeat.canonical_json`), sent
in the heartbeat's signed envelope; its `batch_id` is fixed when the relay cuts the batch,
so a retry after a lost answer carries the same id and the hub stores it once.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kiosk.device_identity import DeviceKeys, b64
from kiosk.heartbeat import canonical_json

MAX_BATCH = 500
MAX_BATCH_BYTES = 512 * 1024  # 500 events of at most ~250 bytes each, with room to spare
MAX_ENVELOPE_BYTES = 1024 * 1024

Kind = Literal["visit_started", "visit_ended", "service_chosen", "page_reached", "exit_page",
               "submitted", "advisor_call", "accessibility", "staff_assist", "satisfaction",
               "avoidable_contact"]
KINDS: tuple[Kind, ...] = ("visit_started", "visit_ended", "service_chosen", "page_reached",
                           "exit_page", "submitted", "advisor_call", "accessibility",
                           "staff_assist", "satisfaction", "avoidable_contact")
Reason = Literal["finished", "timeout", "start_again", "staff", "call"]
REASONS: tuple[Reason, ...] = ("finished", "timeout", "start_again", "staff", "call")
Duration = Literal["0-1", "1-3", "3-5", "5-10", "10-20", "20+"]
DURATIONS: tuple[Duration, ...] = ("0-1", "1-3", "3-5", "5-10", "10-20", "20+")
Choice = Literal["read_aloud", "text_size", "colours", "language"]
CHOICES: tuple[Choice, ...] = ("read_aloud", "text_size", "colours", "language")
SATISFACTION_VALUES = ("1", "2", "3", "4", "5")  # GOV.UK: 1 very dissatisfied … 5 very satisfied
CONTACT_VALUES = ("yes", "no", "not_sure")

VISIT_PATTERN = r"^[0-9a-f]{16}$"
BATCH_ID_PATTERN = r"^[0-9a-f]{32}$"
HOUR_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3])$"
SENT_AT_PATTERN = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"
SERVICE_PATTERN = r"^[a-z][a-z0-9-]{0,63}$"  # a catalogue service id (kiosk.catalogue.model)
PAGE_PATTERN = r"^[a-z][a-z0-9_]{0,63}$"  # a page or exit page id (kiosk.identifiers)
# The value each accessibility choice may take: codes, never what a resident typed.
CHOICE_VALUE_PATTERNS: dict[Choice, str] = {
    "read_aloud": r"^(on|off)$",
    "text_size": r"^[1-9](\.[0-9]{1,2})?$",  # the theme's text scale: 1, 1.5, 2
    "colours": r"^[a-z][a-z0-9_]{0,31}$",  # a theme name
    "language": r"^[a-z]{2,3}$",  # a language code
}

# For each kind: the optional keys it must carry, then those it may carry. Nothing else.
_KEYS: dict[Kind, tuple[frozenset[str], frozenset[str]]] = {
    "visit_started": (frozenset(), frozenset()),
    "visit_ended": (frozenset({"reason", "duration"}), frozenset()),
    "service_chosen": (frozenset({"service"}), frozenset()),
    "page_reached": (frozenset({"service", "page"}), frozenset()),
    "exit_page": (frozenset({"service", "page"}), frozenset()),
    "submitted": (frozenset({"service"}), frozenset()),
    "advisor_call": (frozenset(), frozenset({"service"})),
    "accessibility": (frozenset({"choice", "value"}), frozenset()),
    "staff_assist": (frozenset(), frozenset()),
    "satisfaction": (frozenset({"value"}), frozenset()),
    "avoidable_contact": (frozenset({"value"}), frozenset()),
}
_OPTIONAL = ("service", "page", "reason", "duration", "choice", "value")


class _Fixed(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class UsageEvent(_Fixed):
    """One event. `value` is always a string code: "1".."5" for satisfaction, "yes" | "no" |
    "not_sure" for avoidable contact, the choice's code for accessibility."""

    kind: Kind
    visit: Annotated[str, Field(pattern=VISIT_PATTERN)]
    seq: int = Field(ge=0, le=1_000_000)
    hour: Annotated[str, Field(pattern=HOUR_PATTERN)]
    service: Annotated[str, Field(pattern=SERVICE_PATTERN)] | None = None
    page: Annotated[str, Field(pattern=PAGE_PATTERN)] | None = None
    reason: Reason | None = None
    duration: Duration | None = None
    choice: Choice | None = None
    value: Annotated[str, Field(max_length=8)] | None = None

    @model_validator(mode="after")
    def _keys_of_kind(self) -> UsageEvent:
        required, allowed = _KEYS[self.kind]
        present = {name for name in _OPTIONAL if getattr(self, name) is not None}
        missing = sorted(required - present)
        extra = sorted(present - required - allowed)
        if missing:
            raise ValueError(f"a {self.kind} event needs {', '.join(missing)}")
        if extra:
            raise ValueError(f"a {self.kind} event carries no {', '.join(extra)}")
        self._check_value()
        return self

    def _check_value(self) -> None:
        if self.kind == "satisfaction" and self.value not in SATISFACTION_VALUES:
            raise ValueError(f"satisfaction value must be one of {', '.join(SATISFACTION_VALUES)}")
        if self.kind == "avoidable_contact" and self.value not in CONTACT_VALUES:
            raise ValueError(f"avoidable_contact value must be one of {', '.join(CONTACT_VALUES)}")
        if (self.kind == "accessibility" and self.choice is not None and self.value is not None
                and not re.fullmatch(CHOICE_VALUE_PATTERNS[self.choice], self.value, re.ASCII)):
            raise ValueError(f"accessibility value for {self.choice} must match "
                                 f"{CHOICE_VALUE_PATTERNS[self.choice]}")

    def to_json(self) -> bytes:
        """Canonical JSON without the keys this kind does not carry."""
        return canonical_json(self.model_dump(mode="json", exclude_none=True))

    @classmethod
    def from_json(cls, raw: bytes | str) -> UsageEvent:
        return cls.model_validate_json(raw)


class EventBatch(_Fixed):
    """The signed body of one POST to `{hub}/kiosk/v1/events`."""

    batch_id: Annotated[str, Field(pattern=BATCH_ID_PATTERN)]
    sent_at: Annotated[str, Field(pattern=SENT_AT_PATTERN)]
    events: list[UsageEvent] = Field(min_length=1, max_length=MAX_BATCH)

    def canonical(self) -> bytes:
        return canonical_json(self.model_dump(mode="json", exclude_none=True))

    @classmethod
    def parse(cls, body: bytes | str) -> EventBatch:
        """A body as received (pydantic.ValidationError, naming the event index and field,
        if it is not one)."""
        return cls.model_validate_json(body)


def hour_of(when: datetime) -> str:
    """The coarse UTC hour an event happened: "YYYY-MM-DDTHH" (an aware time)."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H")


def sent_at(moment: float) -> str:
    return datetime.fromtimestamp(int(moment), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def duration_bucket(seconds: float) -> Duration:
    """A visit's length in the report's buckets (minutes); never the exact time."""
    minutes = max(0.0, seconds) / 60
    for limit, bucket in ((1, "0-1"), (3, "1-3"), (5, "3-5"), (10, "5-10"), (20, "10-20")):
        if minutes < limit:
            return bucket  # type: ignore[return-value]
    return "20+"


def batch_envelope(keys: DeviceKeys, batch: EventBatch) -> bytes:
    """What is POSTed: the heartbeat's envelope (device id, canonical body as a string, its
    Ed25519 signature), so the hub verifies events exactly as it verifies heartbeats."""
    signed = batch.canonical()
    return canonical_json({"device_id": keys.identity.device_id, "body": signed.decode("ascii"),
                           "signature": b64(keys.sign(signed))})
