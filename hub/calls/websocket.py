"""`/calls/v1/ws`: one socket per participant of a call (docs/calls.md 2.3).

The hello's token is the credential (no sign-in cookie: a kiosk has none, nor has an
interpreter), so the path is on the public allowlist. A hello that is missing, late,
malformed or wrong closes the socket with 4403. After `welcome`, what the client sends is
checked for its shape and its sender's role, stamped with `from` and `role`, and relayed;
anything else is dropped. A message may be at most 64 KiB, and a socket may send 20 a
second on average (bursts of 100: a batch of ICE candidates); beyond either it is closed
(1009, 1008). Nothing a message carries is logged; a summary is never stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, WebSocket
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from hub.calls import peers
from hub.calls.bus import BusError
from hub.calls.desk import CallDesk, calls_desk
from hub.calls.peers import AlreadyEnded
from hub.calls.signalling import Close, LocalPeer
from hub.calls.tokens import new_peer_id

PATH = "/calls/v1/ws"
HELLO_SECONDS = 10.0
MAX_MESSAGE = 64 * 1024
RATE, BURST = 20.0, 100.0
TEXT_LIMIT = 500
BAD_HELLO = 4403

log = logging.getLogger("hub.calls")


@dataclass(frozen=True)
class Hello:
    call_id: str
    token: str
    role: str


@dataclass(frozen=True)
class Exit:
    reason: str  # "left" (bye), "disconnected", or "ended" (the call ended)
    code: int | None = None  # close the socket with this, if it is still open


class Bucket:
    """A token bucket: `take` is False once a socket sends faster than it may."""

    def __init__(self, rate: float = RATE, burst: float = BURST) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = burst
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


def _text(message: Mapping[str, Any]) -> str | None:
    if message.get("text") is not None:
        return str(message["text"])
    raw = message.get("bytes")
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else None


def _object(text: str | None) -> dict[str, Any] | None:
    if text is None or len(text) > MAX_MESSAGE:
        return None
    try:
        document = json.loads(text)
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def parse_hello(document: dict[str, Any] | None) -> Hello | None:
    if document is None or document.get("type") != "hello":
        return None
    call_id, token, role = document.get("call_id"), document.get("token"), document.get("role")
    if not (isinstance(call_id, str) and 0 < len(call_id) <= 32 and isinstance(token, str)
            and 0 < len(token) <= 100 and role in peers.ROLES):
        return None
    return Hello(call_id, token, str(role))


async def _read_hello(websocket: WebSocket) -> Hello | None:
    try:
        message = await asyncio.wait_for(websocket.receive(), HELLO_SECONDS)
    except TimeoutError:
        return None
    if message["type"] != "websocket.receive":
        return None
    return parse_hello(_object(_text(message)))


def relayed(document: dict[str, Any], peer: LocalPeer
            ) -> tuple[str | None, list[str] | None, dict[str, Any]] | None:
    """(target peer or None for the others, roles or None, the message to relay), or None
    if `document` is not something this peer may send."""
    kind = document.get("type")
    stamp = {"type": kind, "from": peer.peer_id, "role": peer.role}
    if kind == "signal":
        to, data = document.get("to"), document.get("data")
        if (isinstance(to, str) and isinstance(data, dict)
                and (("sdp" in data) != ("candidate" in data))):
            return to, None, {**stamp, "data": data}
        return None
    if kind in ("caption", "resident_text"):
        senders = ("advisor", "interpreter") if kind == "caption" else ("kiosk",)
        text = document.get("text")
        if peer.role not in senders or not isinstance(text, str):
            return None
        return None, None, {**stamp, "text": text[:TEXT_LIMIT],
                            "final": document.get("final") is True}
    if kind == "summary" and peer.role == "kiosk":
        service, rows = document.get("service"), document.get("rows")
        if not isinstance(service, str) or not isinstance(rows, list):
            return None
        clean = [{"label": row["label"], "value": row["value"]} for row in rows
                 if isinstance(row, dict) and isinstance(row.get("label"), str)
                 and isinstance(row.get("value"), str)]
        return None, ["advisor"], {**stamp, "service": service, "rows": clean}
    return None


async def _send(websocket: WebSocket, peer: LocalPeer) -> Exit:
    while True:
        item = await peer.outbox.get()
        if isinstance(item, Close):
            await _close(websocket, item.code)
            return Exit("ended" if peer.ended else "disconnected")
        try:
            await websocket.send_text(json.dumps(item))
        except (RuntimeError, OSError):
            return Exit("disconnected")


async def _receive(websocket: WebSocket, peer: LocalPeer, desk: CallDesk) -> Exit:
    bucket = Bucket()
    while True:
        message = await websocket.receive()
        if message["type"] != "websocket.receive":
            return Exit("disconnected")
        text = _text(message)
        if text is not None and len(text) > MAX_MESSAGE:
            return Exit("disconnected", 1009)
        if not bucket.take():
            return Exit("disconnected", 1008)
        document = _object(text)
        if document is None:
            continue
        if document.get("type") == "bye":
            return Exit("left", 1000)
        found = relayed(document, peer)
        if found is None:
            continue
        to, roles, outgoing = found
        if to is not None:
            await desk.signalling.to_peer(peer.call_id, to, outgoing)
        else:
            await desk.signalling.to_others(peer.call_id, peer.peer_id, outgoing, roles)


async def _converse(websocket: WebSocket, peer: LocalPeer, desk: CallDesk) -> Exit:
    sending = asyncio.create_task(_send(websocket, peer))
    receiving = asyncio.create_task(_receive(websocket, peer, desk))
    done, pending = await asyncio.wait({sending, receiving}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, RuntimeError, OSError, BusError):
            await task
    finished = receiving if receiving in done else sending
    try:
        return finished.result()
    except (RuntimeError, OSError, BusError) as exc:
        log.warning("call socket failed: %s", type(exc).__name__)
        return Exit("disconnected", 1011)


async def _close(websocket: WebSocket, code: int) -> None:
    with contextlib.suppress(RuntimeError, OSError):
        await websocket.close(code)


async def _welcome(websocket: WebSocket, desk: CallDesk, hello: Hello) -> LocalPeer | None:
    peer_id = new_peer_id()
    peer = desk.signalling.add(hello.call_id, peer_id, hello.role)
    try:
        joined = await run_in_threadpool(peers.join, desk.queue.engine, hello.call_id,
                                         hello.token, hello.role, peer_id, desk.clock())
    except BaseException:
        desk.signalling.remove(peer)
        raise
    if joined is None or isinstance(joined, AlreadyEnded):
        desk.signalling.remove(peer)
        if joined is None:
            await _close(websocket, BAD_HELLO)
            return None
        # A good token for a call that is over: say so, as its peers were told.
        with contextlib.suppress(RuntimeError, OSError):
            await websocket.send_text(json.dumps({"type": "call_ended", "reason": joined.reason,
                                                  "by": joined.by}))
        await _close(websocket, 1000)
        return None
    peer.welcome({"type": "welcome", "peer_id": peer_id, "role": hello.role,
                  "peers": [{"peer_id": p.peer_id, "role": p.role} for p in joined.peers],
                  "ice_servers": desk.ice.for_peer(peer_id, time.time()),
                  "ice_transport_policy": desk.ice.transport_policy},
                 [p.peer_id for p in joined.peers])
    log.info("call joined role=%s peers=%d", hello.role, len(joined.peers) + 1)
    await desk.signalling.to_others(hello.call_id, peer_id, {
        "type": "peer_joined", "peer_id": peer_id, "role": hello.role})
    return peer


async def _leave(desk: CallDesk, peer: LocalPeer, exit: Exit) -> None:
    desk.signalling.remove(peer)
    if peer.ended:
        return
    if await run_in_threadpool(peers.leave, desk.queue.engine, peer.peer_id):
        await desk.signalling.peer_left(peer.call_id, peer.peer_id, peer.role, exit.reason)


async def calls_socket(websocket: WebSocket) -> None:
    desk = calls_desk(websocket.app)
    await websocket.accept()
    hello = await _read_hello(websocket)
    if hello is None:
        await _close(websocket, BAD_HELLO)
        return
    try:
        peer = await _welcome(websocket, desk, hello)
    except (SQLAlchemyError, BusError) as exc:
        log.warning("call join failed: %s", type(exc).__name__)
        await _close(websocket, 1011)
        return
    if peer is None:
        return
    exit = await _converse(websocket, peer, desk)
    try:
        await _leave(desk, peer, exit)
    except (SQLAlchemyError, BusError) as exc:
        log.warning("call leave failed: %s", type(exc).__name__)
    if exit.code is not None:
        await _close(websocket, exit.code)


def calls_socket_router() -> APIRouter:
    router = APIRouter()
    router.add_api_websocket_route(PATH, calls_socket)
    return router
