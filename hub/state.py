"""What every route needs, built once per app by `create_app` and kept on `app.state.hub`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.catalogue_export import Open311Catalogue
from hub.lookup_sources import SourceRegistry
from hub.passwords import Passwords
from hub.remote_tracking import RemoteTracker
from hub.settings import HubSettings


@dataclass(frozen=True)
class HubState:
    settings: HubSettings
    engine: Engine
    sessions: sessionmaker[Session]
    catalogue: Open311Catalogue
    changeset: datetime
    lookups: SourceRegistry
    passwords: Passwords
    # Asks other back offices about requests kiosks delivered to them (the settings file).
    tracker: RemoteTracker

    def base_url(self, request: Request) -> str:
        """Where clients reach us: the configured public URL, else what this request used."""
        if self.settings.public_base_url:
            return self.settings.public_base_url
        return str(request.base_url).rstrip("/")


def hub_state(request: Request) -> HubState:
    state: HubState = request.app.state.hub
    return state
