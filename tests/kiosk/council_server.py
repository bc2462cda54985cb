"""A third-party Open311 back office, written here and not the hub: the kind a council runs.

It behaves like servers seen in the wild rather than like the spec:

- it needs lat/long for every report, and answers a report without them with a 500 and an
  HTML debug page that quotes the submitted form back (the issue's missed-bin story);
- it answers success with one whole request object, not a list (JSON or XML);
- it refuses in Django REST style, `{"detail": "..."}`: 403 for a wrong key, 400 for an
  unknown service code;
- some services ("batch") answer with a token first; `tokens/{token}` gives no id for the
  first `token_waits` polls, then the id.

Every POST is recorded (form, headers) so tests can check what arrived.
"""

from __future__ import annotations

import itertools
import json
import threading
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qs, urlsplit

PREFIX = "/open311/v2"


@dataclass(frozen=True)
class Posted:
    form: dict[str, list[str]]
    headers: dict[str, str]
    status: int

    def one(self, name: str) -> str:
        (value,) = self.form[name]
        return value


@dataclass
class _State:
    posted: list[Posted] = field(default_factory=list)
    token_polls: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


class CouncilServer:
    """Serves {url}/requests.{json,xml} and {url}/tokens/{token}.{json,xml} on 127.0.0.1."""

    def __init__(self, *, api_key: str = "council-key",
                 services: tuple[str, ...] = ("MISSED_BIN", "STREET_PROBLEM", "FEEDBACK", "BULKY"),
                 batch: tuple[str, ...] = ("BULKY",), token_waits: int = 2) -> None:
        self.api_key = api_key
        self.services = services
        self.batch = batch
        self.token_waits = token_waits
        self._lock = threading.Lock()
        self._state = _State()
        self._ids = itertools.count(1001)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{PREFIX}"

    @property
    def posted(self) -> list[Posted]:
        with self._lock:
            return list(self._state.posted)

    def accepted(self) -> list[Posted]:
        return [p for p in self.posted if 200 <= p.status < 300]

    def __enter__(self) -> CouncilServer:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = False
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.01,),
                                        name="council-server", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()

    # --- behaviour ----------------------------------------------------------------------

    def post(self, fmt: str, form: dict[str, list[str]], headers: dict[str, str]
             ) -> tuple[int, str, bytes]:
        status, content_type, body = self._answer(fmt, form)
        with self._lock:
            self._state.posted.append(Posted(form, headers, status))
        return status, content_type, body

    def _answer(self, fmt: str, form: dict[str, list[str]]) -> tuple[int, str, bytes]:
        def first(name: str) -> str:
            return (form.get(name) or [""])[0]

        if first("api_key") != self.api_key:
            return _django(403, "Invalid API key.")
        code = first("service_code")
        if code not in self.services:
            return _django(400, "Unknown service code.")
        if not (first("lat") and first("long")):
            # What a framework's debug page looks like: it quotes the whole form back.
            return 500, "text/html; charset=utf-8", _debug_page(form)
        with self._lock:
            number = next(self._ids)
            if code in self.batch:
                token = f"tok-{number}"
                self._state.tokens[token] = f"CRM-{number}"
                self._state.token_polls[token] = 0
                request: dict[str, str] = {"token": token}
            else:
                request = {"service_request_id": f"CRM-{number}", "status": "open",
                           "service_code": code, "description": first("description")}
        return _document(fmt, request, 201)

    def token(self, token: str, fmt: str) -> tuple[int, str, bytes]:
        with self._lock:
            if token not in self._state.tokens:
                return _django(404, "Not found.")
            self._state.token_polls[token] += 1
            ready = self._state.token_polls[token] > self.token_waits
            request = {"token": token}
            if ready:
                request["service_request_id"] = self._state.tokens[token]
        return _document(fmt, request, 200, as_list=True)

    def token_polls(self, token: str) -> int:
        with self._lock:
            return self._state.token_polls.get(token, 0)


def _django(status: int, detail: str) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps({"detail": detail}).encode()


def _document(fmt: str, request: dict[str, str], status: int, *, as_list: bool = False
              ) -> tuple[int, str, bytes]:
    if fmt == "xml":
        element = ET.Element("request")
        for key, value in request.items():
            ET.SubElement(element, key).text = value
        if as_list:
            root = ET.Element("service_requests")
            root.append(element)
            element = root
        return status, "text/xml; charset=utf-8", ET.tostring(element, encoding="utf-8")
    return status, "application/json", json.dumps([request] if as_list else request).encode()


def _debug_page(form: dict[str, list[str]]) -> bytes:
    rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in form.items())
    return ("<!DOCTYPE html><html><head><title>KeyError at /open311/v2/requests.json</title>"
            "<style>body{color:red}</style></head><body><h1>KeyError: 'lat'</h1>"
            f"<table>{rows}</table><script>alert(1)</script></body></html>").encode()


def _handler_for(council: CouncilServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if path not in (f"{PREFIX}/requests.json", f"{PREFIX}/requests.xml"):
                self._reply(*_django(404, "Not found."))
                return
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            headers = {k.lower(): v for k, v in self.headers.items()}
            self._reply(*council.post(path.rsplit(".", 1)[1], form, headers))

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path.startswith(f"{PREFIX}/tokens/") and "." in path:
                stem, fmt = path[len(f"{PREFIX}/tokens/"):].rsplit(".", 1)
                self._reply(*council.token(stem, fmt))
                return
            self._reply(*_django(404, "Not found."))

        def _reply(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler
