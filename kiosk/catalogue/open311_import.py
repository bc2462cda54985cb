"""Turn a council's Open311 service list and definitions into catalogue service files.

Each service becomes one journey: one page per attribute the server asks for (`variable:
true`, in `order`), an information page per attribute that only tells (`variable: false`),
then the pages every report needs (where, what, how to contact the resident) from
`open311_pages.yaml`. A service with `metadata: false` is those last pages alone, with the
description required. The destination maps each attribute code to its page, so the relay
sends `service_code` and `attribute[code]` exactly as the server defined them.

The server's words become English texts (or the `language` given); a human still rewords,
translates and checks the location questions (docs/catalogue.md says what and how).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from kiosk.catalogue.model import Service
from kiosk.catalogue.open311_definitions import (
    FILLED_BY_FIXMYSTREET,
    LIST_DATATYPES,
    Attribute,
    Issue,
    ServiceEntry,
    attributes_from,
    services_from,
)
from kiosk.catalogue.open311_fetch import MAX_LIST_BYTES, FetchProblem, Format, Open311Client
from kiosk.journey.types import builtin_types
from kiosk.localtext import FALLBACK_LANGUAGE

QUESTION_TYPES = {"string": "text", "text": "textarea", "number": "number", "datetime": "date",
                  "singlevaluelist": "radios", "multivaluelist": "checkboxes"}
"""Open311 datatype -> catalogue question type."""

REFERENCE_ATTRIBUTE = "kiosk_reference"
"""The attribute the relay fills with the report's reference (a destination's default
`reference_attribute`)."""
SKIPPED_KEYWORDS = {"inactive": "marked inactive on the server",
                    "staff": "for council staff only (keyword staff)"}
_OPTION_VALUE = re.compile(r"^[A-Za-z0-9_-]+$")
_LONG_LABEL = 120


@dataclass(frozen=True)
class ImportOptions:
    destination: str = "council"
    """The profile's destination the services are sent to."""
    language: str = FALLBACK_LANGUAGE
    """The language the server's texts are in."""


@dataclass(frozen=True)
class ImportedService:
    entry: ServiceEntry
    service_id: str
    document: dict[str, Any]
    source: str
    """The URL the service's questions came from."""
    notes: tuple[str, ...] = ()
    """What a human should look at in this service (also written at the top of its file)."""


@dataclass
class ImportReport:
    services: list[ImportedService] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(service code, why) for services deliberately left out."""
    format: Format = "json"

    @property
    def failed(self) -> list[str]:
        """Codes of services not imported because of a problem in the server's documents."""
        return list(dict.fromkeys(i.service or "(the list)" for i in self.issues if i.stops))


@cache
def common_pages() -> dict[str, Any]:
    """The shared pages and texts (`open311_pages.yaml`), read once."""
    path = Path(__file__).with_name("open311_pages.yaml")
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def import_open311(client: Open311Client, options: ImportOptions) -> ImportReport:
    """Everything the server offers, as catalogue documents. A FetchProblem for the service
    list itself is raised; a problem with one service leaves that service out."""
    listing = client.fetch("services", "the list of services", max_bytes=MAX_LIST_BYTES)
    report = ImportReport(format=listing.format)
    report.issues.extend(Issue(f.url or listing.url, f.expected, f.found, fix=f.fix)
                         for f in listing.forgiven)
    entries, issues = services_from(listing.value, listing.url)
    report.issues.extend(issues)
    taken: set[str] = set()
    unreachable: FetchProblem | None = None  # once the server stops answering, stop asking
    for position, entry in enumerate(entries, start=1):
        flagged = [SKIPPED_KEYWORDS[k] for k in entry.keywords if k in SKIPPED_KEYWORDS]
        if flagged:
            report.skipped.append((entry.code, flagged[0]))
            continue
        attributes: list[Attribute] = []
        source = listing.url
        if entry.metadata:
            path = client.service_path(entry.code)
            what = f"the definition of service {entry.code!r}"
            if unreachable is not None:
                report.issues.append(Issue(client.shown_url(path, listing.format), what,
                                           f"not asked: {unreachable.url} gave "
                                           f"{unreachable.found}", entry.code))
                continue
            try:
                definition = client.fetch(path, what, prefer=listing.format)
            except FetchProblem as exc:
                report.issues.append(Issue(exc.url, exc.expected, exc.found, entry.code))
                unreachable = exc if exc.transport else None
                continue
            source = definition.url
            report.issues.extend(Issue(f.url or definition.url, f.expected, f.found, entry.code,
                                       fix=f.fix) for f in definition.forgiven)
            attributes, issues = attributes_from(definition.value, definition.url, entry.code)
            report.issues.extend(issues)
            if any(i.stops for i in issues):
                continue
        try:
            imported = build_service(entry, attributes, position, options, taken, source)
        except ServiceRefused as refused:
            report.issues.append(refused.issue)
            continue
        report.services.append(imported)
    return report


