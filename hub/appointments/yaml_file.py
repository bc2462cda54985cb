"""Read IT's appointments file (YAML): sites, appointment types and slot templates.

Every problem is collected, each naming the file, the entry's path and what was expected
(`appointments.yaml: templates[2].opens: expected a time in quotes like "09:30", found 570`),
so one run lists everything to fix; `AppointmentFileError` carries them all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from hub.appointments.catalog import AppointmentKind, Catalog, LocalText, Site
from hub.appointments.slots import MINUTES_PER_DAY, Template

_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}$")
_TIME = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])$")
_BREAK = re.compile(r"^\s*(\S+)\s*-\s*(\S+)\s*$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SITE_KEYS = {"name", "address", "closed"}
TYPE_KEYS = {"name", "description", "bring", "minutes"}
TEMPLATE_KEYS = {"site", "type", "weekdays", "opens", "closes", "slot_minutes", "capacity",
                 "breaks", "valid_from", "valid_to", "closed"}
MAX_CAPACITY = 50
MAX_MINUTES = 480


class AppointmentFileError(Exception):
    """The file cannot be loaded; `problems` lists every reason, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class _Reader:
    name: str
    problems: list[str] = field(default_factory=list)

    def fail(self, where: str, expected: str, found: object = None) -> None:
        shown = "" if found is None else f", found {found!r}"
        self.problems.append(f"{self.name}: {where}: expected {expected}{shown}")

    def mapping(self, where: str, value: object) -> dict[Any, Any]:
        if isinstance(value, dict):
            return value
        self.fail(where, "a mapping of names to values", value)
        return {}

    def keys(self, where: str, entry: Mapping[Any, Any], allowed: set[str]) -> None:
        for key in entry:
            if key not in allowed:
                self.fail(f"{where}.{key}", f"one of {', '.join(sorted(allowed))} (is it misspelt?)")

    def identifier(self, where: str, value: object) -> str | None:
        if isinstance(value, str) and _ID.match(value):
            return value
        self.fail(where, "an id of lower-case letters, digits and dashes, like central-library",
                  value)
        return None

    def text(self, where: str, value: object, limit: int) -> str:
        if isinstance(value, str) and value.strip() and len(value) <= limit:
            return value.strip()
        self.fail(where, f"text of 1 to {limit} characters", value)
        return ""

    def local_text(self, where: str, value: object, limit: int = 500) -> LocalText:
        texts = {}
        for language, text in self.mapping(where, value).items():
            if not isinstance(language, str) or not _LANGUAGE.match(language):
                self.fail(f"{where}.{language}", "a language code like en or cy")
                continue
            texts[language] = self.text(f"{where}.{language}", text, limit)
        if isinstance(value, dict) and "en" not in texts:
            self.fail(f"{where}.en", "an English text (the one shown when a language lacks one)")
        return LocalText(texts)

    def number(self, where: str, value: object, low: int, high: int) -> int:
        if isinstance(value, int) and not isinstance(value, bool) and low <= value <= high:
            return value
        self.fail(where, f"a whole number from {low} to {high}", value)
        return low

    def time(self, where: str, value: object) -> int:
        match = _TIME.match(value) if isinstance(value, str) else None
        minutes = int(match.group(1)) * 60 + int(match.group(2)) if match else -1
        if 0 <= minutes <= MINUTES_PER_DAY:
            return minutes
        self.fail(where, 'a time in quotes like "09:30" (unquoted, YAML reads 9:30 as a '
                  "number)", value)
        return 0

    def day(self, where: str, value: object) -> date | None:
        if value is None:
            return None
        if isinstance(value, date):
            return value
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            self.fail(where, "a date like 2026-12-25", value)
            return None

    def days(self, where: str, value: object) -> frozenset[date]:
        if value is None:
            return frozenset()
        if not isinstance(value, list):
            self.fail(where, "a list of dates like [2026-12-25, 2026-12-26]", value)
            return frozenset()
        found = (self.day(f"{where}[{i}]", item) for i, item in enumerate(value))
        return frozenset(d for d in found if d is not None)


def _sites(reader: _Reader, raw: object) -> tuple[dict[str, Site], dict[str, frozenset[date]]]:
    sites, closed = {}, {}
    for site_id, entry in reader.mapping("sites", raw).items():
        where = f"sites.{site_id}"
        if reader.identifier(where, site_id) is None:
            continue
        entry = reader.mapping(where, entry)
        reader.keys(where, entry, SITE_KEYS)
        sites[site_id] = Site(site_id, reader.local_text(f"{where}.name", entry.get("name"), 200),
                              reader.text(f"{where}.address", entry.get("address"), 300))
        closed[site_id] = reader.days(f"{where}.closed", entry.get("closed"))
    if not sites:
        reader.fail("sites", "at least one site")
    return sites, closed


def _types(reader: _Reader, raw: object) -> dict[str, AppointmentKind]:
    types = {}
    for type_id, entry in reader.mapping("types", raw).items():
        where = f"types.{type_id}"
        if reader.identifier(where, type_id) is None:
            continue
        entry = reader.mapping(where, entry)
        reader.keys(where, entry, TYPE_KEYS)
        types[type_id] = AppointmentKind(
            type_id, reader.local_text(f"{where}.name", entry.get("name"), 200),
            reader.local_text(f"{where}.description", entry.get("description")),
            reader.local_text(f"{where}.bring", entry.get("bring")),
            reader.number(f"{where}.minutes", entry.get("minutes"), 5, MAX_MINUTES))
    if not types:
        reader.fail("types", "at least one appointment type")
    return types


