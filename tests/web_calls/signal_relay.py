"""A TEST DOUBLE of the hub's call signalling (docs/calls.md §2.3), for testing the browser
side (kiosk/calls/web/mesh.js) before and apart from the real hub backend (hub/calls/).

It speaks the protocol as the contract writes it: `hello` checked against each call's tokens
(a wrong one closes with 4403), `welcome` with the peers already there and the ICE settings,
`peer_joined`, `signal` to one peer, `caption`/`resident_text` to every other peer, `summary`
to advisors only, each stamped with `from` and `role`; `bye` gives `peer_left` ("left"), a
dropped socket `peer_left` ("disconnected"); `end_call` sends `call_ended` and closes all.
It keeps no queue, no database and no availability: those are the hub's, tested there.

`RelayCore` knows nothing of the transport. `running_relay` puts it behind a `websockets`
server on 127.0.0.1 in a thread, which also serves the test's pages from memory so pages and
socket share one origin, as the kiosk's page and the hub do. Tests of the pages against the
real hub's signalling use tests/web_calls/real_hub.py instead.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

WS_PATH = "/calls/v1/ws"
REFUSED = 4403
RELAYED_TO_ALL = ("caption", "resident_text")
T = TypeVar("T")


class Channel(Protocol):
    async def recv(self) -> str: ...  # raises ConnectionError when the socket has closed
    async def send(self, text: str) -> None: ...
    async def close(self, code: int) -> None: ...


@dataclass
class Peer:
    peer_id: str
    role: str
    channel: Channel


@dataclass
class Room:
    tokens: dict[str, str]  # role -> token
    peers: dict[str, Peer] = field(default_factory=dict)
    ended: bool = False


def turn_credentials(secret: str, peer_id: str, ttl_seconds: int = 3600,
                     now: float | None = None) -> tuple[str, str]:
    """coturn's REST-API scheme (use-auth-secret), as docs/calls.md §2.4 gives it."""
    expiry = int((time.time() if now is None else now) + ttl_seconds)
    username = f"{expiry}:{peer_id}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode("ascii")


class RelayCore:
    """Rooms by call id; `log` keeps every message relayed, for tests to inspect."""

    def __init__(self, ice_servers: Callable[[str], list[dict[str, Any]]] = lambda _: [],
                 relay_only: bool = False, hold_sdp_seconds: float = 0.0) -> None:
        self.rooms: dict[str, Room] = {}
        self.ice_servers = ice_servers
        self.relay_only = relay_only
        # A fault to inject: offers and answers are held back this long while candidates
        # pass at once, so candidates reach a peer before the description they belong to.
        self.hold_sdp_seconds = hold_sdp_seconds
        self.log: list[dict[str, Any]] = []
        self.delivered: list[tuple[str, str]] = []  # (to peer, "sdp"|"candidate") in order
        self._held: set[asyncio.Task[None]] = set()

    def add_call(self, call_id: str, **tokens: str) -> None:
        self.rooms[call_id] = Room(dict(tokens))

    def roles_in(self, call_id: str) -> list[str]:
        return sorted(p.role for p in self.rooms[call_id].peers.values())

    async def _send(self, peer: Peer, message: dict[str, Any]) -> None:
        # A peer whose socket has gone: its own session notices and says peer_left.
        with contextlib.suppress(ConnectionError, ConnectionClosed):
            await peer.channel.send(json.dumps(message))

    async def _to_others(self, room: Room, sender: str, message: dict[str, Any],
                         roles: tuple[str, ...] | None = None) -> None:
        for peer in list(room.peers.values()):
            if peer.peer_id != sender and (roles is None or peer.role in roles):
                await self._send(peer, message)

    async def _signal(self, to: Peer, message: dict[str, Any]) -> None:
        data = message.get("data") or {}
        what = "sdp" if "sdp" in data else "candidate"
        if what == "sdp" and self.hold_sdp_seconds > 0:
            async def later() -> None:
                await asyncio.sleep(self.hold_sdp_seconds)
                self.delivered.append((to.peer_id, what))
                await self._send(to, message)

            task = asyncio.create_task(later())
            self._held.add(task)
            task.add_done_callback(self._held.discard)
            return
        self.delivered.append((to.peer_id, what))
        await self._send(to, message)

    async def end_call(self, call_id: str, reason: str, by: str) -> None:
        room = self.rooms[call_id]
        room.ended = True
        for peer in list(room.peers.values()):
            await self._send(peer, {"type": "call_ended", "reason": reason, "by": by})
            await peer.channel.close(1000)
        room.peers.clear()

    async def session(self, channel: Channel) -> None:
        """One socket from hello to bye (or drop)."""
        try:
            hello = json.loads(await channel.recv())
        except (ConnectionError, ConnectionClosed, ValueError):
            return
        room = self.rooms.get(str(hello.get("call_id")))
        role = str(hello.get("role"))
        if (hello.get("type") != "hello" or room is None or room.ended
                or not hmac.compare_digest(room.tokens.get(role, "").encode(),
                                           str(hello.get("token", "")).encode())
                or not hello.get("token")):
            await channel.close(REFUSED)
            return
        me = Peer(secrets.token_hex(6), role, channel)
        await self._send(me, {
            "type": "welcome", "peer_id": me.peer_id, "role": role,
            "peers": [{"peer_id": p.peer_id, "role": p.role} for p in room.peers.values()],
            "ice_servers": self.ice_servers(me.peer_id),
            "ice_transport_policy": "relay" if self.relay_only else "all"})
        await self._to_others(room, me.peer_id,
                              {"type": "peer_joined", "peer_id": me.peer_id, "role": role})
        room.peers[me.peer_id] = me
        reason = "disconnected"
        try:
            while True:
                message = json.loads(await channel.recv())
                kind = message.get("type")
                stamped = {**message, "from": me.peer_id, "role": role}
                self.log.append(stamped)
                if kind == "bye":
                    reason = "left"
                    break
                if kind == "signal" and message.get("to") in room.peers:
                    await self._signal(room.peers[message["to"]], stamped)
                elif kind in RELAYED_TO_ALL:
                    await self._to_others(room, me.peer_id, stamped)
                elif kind == "summary":
                    await self._to_others(room, me.peer_id, stamped, roles=("advisor",))
        except (ConnectionError, ConnectionClosed, ValueError):
            pass
        finally:
            if room.peers.pop(me.peer_id, None) is not None:
                await self._to_others(room, me.peer_id, {
                    "type": "peer_left", "peer_id": me.peer_id, "role": role, "reason": reason})
            await channel.close(1000)


