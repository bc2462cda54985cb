"""The profile's `bookings` section: how long a chosen time is held while the resident finishes.

Which diary answers (the hub, or the demo's fake) follows the `lookups` section: booking uses
the same hub endpoint and key (docs/profile.md).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class BookingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    hold_seconds: int = Field(
        default=300, ge=60, le=900,
        description="How long a chosen appointment time is held for the resident while they "
                    "give their details (the hub also keeps it within 60 to 900 seconds).")
