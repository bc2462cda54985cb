"""Reading what an Open311 back office answered, whatever shape it took.

The spec answers a POST with `service_requests/request[]` (an id or a token) and refuses with
`errors/error[]` (code and description), in XML or its JSON mapping. Servers in the wild also
send a whole request object instead of a list, Django REST's `{"detail": ...}`, RFC 7807
problem documents, `{"error": ...}`, HTML error pages from a proxy, or nothing at all. Every
shape is reduced to the same small answer: the ids, and the server's own errors as short
plain text.

Staff read those errors, so they must never carry HTML or what the resident typed: Open311
error bodies often echo the submitted form back. `Redactor` removes every value the
submission holds (and the API key) from any text kept, and `plain` strips markup, control
characters and length.
"""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

BodyKind = Literal["json", "xml", "html", "text", "empty", "unreadable"]

MAX_TEXT = 120
MAX_ERRORS = 2
_TAGS = re.compile(r"<[^>]*>", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]+")
_SPACES = re.compile(r"\s+")
_EMAIL = re.compile(r"[^\s@<>\"',;:]+@[^\s@<>\"',;:]+\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?\d[\d ()-]{8,}\d")
_TITLE = re.compile(r"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_H1 = re.compile(r"<h1[^>]*>(.*?)</h1\s*>", re.IGNORECASE | re.DOTALL)
_SCRIPT = re.compile(r"<(script|style)[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
# Keys other servers use for a message, best first.
_MESSAGE_KEYS = ("description", "detail", "message", "error_description", "title", "msg",
                 "error")
_CODE_KEYS = ("code", "error_code", "status", "type")


@dataclass(frozen=True)
class ServerAnswer:
    """What a body said: an id or a token if it held one, and the server's own errors."""

    kind: BodyKind
    remote_id: str | None = None
    token: str | None = None
    errors: tuple[tuple[str, str], ...] = ()  # (code, description), already made plain
    page_title: str | None = None  # an HTML page's title, made plain
    # The errors were read from field -> messages pairs, a shape any document can have: they
    # explain a refusal but never turn a success into one.
    guessed: bool = False

    @property
    def has_ids(self) -> bool:
        return self.remote_id is not None or self.token is not None


class Redactor:
    """Removes what the resident typed (and the API key) from any text a server sent back."""

    def __init__(self, secrets: Iterable[str]) -> None:
        values = {s.strip() for s in secrets if len(s.strip()) >= 3}
        # Longest first, so "14 High St" goes before a "14" inside it could break it up.
        ordered = sorted(values, key=len, reverse=True)
        self._pattern = (re.compile("|".join(re.escape(v) for v in ordered), re.IGNORECASE)
                         if ordered else None)

    def __call__(self, text: str) -> str:
        if self._pattern is not None:
            text = self._pattern.sub("…", text)
        text = _EMAIL.sub("[email]", text)
        return _PHONE.sub("[number]", text)


def plain(text: str, redact: Redactor | None = None, limit: int = MAX_TEXT) -> str:
    """Short plain text: no tags, entities, control characters or runs of spaces."""
    text = html.unescape(_TAGS.sub(" ", text))
    text = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()
    if redact is not None:
        text = redact(text)
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def read_answer(body: bytes | None, content_type: str, redact: Redactor) -> ServerAnswer:
    """The answer in a response body (None when the body was too large to read)."""
    if body is None:
        return ServerAnswer("unreadable")
    stripped = body.strip()
    if not stripped:
        return ServerAnswer("empty")
    media = content_type.split(";")[0].strip().lower()
    text = stripped.decode("utf-8", "replace")
    head = text[:512].lower()
    if "html" in media or "<html" in head or "<!doctype html" in head:
        return _from_html(text, redact)
    if text[0] in "[{" or media.endswith("json"):
        try:
            data = json.loads(text)
        except ValueError:
            return ServerAnswer("unreadable")
        return _from_json(data, redact)
    if text[0] == "<":
        return _from_xml(stripped, redact)
    return ServerAnswer("text", errors=(("", plain(text, redact)),))


# --- JSON -----------------------------------------------------------------------------------


def _from_json(data: object, redact: Redactor) -> ServerAnswer:
    items = _json_items(data)
    remote_id = token = None
    errors: list[tuple[str, str]] = []
    for item in items:
        remote_id = remote_id or _scalar(item.get("service_request_id"))
        token = token or _scalar(item.get("token"))
        error = _json_error(item, redact)
        if error is not None:
            errors.append(error)
    if isinstance(data, dict):
        for wrapped in _json_list(data.get("errors"), "error"):
            error = _json_error(wrapped, redact)
            if error is not None:
                errors.append(error)
        if not errors and not (remote_id or token):
            guessed = _field_errors(data, redact)
            if guessed:
                return ServerAnswer("json", errors=tuple(guessed[:MAX_ERRORS]), guessed=True)
    if remote_id or token:
        errors = []  # an id means it was accepted, whatever else the body says
    return ServerAnswer("json", remote_id, token, tuple(errors[:MAX_ERRORS]))


def _json_items(data: object) -> list[dict[str, object]]:
    """The request or error objects in a body: a list, a wrapper, or one whole object."""
    if isinstance(data, list):
        return [item for item in data if isinstance(item, dict)]
    if not isinstance(data, dict):
        return []
    for key in ("service_requests", "requests"):
        if key in data:
            return _json_list(data[key], "request")
    if "request" in data and isinstance(data["request"], dict | list):
        return _json_list(data["request"], "request")
    return [data]


def _json_list(value: object, item_key: str) -> list[dict[str, object]]:
    """A list as the Spark mapping writes it, or `{item_key: [...]}`, or one object."""
    if isinstance(value, dict) and item_key in value:
        value = value[item_key]
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return [item for item in value if isinstance(item, dict)]
    return []


def _json_error(item: dict[str, object], redact: Redactor) -> tuple[str, str] | None:
    # A request object has a "description" too (the resident's): only with a code is it an error.
    keys = _MESSAGE_KEYS if "code" in item or "error_code" in item else _MESSAGE_KEYS[1:]
    message = next((item[k] for k in keys if k in item), None)
    if isinstance(message, dict):  # {"error": {"code": ..., "message": ...}}
        return _json_error(message, redact)
    if isinstance(message, list):  # DRF field errors: {"detail": ["...", "..."]}
        message = "; ".join(str(m) for m in message if isinstance(m, str | int))
    if message is None or isinstance(message, bool) or not isinstance(message, str | int):
        return None
    code = next((item[k] for k in _CODE_KEYS if k in item and item[k] != message), "")
    code_text = "" if isinstance(code, bool) or not isinstance(code, str | int) else str(code)
    return plain(code_text, redact, 40), plain(str(message), redact)


def _field_errors(data: dict[str, object], redact: Redactor) -> list[tuple[str, str]]:
    """Django REST's validation errors, `{"lat": ["This field is required."]}`: the field as
    the code, its messages as the description."""
    found = []
    for name, messages in data.items():
        if isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
            found.append((plain(name, redact, 40), plain("; ".join(messages), redact)))
    return found


def _scalar(value: object) -> str | None:
    """Ids as text: the spec's own examples send them as numbers."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    return text[:255] or None


# --- XML and HTML ---------------------------------------------------------------------------


def _from_xml(body: bytes, redact: Redactor) -> ServerAnswer:
    # No DTDs: an entity could expand to gigabytes or point at a local file. Open311 has none.
    if b"<!DOCTYPE" in body[:1024].upper() or b"<!ENTITY" in body.upper():
        return ServerAnswer("unreadable")
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return ServerAnswer("unreadable")
    requests = [root] if root.tag == "request" else root.iter("request")
    remote_id = token = None
    for request in requests:
        remote_id = remote_id or _xml_text(request, "service_request_id")
        token = token or _xml_text(request, "token")
    if remote_id or token:
        return ServerAnswer("xml", remote_id, token)
    errors = []
    for error in root.iter("error"):
        description = _xml_text(error, "description") or (error.text or "").strip()
        if description:
            errors.append((plain(_xml_text(error, "code") or "", redact, 40),
                           plain(description, redact)))
    return ServerAnswer("xml", errors=tuple(errors[:MAX_ERRORS]))


def _xml_text(element: ET.Element, tag: str) -> str | None:
    found = element.find(tag)
    return _scalar(found.text) if found is not None and found.text else None


def _from_html(text: str, redact: Redactor) -> ServerAnswer:
    """Only a page's title (or first heading): the rest may be a debug page quoting the form."""
    text = _SCRIPT.sub(" ", text)
    match = _TITLE.search(text) or _H1.search(text)
    title = plain(match.group(1), redact, 80) if match else ""
    return ServerAnswer("html", page_title=title or None)
