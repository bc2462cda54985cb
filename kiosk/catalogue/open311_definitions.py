"""Open311 service lists and service definitions, as the importer needs them, from whatever
shape a server sends.

GeoReport v2 documents arrive as JSON (codes as numbers, booleans as text, one element
where a list was meant) or XML (every value text, a single child where a list was meant).
Each field is normalised here to one typed value, and every problem is an `Issue` naming
the document's URL, the service code, the attribute code, what was expected and what was
found. An issue with a `fix` was normalised and the import goes on; one without stops that
service only (see docs/catalogue.md, "Importing from an Open311 server").

mySociety's extensions are read too: `groups`, `automated` (`server_set`, `hidden_field`),
`keywords` flags and a list value's `disable_message`.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import unescape
from typing import Any, Literal

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_DATATYPES = ("singlevaluelist", "multivaluelist")
Automated = Literal["server_set", "hidden_field"]
FILLED_BY_FIXMYSTREET = frozenset({"easting", "northing", "fixmystreet_id", "report_url",
                                   "closest_address", "usrn", "uprn", "latitude", "longitude"})
"""Attribute codes FixMyStreet fills from its map whether or not the server marks them
`automated`: no resident can answer "Easting", so they are never asked."""
MAX_SERVICES = 1000
MAX_ATTRIBUTES = 100
MAX_VALUES = 500
_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no", "")
_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<\s*(br|/p|/li|/div)\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class Issue:
    """One thing wrong in a server's documents. With `fix`, normalised (the import goes on);
    without, the service it names is not imported."""

    url: str
    expected: str
    found: str
    service: str | None = None
    attribute: str | None = None
    fix: str | None = None

    def __str__(self) -> str:
        where = [self.url]
        if self.service is not None:
            where.append(f"service {self.service!r}")
        if self.attribute is not None:
            where.append(f"attribute {self.attribute!r}")
        text = f"{': '.join(where)}: expected {self.expected}, found {self.found}"
        return f"{text}; {self.fix}" if self.fix else text

    @property
    def stops(self) -> bool:
        return self.fix is None


@dataclass(frozen=True)
class ServiceEntry:
    """One service in the list."""

    code: str
    name: str
    description: str
    metadata: bool
    groups: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    type: str = "realtime"


@dataclass(frozen=True)
class ListValue:
    key: str
    name: str
    disable_message: str | None = None
    """mySociety: choosing this value blocks the report, showing this message."""


@dataclass(frozen=True)
class Attribute:
    code: str
    variable: bool
    datatype: str
    required: bool
    description: str
    datatype_description: str
    order: int | None
    values: tuple[ListValue, ...] = ()
    automated: Automated | None = None
    disable_form: bool = False
    """mySociety: an information attribute that switches reporting off for the service."""

    @property
    def asked(self) -> bool:
        """A question a resident answers (not automated, not one FixMyStreet fills)."""
        return self.variable and self.automated is None \
            and self.code.lower() not in FILLED_BY_FIXMYSTREET


class _Collector:
    """Issues met while reading one document, all tagged with its URL and service."""

    def __init__(self, url: str, service: str | None = None) -> None:
        self.url = url
        self.service = service
        self.issues: list[Issue] = []

    def add(self, expected: str, found: str, *, attribute: str | None = None,
            fix: str | None = None, service: str | None = None) -> None:
        self.issues.append(Issue(self.url, expected, found, service or self.service, attribute,
                                 fix))


def plain(value: Any) -> str:
    """Server text as the kiosk shows it: tags removed (line breaks kept where they were),
    entities decoded, runs of spaces made one."""
    if not isinstance(value, str):
        return ""
    text = unescape(_TAG.sub("", _BREAK.sub("\n", value)))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _has_markup(value: Any) -> bool:
    return isinstance(value, str) and bool(_TAG.search(value))


def _code(value: Any) -> str | None:
    """A code or key as text: numbers are written as the server wrote them (`001`)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _flag(value: Any, default: bool) -> bool | None:
    """true/false in any of the ways servers write it; None for anything else."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False if text else default
    return None


def items(value: Any, child: str) -> list[Any]:
    """A list that may arrive as a list, as `{child: [...]}` or `{child: {...}}` (XML, or JSON
    written from XML), as one item, or as nothing."""
    if isinstance(value, Mapping) and set(value) == {child}:
        value = value[child]
    if value is None or value == "" or value == {}:
        return []
    return list(value) if isinstance(value, list) else [value]


def unwrap(value: Any, *names: str) -> Any:
    """`{"services": X}` -> X, through each wrapper name in turn, when present."""
    for name in names:
        if isinstance(value, Mapping) and name in value and len(value) == 1:
            value = value[name]
    return value


def _groups(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """mySociety's `groups` list, or `group` (one name, or several as CSV with quotes)."""
    found: list[str] = []
    for item in items(raw.get("groups"), "group"):
        found.append(plain(item))
    group = raw.get("group")
    if isinstance(group, str) and group.strip():
        if "," in group:
            try:
                found.extend(next(csv.reader([group], skipinitialspace=True)))
            except csv.Error:
                found.append(group)
        else:
            found.append(group)
    return tuple(dict.fromkeys(g.strip() for g in found if g and g.strip()))


