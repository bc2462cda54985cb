"""A council's Open311 server on 127.0.0.1 for the catalogue import tests: it serves a
service list and definitions written in the style of public UK examples (FixMyStreet and
open311-adapter: groups, automated fields, `disable_message`, list keys with spaces, numbers
for codes), answers any path with a scripted reply (HTML error pages, 500s, huge bodies,
answers that never come), and takes `POST requests.json`, refusing a request whose
`service_code` or `attribute[...]` values its definitions do not allow, as a back office does.

    with CouncilOpen311(uk_council_documents()) as council:
        ...council.url...          # the endpoint, e.g. http://127.0.0.1:PORT/open311/v2
        council.received           # the POSTs, parsed
"""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

PREFIX = "/open311/v2"
JSON = "application/json; charset=utf-8"
XML = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class Page:
    """One scripted answer to a GET."""

    body: bytes = b""
    status: int = 200
    content_type: str = JSON
    length: bool = True  # send Content-Length (False: the body ends when the connection does)
    hold: bool = False  # never answer (until the server stops)
    repeat: int = 1  # send the body this many times (a huge answer without building it)

    @classmethod
    def json(cls, value: Any, status: int = 200) -> Page:
        return cls(json.dumps(value).encode(), status)

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = JSON) -> Page:
        return cls(text.encode(), status, content_type)


@dataclass(frozen=True)
class Received:
    path: str
    form: dict[str, list[str]]

    def one(self, name: str) -> str:
        (value,) = self.form[name]
        return value


@dataclass
class _State:
    pages: dict[str, Page]
    definitions: dict[str, list[dict[str, Any]]]
    gets: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


class CouncilOpen311:
    """`pages`: path under /open311/v2 (with suffix, no query) -> Page; anything else 404s.
    `definitions`: service code -> attributes, to check POSTed requests against."""

    def __init__(self, pages: Mapping[str, Page],
                 definitions: Mapping[str, list[dict[str, Any]]] | None = None) -> None:
        self._state = _State(dict(pages), {k: list(v) for k, v in (definitions or {}).items()})
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ids = itertools.count(1001)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start the server first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{PREFIX}"

    @property
    def gets(self) -> list[str]:
        with self._lock:
            return list(self._state.gets)

    @property
    def received(self) -> list[Received]:
        with self._lock:
            return list(self._state.received)

    def __enter__(self) -> CouncilOpen311:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        daemon=True)
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._stopping.set()
        assert self._server is not None
        assert self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # ----- what the handler asks ------------------------------------------------------------

    def page_for(self, path: str) -> Page | None:
        with self._lock:
            self._state.gets.append(path)
            return self._state.pages.get(path.removeprefix(PREFIX + "/"))

    def hold(self) -> None:
        self._stopping.wait(30.0)

    def accept(self, path: str, form: dict[str, list[str]]) -> tuple[int, Any]:
        """A back office's checks: known service, attribute keys in its lists, required ones
        present. Returns (status, Open311 body)."""
        with self._lock:
            self._state.received.append(Received(path, form))
            definitions = self._state.definitions
        code = form.get("service_code", [""])[0]
        if code not in definitions:
            return 404, [{"code": 404, "description": f"Service {code} not found"}]
        for attribute in definitions[code]:
            if str(attribute.get("variable", True)).lower() == "false" or attribute.get(
                    "automated"):
                continue
            name = f"attribute[{attribute['code']}]"
            sent = form.get(name, []) + form.get(name + "[]", [])
            if attribute.get("required") in (True, "true") and not sent:
                return 400, [{"code": 400, "description": f"{attribute['code']} is required"}]
            keys = {str(v["key"]) for v in attribute.get("values", [])}
            if keys and any(value not in keys for value in sent):
                return 400, [{"code": 400, "description": f"{attribute['code']}: not a value"}]
        if not (form.get("address_string") or form.get("lat") or form.get("address_id")):
            return 400, [{"code": 400, "description": "a location is required"}]
        return 201, [{"service_request_id": str(next(self._ids)), "service_notice": ""}]


def _handler(council: CouncilOpen311) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            page = council.page_for(path)
            if page is None:
                self._send(404, b'[{"code":404,"description":"Not found"}]', JSON, True)
                return
            if page.hold:
                council.hold()
                return
            self._send(page.status, page.body, page.content_type, page.length, page.repeat)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = parse_qs(self.rfile.read(length).decode("utf-8"), keep_blank_values=True)
            status, body = council.accept(urlsplit(self.path).path, form)
            self._send(status, json.dumps(body).encode(), JSON, True)

        def _send(self, status: int, body: bytes, content_type: str, length: bool,
                  repeat: int = 1) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            if length:
                self.send_header("Content-Length", str(len(body) * repeat))
            self.end_headers()
            try:
                for _ in range(repeat):
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the importer stopped reading a body too large: as it should

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


