"""Fetch one Open311 document (the service list, a service definition) from a council's server.

Whatever the server answers becomes either a parsed document or a `FetchProblem` that says
which URL, what was expected and what came instead: a timeout, a refused connection, an HTTP
error with the server's own description, an HTML error page, a body larger than any real
service list, XML with entity declarations, or text that is not JSON even read leniently.
Nothing the server sends can make this raise anything else, or use unbounded time or memory.

JSON is asked for first (`.json`); a server that only speaks XML (the spec's required
format) is asked again with `.xml`, and either format is recognised by its content whatever
the suffix, since servers ignore the suffix more often than one would hope.
"""

from __future__ import annotations

import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import unescape
from typing import Any, Literal
from urllib.parse import quote, urlsplit

import requests

from kiosk.catalogue.open311_json import JsonProblem, read_json

Format = Literal["json", "xml"]
FORMATS: tuple[Format, ...] = ("json", "xml")

MAX_LIST_BYTES = 4 * 1024 * 1024
"""The service list: a large council's is ~200 services, well under 1 MiB."""
MAX_DEFINITION_BYTES = 1024 * 1024
_MAX_ERROR_BYTES = 64 * 1024
_MAX_XML_DEPTH = 64
_MAX_REDIRECTS = 5
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]*>")
_CHARSET = re.compile(r"charset\s*=\s*\"?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


class FetchProblem(Exception):
    """A document that could not be had. `transport`: the server could not be reached at all
    (asking again in the other format would only wait as long again)."""

    def __init__(self, url: str, expected: str, found: str, *, transport: bool = False) -> None:
        self.url = url
        self.expected = expected
        self.found = found
        self.transport = transport
        super().__init__(f"{url}: expected {expected}, found {found}")


@dataclass(frozen=True)
class Forgiven:
    """Something wrong with a document that was read anyway: what a document should be,
    what this one had, and what was made of it."""

    expected: str
    found: str
    fix: str
    url: str | None = None
    """Where, when not the document's own URL (the other format's, asked first)."""


@dataclass(frozen=True)
class Document:
    url: str
    """Where it came from, as shown to IT (never with the API key)."""
    value: Any
    """Parsed: JSON as dicts, lists and text (numbers kept as text); XML as nested dicts
    (`{"services": {"service": [...]}}`), a repeated element as a list."""
    format: Format
    forgiven: tuple[Forgiven, ...] = ()
    """What was forgiven in reading it (not valid JSON, not UTF-8, only one format)."""


def endpoint_from(url: str) -> str:
    """The endpoint's base URL from what IT typed: a URL ending in `/services.json` or
    `/discovery.xml` is cut back to the endpoint; anything but http(s) is refused."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchProblem(url, "the http:// or https:// URL of the Open311 endpoint, like "
                           "https://council.example/open311/v2", repr(url))
    if parts.query or parts.fragment:
        raise FetchProblem(url, "the endpoint's URL without ?... (give --jurisdiction-id "
                           "and --api-key as options)", repr(url))
    path = re.sub(r"/(services|discovery)(\.(json|xml))?/?$", "", parts.path).rstrip("/")
    return f"{parts.scheme}://{parts.netloc}{path}"


class Open311Client:
    """Asks one Open311 endpoint for documents. Pass a session the caller closes, or close()."""

    def __init__(self, base_url: str, *, jurisdiction_id: str | None = None,
                 api_key: str | None = None, session: requests.Session | None = None,
                 connect_timeout: float = 5.0, read_timeout: float = 20.0,
                 deadline_seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.base_url = endpoint_from(base_url)
        self._jurisdiction_id = jurisdiction_id or None
        self._api_key = api_key or None
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()
        self._session.max_redirects = _MAX_REDIRECTS
        self._timeout = (connect_timeout, read_timeout)
        self._deadline = deadline_seconds
        self._clock = clock

    def close(self) -> None:
        if self._owns_session:
            self._session.close()

    def shown_url(self, path: str, fmt: Format) -> str:
        """The URL as IT may see it: with the jurisdiction, never with the API key."""
        url = f"{self.base_url}/{path}.{fmt}"
        return f"{url}?jurisdiction_id={quote(self._jurisdiction_id)}" if self._jurisdiction_id \
            else url

    @staticmethod
    def service_path(service_code: str) -> str:
        return "services/" + quote(service_code, safe="")

    def fetch(self, path: str, what: str, *, prefer: Format = "json",
              max_bytes: int = MAX_DEFINITION_BYTES) -> Document:
        """`path` (`services`, `services/BIN`) in the preferred format, else in the other.

        `what` names the document for IT ("the list of services"). When both formats fail,
        the problem is the preferred format's, with the other's failure added.
        """
        try:
            return self.fetch_as(path, prefer, what, max_bytes)
        except FetchProblem as first:
            if first.transport:
                raise
            other: Format = "xml" if prefer == "json" else "json"
            try:
                document = self.fetch_as(path, other, what, max_bytes)
            except FetchProblem as second:
                raise FetchProblem(first.url, first.expected, f"{first.found} (and "
                                   f"{second.url}: {second.found})") from None
            note = Forgiven(first.expected, first.found, f"read {document.url} instead",
                            first.url)
            return Document(document.url, document.value, document.format,
                            (note, *document.forgiven))

    def fetch_as(self, path: str, fmt: Format, what: str, max_bytes: int) -> Document:
        url = self.shown_url(path, fmt)
        params = {"jurisdiction_id": self._jurisdiction_id, "api_key": self._api_key}
        accept = "application/json" if fmt == "json" else "text/xml, application/xml"
        started = self._clock()
        try:
            with self._session.get(f"{self.base_url}/{path}.{fmt}",
                                   params={k: v for k, v in params.items() if v},
                                   headers={"Accept": accept}, timeout=self._timeout,
                                   stream=True) as response:
                status = response.status_code
                limit = max_bytes if 200 <= status < 300 else _MAX_ERROR_BYTES
                body = self._read(response, url, limit, started, what)
                content_type = response.headers.get("Content-Type", "")
        except requests.Timeout:
            raise FetchProblem(url, f"{what} within {self._timeout[1]:g} seconds",
                               "no answer in time", transport=True) from None
        except requests.TooManyRedirects:
            raise FetchProblem(url, f"{what} after at most {_MAX_REDIRECTS} redirects",
                               "more redirects than that") from None
        except requests.ConnectionError:
            host = urlsplit(self.base_url).netloc
            raise FetchProblem(url, f"a server answering at {host}",
                               "no connection (refused, unreachable or unknown name)",
                               transport=True) from None
        except requests.RequestException as exc:
            raise FetchProblem(url, what, f"a failed request ({type(exc).__name__})") from None
        text, decoded = _decode(body, content_type)
        if not 200 <= status < 300:
            raise FetchProblem(url, f"{what} (HTTP 200)", _http_error(status, text, content_type))
        value, fmt_found, forgiven = _parse(text, content_type, url, what)
        return Document(url, value, fmt_found, (*decoded, *forgiven))

    def _read(self, response: requests.Response, url: str, limit: int, started: float,
              what: str) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchProblem(url, f"{what} of at most {limit // 1024} KiB",
                               f"{int(declared) // 1024} KiB announced")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_content(64 * 1024):
            size += len(chunk)
            if size > limit:
                raise FetchProblem(url, f"{what} of at most {limit // 1024} KiB",
                                   "more than that (the answer was cut off)")
            if self._clock() - started > self._deadline:
                raise FetchProblem(url, f"{what} within {self._deadline:g} seconds",
                                   "an answer still arriving after that", transport=True)
            chunks.append(chunk)
        return b"".join(chunks)


def _decode(body: bytes, content_type: str) -> tuple[str, tuple[Forgiven, ...]]:
    """Text as the server declared it, else UTF-8, else Windows-1252 (with a note)."""
    match = _CHARSET.search(content_type)
    declared = match.group(1).lower() if match else None
    if declared and declared not in ("utf-8", "utf8"):
        try:
            return body.decode(declared), ()
        except (LookupError, UnicodeDecodeError):
            pass
    try:
        return body.decode("utf-8"), ()
    except UnicodeDecodeError:
        return body.decode("cp1252", errors="replace"), (Forgiven(
            "UTF-8 text", "other bytes", "read as Windows-1252 (check accented letters)"),)


def _page_title(text: str) -> str:
    match = _TITLE.search(text)
    title = " ".join(unescape(_TAG.sub("", match.group(1))).split()) if match else ""
    return f"an HTML page titled {title[:80]!r}" if title else "an HTML page"


def _is_html(start: str, content_type: str) -> bool:
    return start.startswith(("<!doctype html", "<html")) or (
        "html" in content_type.lower() and not start.startswith("<?xml"))


def _http_error(status: int, text: str, content_type: str) -> str:
    """`HTTP 404` with the server's own error description when it gave one in Open311 form."""
    found = f"HTTP {status}"
    start = text.lstrip()[:200].lower()
    if _is_html(start, content_type):
        return f"{found} with {_page_title(text)}"
    try:
        value, _, _ = _parse(text, content_type, "", "")
    except FetchProblem:
        return found
    description = _error_description(value)
    return f"{found}: {description}" if description else found


def _error_description(value: Any) -> str:
    """The first `description` (and `code`) of an Open311 errors document, plain and short."""
    if isinstance(value, Mapping):
        value = value.get("errors", value)
        if isinstance(value, Mapping):
            value = value.get("error", value)
    first = value[0] if isinstance(value, list) and value else value
    if not isinstance(first, Mapping):
        return ""
    description = first.get("description")
    if not isinstance(description, str) or not description.strip():
        return ""
    words = " ".join(unescape(_TAG.sub(" ", description)).split())[:200]
    code = first.get("code")
    return f"{words} (code {code})" if isinstance(code, str) and code.strip() else words


def _parse(text: str, content_type: str, url: str, what: str) -> tuple[Any, Format,
                                                                       tuple[Forgiven, ...]]:
    start = text.lstrip().removeprefix("\ufeff")[:200].lower()
    if not start:
        raise FetchProblem(url, what, "an empty answer")
    if _is_html(start, content_type):
        raise FetchProblem(url, f"{what} as JSON or XML", _page_title(text))
    if start.startswith("<"):
        return _xml(text, url, what), "xml", ()
    try:
        read = read_json(text)
    except JsonProblem as exc:
        raise FetchProblem(url, f"{what} as JSON (line {exc.line}, column {exc.column}: "
                           f"{exc.expected})", exc.found) from None
    return read.value, "json", tuple(Forgiven("valid JSON", found, fix)
                                     for found, fix in read.forgiven)


def _xml(text: str, url: str, what: str) -> Any:
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        # Entity declarations are how XML bombs and file-reading tricks work; Open311 has none.
        raise FetchProblem(url, f"{what} as XML without a DOCTYPE or ENTITY declarations",
                           "a declaration")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line, column = exc.position
        raise FetchProblem(url, f"{what} as well-formed XML",
                           f"an XML error at line {line}, column {column + 1}") from None
    return {_local(root.tag): _element(root, 1, url, what)}


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _element(element: ET.Element, depth: int, url: str, what: str) -> Any:
    """An element as text (no children) or a dict of its children, repeated ones as lists."""
    if depth > _MAX_XML_DEPTH:
        raise FetchProblem(url, f"{what} nested at most {_MAX_XML_DEPTH} levels deep",
                           "deeper nesting")
    children = list(element)
    if not children:
        return (element.text or "").strip()
    result: dict[str, Any] = {}
    repeated: set[str] = set()
    for child in children:
        tag = _local(child.tag)
        value = _element(child, depth + 1, url, what)
        if tag in repeated:
            result[tag].append(value)
        elif tag in result:
            result[tag] = [result[tag], value]
            repeated.add(tag)
        else:
            result[tag] = value
    return result
