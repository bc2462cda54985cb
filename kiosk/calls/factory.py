"""Choose the call queue: the hub named in the profile's `lookups` section; None without a
`calls` section, or without a hub to ask (the button then offers a call back instead)."""

from __future__ import annotations

from kiosk.calls.base import Calls
from kiosk.calls.fake import FakeCalls
from kiosk.calls.hub_client import HubCalls
from kiosk.lookups.settings import HubLookupSettings
from kiosk.profile import Profile


def make_calls(profile: Profile) -> Calls | None:
    if profile.calls is None or profile.lookups is None:
        return None
    settings = profile.lookups
    if isinstance(settings, HubLookupSettings):
        return HubCalls(str(settings.endpoint), settings.api_key,
                        timeout_seconds=settings.timeout_seconds,
                        connect_timeout_seconds=settings.connect_timeout_seconds)
    return FakeCalls()