class ServiceRefused(Exception):
    """A service the importer cannot turn into a journey; `issue` says why."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(str(issue))
        self.issue = issue


def _slug(text: str, allowed: str, joiner: str, prefix: str) -> str:
    slug = re.sub(f"[^{allowed}]+", joiner, text.lower()).strip(joiner)[:40].strip(joiner)
    return slug if slug[:1].isalpha() else f"{prefix}{joiner}{slug}".strip(joiner)


def _unique(base: str, taken: set[str], joiner: str) -> str:
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}{joiner}{number}", number + 1
    taken.add(candidate)
    return candidate


def _same_words(one: str, other: str) -> bool:
    def words(text: str) -> str:
        return " ".join(re.findall(r"\w+", text.casefold()))

    return words(one) == words(other)


class _Builder:
    """One service's document, put together page by page."""

    def __init__(self, entry: ServiceEntry, options: ImportOptions, source: str) -> None:
        self.entry = entry
        self.source = source
        self.text: Callable[[str], dict[str, str]] = (
            (lambda words: {FALLBACK_LANGUAGE: words}) if options.language == FALLBACK_LANGUAGE
            else (lambda words: {FALLBACK_LANGUAGE: words, options.language: words}))
        self.common = common_pages()
        self.shared_ids = frozenset(p["id"] for p in self.common["pages"])
        self.page_ids = {"check_answers", *self.shared_ids}
        self.exit_ids: set[str] = set()
        self.pages: list[dict[str, Any]] = []
        self.exits: list[dict[str, Any]] = []
        self.attributes: dict[str, str] = {}
        self.values: dict[str, dict[str, str]] = {}
        self.notes: list[str] = []

    def refuse(self, attribute: Attribute, expected: str, found: str) -> ServiceRefused:
        return ServiceRefused(Issue(self.source, expected, found, self.entry.code, attribute.code))

    def add(self, attribute: Attribute) -> None:
        code = attribute.code
        needed = "; the server marks it required: map it by hand (docs/catalogue.md) or " \
            "the server may refuse reports" if attribute.required else ""
        if attribute.automated == "server_set":
            self.notes.append(f"attribute {code!r} (automated: server_set) is not asked: the "
                              "server fills it")
            return
        if attribute.automated == "hidden_field" and code == REFERENCE_ATTRIBUTE:
            self.notes.append(f"attribute {code!r} (automated: hidden_field) is not asked: the "
                              "relay sends the report's reference in it (the destination's "
                              "reference_attribute)")
            return
        if attribute.automated == "hidden_field":
            self.notes.append(f"attribute {code!r} (automated: hidden_field) is not asked: "
                              f"FixMyStreet fills it, the kiosk sends nothing for it{needed}")
            return
        if attribute.variable and code.lower() in FILLED_BY_FIXMYSTREET:
            self.notes.append(f"attribute {code!r} is not asked: no resident can answer it "
                              f"(FixMyStreet fills it from its map){needed}")
            return
        if not attribute.variable:
            self._information(attribute)
            return
        base = _slug(code, "a-z0-9", "_", "q")
        page_id = _unique(base, self.page_ids, "_")
        self.attributes[code] = page_id
        if base in self.shared_ids:
            self.notes.append(f"attribute {code!r} (page {page_id!r}) may ask what the shared "
                              f"page {base!r} asks: keep one, and map the attribute to it")
        question: dict[str, Any] = {"type": QUESTION_TYPES[attribute.datatype],
                                    "label": self.text(attribute.description)}
        hint = attribute.datatype_description
        if hint and not _same_words(hint, attribute.description) \
                and hint.strip().lower() not in (*QUESTION_TYPES, "date", "list"):
            question["hint"] = self.text(hint)
        if not attribute.required:
            question["optional"] = True
        if attribute.datatype == "number":
            question["rules"] = {"whole_number": False}
        if len(attribute.description) > _LONG_LABEL:
            self.notes.append(f"attribute {code!r}: its question is {len(attribute.description)} "
                              "characters long; reword it as one short question")
        page: dict[str, Any] = {"id": page_id, "question": question}
        if attribute.datatype in LIST_DATATYPES:
            question["options"], page["routes"] = self._options(attribute, page_id)
            if not page["routes"]:
                del page["routes"]
            if len(attribute.values) > 30:
                self.notes.append(f"attribute {code!r} offers {len(attribute.values)} choices: "
                                  "too many to read on one page; consider a lookup")
        self.pages.append(page)

    def _information(self, attribute: Attribute) -> None:
        words = [attribute.description]
        if attribute.datatype_description and not _same_words(attribute.datatype_description,
                                                              attribute.description):
            words.append(attribute.datatype_description)
        body = "\n\n".join(w for w in words if w)
        if not body:
            self.notes.append(f"attribute {attribute.code!r} (variable: false) has no text to "
                              "show: left out")
            return
        page_id = _unique(_slug(f"about_{attribute.code}", "a-z0-9", "_", "q"), self.page_ids,
                          "_")
        self.pages.append({"id": page_id, "info": {"title": self.common["info_title"],
                                                   "body": self.text(body)}})

    def _options(self, attribute: Attribute, page_id: str
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The options (value = the server's key where it can be) and a route to an exit
        page for each value with a `disable_message`."""
        options: list[dict[str, Any]] = []
        routes: list[dict[str, Any]] = []
        used: set[str] = set()
        operator = "includes" if attribute.datatype == "multivaluelist" else "equals"
        for listed in attribute.values:
            if _OPTION_VALUE.match(listed.key) and listed.key not in used:
                value = listed.key
                used.add(value)
            else:
                base = re.sub(r"[^A-Za-z0-9_-]+", "_", listed.key).strip("_")[:40] or "option"
                value = _unique(base, used, "_")
                self.values.setdefault(attribute.code, {})[value] = listed.key
            options.append({"value": value, "label": self.text(listed.name)})
            if listed.disable_message:
                exit_id = _unique(_slug(f"{page_id}_{value}_stop", "a-z0-9", "_", "q"),
                                  self.exit_ids, "_")
                self.exits.append({"id": exit_id, "title": self.common["exit_title"],
                                   "body": self.text(listed.disable_message)})
                routes.append({"when": {"answer": page_id, operator: value}, "exit": exit_id})
        return options, routes

    def document(self, service_id: str, position: int) -> dict[str, Any]:
        entry = self.entry
        asks = bool(self.attributes)
        shared = [dict(p) for p in self.common["pages"]]
        for page in shared:
            if page["id"] == "description":
                page["question"] = {**page["question"], "optional": asks}
                if asks:
                    page["question"].pop("errors", None)
        document: dict[str, Any] = {
            "id": service_id, "version": 1, "order": position * 10,
            "title": self.text(entry.name), "description": self.text(entry.description),
        }
        if entry.groups:
            document["groups"] = [self.text(g) for g in entry.groups]
        document["pages"] = [*self.pages, *shared]
        if self.exits:
            document["exits"] = self.exits
        document["check_answers"] = self.common["check_answers"]
        document["confirmation"] = self.common["confirmation"]
        destination: dict[str, Any] = {"to": "", "service_code": entry.code}
        if self.attributes:
            destination["attributes"] = self.attributes
        if self.values:
            destination["values"] = self.values
        destination["fields"] = {"address_string": ["location", "nearby_postcode"],
                                 "description": ["description"], "email": ["contact_email"],
                                 "phone": ["contact_phone"]}
        document["destination"] = destination
        return document


def build_service(entry: ServiceEntry, attributes: list[Attribute], position: int,
                  options: ImportOptions, taken: set[str], source: str) -> ImportedService:
    """One service's catalogue document, checked by the catalogue's own model."""
    builder = _Builder(entry, options, source)
    for attribute in attributes:
        if attribute.disable_form:
            raise builder.refuse(attribute, "a service residents can report",
                                 f"reports switched off by the server: {attribute.description!r}")
        builder.add(attribute)
    if not entry.metadata:
        builder.notes.append("the server asks no questions for this service (metadata: "
                             "false): the journey asks where, what and how to contact")
    service_id = _unique(_slug(entry.code, "a-z0-9", "-", "service"), taken, "-")
    document = builder.document(service_id, position)
    document["destination"]["to"] = options.destination
    try:
        Service.model_validate(document, context=builtin_types().context())
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ServiceRefused(Issue(source, "a definition the kiosk's catalogue can hold",
                             f"{where}: {first['msg']}", entry.code)) from None
    return ImportedService(entry, service_id, document, source, tuple(builder.notes))


def render(service: ImportedService, command: str, today: date) -> str:
    """The service file's text: a header saying where it came from and what a human must
    still do, then the document."""
    lines = [
        f"# Imported from {service.source} on {today.isoformat()} by `{command}`.",
        f"# Open311 service_code {service.entry.code!r}. Before residents use it:",
        "#  - reword the server's texts as plain-English questions, one short sentence each;",
        "#  - translate them (script/translations check lists each text still in one language);",
        "#  - check the location questions suit what the server needs (coordinates, a UPRN?).",
    ]
    if service.notes:
        lines.append("# Notes from the import:")
        lines.extend(f"#  - {note}" for note in service.notes)
    body = yaml.safe_dump(service.document, sort_keys=False, allow_unicode=True, width=100)
    return "\n".join(lines) + "\n" + body


def write_catalogue(report: ImportReport, folder: Path, command: str, today: date, *,
                    force: bool = False) -> list[Path]:
    """Write each imported service as `<id>.yaml` in `folder`. Without `force`, nothing is
    written if any file would be replaced (a council's edits and translations live there)."""
    if not report.services:
        return []
    paths = [folder / f"{s.service_id}.yaml" for s in report.services]
    existing = [p for p in paths if p.exists()]
    if existing and not force:
        raise FileExistsError(", ".join(str(p) for p in existing))
    folder.mkdir(parents=True, exist_ok=True)
    for service, path in zip(report.services, paths, strict=True):
        path.write_text(render(service, command, today), encoding="utf-8")
    return paths
