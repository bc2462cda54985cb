"""The profile's `lookups` section: which backend answers a journey's questions, and how fast.

Kept beside the backends (as `kiosk.staff` keeps its settings) so `kiosk.profile` only
names the section and the factory never imports the whole profile.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from kiosk.config_errors import FieldProblems
from kiosk.secrets import Secret


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class HubLookupSettings(_Strict):
    """The council's hub: POST /lookups/{source} under `endpoint`, with the kiosk API key."""

    type: Literal["hub"]
    endpoint: HttpUrl = Field(description="The hub's kiosk API, e.g. https://hub/kiosk/v1")
    api_key: Secret = Field(min_length=1)
    timeout_seconds: float = Field(
        default=5.0, gt=0, le=30,
        description="The longest a resident waits for an answer, connection included.")
    connect_timeout_seconds: float = Field(
        default=2.0, gt=0, le=30, description="How long to wait for the hub to accept a connection.")

    @model_validator(mode="after")
    def _plain_endpoint(self) -> HubLookupSettings:
        # Anything after the path would be sent with every lookup; nothing belongs there.
        if self.endpoint.query or self.endpoint.fragment:
            raise FieldProblems([(("endpoint",), "a URL with no ?query or #fragment",
                                  repr(str(self.endpoint)))])
        if self.connect_timeout_seconds > self.timeout_seconds:
            raise FieldProblems([(("connect_timeout_seconds",),
                                  f"at most timeout_seconds ({self.timeout_seconds:g})",
                                  f"{self.connect_timeout_seconds:g}")])
        return self


class FakeLookupSettings(_Strict):
    """Canned answers in memory, for the demo and tests; staff can make it fail or slow down."""

    type: Literal["fake"]
    timeout_seconds: float = Field(default=5.0, gt=0, le=30)


LookupSettings = Annotated[HubLookupSettings | FakeLookupSettings, Field(discriminator="type")]
