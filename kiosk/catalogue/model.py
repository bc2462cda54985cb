"""The shape of one service file: pages (questions, information, looked-up results), routes,
exit pages and where the answers are sent.

Modelled on GOV.UK Forms' form document and Home Assistant config flows: a journey is data,
so councils can add services without code, and tests can walk every route without a screen.
Cross-references (routes, mappings, lookups) are checked in `kiosk.catalogue.checks`.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, PrivateAttr, ValidationInfo, field_validator, model_validator

from kiosk.catalogue.booking import BookingSpec
from kiosk.catalogue.checks import CHECK_ANSWERS, EVIDENCE_SEEN, reference_problems
from kiosk.catalogue.computed import AgeAtLeast, Computed, EvidenceItem
from kiosk.catalogue.condition import Condition
from kiosk.catalogue.question import (
    ERROR_PARAMS,
    LookupSpec,
    Option,
    Question,
    Rules,
    Strict,
    override_names,
)
from kiosk.config_errors import FieldProblems
from kiosk.identifiers import IDENTIFIER
from kiosk.journey.result_rows import builtin_row_formats
from kiosk.journey.types import types_in
from kiosk.localtext import LocalText

__all__ = [
    "CHECK_ANSWERS", "ERROR_PARAMS", "EVIDENCE_SEEN", "IDENTIFIER", "OPEN311_FIELDS", "AgeAtLeast",
    "CheckAnswers", "Computed", "Condition", "Confirmation", "Delivery", "EvidenceItem", "ExitPageSpec",
    "InfoSpec", "LookupSpec", "Offer", "Option", "Page", "PageKind", "Question", "ResultSpec",
    "Route", "Rules", "Service", "ServiceDestination", "override_names",
]

OPEN311_FIELDS = ("address_string", "description", "email", "phone", "first_name", "last_name",
                  "address_id", "lat", "long")
PageKind = Literal["question", "info", "result"]
class Route(Strict):
    when: Condition
    goto: str | None = None
    exit: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Route:
        if (self.goto is None) == (self.exit is None):
            raise FieldProblems([((), "exactly one of goto (a page id or check_answers) or exit",
                                  "both" if self.goto is not None else "neither")])
        return self


class InfoSpec(Strict):
    """A page that tells the resident something, with Continue."""

    title: LocalText
    body: LocalText


class Offer(Strict):
    """Another service offered from a result page ("Report a missed bin"), started with
    answers carried over: `carry` maps its page ids to this service's (`address: address`)."""

    service: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    label: LocalText
    carry: dict[str, str] = Field(default_factory=dict)


class ResultSpec(Strict):
    """A page showing what a lookup found (rows: label and detail), with Continue."""

    title: LocalText
    hint: LocalText | None = None
    rows_from: LookupSpec
    empty: LocalText | None = None
    """What the page says when nothing was found (default: the app's "Nothing was found")."""
    printable: bool = False
    """Offer "Print this": the rows on the receipt printer, to take away."""
    show: str | None = None
    """How the rows are worded (`kiosk.journey.result_rows`): the items' labels and hints,
    or a registered format such as `collections` (bins, colours and collection days)."""
    offer: Offer | None = None

    @field_validator("show")
    @classmethod
    def _known_format(cls, name: str | None) -> str | None:
        formats = builtin_row_formats()
        if name is not None and name not in formats:
            raise ValueError(f"a row format ({', '.join(formats)})")
        return name


class Page(Strict):
    """One page: exactly one of `question`, `info` or `result`."""

    id: str = Field(pattern=IDENTIFIER)
    asks: Question | None = Field(default=None, alias="question")
    info: InfoSpec | None = None
    result: ResultSpec | None = None
    next: str | None = None
    routes: tuple[Route, ...] = ()
    when: Condition | None = None
    """The page is on the route only while this holds; otherwise it is passed by (the journey
    goes on by its `next`, or the following page) and its answer is neither shown nor sent."""

    @model_validator(mode="after")
    def _one_kind(self) -> Page:
        given = [n for n, v in (("question", self.asks), ("info", self.info),
                                ("result", self.result)) if v is not None]
        if len(given) != 1:
            raise FieldProblems([((), "exactly one of question, info or result",
                                  " and ".join(given) if given else "none of them")])
        return self

    @property
    def kind(self) -> PageKind:
        return "question" if self.asks is not None else "info" if self.info is not None else "result"

    @property
    def question(self) -> Question:
        """The page's question; asking an information or result page for one is a bug."""
        if self.asks is None:
            raise KeyError(f"page {self.id!r} is a {self.kind} page, not a question")
        return self.asks

    def lookup(self) -> LookupSpec | None:
        """Where this page's options or rows come from, if it looks them up."""
        if self.result is not None:
            return self.result.rows_from
        return self.asks.options_from if self.asks is not None else None


