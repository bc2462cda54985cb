"""The bus between hub processes sharing a PostgreSQL database: LISTEN/NOTIFY.

Each process keeps two psycopg (3) asynchronous connections of its own, outside
SQLAlchemy's pool: one LISTENs on the channel and hands what arrives to `deliver`, one sends
with `pg_notify`. Every process hears every call's messages and keeps those for the sockets
it holds (a council has a handful of calls at once). A payload must be under 8000 bytes, so
messages are cut into pieces and put back together (`hub.calls.chunks`).

If the listening connection breaks (PostgreSQL restarted), it is made again, waiting a
little longer each time; what was published meanwhile is lost, as with a dropped socket.
A failed send is tried once more on a new connection, then raises BusError.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import psycopg
from psycopg import sql

from hub.calls.bus import BusError, Deliver, Message
from hub.calls.chunks import Chunker, Reassembler

CHANNEL = "kiosk_hub_calls"
CONNECT_TIMEOUT = 10
RETRY_FIRST, RETRY_MOST = 0.5, 10.0

log = logging.getLogger("hub.calls")


class PostgresBus:
    def __init__(self, conninfo: str, channel: str = CHANNEL) -> None:
        self._conninfo = conninfo
        self._channel = channel
        self._chunker = Chunker()
        self._reassembler = Reassembler()
        self._deliver: Deliver | None = None
        self._listener: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._sender: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._send_lock = asyncio.Lock()
        self._pump_task: asyncio.Task[None] | None = None
        self._closing = False

    async def _connect(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        return await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True,
                                                     connect_timeout=CONNECT_TIMEOUT)

    async def _listen(self) -> psycopg.AsyncConnection[tuple[object, ...]]:
        connection = await self._connect()
        await connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self._channel)))
        return connection

    async def start(self, deliver: Deliver) -> None:
        self._deliver = deliver
        self._closing = False
        self._listener = await self._listen()
        self._pump_task = asyncio.create_task(self._pump(), name="calls-bus")

    async def _pump(self) -> None:
        wait = RETRY_FIRST
        while not self._closing:
            try:
                if self._listener is None or self._listener.closed:
                    self._listener = await self._listen()
                    wait = RETRY_FIRST
                async for notice in self._listener.notifies():
                    whole = self._reassembler.add(notice.payload)
                    if whole is not None and self._deliver is not None:
                        self._deliver(*whole)
            except psycopg.Error as exc:
                log.warning("calls bus: listening failed (%s); trying again in %.1f s",
                            type(exc).__name__, wait)
                await self._drop_listener()
                await asyncio.sleep(wait)  # back off before reconnecting; not a test wait
                wait = min(wait * 2, RETRY_MOST)

    async def _drop_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(psycopg.Error):
                await listener.close()

    async def publish(self, call_id: str, message: Message) -> None:
        pieces = self._chunker.pieces(call_id, message)
        query = sql.SQL("SELECT pg_notify({}, %s)").format(sql.Literal(self._channel))
        async with self._send_lock:
            for attempt in (1, 2):
                try:
                    if self._sender is None or self._sender.closed:
                        self._sender = await self._connect()
                    async with self._sender.transaction():
                        for piece in pieces:
                            await self._sender.execute(query, (piece,))
                    return
                except psycopg.Error as exc:
                    sender, self._sender = self._sender, None
                    if sender is not None:
                        with contextlib.suppress(psycopg.Error):
                            await sender.close()
                    if attempt == 2:
                        raise BusError(f"cannot send on the calls bus: {type(exc).__name__}"
                                       ) from None

    async def close(self) -> None:
        self._closing = True
        self._deliver = None
        task, self._pump_task = self._pump_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._drop_listener()
        sender, self._sender = self._sender, None
        if sender is not None:
            with contextlib.suppress(psycopg.Error):
                await sender.close()
