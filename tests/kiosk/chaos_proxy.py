"""A real HTTP proxy on 127.0.0.1 that breaks requests on purpose, between relay and hub.

Each connection carries one request (the proxy answers `Connection: close`). A `plan` picks a
fault for each request from its head (method, path, headers: the `Kiosk-Reference` header
names the row), and the proxy acts it out with real sockets:

- `pass`: forward to the upstream server and relay its answer;
- `500`, `502`, `503`: answer itself, with an HTML error page as a proxy would (503 with a
  `Retry-After` when the fault says so);
- `timeout`: take the request and never answer (until the client gives up);
- `reset_before`: read the head only, then reset the connection (RST) without a word;
- `reset_after`: forward the request, let the upstream store it, then reset instead of
  answering: the client has sent everything and hears nothing back.

Every request is logged with the fault and the (injected) clock's time.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Literal

FaultKind = Literal["pass", "500", "502", "503", "timeout", "reset_before", "reset_after"]
_HEAD_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Fault:
    kind: FaultKind = "pass"
    retry_after: int | None = None


@dataclass(frozen=True)
class Seen:
    time: float
    reference: str
    path: str
    fault: Fault


@dataclass(frozen=True)
class Head:
    method: str
    path: str
    headers: dict[str, str]  # names lower-cased

    @property
    def reference(self) -> str:
        return self.headers.get("kiosk-reference", "")


Plan = Callable[[Head], Fault]

_PAGES = {
    "500": b"<html><head><title>500 Internal Server Error</title></head><body>oops</body></html>",
    "502": b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>"
           b"502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>",
    "503": b"<html><head><title>503 Service Temporarily Unavailable</title></head></html>",
}
_REASONS = {"500": "Internal Server Error", "502": "Bad Gateway", "503": "Service Unavailable"}


class ChaosProxy:
    def __init__(self, upstream: tuple[str, int], plan: Plan,
                 clock: Callable[[], float]) -> None:
        self._upstream = upstream
        self._plan = plan
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: list[Seen] = []
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._handlers: list[threading.Thread] = []

    @property
    def url(self) -> str:
        assert self._listener is not None, "start the proxy first"
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}/open311/v2"

    @property
    def seen(self) -> list[Seen]:
        with self._lock:
            return list(self._seen)

    def __enter__(self) -> ChaosProxy:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(32)
        listener.settimeout(0.05)
        self._listener = listener
        self._thread = threading.Thread(target=self._accept, name="chaos-proxy", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        for handler in list(self._handlers):
            handler.join(10)
        if self._listener is not None:
            self._listener.close()

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            handler = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._handlers = [h for h in self._handlers if h.is_alive()] + [handler]
            handler.start()

    def _serve(self, conn: socket.socket) -> None:
        with contextlib.closing(conn):
            conn.settimeout(10)
            try:
                raw_head, rest = _read_head(conn)
            except (OSError, ValueError):
                return
            head = _parse_head(raw_head)
            fault = self._plan(head)
            with self._lock:
                self._seen.append(Seen(self._clock(), head.reference, head.path, fault))
            if fault.kind == "reset_before":
                _reset(conn)
                return
            try:
                body = _read_body(conn, rest, int(head.headers.get("content-length", "0")))
            except OSError:
                return
            if fault.kind in _PAGES:
                extra = f"Retry-After: {fault.retry_after}\r\n" if fault.retry_after else ""
                page = _PAGES[fault.kind]
                conn.sendall((f"HTTP/1.1 {fault.kind} {_REASONS[fault.kind]}\r\n"
                              f"Content-Type: text/html\r\nContent-Length: {len(page)}\r\n"
                              f"{extra}Connection: close\r\n\r\n").encode() + page)
                return
            if fault.kind == "timeout":
                # Hold the request unanswered until the client hangs up (or the test ends).
                conn.settimeout(0.05)
                while not self._stop.is_set():
                    try:
                        if conn.recv(1) == b"":
                            return
                    except TimeoutError:
                        continue
                    except OSError:
                        return
                return
            answer = self._forward(raw_head, body)
            if fault.kind == "reset_after":
                _reset(conn)
                return
            with contextlib.suppress(OSError):
                conn.sendall(answer)

    def _forward(self, raw_head: bytes, body: bytes) -> bytes:
        lines = [line for line in raw_head.split(b"\r\n")
                 if not line.lower().startswith(b"connection:")]
        request = b"\r\n".join([*lines, b"Connection: close"]) + b"\r\n\r\n" + body
        with socket.create_connection(self._upstream, timeout=10) as upstream:
            upstream.sendall(request)
            chunks = []
            while chunk := upstream.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def _read_head(conn: socket.socket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            raise ValueError("closed before the head ended")
        data += chunk
        if len(data) > _HEAD_LIMIT:
            raise ValueError("head too long")
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _read_body(conn: socket.socket, rest: bytes, length: int) -> bytes:
    body = rest
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            break
        body += chunk
    return body


def _parse_head(raw: bytes) -> Head:
    lines = raw.decode("latin-1").split("\r\n")
    method, path, _ = [*lines[0].split(" ", 2), "", ""][:3]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Head(method, path, headers)


def _reset(conn: socket.socket) -> None:
    """Close with RST (linger 0), as a crashed proxy or a middlebox would."""
    with contextlib.suppress(OSError):
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