# ----- a council in the style of the public UK examples --------------------------------------

MISSED_BIN = [
    {"variable": True, "code": "bin_owner", "datatype": "singlevaluelist", "required": True,
     "datatype_description": "", "order": 1, "description": "Who owns the bin?",
     "values": [{"key": "council", "name": "The council"},
                {"key": "private", "name": "A private company",
                 "disable_message": "We only empty council bins. Contact the company that "
                                    "collects your bin."}]},
    {"variable": True, "code": "container", "datatype": "multivaluelist", "required": True,
     "datatype_description": "Tick all that apply", "order": 2,
     "description": "Which bins were missed?",
     "values": [{"key": "240L Black", "name": "Black bin (240 litres)"},
                {"key": "Blue-Recycling", "name": "Blue recycling box"},
                {"key": "Food & Garden", "name": "Food and garden caddy"}]},
    {"variable": False, "code": "notice", "datatype": "string", "required": False,
     "order": 3, "description": "<p>We collect missed bins within <b>2 working days</b>.</p>"},
    {"variable": True, "code": "collection_date", "datatype": "datetime", "required": True,
     "datatype_description": "datetime", "order": 4,
     "description": "When was your bin due to be collected?"},
    {"variable": True, "code": "bags", "datatype": "number", "required": False,
     "datatype_description": "Number of extra bags left out", "order": 5,
     "description": "How many extra bags were left?"},
    {"variable": True, "code": "uprn", "datatype": "string", "required": True,
     "automated": "hidden_field", "order": 6, "description": "UPRN"},
    {"variable": True, "code": "easting", "datatype": "number", "required": True,
     "automated": "server_set", "order": 7, "description": "Easting"},
    {"variable": True, "code": "northing", "datatype": "number", "required": True,
     "automated": "server_set", "order": 8, "description": "Northing"},
]

FLY_TIPPING = [
    # Keys as JSON numbers and the orders out of sequence, as some back offices send them.
    {"variable": True, "code": "size", "datatype": "singlevaluelist", "required": True,
     "order": 2, "description": "How much has been dumped?",
     "values": [{"key": 1, "name": "A single item or bag"}, {"key": 2, "name": "A car boot load"},
                {"key": 3, "name": "A small van load or more"}]},
    {"variable": True, "code": "details", "datatype": "text", "required": False, "order": 1,
     "description": "What has been dumped?", "datatype_description": "For example, a mattress"},
    {"variable": True, "code": "vehicle_reg", "datatype": "string", "required": False,
     "order": 3, "description": "Did you see a vehicle? Give its registration number"},
]

# The spec's own invalid JSON: "service_code":001 (leading zeros) for the graffiti service.
SERVICE_LIST = """[
  {"service_code": "BIN_MISSED", "service_name": "Missed bin collection",
   "description": "Your bin was not emptied on collection day.", "metadata": true,
   "type": "realtime", "keywords": "waste_only", "groups": ["Bins and recycling", "Waste"]},
  {"service_code": "FLY_TIP", "service_name": "Fly-tipping",
   "description": "Rubbish dumped on a street, path or verge.", "metadata": "true",
   "type": "realtime", "keywords": "", "group": "Street cleaning"},
  {"service_code":001, "service_name": "Graffiti", "description": "Graffiti on a wall or sign.",
   "metadata": false, "type": "realtime", "keywords": "", "group": "Street cleaning"},
  {"service_code": "STAFF_ONLY", "service_name": "Internal inspection", "description": "",
   "metadata": false, "type": "realtime", "keywords": "staff", "group": ""},
  {"service_code": "LAMP", "service_name": "Street light not working", "description": "",
   "metadata": true, "type": "realtime", "keywords": "", "group": "Street lights"}
]"""

ERROR_PAGE = (b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head>"
              b"<body><h1>Internal Server Error</h1></body></html>")


def uk_council_pages() -> dict[str, Page]:
    return {
        "services.json": Page.text(SERVICE_LIST),
        "services/BIN_MISSED.json": Page.json({"service_code": "BIN_MISSED",
                                               "attributes": MISSED_BIN}),
        "services/FLY_TIP.json": Page.json({"service_code": "FLY_TIP",
                                            "attributes": FLY_TIPPING}),
        "services/LAMP.json": Page(ERROR_PAGE, 500, "text/html"),
        "services/LAMP.xml": Page(ERROR_PAGE, 500, "text/html"),
    }


def uk_council_definitions() -> dict[str, list[dict[str, Any]]]:
    return {"BIN_MISSED": MISSED_BIN, "FLY_TIP": FLY_TIPPING, "001": []}
