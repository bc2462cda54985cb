"""Shared by the advisor-call tests: the kiosk's and the advisor's HTTP calls, advisors
signed in to a real hub process, and a WebSocket peer that waits for messages with a
deadline (never a sleep)."""

from __future__ import annotations

import io
import json
import re
import socket
import time
from typing import Any

import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from hub import account_cli
from hub.passwords import Passwords
from tests.hub.helpers import PASSWORD
from tests.hub_server import HubProcess

CALLS = "/kiosk/v1/calls"
DEADLINE = 15.0


def new_call(client: Any, key: str, terminal: str = "kiosk-1", **fields: Any) -> Any:
    body = {"terminal": terminal, "site": "central-library", "service": "MISSED_BIN",
            "language": "en", "interpreter": None, **fields}
    return client.post(CALLS, json=body, headers={"X-Api-Key": key})


def call_status(client: Any, key: str, call_id: str, token: str) -> Any:
    return client.post(f"{CALLS}/{call_id}/status", json={"token": token},
                       headers={"X-Api-Key": key})


def end_call(client: Any, key: str, call_id: str, token: str, reason: str) -> Any:
    return client.post(f"{CALLS}/{call_id}/end", json={"token": token, "reason": reason},
                       headers={"X-Api-Key": key})


class BaseUrl(requests.Session):
    """A requests session whose paths are relative to one hub, like TestClient's."""

    def __init__(self, base_url: str) -> None:
        super().__init__()
        self.base_url = base_url

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any
                ) -> requests.Response:
        kwargs.setdefault("timeout", 30)
        return super().request(method, f"{self.base_url}{url!s}", *args, **kwargs)


def add_advisor(database_url: str, name: str, role: str = "advisor") -> None:
    assert account_cli.main(["add", name, "--role", role, "--password-stdin",
                             "--database", database_url], environ={},
                            stdin=io.StringIO(PASSWORD + "\n"),
                            passwords=Passwords.cheap_for_tests()) == 0


class Advisor:
    """An advisor signed in to a real hub process, calling the console's JSON API."""

    def __init__(self, hub: HubProcess, name: str) -> None:
        self.http = BaseUrl(hub.base_url)
        page = self.http.get("/sign-in")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        signed = self.http.post("/sign-in", allow_redirects=False, data={
            "csrf_token": token.group(1), "name": name, "password": PASSWORD, "next": "/"})
        assert signed.status_code == 303, signed.text
        start = self.http.get("/")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', start.text)
        assert csrf is not None
        self.csrf = csrf.group(1)

    def post(self, path: str, body: dict[str, Any] | None = None) -> requests.Response:
        return self.http.post(path, json=body or {}, headers={"X-CSRF-Token": self.csrf})

    def answer(self, call_id: str) -> str:
        answered = self.post(f"/advisor/calls/{call_id}/answer")
        assert answered.status_code == 200, answered.text
        token: str = answered.json()["token"]
        return token


def ws_url(hub: HubProcess) -> str:
    return hub.base_url.replace("http://", "ws://") + "/calls/v1/ws"


class Peer:
    """One participant's socket: says hello, then waits for what it expects."""

    def __init__(self, url: str, call_id: str, token: str, role: str) -> None:
        self.socket: ClientConnection = connect(url, open_timeout=DEADLINE, legacy=True)
        self.socket.send(json.dumps({"type": "hello", "call_id": call_id, "token": token,
                                     "role": role}))
        self.welcome = self.expect("welcome")
        self.peer_id: str = self.welcome["peer_id"]
        self.role = role

    def send(self, **message: Any) -> None:
        self.socket.send(json.dumps(message))

    def expect(self, kind: str, deadline: float = DEADLINE, **fields: Any) -> dict[str, Any]:
        """The next message of this type (and these fields), skipping others; those skipped
        are kept in `skipped` for the test to look at."""
        until = time.monotonic() + deadline
        self.skipped: list[dict[str, Any]] = []
        while True:
            left = until - time.monotonic()
            assert left > 0, f"no {kind} {fields} within {deadline} s; had {self.skipped}"
            message = json.loads(self.socket.recv(timeout=left))
            if message.get("type") == kind and all(message.get(k) == v for k, v in fields.items()):
                return dict(message)
            self.skipped.append(message)

    def closed_with(self, deadline: float = DEADLINE) -> int | None:
        """The close code once the hub closes the socket (messages before it are skipped)."""
        until = time.monotonic() + deadline
        try:
            while True:
                left = until - time.monotonic()
                assert left > 0, "the hub did not close the socket"
                self.socket.recv(timeout=left)
        except ConnectionClosed as closed:
            return None if closed.rcvd is None else closed.rcvd.code

    def drop(self) -> None:
        """Go away without a word, as a crashed browser or a pulled cable does."""
        self.socket.socket.shutdown(socket.SHUT_RDWR)
        self.socket.close()

    def close(self) -> None:
        self.socket.close()


def refused_hello(url: str, hello: dict[str, Any] | str) -> int | None:
    """The close code the hub answers a hello with (4403 for a wrong one)."""
    with connect(url, open_timeout=DEADLINE) as sock:
        sock.send(hello if isinstance(hello, str) else json.dumps(hello))
        try:
            while True:
                sock.recv(timeout=DEADLINE)
        except ConnectionClosed as closed:
            return None if closed.rcvd is None else closed.rcvd.code


def first_reply(url: str, hello: dict[str, Any]) -> dict[str, Any]:
    with connect(url, open_timeout=DEADLINE) as sock:
        sock.send(json.dumps(hello))
        reply: dict[str, Any] = json.loads(sock.recv(timeout=DEADLINE))
        return reply
