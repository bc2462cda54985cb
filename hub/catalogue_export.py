"""The kiosk catalogue as Open311 sees it: the service list and one definition per service.

Generated, never hand-written, so the back office always accepts exactly what the kiosk's
journeys can send. An attribute is `required` only if every journey that reaches "check
answers" passes its page and the question is not optional; otherwise a resident who took
another branch would be refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from hub.formats import Value
from kiosk.catalogue.loader import Catalogue
from kiosk.catalogue.model import CHECK_ANSWERS, Question, Service
from kiosk.journey.validation import YES_NO

LANGUAGE = "en"
REFERENCE_CODE = "kiosk_reference"
# The kiosk's delivery id of a "tell us once" part: one reference, one request per part.
PART_CODE = "kiosk_part"
SINGLE = "singlevaluelist"
MULTI = "multivaluelist"

_DATATYPES = {
    "radios": SINGLE,
    "yes_no": SINGLE,
    "checkboxes": MULTI,
    "textarea": "text",
    "number": "number",
    "date": "datetime",
}


@dataclass(frozen=True)
class AttributeDefinition:
    code: str
    variable: bool
    datatype: str
    required: bool
    datatype_description: str
    order: int
    description: str
    values: tuple[tuple[str, str], ...] = ()
    automated: str | None = None

    @property
    def keys(self) -> frozenset[str]:
        return frozenset(key for key, _ in self.values)

    def to_doc(self) -> dict[str, Value]:
        doc: dict[str, Value] = {
            "variable": self.variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description,
            "order": self.order,
            "description": self.description,
        }
        if self.automated is not None:
            doc["automated"] = self.automated
        if self.datatype in (SINGLE, MULTI):
            doc["values"] = [{"key": key, "name": name} for key, name in self.values]
        return doc


@dataclass(frozen=True)
class ServiceDefinition:
    """One Open311 service, plus what the hub needs to accept and publish its requests."""

    service_code: str
    service_name: str
    description: str
    attributes: tuple[AttributeDefinition, ...]
    notice: str
    public_fields: frozenset[str]
    keywords: str = ""
    group: str = ""

    def attribute(self, code: str) -> AttributeDefinition | None:
        for attribute in self.attributes:
            if attribute.code == code:
                return attribute
        return None

    def list_doc(self) -> dict[str, Value]:
        return {
            "service_code": self.service_code,
            "service_name": self.service_name,
            "description": self.description,
            "metadata": True,
            "type": "realtime",
            "keywords": self.keywords,
            "group": self.group,
        }

    def definition_doc(self) -> dict[str, Value]:
        return {
            "service_code": self.service_code,
            "attributes": [a.to_doc() for a in self.attributes],
        }


@dataclass(frozen=True)
class Open311Catalogue:
    services: tuple[ServiceDefinition, ...]

    def get(self, service_code: str) -> ServiceDefinition | None:
        for service in self.services:
            if service.service_code == service_code:
                return service
        return None


def _edges(service: Service) -> dict[str, frozenset[str]]:
    """Where each page can lead. Exit routes are left out: those journeys send nothing."""
    edges: dict[str, frozenset[str]] = {}
    for page in service.pages:
        targets = {r.goto for r in page.routes if r.goto is not None}
        targets.add(service.default_next(page.id))
        edges[page.id] = frozenset(targets)
    return edges


def pages_on_every_route(service: Service) -> frozenset[str]:
    """Pages on every route from the first page to check answers.

    Counting routes instead of listing them gives the same answer without the exponential
    blow-up: a page is on every route when the routes through it are all the routes there are.
    """
    edges = _edges(service)
    incoming: dict[str, list[str]] = {pid: [] for pid in edges}
    for source, targets in edges.items():
        for target in targets - {CHECK_ANSWERS}:
            incoming[target].append(source)
    start = service.pages[0].id

    @cache
    def to_end(node: str) -> int:
        if node == CHECK_ANSWERS:
            return 1
        return sum(to_end(t) for t in edges[node])

    @cache
    def from_start(node: str) -> int:
        if node == start:
            return 1
        return sum(from_start(s) for s in incoming[node])

    total = to_end(start)
    if total == 0:
        return frozenset()
    return frozenset(pid for pid in edges if from_start(pid) * to_end(pid) == total)


def _values(question: Question) -> tuple[tuple[str, str], ...]:
    if question.type == "yes_no":
        return tuple((v, v.capitalize()) for v in YES_NO)
    return tuple((o.value, o.label.get(LANGUAGE)) for o in question.options)


def define_service(service: Service, part: str = "") -> ServiceDefinition:
    """The Open311 definition of a service's destination, or of one of its deliveries
    (`part`, a delivery id: "tell us once" services are one Open311 service per delivery)."""
    destination = dict(service.mappings()).get(part)
    confirmation = service.confirmation
    if destination is None or confirmation is None:
        raise ValueError(f"service {service.id!r} sends nothing"
                         f"{f' as {part!r}' if part else ''}: it has no Open311 definition")
    everywhere = pages_on_every_route(service)
    page_order = {page.id: index for index, page in enumerate(service.pages)}
    mapped = sorted(destination.attributes.items(), key=lambda item: page_order[item[1]])
    for reserved in (REFERENCE_CODE, PART_CODE):
        if reserved in destination.attributes:
            raise ValueError(f"service {service.id!r}: attribute code {reserved!r} is reserved")
    attributes = []
    for order, (code, page_id) in enumerate(mapped, start=1):
        question = service.page(page_id).question
        attributes.append(AttributeDefinition(
            code=code,
            variable=True,
            datatype=_DATATYPES.get(question.type, "string"),
            required=not question.optional and page_id in everywhere,
            datatype_description=question.hint.get(LANGUAGE) if question.hint else "",
            order=order,
            description=question.label.get(LANGUAGE),
            values=_values(question),
        ))
    attributes.append(AttributeDefinition(
        code=REFERENCE_CODE,
        variable=False,
        datatype="string",
        required=False,
        datatype_description="",
        order=len(attributes) + 1,
        description="Reference printed on the kiosk receipt",
        automated="hidden_field",
    ))
    if part:
        attributes.append(AttributeDefinition(
            code=PART_CODE,
            variable=False,
            datatype="string",
            required=False,
            datatype_description="",
            order=len(attributes) + 1,
            description="Which part of a kiosk submission this is (its reference is shared)",
            automated="hidden_field",
        ))
    # Anything typed on a page the catalogue marks personal stays out of public GET answers.
    public = frozenset(
        name for name in ("address_string", "description")
        if not any(service.page(pid).question.personal
                   for pid in destination.fields.get(name, ()))
    )
    name = service.title.get(LANGUAGE)
    if part:
        label = next(d.label for d in service.deliveries if d.id == part)
        name = f"{name}: {label.get(LANGUAGE)}"
    return ServiceDefinition(
        service_code=destination.service_code,
        service_name=name,
        description=service.description.get(LANGUAGE),
        attributes=tuple(attributes),
        notice=confirmation.next_steps.get(LANGUAGE),
        public_fields=public,
    )


def export_catalogue(services: Catalogue | Iterable[Service]) -> Open311Catalogue:
    """Every service's definition; two services may not share one service code. A service
    that sends nothing (one that only looks things up), or books with the hub, is not an
    Open311 service. A "tell us once" service is one Open311 service per delivery."""
    definitions = tuple(define_service(s, part) for s in services for part, _ in s.mappings())
    codes = [d.service_code for d in definitions]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        raise ValueError(f"service codes used by more than one service: {', '.join(duplicated)}")
    return Open311Catalogue(definitions)
