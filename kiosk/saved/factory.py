"""Choose who keeps saved applications from the profile's `saved` section."""

from __future__ import annotations

from kiosk.clock import Clock
from kiosk.saved.base import SavedApplications
from kiosk.saved.fake import FakeSavedApplications
from kiosk.saved.hub_client import HubSavedApplications
from kiosk.saved.settings import HubSavedSettings, SavedSettings


def make_saved(settings: SavedSettings | None, clock: Clock) -> SavedApplications | None:
    if settings is None:
        return None
    if isinstance(settings, HubSavedSettings):
        return HubSavedApplications(str(settings.endpoint), settings.api_key,
                                    timeout_seconds=settings.timeout_seconds,
                                    connect_timeout_seconds=settings.connect_timeout_seconds)
    return FakeSavedApplications(clock)
