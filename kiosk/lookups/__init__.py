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

__all__ = ["Lookup", "LookupItem", "LookupRequest", "LookupResult", "LookupUnavailable"]
