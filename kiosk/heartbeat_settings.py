"""The profile's optional `heartbeat` section: where the relay reports the terminal's state.

Kept apart from `kiosk.heartbeat` (as `kiosk.lookups.settings` is from the lookups) so the
profile names the section without importing the outbox and the signing code.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from kiosk.config_errors import FieldProblems


class HeartbeatSettings(BaseModel):
    """Absent from a profile: the terminal sends no heartbeats."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    endpoint: HttpUrl = Field(
        description="The hub's kiosk API, e.g. https://hub/kiosk/v1; beats go to "
                    "{endpoint}/heartbeat, usage events to {endpoint}/events")
    interval_seconds: int = Field(default=60, ge=1, le=3600,
                                  description="Seconds between two heartbeats.")
    timeout_seconds: float = Field(default=10.0, gt=0, le=60,
                                   description="The longest one heartbeat POST may take.")

    @model_validator(mode="after")
    def _plain_endpoint(self) -> HeartbeatSettings:
        if self.endpoint.query or self.endpoint.fragment:
            raise FieldProblems([(("endpoint",), "a URL with no ?query or #fragment",
                                  repr(str(self.endpoint)))])
        return self

    @property
    def url(self) -> str:
        return str(self.endpoint).rstrip("/") + "/heartbeat"

    @property
    def events_url(self) -> str:
        """Where the relay sends usage events (kiosk.usage_sender): the same hub."""
        return str(self.endpoint).rstrip("/") + "/events"
