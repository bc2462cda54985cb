"""The calls part of one hub app: its queue, its signalling and bus, its ICE settings.

Built by `hub.app.create_app` and kept on `app.state.calls`; `start` and `close` run in the
app's lifespan (the bus needs the event loop, and `close` leaves no task or connection).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from fastapi import FastAPI
from sqlalchemy import Engine, make_url

from hub.calls.bus import CallBus, MemoryBus
from hub.calls.ice import IceSettings
from hub.calls.pg_bus import PostgresBus
from hub.calls.queue import CallQueue
from hub.calls.signalling import Signalling


def bus_for(database_url: str) -> CallBus:
    """PostgreSQL's LISTEN/NOTIFY where several processes can share the database, else the
    in-memory bus (SQLite: one hub process)."""
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PostgresBus(url.set(drivername="postgresql").render_as_string(hide_password=False))
    return MemoryBus()


@dataclass(frozen=True)
class CallDesk:
    queue: CallQueue
    signalling: Signalling
    ice: IceSettings
    clock: Callable[[], datetime]

    async def start(self) -> None:
        await self.signalling.start()

    async def close(self) -> None:
        await self.signalling.close()


def make_desk(engine: Engine, database_url: str, ice: IceSettings,
              clock: Callable[[], datetime]) -> CallDesk:
    queue = CallQueue(engine, clock)
    return CallDesk(queue, Signalling(queue, bus_for(database_url), clock), ice, clock)


def calls_desk(app: FastAPI) -> CallDesk:
    desk: CallDesk = app.state.calls
    return desk
