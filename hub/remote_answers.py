"""Reading what another back office's Open311 server answers, in whatever shape it comes.

The spec's shape is a list of requests (JSON) or `<service_requests><request>` (XML). Servers
in the wild also send one whole request object, `{"service_requests": [...]}`,
`{"service_request": {...}}`, numbers where the spec has text, Django REST's
`{"detail": "Not found."}` for errors, or an HTML error page. Everything here is total:
any bytes give either request records (every value text) or `BadAnswer` with a short
reason that never quotes the body.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

State = Literal["received", "in_progress", "closed"]

# mySociety's extended statuses (open311-adapter, FixMyStreet), in plain words for residents.
_IN_PROGRESS = frozenset({"in_progress", "action_scheduled", "investigating", "planned",
                          "internal_referral", "in progress", "assigned", "acknowledged"})
_CLOSED = frozenset({"closed", "fixed", "duplicate", "no_further_action",
                     "not_councils_responsibility", "cancelled", "completed", "resolved"})
_WRAPPERS = ("service_requests", "service_request", "requests", "request", "results", "data")
# A record is a request only if it says which, or how it stands: anything else is not one.
_REQUEST_KEYS = frozenset({"service_request_id", "status", "token"})


class BadAnswer(Exception):
    """The answer is not a request record; `reason` is a short code, never the body."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def state_of(status: str) -> State:
    """Open311's `open`/`closed`, or an extended status, as the three a resident is told."""
    word = status.strip().lower()
    if word in _CLOSED:
        return "closed"
    if word in _IN_PROGRESS:
        return "in_progress"
    return "received"


def moment(text: str) -> datetime | None:
    """A W3C date-time; None when absent or unreadable (a bad date hides only that line)."""
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip().replace(" ", "T", 1))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed


def _text(value: Any) -> str:
    if value is None or isinstance(value, dict | list):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).strip()


def _records_from_json(document: Any) -> list[dict[str, str]]:
    for _depth in range(3):
        if isinstance(document, dict):
            if "detail" in document and not ("status" in document
                                             or "service_request_id" in document):
                raise BadAnswer("error_detail")  # Django REST Framework's error shape
            if "errors" in document or "error" in document:
                raise BadAnswer("error_document")
            wrapped = next((document[k] for k in _WRAPPERS if k in document), None)
            if wrapped is None:
                document = [document]  # one whole request object
            else:
                document = wrapped
                continue
        if isinstance(document, list):
            records = [{str(k): _text(v) for k, v in item.items()}
                       for item in document if isinstance(item, dict)]
            if any("code" in r and "description" in r and "status" not in r for r in records):
                raise BadAnswer("error_document")
            return records
        break
    raise BadAnswer("unexpected_json")


def _records_from_xml(body: bytes) -> list[dict[str, str]]:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise BadAnswer("not_json_or_xml") from None
    if root.tag == "errors":
        raise BadAnswer("error_document")
    items = [root] if root.tag == "request" else list(root)
    return [{child.tag: (child.text or "").strip() for child in item} for item in items]


def read_records(body: bytes, content_type: str) -> list[dict[str, str]]:
    """Request records from an answer's body, whatever its shape."""
    kind = content_type.split(";")[0].strip().lower()
    start = body.lstrip()[:1]
    if kind == "text/html" or body.lstrip()[:14].lower().startswith((b"<!doctype", b"<html")):
        raise BadAnswer("html_page")
    if start in (b"{", b"["):
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            raise BadAnswer("invalid_json") from None
        return _records_from_json(document)
    if start == b"<":
        return _records_from_xml(body)
    raise BadAnswer("not_json_or_xml")


def first_record(body: bytes, content_type: str) -> Mapping[str, str]:
    """The first request record; BadAnswer("no_request") when the answer holds none."""
    records = [r for r in read_records(body, content_type) if _REQUEST_KEYS & set(r)]
    if not records:
        raise BadAnswer("no_request")
    return records[0]
