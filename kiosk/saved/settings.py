"""The profile's `saved` section: who keeps residents' saved applications (save and come
back). No section: no service offers "Save and come back later", and the menu has no
"Continue a saved application"."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from kiosk.lookups.settings import FakeLookupSettings, HubLookupSettings


class HubSavedSettings(HubLookupSettings):
    """The council's hub: POST /saved... under `endpoint` (its kiosk API), with the kiosk
    API key. Usually the same endpoint and key as `lookups`."""


class FakeSavedSettings(FakeLookupSettings):
    """Kept in this kiosk's memory: the demo and tests (a second kiosk cannot resume)."""


SavedSettings = Annotated[HubSavedSettings | FakeSavedSettings, Field(discriminator="type")]