def _weekdays(reader: _Reader, where: str, value: object) -> frozenset[int]:
    names = value if isinstance(value, list) else []
    found = {WEEKDAYS.index(str(n).lower()[:3]) for n in names
             if str(n).lower()[:3] in WEEKDAYS}
    if not names or len(found) != len(names):
        reader.fail(where, "a list of days like [mon, tue, wed]", value)
    return frozenset(found)


def _breaks(reader: _Reader, where: str, value: object) -> tuple[tuple[int, int], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.fail(where, 'a list of times like ["12:30-13:30"]', value)
        return ()
    found = []
    for index, item in enumerate(value):
        match = _BREAK.match(item) if isinstance(item, str) else None
        if match is None:
            reader.fail(f"{where}[{index}]", 'a break like "12:30-13:30"', item)
            continue
        start = reader.time(f"{where}[{index}]", match.group(1))
        end = reader.time(f"{where}[{index}]", match.group(2))
        if end <= start:
            reader.fail(f"{where}[{index}]", "a break that ends after it starts", item)
        found.append((start, end))
    return tuple(sorted(found))


def _template(reader: _Reader, where: str, entry: Mapping[Any, Any], sites: Mapping[str, Site],
              closed: Mapping[str, frozenset[date]], types: Mapping[str, AppointmentKind]
              ) -> Template:
    reader.keys(where, entry, TEMPLATE_KEYS)
    site, type_id = entry.get("site"), entry.get("type")
    if site not in sites:
        reader.fail(f"{where}.site", f"one of the sites: {', '.join(sites) or 'none'}", site)
    if type_id not in types:
        reader.fail(f"{where}.type", f"one of the types: {', '.join(types) or 'none'}", type_id)
    kind = types.get(str(type_id))
    opens = reader.time(f"{where}.opens", entry.get("opens"))
    closes = reader.time(f"{where}.closes", entry.get("closes"))
    if closes <= opens:
        reader.fail(f"{where}.closes", "a time after opens")
    slot = reader.number(f"{where}.slot_minutes", entry.get("slot_minutes", kind.minutes if kind
                                                            else 30), 5, MAX_MINUTES)
    breaks = _breaks(reader, f"{where}.breaks", entry.get("breaks"))
    if any(start < opens or end > closes for start, end in breaks):
        reader.fail(f"{where}.breaks", "breaks between opens and closes")
    valid_from = reader.day(f"{where}.valid_from", entry.get("valid_from"))
    valid_to = reader.day(f"{where}.valid_to", entry.get("valid_to"))
    if valid_from and valid_to and valid_to < valid_from:
        reader.fail(f"{where}.valid_to", "a date on or after valid_from")
    template = Template(
        site=str(site), type=str(type_id),
        weekdays=_weekdays(reader, f"{where}.weekdays", entry.get("weekdays")),
        opens=opens, closes=closes, slot_minutes=slot,
        capacity=reader.number(f"{where}.capacity", entry.get("capacity", 1), 1, MAX_CAPACITY),
        breaks=breaks, valid_from=valid_from, valid_to=valid_to,
        closed=reader.days(f"{where}.closed", entry.get("closed")) | closed.get(str(site),
                                                                               frozenset()))
    if closes > opens and not any(True for _ in template.wall_times()):
        reader.fail(where, "opening hours with room for at least one slot")
    return template


def _overlap(a: Template, b: Template) -> bool:
    """Two templates of one site and type that could both apply to one day."""
    starts_before_end = (a.valid_from is None or b.valid_to is None or a.valid_from <= b.valid_to)
    ends_after_start = (a.valid_to is None or b.valid_from is None or a.valid_to >= b.valid_from)
    return bool(a.weekdays & b.weekdays) and starts_before_end and ends_after_start


def parse_document(document: object, name: str) -> Catalog:
    reader = _Reader(name)
    top = reader.mapping("(top level)", document)
    reader.keys("(top level)", top, {"sites", "types", "templates"})
    sites, closed = _sites(reader, top.get("sites"))
    types = _types(reader, top.get("types"))
    templates: list[Template] = []
    raw_templates = top.get("templates")
    if not isinstance(raw_templates, list) or not raw_templates:
        reader.fail("templates", "a list of slot templates (site, type, weekdays, opens, ...)")
        raw_templates = []
    for index, entry in enumerate(raw_templates):
        where = f"templates[{index}]"
        template = _template(reader, where, reader.mapping(where, entry), sites, closed, types)
        for other_index, other in enumerate(templates):
            if (other.site, other.type) == (template.site, template.type) \
                    and _overlap(other, template):
                reader.fail(where, f"days and dates that templates[{other_index}] (same site "
                            "and type) does not cover: give them different weekdays or "
                            "valid_from/valid_to")
        templates.append(template)
    if reader.problems:
        raise AppointmentFileError(reader.problems)
    return Catalog(sites, types, tuple(templates))


def read_file(path: Path) -> Catalog:
    """The catalogue in `path`, or AppointmentFileError naming every problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise AppointmentFileError([f"{path}: cannot be read ({exc})"]) from None
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" at line {mark.line + 1}" if mark is not None else ""
        raise AppointmentFileError([f"{path}: is not YAML{line}: "
                                    f"{getattr(exc, 'problem', None) or exc}"]) from None
    return parse_document(document, str(path))
