"""The sockets one hub process holds, grouped by call, and what the bus brings them.

Every message between peers goes out on the bus (`hub.calls.bus`) and comes back through
`deliver` on every process; each keeps what is for its own sockets:

- `{"kind": "to", "to": peer_id, "message": m}`: one peer;
- `{"kind": "others", "from": peer_id, "roles": [...] | None, "message": m}`: every peer
  of the call but the sender, or only those with the roles given (a summary: advisors);
- `{"kind": "ended", "reason": r, "by": b}`: `call_ended` to every peer, then their sockets
  close.

A socket is registered (`add`) before its hello is checked, so nothing sent to it while it
joins is lost: until its `welcome` is queued, messages wait, and a `peer_joined` for a peer
the welcome already lists is dropped. While it runs, the process renews its peers' rows and
sweeps rows a dead process left behind (`hub.calls.peers`), ends queued calls whose
kiosk has stopped asking (`kiosk_gone`), and answered calls no advisor has been connected
to for `ADVISOR_ABSENT` (`advisor_disconnected`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from hub.calls import peers
from hub.calls.bus import BusError, CallBus, Message
from hub.calls.queue import CallQueue, Ending

MAX_WAITING = 500  # messages queued for one slow socket before it is dropped
ADVISOR_DISCONNECTED = "advisor_disconnected"
KIOSK_GONE = "kiosk_gone"

log = logging.getLogger("hub.calls")


@dataclass(frozen=True)
class Close:
    """Close the socket with this code once everything before it has been sent."""

    code: int


@dataclass
class LocalPeer:
    call_id: str
    peer_id: str
    role: str
    outbox: asyncio.Queue[Message | Close] = field(default_factory=asyncio.Queue)
    ended: bool = False  # the call ended: the socket closes, nobody is told it left
    _welcomed: bool = False
    _early: list[Message | Close] = field(default_factory=list)
    _listed: frozenset[str] = frozenset()

    def push(self, item: Message | Close) -> None:
        if not self._welcomed:
            self._early.append(item)
            return
        if (isinstance(item, dict) and item.get("type") == "peer_joined"
                and item.get("peer_id") in self._listed):
            return
        if self.outbox.qsize() >= MAX_WAITING:
            item = Close(1013)  # too slow to keep up: let it go rather than hold it all
        self.outbox.put_nowait(item)

    def welcome(self, message: Message, listed: Iterable[str]) -> None:
        self._listed = frozenset(listed)
        self._welcomed = True
        self.outbox.put_nowait(message)
        early, self._early = self._early, []
        for item in early:
            self.push(item)

    def end(self, reason: str, by: str) -> None:
        if self.ended:
            return
        self.ended = True
        self.push({"type": "call_ended", "reason": reason, "by": by})
        self.push(Close(1000))


class Signalling:
    def __init__(self, queue: CallQueue, bus: CallBus, clock: Callable[[], datetime]) -> None:
        self.queue = queue
        self.bus = bus
        self.clock = clock
        self._rooms: dict[str, dict[str, LocalPeer]] = {}
        self._lease_task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.bus.start(self._deliver)
        self._lease_task = asyncio.create_task(self._lease(), name="calls-lease")

    async def close(self) -> None:
        task, self._lease_task = self._lease_task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for room in self._rooms.values():
            for peer in room.values():
                peer.push(Close(1001))
        await self.bus.close()

    def add(self, call_id: str, peer_id: str, role: str) -> LocalPeer:
        peer = LocalPeer(call_id, peer_id, role)
        self._rooms.setdefault(call_id, {})[peer_id] = peer
        return peer

    def remove(self, peer: LocalPeer) -> None:
        room = self._rooms.get(peer.call_id, {})
        room.pop(peer.peer_id, None)
        if not room:
            self._rooms.pop(peer.call_id, None)

    def local_peer_ids(self) -> list[str]:
        return [peer_id for room in self._rooms.values() for peer_id in room]

    def _deliver(self, call_id: str, notice: Message) -> None:
        try:
            self._dispatch(call_id, notice)
        except (TypeError, ValueError, KeyError, AttributeError) as exc:  # a malformed notice
            log.warning("calls bus: a notice could not be delivered: %s", type(exc).__name__)

    def _dispatch(self, call_id: str, notice: Message) -> None:
        room = self._rooms.get(call_id)
        if not room:
            return
        kind = notice.get("kind")
        message = notice.get("message")
        if kind == "to" and isinstance(message, dict):
            target = room.get(str(notice.get("to")))
            if target is not None:
                target.push(message)
        elif kind == "others" and isinstance(message, dict):
            roles = notice.get("roles")
            for peer in list(room.values()):
                if peer.peer_id != notice.get("from") and (roles is None or peer.role in roles):
                    peer.push(message)
        elif kind == "ended":
            for peer in list(room.values()):
                peer.end(str(notice.get("reason")), str(notice.get("by")))

    async def to_peer(self, call_id: str, peer_id: str, message: Message) -> None:
        await self.bus.publish(call_id, {"kind": "to", "to": peer_id, "message": message})

    async def to_others(self, call_id: str, sender: str, message: Message,
                        roles: list[str] | None = None) -> None:
        await self.bus.publish(call_id, {"kind": "others", "from": sender, "roles": roles,
                                         "message": message})

    async def end(self, call_id: str, reason: str, by: str) -> Ending | None:
        """End the call in the database and, if this ended it, tell every peer on every
        process. None for an unknown call."""
        ending = await run_in_threadpool(self.queue.end, call_id, reason, by)
        if ending is not None and ending.ended_now:
            log.info("call ended reason=%s by=%s", reason, by)
            await self.bus.publish(call_id, {"kind": "ended", "reason": reason, "by": by})
        return ending

    async def _lease(self) -> None:
        every = peers.RENEW_EVERY.total_seconds()
        while True:
            await asyncio.sleep(every)  # a period, not a wait for something to happen
            try:
                await self.tend()
            except (SQLAlchemyError, BusError) as exc:
                log.warning("calls upkeep failed: %s", type(exc).__name__)

    async def tend(self) -> None:
        """Renew this process's peers; sweep peers and kiosks nobody has heard from, and
        answered calls no advisor is in."""
        engine = self.queue.engine
        await run_in_threadpool(peers.renew, engine, self.local_peer_ids(), self.clock())
        for gone in await run_in_threadpool(peers.sweep, engine, self.clock()):
            await self.peer_left(gone.call_id, gone.peer_id, gone.role, "disconnected")
        for call_id in await run_in_threadpool(self.queue.quiet_kiosks):
            await self.end(call_id, KIOSK_GONE, "hub")
        for call_id in await run_in_threadpool(self.queue.unattended):
            await self.end(call_id, ADVISOR_DISCONNECTED, "hub")

    async def peer_left(self, call_id: str, peer_id: str, role: str, reason: str) -> None:
        """Tell the others; an advisor gone without `bye` ends the call."""
        left: dict[str, Any] = {"type": "peer_left", "peer_id": peer_id, "role": role,
                                "reason": reason}
        await self.to_others(call_id, peer_id, left)
        if role == "advisor" and reason == "disconnected":
            await self.end(call_id, ADVISOR_DISCONNECTED, "hub")