class ExitPageSpec(Strict):
    """An exit page in the catalogue: "you cannot continue here", and why."""

    id: str = Field(pattern=IDENTIFIER)
    title: LocalText
    body: LocalText


class ServiceDestination(Strict):
    """How answers become an Open311 request: attribute codes and standard fields.

    `data_fields` map a standard field to a looked-up option's data, as `page.key`
    (`address_id: address.uprn`): the chosen address's UPRN, not its label.
    """

    to: str
    service_code: str = Field(min_length=1)
    attributes: dict[str, str] = Field(default_factory=dict)
    fields: dict[str, tuple[str, ...]] = Field(default_factory=dict)
    data_fields: dict[str, str] = Field(default_factory=dict)
    values: dict[str, dict[str, str]] = Field(default_factory=dict)
    """Per attribute code, option value -> the key the back office expects, for keys an
    option's value cannot hold (`Black bin`, `A&B`): written by the Open311 importer."""

    @model_validator(mode="after")
    def _known_fields(self) -> ServiceDestination:
        expected = f"an Open311 field ({', '.join(OPEN311_FIELDS)})"
        unknown = [("fields", n) for n in self.fields if n not in OPEN311_FIELDS]
        unknown += [("data_fields", n) for n in self.data_fields if n not in OPEN311_FIELDS]
        if unknown:
            raise FieldProblems(((section, name), expected, repr(name))
                                for section, name in unknown)
        bad = [(n, ref) for n, ref in self.data_fields.items() if ref.count(".") != 1]
        if bad:
            raise FieldProblems((("data_fields", name), "page.key (a page id, a dot, a data key)",
                                 repr(ref)) for name, ref in bad)
        return self

    def server_value(self, code: str, value: str | list[str]) -> str | list[str]:
        """An attribute's value as the back office knows it (see `values`)."""
        keys = self.values.get(code)
        if not keys:
            return value
        return [keys.get(v, v) for v in value] if isinstance(value, list) else keys.get(value, value)


class Delivery(Strict):
    """One back office a "tell us once" service tells (`deliveries:`): its own outbox row,
    sent when `when` holds (always without one). Checked in `kiosk.catalogue.deliveries`."""

    id: str = Field(pattern=IDENTIFIER)
    label: LocalText
    when: Condition | None = None
    destination: ServiceDestination


class CheckAnswers(Strict):
    title: LocalText = LocalText.of("Check your answers before sending")
    submit_label: LocalText = LocalText.of("Send")


class Confirmation(Strict):
    title: LocalText
    next_steps: LocalText


