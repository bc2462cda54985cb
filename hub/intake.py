"""Check a POSTed service request against its service definition before anything is stored.

Pure functions over the submitted form, so every refusal is testable without a server. All
problems are reported together: a council integrator fixes a client in one round trip.
"""

from __future__ import annotations

import codecs
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import unquote_to_bytes

from hub.catalogue_export import MULTI, PART_CODE, REFERENCE_CODE, SINGLE, ServiceDefinition
from hub.formats import Open311Error

MAX_DESCRIPTION = 4000
MAX_ATTRIBUTE = 4000
MAX_REFERENCE = 64
# Column sizes, so an oversized value is a 400 the client can fix, not a database error.
MAX_FIELD = {
    "address_string": 1000, "address_id": 255, "email": 254, "phone": 64, "first_name": 255,
    "last_name": 255, "device_id": 255, "account_id": 255, "media_url": 2000,
}
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")
_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+$")

AttributeValue = str | list[str]


@dataclass
class Accepted:
    """A request that passed every check, ready to store."""

    fields: dict[str, str]
    lat: float | None
    long: float | None
    attributes: dict[str, AttributeValue]
    kiosk_reference: str | None
    kiosk_part: str = ""  # "tell us once": which part of the reference this request is


@dataclass
class _Problems:
    errors: list[tuple[str, str]] = field(default_factory=list)

    def add(self, code: str, description: str) -> None:
        self.errors.append((code, description))


def _coordinate(name: str, text: str, limit: float, problems: _Problems) -> float | None:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        problems.add(f"invalid_{name}", f"{name} must be a WGS84 number from -{limit:g} "
                     f"to {limit:g}")
        return None
    return value


def _location(form: dict[str, list[str]], service: ServiceDefinition, problems: _Problems
              ) -> tuple[float | None, float | None]:
    """GeoReport v2 requires one location in every request, whatever the service."""
    lat_text, long_text = _first(form, "lat"), _first(form, "long")
    if bool(lat_text) != bool(long_text):
        problems.add("invalid_location", "Give both lat and long, or neither")
        return None, None
    lat = _coordinate("lat", lat_text, 90, problems) if lat_text else None
    lon = _coordinate("long", long_text, 180, problems) if long_text else None
    located = bool(lat_text) or bool(_first(form, "address_string")) or bool(
        _first(form, "address_id"))
    if not located:
        problems.add("missing_location", f"Service {service.service_code} needs a location: "
                     "lat and long, address_string or address_id")
    return lat, lon


def _first(form: dict[str, list[str]], name: str) -> str:
    """A standard field's value; an empty value is the same as no value."""
    for value in form.get(name, ()):
        if value.strip():
            return value.strip()
    return ""


def _raw_attributes(form: dict[str, list[str]], problems: _Problems
                    ) -> dict[str, tuple[bool, list[str]]]:
    """code -> (sent as a list, non-empty values) from `attribute[code]` / `attribute[code][]`."""
    raw: dict[str, tuple[bool, list[str]]] = {}
    for name, values in form.items():
        if not name.startswith("attribute["):
            continue
        match = _ATTRIBUTE.match(name)
        if match is None:
            problems.add("invalid_attribute", f"{name} is not attribute[code] or "
                         "attribute[code][]")
            continue
        code, as_list = match.group(1), match.group(2) is not None
        kept = [v.strip() for v in values if v.strip()]
        was_list, before = raw.get(code, (False, []))
        raw[code] = (as_list or was_list, before + kept)
    return raw


def _check_value(code: str, datatype: str, value: str, problems: _Problems) -> None:
    if len(value) > MAX_ATTRIBUTE:
        problems.add("invalid_attribute", f"attribute[{code}] is longer than {MAX_ATTRIBUTE} "
                     "characters")
    elif datatype == "number":
        try:
            ok = Decimal(value).is_finite()
        except InvalidOperation:
            ok = False
        if not ok:
            problems.add("invalid_attribute", f"attribute[{code}] must be a number")
    elif datatype == "datetime":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            problems.add("invalid_attribute", f"attribute[{code}] must be an ISO 8601 date "
                         "or date and time")