class _WebsocketsChannel:
    def __init__(self, connection: ServerConnection) -> None:
        self.connection = connection

    async def recv(self) -> str:
        data = await self.connection.recv()
        return data if isinstance(data, str) else data.decode()

    async def send(self, text: str) -> None:
        await self.connection.send(text)

    async def close(self, code: int) -> None:
        await self.connection.close(code)


@dataclass
class RunningRelay:
    core: RelayCore
    base_url: str
    loop: asyncio.AbstractEventLoop
    pages: dict[str, tuple[str, str]]  # path -> (content type, body)

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://", 1) + WS_PATH

    def page(self, path: str, body: str, content_type: str = "text/html; charset=utf-8") -> str:
        """Serve `body` at `path` from now on; its full URL."""
        self.pages[path] = (content_type, body)
        return self.base_url + path

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10.0) -> T:
        """Run a coroutine on the relay's loop (e.g. `core.end_call(...)`) and wait for it."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)


@contextmanager
def running_relay(core: RelayCore) -> Iterator[RunningRelay]:
    """`core` behind a websockets server on a free 127.0.0.1 port; always stopped."""
    loop = asyncio.new_event_loop()
    pages: dict[str, tuple[str, str]] = {}
    started = threading.Event()
    stop: asyncio.Future[None] | None = None
    address: list[str] = []
    failure: list[BaseException] = []

    def respond(connection: ServerConnection, request: Request) -> Response | None:
        path = request.path.split("?")[0]
        if path == WS_PATH:
            return None
        if path not in pages:
            return connection.respond(404, "not found\n")
        content_type, body = pages[path]
        data = body.encode()
        return Response(200, "OK", Headers([("Content-Type", content_type),
                                            ("Content-Length", str(len(data))),
                                            ("Cache-Control", "no-store")]), data)

    async def handler(connection: ServerConnection) -> None:
        await core.session(_WebsocketsChannel(connection))

    async def main() -> None:
        nonlocal stop
        stop = loop.create_future()
        async with serve(handler, "127.0.0.1", 0, process_request=respond) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            address.append(f"http://127.0.0.1:{port}")
            started.set()
            await stop

    def thread_main() -> None:
        try:
            loop.run_until_complete(main())
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            failure.append(exc)
            started.set()
        finally:
            loop.close()

    thread = threading.Thread(target=thread_main, name="signal-relay", daemon=True)
    thread.start()
    if not started.wait(10) or failure or not address:
        raise RuntimeError(f"the test relay did not start: {failure}")
    try:
        yield RunningRelay(core, address[0], loop, pages)
    finally:
        assert stop is not None
        loop.call_soon_threadsafe(stop.set_result, None)
        thread.join(10)