class Service(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: int = Field(default=1, ge=1)
    title: LocalText
    description: LocalText
    order: int = 100
    groups: tuple[LocalText, ...] = ()
    """Menu groups the service belongs to (Open311 `group`/`groups`, kept by the importer so a
    menu could group services; the kiosk's menu lists services in `order` for now)."""
    pages: tuple[Page, ...] = Field(min_length=1)
    exits: tuple[ExitPageSpec, ...] = ()
    check_answers: CheckAnswers | None = None
    """The check answers page's words (defaults when a service that sends says none)."""
    confirmation: Confirmation | None = None
    destination: ServiceDestination | None = None
    """Where the answers are sent. A service without one (and without a confirmation) sends
    nothing: it only looks things up ("Track my request"), so it has no check answers, and
    ends on an information or result page whose button is Finish."""
    deliveries: tuple[Delivery, ...] = ()
    """Instead of `destination`: one submission told to several back offices, one delivery
    (outbox row) each, under the one reference the resident is given."""
    booking: BookingSpec | None = None
    """A booking journey (`kiosk.catalogue.booking`): it ends with check answers and a
    confirmation like a service that sends, but books with the hub, not the outbox."""
    computed: tuple[Computed, ...] = ()
    """Values worked out from the answers, never asked (`kiosk.catalogue.computed`)."""
    evidence: tuple[EvidenceItem, ...] = ()
    """What the resident needs to bring or post; with it, staff assisting get a page
    (`evidence_seen`) to tick the documents they have seen (`kiosk.catalogue.evidence_page`)."""
    save_and_return: bool = False
    """Its question pages offer "Save and come back later" (kiosk/saved/, docs/catalogue.md)."""

    _leads: dict[str, str] = PrivateAttr(default_factory=dict)

    @property
    def sends(self) -> bool:
        """Ends with check answers and a confirmation: the answers go to a destination (the
        outbox) or make a booking with the hub."""
        return self.destination is not None or bool(self.deliveries) or self.booking is not None

    def mappings(self) -> tuple[tuple[str, ServiceDestination], ...]:
        """Where the service sends, as (part, mapping): ("", its destination) for a service
        with one, (delivery id, its destination) for each of its deliveries."""
        if self.destination is not None:
            return (("", self.destination),)
        return tuple((d.id, d.destination) for d in self.deliveries)

    def lead(self, page_id: str) -> str:
        """The page whose check answers row shows `page_id`'s answer: the address question's
        own page for the pages it was expanded into (`address_pages`), else the page itself."""
        return self._leads.get(page_id, page_id)

    def set_leads(self, leads: dict[str, str]) -> None:
        """Kept by `address_pages.expand` on the service it makes (a private attribute)."""
        self._leads = dict(leads)

    @model_validator(mode="before")
    @classmethod
    def _default_check_answers(cls, data: Any) -> Any:
        """A service that sends has a check answers page (default words unless given); one
        that sends nothing has none, so no words for it that nobody would ever see."""
        if isinstance(data, dict) and (data.get("destination") is not None
                                       or data.get("deliveries") or data.get("booking") is not None) \
                and data.get("check_answers") is None:
            return {**data, "check_answers": {}}
        return data

    @model_validator(mode="after")
    def _references_resolve(self, info: ValidationInfo) -> Service:
        if self.check_answers is not None and not self.sends:
            raise FieldProblems([(("check_answers",), "no check_answers in a service without a "
                                  "destination (it sends nothing, so it has no such page)",
                                  "check_answers")])
        ends = [n for n, v in (("destination", self.destination), ("deliveries", self.deliveries),
                               ("booking", self.booking)) if v]
        if len(ends) > 1:
            raise FieldProblems([((), "exactly one of destination, deliveries or booking",
                                  " and ".join(ends))])
        if self.sends != (self.confirmation is not None):
            given = "confirmation" if self.confirmation is not None else ends[0]
            raise FieldProblems([((), "destination and confirmation together (a service that "
                                  "sends), or neither (one that only looks things up)",
                                  f"only {given}")])
        problems = reference_problems(self, types_in(info.context))
        if problems:
            raise FieldProblems(problems)
        # Imported here: they build this module's models (pages for each address question,
        # the staff's evidence page).
        from kiosk.catalogue.address_pages import expand
        from kiosk.catalogue.evidence_page import with_evidence_page
        return with_evidence_page(expand(self))

    def computed_value(self, value_id: str) -> Computed:
        for value in self.computed:
            if value.id == value_id:
                return value
        raise KeyError(value_id)

    def page(self, page_id: str) -> Page:
        for page in self.pages:
            if page.id == page_id:
                return page
        raise KeyError(page_id)

    def exit_page(self, exit_id: str) -> ExitPageSpec:
        for page in self.exits:
            if page.id == exit_id:
                return page
        raise KeyError(exit_id)

    def default_next(self, page_id: str) -> str:
        """The page after `page_id` when no route matches: its `next`, else the following page."""
        ids = [p.id for p in self.pages]
        page = self.page(page_id)
        if page.next is not None:
            return page.next
        position = ids.index(page_id)
        return ids[position + 1] if position + 1 < len(ids) else CHECK_ANSWERS
