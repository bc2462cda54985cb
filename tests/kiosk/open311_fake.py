"""A loopback Open311 GeoReport v2 back office for outbox tests, with scripted faults.

Built on the stdlib so the tests exercise real HTTP (sockets, timeouts, dropped
connections) without the hub. Also home to the small helpers the outbox tests share.
"""

from __future__ import annotations

import itertools
import json
import socket
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs

from kiosk.submission import Submission

REQUESTS_PATH = "/open311/v2/requests.json"


@dataclass(frozen=True)
class Reply:
    """One scripted answer."""

    status: int = 201
    headers: tuple[tuple[str, str], ...] = ()
    delay: float = 0.0  # hold the answer this long (cut short when the fake shuts down)
    drop: bool = False  # store the request, then hang up without answering
    token: bool = False  # answer with a token instead of a service_request_id
    body: bytes | None = None  # send exactly this body instead of the usual JSON
    content_type: str = "application/json"


@dataclass(frozen=True)
class Received:
    path: str
    form: dict[str, list[str]]
    headers: dict[str, str]  # names lower-cased
    status: int | None  # None when the connection was dropped

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")

    def one(self, name: str) -> str:
        (value,) = self.form[name]
        return value


@dataclass
class _State:
    script: deque[Reply] = field(default_factory=deque)
    default: Reply = field(default_factory=Reply)
    received: list[Received] = field(default_factory=list)
    service_requests: dict[str, Received] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)


class Open311Fake:
    """Serves POST {url}/requests.json on 127.0.0.1; use as a context manager."""

    def __init__(self, *script: Reply | int, honour_idempotency: bool = True,
                 api_key: str | None = None) -> None:
        self._lock = threading.Lock()
        self._state = _State()
        self._ids = itertools.count(1)
        self._released = threading.Event()
        self.honour_idempotency = honour_idempotency
        self.api_key = api_key
        self.script(*script)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/open311/v2"

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._state.received)

    @property
    def service_requests(self) -> dict[str, Received]:
        """Remote id → the request that created it: what the council actually has."""
        with self._lock:
            return dict(self._state.service_requests)

    def stored_keys(self) -> list[str]:
        """The Idempotency-Key of every stored service request, duplicates included."""
        return [r.idempotency_key or "" for r in self.service_requests.values()]

    def script(self, *replies: Reply | int) -> None:
        with self._lock:
            self._state.script.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)

    def set_default(self, reply: Reply | int) -> None:
        """The answer once the script has run out (201 unless set)."""
        with self._lock:
            self._state.default = reply if isinstance(reply, Reply) else Reply(reply)

    def __enter__(self) -> Open311Fake:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = False  # so server_close() joins every handler thread
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.01,),
                                        name="open311-fake", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._released.set()
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()

    def _handle(self, path: str, form: dict[str, list[str]],
                headers: dict[str, str]) -> tuple[Reply, str | None]:
        with self._lock:
            reply = self._state.script.popleft() if self._state.script else self._state.default
            if path != REQUESTS_PATH:
                reply = Reply(404)
            elif self.api_key is not None and form.get("api_key") != [self.api_key]:
                reply = Reply(403)
            received = Received(path, form, headers, None if reply.drop else reply.status)
            self._state.received.append(received)
            if not (reply.drop or 200 <= reply.status < 300):
                return reply, None
            key = headers.get("idempotency-key")
            if self.honour_idempotency and key and key in self._state.by_key:
                return reply, self._state.by_key[key]
            remote_id = f"SR-{next(self._ids):05d}"
            self._state.service_requests[remote_id] = received
            if key:
                self._state.by_key.setdefault(key, remote_id)
            return reply, remote_id

    def wait_released(self, seconds: float) -> None:
        self._released.wait(seconds)


def _handler_for(fake: Open311Fake) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            form = parse_qs(body.decode(), keep_blank_values=True)
            headers = {k.lower(): v for k, v in self.headers.items()}
            reply, remote_id = fake._handle(self.path, form, headers)
            if reply.delay:
                fake.wait_released(reply.delay)
            if reply.drop:
                self.close_connection = True
                self.connection.shutdown(socket.SHUT_RDWR)
                return
            if remote_id is not None:
                key = "token" if reply.token else "service_request_id"
                payload: object = [{key: remote_id, "service_notice": ""}]
            else:  # like real back offices, echo the input back in the error
                payload = [{"code": reply.status, "description": f"rejected: {form}"}]
            data = reply.body if reply.body is not None else json.dumps(payload).encode()
            self.send_response(reply.status)
            for name, value in reply.headers:
                self.send_header(name, value)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep test output quiet

    return Handler


def make_submission(*, destination: str = "council", text: str = "pothole outside",
                    reference: str | None = None, submission_id: str | None = None,
                    attributes: dict[str, str | list[str]] | None = None) -> Submission:
    sid = submission_id or uuid.uuid4().hex
    return Submission(
        submission_id=sid,
        reference=reference or sid[:8].upper(),
        service_id="street-problem",
        service_version=1,
        created_at="2026-11-23T10:00:00+00:00",
        destination=destination,
        service_code="POTHOLE",
        attributes=attributes if attributes is not None else {
            "size": "large", "hazards": ["traffic", "children"], "details": text,
        },
        fields={"description": text, "address_string": f"1 High St, {text}",
                "email": "resident@example.org", "first_name": text, "last_name": text,
                "phone": "07700 900123"},
    )
