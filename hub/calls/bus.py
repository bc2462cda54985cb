"""The bus between hub processes: signalling messages and call notices, keyed by call id.

Each hub process holds some of a call's sockets; a message for a peer, or the news that a
call ended, must reach the process holding that peer's socket. Every such message goes
through the bus, even when both sockets are on one process, so there is one path to test.

    bus = bus_for(database_url)
    await bus.start(deliver)          # deliver(call_id, message) runs on this event loop
    await bus.publish(call_id, {...}) # reaches `deliver` on every process, this one too
    await bus.close()

Messages are JSON objects, delivered in the order one process published them, at most once
(a process that is not listening when a message is published never sees it). Two buses,
chosen from the database URL by `hub.calls.desk.bus_for`: `MemoryBus` for one process
(SQLite), `hub.calls.pg_bus.PostgresBus` (LISTEN/NOTIFY) for several processes sharing a
PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, Protocol

Message = dict[str, Any]
Deliver = Callable[[str, Message], None]


class CallBus(Protocol):
    async def start(self, deliver: Deliver) -> None:
        """Begin delivering; from here on `deliver` is called on the running event loop."""

    async def publish(self, call_id: str, message: Message) -> None:
        """Send to every process's `deliver`; raises BusError if it cannot be sent."""

    async def close(self) -> None:
        """Stop delivering and let go of every connection and task; safe to repeat."""


class BusError(Exception):
    """The bus cannot carry a message (its database connection is gone)."""


def _copy(message: Message) -> Message:
    """What a message looks like after travelling: JSON, so both buses carry the same."""
    copied: Message = json.loads(json.dumps(message))
    return copied


class MemoryBus:
    """For a single hub process: delivery is a call on the same loop, soon after publish."""

    def __init__(self) -> None:
        self._deliver: Deliver | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver
        self._loop = asyncio.get_running_loop()

    async def publish(self, call_id: str, message: Message) -> None:
        if self._deliver is None or self._loop is None:
            raise BusError("the bus is not running")
        # Later, not now: a publisher is never re-entered, as with a bus between processes.
        self._loop.call_soon(self._deliver, call_id, _copy(message))

    async def close(self) -> None:
        self._deliver = None
        self._loop = None