def services_from(document: Any, url: str) -> tuple[list[ServiceEntry], list[Issue]]:
    """The services in a service list, in the server's order; entries that cannot be used
    are left out, each with an issue."""
    log = _Collector(url)
    raw = unwrap(document, "services")
    if isinstance(raw, Mapping) and "service" not in raw and "service_code" not in raw:
        log.add("a list of services", f"an object with {', '.join(sorted(raw)[:5]) or 'nothing'}")
        return [], log.issues
    entries = items(raw, "service")
    if len(entries) > MAX_SERVICES:
        log.add(f"at most {MAX_SERVICES} services", f"{len(entries)}",
                fix=f"only the first {MAX_SERVICES} were read")
        entries = entries[:MAX_SERVICES]
    services: list[ServiceEntry] = []
    seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        service = _service(entry, index, log)
        if service is None:
            continue
        if service.code in seen:
            log.add("each service_code once", f"{service.code!r} again (entry {index + 1}, first "
                    f"at entry {seen[service.code] + 1})", service=service.code,
                    fix="the first one was imported")
            continue
        seen[service.code] = index
        services.append(service)
    return services, log.issues


def _service(raw: Any, index: int, log: _Collector) -> ServiceEntry | None:
    where = f"entry {index + 1} of the list"
    if not isinstance(raw, Mapping):
        log.add(f"a service (an object) at {where}", type(raw).__name__)
        return None
    code = _code(raw.get("service_code"))
    if code is None:
        log.add(f"a service_code at {where}", repr(raw.get("service_code")))
        return None
    name = plain(raw.get("service_name"))
    if not name:
        log.add("a service_name", repr(raw.get("service_name")), service=code)
        return None
    description = plain(raw.get("description"))
    if not description:
        description = name
    metadata = _flag(raw.get("metadata"), False)
    if metadata is None:
        log.add("metadata true or false", repr(raw.get("metadata")), service=code,
                fix="read as true (the definition is asked for)")
        metadata = True
    keywords = tuple(k.strip().lower() for k in str(raw.get("keywords") or "").split(",")
                     if k.strip())
    return ServiceEntry(code, name, description, metadata, _groups(raw), keywords,
                        str(raw.get("type") or "realtime").strip().lower())


def attributes_from(document: Any, url: str, service_code: str
                    ) -> tuple[list[Attribute], list[Issue]]:
    """A service definition's attributes, in the order the resident is asked them."""
    log = _Collector(url, service_code)
    raw = unwrap(document, "service_definition")
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]  # some servers wrap the definition in a list, as they do requests
    if not isinstance(raw, Mapping):
        log.add("a service definition (an object)", type(raw).__name__)
        return [], log.issues
    given = _code(raw.get("service_code"))
    if given is not None and given != service_code:
        log.add(f"service_code {service_code!r}", repr(given),
                fix=f"the list's code {service_code!r} is used")
    entries = items(raw.get("attributes"), "attribute")
    if len(entries) > MAX_ATTRIBUTES:
        log.add(f"at most {MAX_ATTRIBUTES} attributes", str(len(entries)))
        return [], log.issues
    attributes: list[Attribute] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        attribute = _attribute(entry, index, log)
        if attribute is None:
            continue
        if attribute.code in seen:
            log.add("each attribute code once", f"{attribute.code!r} again",
                    attribute=attribute.code)
            continue
        seen.add(attribute.code)
        attributes.append(attribute)
    orders = [a.order for a in attributes if a.order is not None]
    if len(set(orders)) != len(orders):
        log.add("a different order for each attribute", "the same order twice",
                fix="those keep the server's sequence")
    last = max(orders, default=0) + 1
    attributes.sort(key=lambda a: a.order if a.order is not None else last)
    return attributes, log.issues


