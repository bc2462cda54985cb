"""Asking the council: lookups a journey makes while the resident waits.

`base` is the interface the journey and the terminal use; backends (the hub client, a fake
for tests and the demo) live beside it, one small class each, chosen by the profile.
"""

from kiosk.lookups.base import (
    Lookup,
    LookupItem,
    LookupRequest,
    LookupResult,
    LookupUnavailable,
)
from kiosk.lookups.factory import make_lookup
from kiosk.lookups.fake import FakeLookup
from kiosk.lookups.hub_client import HubLookup
from kiosk.lookups.settings import FakeLookupSettings, HubLookupSettings, LookupSettings

__all__ = [
    "FakeLookup",
    "FakeLookupSettings",
    "HubLookup",
    "HubLookupSettings",
    "Lookup",
    "LookupItem",
    "LookupRequest",
    "LookupResult",
    "LookupSettings",
    "LookupUnavailable",
    "make_lookup",
]
