"""The profile's `calls` section: when advisors answer, how long a resident waits before a
call back is offered, and which interpreters can be asked for.

No section: no "Talk to an advisor" anywhere on the kiosk. The queue is the hub named in
`lookups` (its kiosk API and key), as for bookings.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OpeningTimes(_Strict):
    """One row of opening hours: these days, from `opens` to `closes` (24-hour, local time)."""

    days: tuple[Weekday, ...] = Field(description="mon, tue, wed, thu, fri, sat, sun")
    opens: str = Field(description="HH:MM, e.g. 09:00")
    closes: str = Field(description="HH:MM, later than opens, e.g. 17:00")

    @field_validator("opens", "closes")
    @classmethod
    def _clock(cls, value: str) -> str:
        if not _CLOCK.match(value):
            raise ValueError("a 24-hour time written HH:MM, e.g. 09:00")
        return value

    @model_validator(mode="after")
    def _order(self) -> OpeningTimes:
        if not self.days:
            raise ValueError("at least one day, e.g. [mon, tue, wed, thu, fri]")
        if self.closes <= self.opens:
            raise ValueError(f"closes ({self.closes}) must be later than opens ({self.opens})")
        return self

    @property
    def open_time(self) -> time:
        return time.fromisoformat(self.opens)

    @property
    def close_time(self) -> time:
        return time.fromisoformat(self.closes)


class CallSettings(_Strict):
    # Not Field(min_length=1): pydantic would report "at least 1 item" beside a bad row too.
    opening_hours: tuple[OpeningTimes, ...] = Field(
        description="When advisors answer calls (the site's time zone is the UK).")
    closed_dates: tuple[date, ...] = Field(
        default=(), description="Days with no advisors (bank holidays), YYYY-MM-DD.")
    answer_limit_seconds: int = Field(
        default=300, ge=30, le=1800,
        description="If no advisor answers within this, the resident is offered a call back.")
    interpreter_languages: tuple[str, ...] = Field(
        default=(), description="Language codes a resident may ask an interpreter for "
        "(e.g. pl, ur, ro, bfi for British Sign Language).")
    share_answers: bool = Field(
        default=True, description="Whether the resident is asked if the advisor may see the "
        "answers they have given so far in the service they were using.")
    fake_media: bool = Field(
        default=False, description="Demo only: Chromium's made-up camera and microphone stand "
        "in for real ones (a production profile refuses this).")
    poll_seconds: float = Field(
        default=0.5, ge=0.25, le=10, description="How often the queue position is asked for "
        "(the answer is noticed within this: half a second keeps answer → video under 2 s).")

    @field_validator("interpreter_languages")
    @classmethod
    def _codes(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for code in value:
            if not re.fullmatch(r"[a-z]{2,3}", code):
                raise ValueError(f"language codes are 2 or 3 lower-case letters, not {code!r}")
        if len(set(value)) != len(value):
            raise ValueError("a language is listed twice")
        return value

    @model_validator(mode="after")
    def _some_hours(self) -> CallSettings:
        if not self.opening_hours:
            raise ValueError("at least one row of opening_hours (days, opens, closes)")
        return self