def _attributes(form: dict[str, list[str]], service: ServiceDefinition, problems: _Problems
                ) -> dict[str, AttributeValue]:
    raw = _raw_attributes(form, problems)
    accepted: dict[str, AttributeValue] = {}
    for code, (as_list, values) in raw.items():
        definition = service.attribute(code)
        if definition is None:
            problems.add("unknown_attribute", f"Service {service.service_code} has no "
                         f"attribute {code!r}")
            continue
        if not values:
            continue
        if definition.datatype == MULTI:
            unknown = [v for v in values if v not in definition.keys]
            if unknown:
                problems.add("invalid_attribute", f"attribute[{code}][] values must be among "
                             f"{', '.join(sorted(definition.keys))} (not {unknown[0]!r})")
            accepted[code] = list(dict.fromkeys(values))
            continue
        if as_list or len(values) > 1:
            problems.add("invalid_attribute", f"attribute[{code}] takes exactly one value")
            continue
        value = values[0]
        if definition.datatype == SINGLE and value not in definition.keys:
            problems.add("invalid_attribute", f"attribute[{code}] must be one of "
                         f"{', '.join(sorted(definition.keys))} (not {value!r})")
        else:
            _check_value(code, definition.datatype, value, problems)
        accepted[code] = value
    for definition in service.attributes:
        if definition.required and not raw.get(definition.code, (False, []))[1]:
            problems.add("missing_attribute", f"attribute[{definition.code}] is required: "
                         f"{definition.description}")
    return accepted


def check_request(form: dict[str, list[str]], service: ServiceDefinition) -> Accepted:
    """The request as it will be stored, or an Open311Error (400) listing every problem."""
    problems = _Problems()
    fields = {name: _first(form, name) for name in (*MAX_FIELD, "description")}
    for name, limit in MAX_FIELD.items():
        if len(fields[name]) > limit:
            problems.add(f"invalid_{name}", f"{name} is longer than {limit} characters")
    description = fields["description"]
    if len(description) > MAX_DESCRIPTION:
        problems.add("description_too_long", f"description is {len(description)} characters; "
                     f"the limit is {MAX_DESCRIPTION}")
    if fields["email"] and not _EMAIL.match(fields["email"]):
        problems.add("invalid_email", "email is not an email address")
    lat, lon = _location(form, service, problems)
    attributes = _attributes(form, service, problems)
    reference = attributes.get(REFERENCE_CODE)
    part = attributes.get(PART_CODE)
    for code, value in ((REFERENCE_CODE, reference), (PART_CODE, part)):
        if isinstance(value, str) and len(value) > MAX_REFERENCE:
            problems.add("invalid_attribute", f"attribute[{code}] is longer than "
                         f"{MAX_REFERENCE} characters")
    if problems.errors:
        raise Open311Error.several(400, problems.errors)
    return Accepted(
        fields=fields,
        lat=lat,
        long=lon,
        attributes=attributes,
        kiosk_reference=reference if isinstance(reference, str) else None,
        kiosk_part=part if isinstance(part, str) else "",
    )


def form_lists(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """A multi-valued form as name -> values, keeping the order values were sent in."""
    form: dict[str, list[str]] = {}
    for name, value in items:
        form.setdefault(name, []).append(value)
    return form


def parse_form_body(body: bytes, charset: str | None) -> list[tuple[str, str]]:
    """An `application/x-www-form-urlencoded` body as (name, value) pairs, decoded strictly.

    UTF-8 unless the client names another charset, for raw bytes and percent-escapes alike:
    a client that sends raw UTF-8 without saying so must not have its residents' names stored
    as Latin-1 mojibake. An escape that is not % and two hex digits, or bytes that are not
    valid in the charset, are a 400: guessing would store something nobody sent.
    """
    encoding = (charset or "utf-8").strip().strip('"').lower()
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise Open311Error(400, f"Unknown charset {encoding[:40]!r}: send UTF-8",
                           "unsupported_charset") from None
    bad = _BAD_ESCAPE.search(body)
    if bad is not None:
        raise Open311Error(400, f"The body has an invalid percent-escape at byte {bad.start()}: "
                           "% must be followed by two hexadecimal digits", "invalid_encoding")
    items: list[tuple[str, str]] = []
    for pair in body.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        try:
            items.append((_decoded(name, encoding), _decoded(value, encoding)))
        except UnicodeDecodeError:
            raise Open311Error(400, f"The body is not valid {encoding.upper()} (in the field "
                               f"starting at byte {body.find(pair)}): send UTF-8, "
                               "percent-encoded", "invalid_encoding") from None
    return items


def _decoded(raw: bytes, encoding: str) -> str:
    return unquote_to_bytes(raw.replace(b"+", b" ")).decode(encoding)