def _attribute(raw: Any, index: int, log: _Collector) -> Attribute | None:
    if not isinstance(raw, Mapping):
        log.add(f"an attribute (an object) at position {index + 1}", type(raw).__name__)
        return None
    code = _code(raw.get("code"))
    if code is None:
        log.add(f"a code for attribute {index + 1}", repr(raw.get("code")))
        return None
    variable = _flag(raw.get("variable"), True)
    if variable is None:
        log.add("variable true or false", repr(raw.get("variable")), attribute=code)
        return None
    required = _flag(raw.get("required"), False)
    if required is None:
        log.add("required true or false", repr(raw.get("required")), attribute=code)
        return None
    automated = _automated(raw.get("automated"), code, log)
    description = plain(raw.get("description"))
    hint = plain(raw.get("datatype_description"))
    for name in ("description", "datatype_description"):
        if _has_markup(raw.get(name)):
            log.add(f"{name} as plain text", "HTML tags", attribute=code,
                    fix="the tags were removed")
    datatype = str(raw.get("datatype") or "").strip().lower()
    asked = variable and automated is None and code.lower() not in FILLED_BY_FIXMYSTREET
    if asked and not description:
        log.add("a description (the question to ask)", repr(raw.get("description")),
                attribute=code)
        return None
    if asked and datatype not in DATATYPES:
        log.add(f"a datatype ({', '.join(DATATYPES)})", repr(raw.get("datatype")),
                attribute=code)
        return None
    order_raw = raw.get("order")
    order = None
    if order_raw not in (None, ""):
        try:
            order = int(str(order_raw).strip())
        except ValueError:
            log.add("order as a whole number", repr(order_raw), attribute=code,
                    fix="asked after the attributes with an order")
    values: tuple[ListValue, ...] = ()
    if asked and datatype in LIST_DATATYPES:
        listed = _values(raw.get("values"), code, log)
        if listed is None:
            return None
        values = listed
    return Attribute(code, variable, datatype, required, description, hint, order, values,
                     automated, bool(_flag(raw.get("disable_form"), False)))


def _automated(raw: Any, code: str, log: _Collector) -> Automated | None:
    text = str(raw or "").strip().lower()
    if text == "server_set":
        return "server_set"
    if text == "hidden_field":
        return "hidden_field"
    if text:
        log.add("automated server_set or hidden_field", repr(raw), attribute=code,
                fix="treated as hidden_field (not asked)")
        return "hidden_field"
    return None


def _values(raw: Any, code: str, log: _Collector) -> tuple[ListValue, ...] | None:
    entries = items(raw, "value")
    if len(entries) < 2:
        log.add("values: at least 2 choices for a list", f"{len(entries)}", attribute=code)
        return None
    if len(entries) > MAX_VALUES:
        log.add(f"values: at most {MAX_VALUES} choices", str(len(entries)), attribute=code)
        return None
    values: list[ListValue] = []
    for position, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            log.add(f"value {position}: an object with key and name", repr(entry)[:40],
                    attribute=code)
            return None
        key = _code(entry.get("key"))
        if key is None:
            log.add(f"value {position}: a key", repr(entry.get("key")), attribute=code)
            return None
        name = plain(entry.get("name"))
        if not name:
            log.add(f"value {key!r}: a name", repr(entry.get("name")), attribute=code,
                    fix="the key is shown instead")
            name = key
        disable = plain(entry.get("disable_message")) or None
        if disable is None and _flag(entry.get("disable"), False):
            disable = plain(entry.get("description")) or None
        values.append(ListValue(key, name, disable))
    keys = [v.key for v in values]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        log.add("values with different keys", f"{', '.join(map(repr, repeated))} more than once",
                attribute=code)
        return None
    return tuple(values)
