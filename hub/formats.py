"""One document tree, two renderings: GeoReport v2 XML and its mechanical JSON mapping.

Handlers build plain dicts and lists once; this module turns them into XML (required by the
spec) or JSON (the "Spark" mapping of that XML), so the two can never drift apart.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Literal, TypeAlias

from fastapi import Response

Format = Literal["xml", "json"]
FORMATS: tuple[Format, ...] = ("xml", "json")
Value: TypeAlias = "str | int | float | bool | list[Value] | dict[str, Value] | None"

CONTENT_TYPES: dict[Format, str] = {
    "xml": "text/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
}
MIME_TYPES: dict[Format, str] = {"xml": "text/xml", "json": "application/json"}

# In XML a list is a wrapper element holding one element per item, named as the spec names it.
ITEM_TAGS = {
    "services": "service",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "service_requests": "request",
    "errors": "error",
    "service_requests_updates": "request_update",
}

# Characters XML 1.0 cannot carry at all, even escaped; dropped rather than emit a broken file.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class Open311Error(Exception):
    """A failure to report to the client as an `errors` document with this HTTP status."""

    def __init__(self, status: int, description: str, code: str | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.errors: list[tuple[str, str]] = [(code or str(status), description)]

    @classmethod
    def several(cls, status: int, errors: list[tuple[str, str]]) -> Open311Error:
        error = cls(status, errors[0][1], errors[0][0])
        error.errors = list(errors)
        return error


def parse_format(suffix: str) -> Format:
    if suffix == "xml":
        return "xml"
    if suffix == "json":
        return "json"
    raise Open311Error(400, f"Unknown format {suffix!r}: use .xml or .json", "unknown_format")


def format_of_path(path: str) -> Format:
    """The format an error should take: whatever the client asked for, else XML (required)."""
    return "json" if path.endswith(".json") else "xml"


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _fill(element: ET.Element, value: Value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list):
        item_tag = ITEM_TAGS.get(element.tag, "item")
        for item in value:
            _fill(ET.SubElement(element, item_tag), item)
    else:
        element.text = _text(value)


def to_xml(root: str, value: Value) -> bytes:
    element = ET.Element(root)
    _fill(element, value)
    body = ET.tostring(element, encoding="unicode", short_empty_elements=False)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def to_json(value: Value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def render(root: str, value: Value, fmt: Format, status: int = 200) -> Response:
    """A document as a response. In JSON the root element disappears, as the spec's mapping does."""
    body = to_xml(root, value) if fmt == "xml" else to_json(value)
    return Response(body, status_code=status, media_type=CONTENT_TYPES[fmt])


def error_response(error: Open311Error, fmt: Format) -> Response:
    errors: Value = [{"code": code, "description": text} for code, text in error.errors]
    return render("errors", errors, fmt, error.status)
