"""A council's webhook receiver on 127.0.0.1, written as a council would from our docs.

It checks `X-Kiosk-Signature` against its own copy of the secret, refuses a request whose
timestamp is more than five minutes from its clock or whose (timestamp, signature) it has
seen before (a replay), and records every report it accepts. Scripted replies let a test make
it fail the way real services do.

    with WebhookReceiver(SECRET) as receiver:
        WebhookSender(receiver.url, SECRET).send(submission)
        [delivery] = receiver.deliveries
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

MAX_SKEW = 300


@dataclass(frozen=True)
class Scripted:
    status: int
    body: bytes = b'{"id": "WH-1"}'
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0


@dataclass(frozen=True)
class Delivery:
    headers: dict[str, str]
    body: bytes
    document: dict[str, Any]


@dataclass
class Refusal:
    reason: str
    headers: dict[str, str]


@dataclass
class _State:
    deliveries: list[Delivery] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)
    script: deque[Scripted] = field(default_factory=deque)


def verify(secret: str, headers: dict[str, str], body: bytes, now: float,
           seen: set[tuple[str, str]]) -> str | None:
    """None if the request is genuine and fresh, else why not (the docs' recipe)."""
    timestamp = headers.get("x-kiosk-timestamp", "")
    given = headers.get("x-kiosk-signature", "")
    if not timestamp.isdigit() or not given.startswith("sha256="):
        return "unsigned"
    if abs(now - int(timestamp)) > MAX_SKEW:
        return "stale"
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given.removeprefix("sha256=")):
        return "bad_signature"
    if (timestamp, given) in seen:
        return "replay"
    seen.add((timestamp, given))
    return None


class WebhookReceiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self._lock = threading.Lock()
        self._state = _State()
        self._release = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/kiosk-reports"

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._state.deliveries)

    @property
    def refusals(self) -> list[str]:
        with self._lock:
            return [r.reason for r in self._state.refusals]

    def script(self, *replies: Scripted) -> None:
        with self._lock:
            self._state.script.extend(replies)

    def __enter__(self) -> WebhookReceiver:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = False
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.01,),
                                        name="webhook-receiver", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._release.set()
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()

    def handle(self, headers: dict[str, str], body: bytes) -> Scripted:
        with self._lock:
            problem = verify(self.secret, headers, body, time.time(), self._state.seen)
            if problem is not None:
                self._state.refusals.append(Refusal(problem, headers))
                return Scripted(401, json.dumps({"error": problem}).encode())
            reply = self._state.script.popleft() if self._state.script else Scripted(201)
            if 200 <= reply.status < 300:
                self._state.deliveries.append(Delivery(headers, body, json.loads(body)))
            return reply

    def wait_released(self, seconds: float) -> None:
        self._release.wait(seconds)


def _handler_for(receiver: WebhookReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply = receiver.handle(headers, body)
            if reply.delay:
                receiver.wait_released(reply.delay)
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
