"""A third-party Open311 back office for "Track my request" tests: not the hub, and not
quite the spec, like the servers councils run.

- A POST (`requests.json|xml`, needs the API key) is answered with a token first, as one
  whole object: `{"token": "tok-1001"}`.
- `tokens/{token}.json` answers a list without an id for the first `token_waits` polls, then
  with the id.
- `requests/{id}.json|xml` answers one whole request object (not a list), with
  mySociety's extended statuses (`in_progress`, `fixed`...) that a test sets with `update`.
- Refusals are Django REST style: `{"detail": "Not found."}` (404), `{"detail": "..."}`
  (403 for a wrong key on reads, when `key_for_reads`).
- `fault` makes every GET fail: "html" (a 502 HTML page), "slow" (answers after
  `slow_seconds`), "garbage" (200 with a body that is no request), "django500".

Every GET is counted per path, so tests can see what the hub's cache saved.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

PREFIX = "/open311/v2"
Answer = tuple[int, str, bytes]


@dataclass
class Request:
    service_request_id: str
    service_code: str
    status: str = "open"
    status_notes: str = ""
    requested: str = "2026-04-03T09:30:00+01:00"
    updated: str = "2026-04-03T09:30:00+01:00"
    form: dict[str, list[str]] = field(default_factory=dict)


class TrackCouncil:
    def __init__(self, *, api_key: str = "county-key", token_waits: int = 1,
                 key_for_reads: bool = False, slow_seconds: float = 3.0) -> None:
        self.api_key = api_key
        self.token_waits = token_waits
        self.key_for_reads = key_for_reads
        self.slow_seconds = slow_seconds
        self.fault: str | None = None
        self.requests: dict[str, Request] = {}
        self.tokens: dict[str, str] = {}
        self.token_polls: Counter[str] = Counter()
        self.gets: Counter[str] = Counter()
        self.queries: list[dict[str, list[str]]] = []
        self._ids = itertools.count(1001)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{PREFIX}"

    def __enter__(self) -> TrackCouncil:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.01,),
                                        name="track-council", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()

    # --- what tests do ---------------------------------------------------------------------

    def add(self, service_code: str = "MISSED_BIN", *, token: bool = True) -> tuple[str, str]:
        """A request as if posted: (its id, its token, or "" without one)."""
        with self._lock:
            number = next(self._ids)
            remote_id = f"CRM-{number}"
            self.requests[remote_id] = Request(remote_id, service_code)
            handle = f"tok-{number}" if token else ""
            if token:
                self.tokens[handle] = remote_id
        return remote_id, handle

    def update(self, remote_id: str, status: str, notes: str = "",
               updated: str = "2026-04-05T14:00:00+01:00") -> None:
        with self._lock:
            request = self.requests[remote_id]
            request.status, request.status_notes, request.updated = status, notes, updated

    def posted(self) -> list[Request]:
        with self._lock:
            return [r for r in self.requests.values() if r.form]

    # --- answers ---------------------------------------------------------------------------

    def post(self, form: dict[str, list[str]]) -> Answer:
        if (form.get("api_key") or [""])[0] != self.api_key:
            return _django(403, "Invalid API key.")
        code = (form.get("service_code") or [""])[0]
        remote_id, token = self.add(code)
        with self._lock:
            self.requests[remote_id].form = form
        return 201, "application/json", json.dumps({"token": token}).encode()

    def get(self, path: str, query: dict[str, list[str]]) -> Answer:
        with self._lock:
            self.gets[path] += 1
            self.queries.append(query)
            fault = self.fault
        if fault == "slow":
            time.sleep(self.slow_seconds)
        elif fault == "html":
            return 502, "text/html", b"<!DOCTYPE html><html><body><h1>Bad gateway</h1></body></html>"
        elif fault == "garbage":
            return 200, "application/json", b'{"hello": ["world"]}'
        elif fault == "django500":
            return _django(500, "Server error.")
        if self.key_for_reads and (query.get("api_key") or [""])[0] != self.api_key:
            return _django(403, "Authentication credentials were not provided.")
        if path.startswith(f"{PREFIX}/tokens/"):
            return self._token(path[len(f"{PREFIX}/tokens/"):])
        if path.startswith(f"{PREFIX}/requests/"):
            return self._request(path[len(f"{PREFIX}/requests/"):])
        return _django(404, "Not found.")

    def _token(self, name: str) -> Answer:
        token, _, _fmt = name.rpartition(".")
        with self._lock:
            if token not in self.tokens:
                return _django(404, "Not found.")
            self.token_polls[token] += 1
            answer = {"token": token}
            if self.token_polls[token] > self.token_waits:
                answer["service_request_id"] = self.tokens[token]
        return 200, "application/json", json.dumps([answer]).encode()

    def _request(self, name: str) -> Answer:
        remote_id, _, fmt = name.rpartition(".")
        with self._lock:
            request = self.requests.get(remote_id)
            if request is None:
                return _django(404, "Not found.")
            document = {"service_request_id": remote_id,
                        "status": request.status, "status_notes": request.status_notes,
                        "service_name": "Missed bin (county)", "service_code": request.service_code,
                        "requested_datetime": request.requested,
                        "updated_datetime": request.updated, "address": "", "media_url": None}
        if fmt == "xml":
            element = ET.Element("request")
            for key, value in document.items():
                ET.SubElement(element, key).text = "" if value is None else str(value)
            return 200, "text/xml; charset=utf-8", ET.tostring(element, encoding="utf-8")
        return 200, "application/json", json.dumps(document).encode()


def _django(status: int, detail: str) -> Answer:
    return status, "application/json", json.dumps({"detail": detail}).encode()


def _handler_for(council: TrackCouncil) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if path not in (f"{PREFIX}/requests.json", f"{PREFIX}/requests.xml"):
                self._reply(*_django(404, "Not found."))
                return
            self._reply(*council.post(parse_qs(body.decode("utf-8"), keep_blank_values=True)))

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            self._reply(*council.get(parts.path, parse_qs(parts.query)))

        def _reply(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
