"""Choose the lookup backend the profile names: one small class per backend."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.lookups.base import Lookup
from kiosk.lookups.fake import FakeLookup
from kiosk.lookups.hub_client import HubLookup
from kiosk.lookups.settings import FakeLookupSettings, HubLookupSettings, LookupSettings


def _hub(settings: Any) -> Lookup:
    assert isinstance(settings, HubLookupSettings)
    return HubLookup(str(settings.endpoint), settings.api_key,
                     timeout_seconds=settings.timeout_seconds,
                     connect_timeout_seconds=settings.connect_timeout_seconds)


def _fake(settings: Any) -> Lookup:
    assert isinstance(settings, FakeLookupSettings)
    return FakeLookup(timeout_seconds=settings.timeout_seconds)


BACKENDS: dict[str, Callable[[Any], Lookup]] = {"hub": _hub, "fake": _fake}


def make_lookup(settings: LookupSettings | None) -> Lookup | None:
    """The backend for the profile's `lookups` section; None when the profile has none (the
    journeys that need the council then say it cannot be asked)."""
    if settings is None:
        return None
    return BACKENDS[settings.type](settings)
