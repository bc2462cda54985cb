"""Choose the diary the profile's `lookups` section names: the hub's, or the demo's fake."""

from __future__ import annotations

from kiosk.bookings.base import Bookings
from kiosk.bookings.fake import FakeBookings
from kiosk.bookings.hub_client import HubBookings
from kiosk.clock import Clock
from kiosk.lookups.settings import HubLookupSettings, LookupSettings


def make_bookings(settings: LookupSettings | None, clock: Clock) -> Bookings | None:
    """The same endpoint, key and timeouts as the lookups; None without a `lookups` section
    (booking journeys then say the council cannot be reached, and offer a call back)."""
    if settings is None:
        return None
    if isinstance(settings, HubLookupSettings):
        return HubBookings(str(settings.endpoint), settings.api_key,
                           timeout_seconds=settings.timeout_seconds,
                           connect_timeout_seconds=settings.connect_timeout_seconds)
    return FakeBookings(clock, timeout_seconds=settings.timeout_seconds)
