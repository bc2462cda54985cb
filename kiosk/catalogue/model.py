"""The shape of one service file: pages of questions, routes, exits and where it is sent.

Modelled on GOV.UK Forms' form document and Home Assistant config flows: a journey is data,
so councils can add services without code, and tests can walk every route without a screen.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kiosk.localtext import LocalText

QuestionType = Literal[
    "radios", "checkboxes", "text", "textarea", "number", "date", "email", "phone", "postcode",
    "yes_no",
]
CHECK_ANSWERS = "check_answers"
IDENTIFIER = r"^[a-z][a-z0-9_]*$"
OPEN311_FIELDS = ("address_string", "description", "email", "phone", "first_name", "last_name")

# Defaults chosen so nothing typed at a kiosk can overflow Open311 (description <= 4000).
DEFAULT_MAX_LENGTH: dict[str, int] = {
    "text": 200, "textarea": 1200, "email": 254, "phone": 30, "postcode": 12, "number": 20,
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Option(_Strict):
    value: str = Field(pattern=r"^[A-Za-z0-9_-]+$")
    label: LocalText
    hint: LocalText | None = None


class Rules(_Strict):
    """Validation beyond "required": each rule has its own error message key."""

    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=1)
    min: Decimal | None = None
    max: Decimal | None = None
    whole_number: bool = True
    not_in_future: bool = False
    not_in_past: bool = False
    max_days_ago: int | None = Field(default=None, ge=0)
    max_days_ahead: int | None = Field(default=None, ge=0)
    pattern: str | None = None


class Question(_Strict):
    type: QuestionType
    label: LocalText
    hint: LocalText | None = None
    summary_label: LocalText | None = None
    optional: bool = False
    personal: bool = False
    options: tuple[Option, ...] = ()
    rules: Rules = Rules()
    errors: dict[str, LocalText] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _options_fit_type(self) -> Question:
        if self.type in ("radios", "checkboxes"):
            if len(self.options) < 2:
                raise ValueError(f"at least 2 options for a {self.type} question")
            values = [o.value for o in self.options]
            if len(set(values)) != len(values):
                raise ValueError("options with different values")
        elif self.options:
            raise ValueError(f"no options for a {self.type} question")
        return self

    def max_length(self) -> int | None:
        return self.rules.max_length or DEFAULT_MAX_LENGTH.get(self.type)


class Condition(_Strict):
    """A test on an earlier answer; exactly one operator is given."""

    answer: str = Field(pattern=IDENTIFIER)
    equals: str | None = None
    not_equals: str | None = None
    one_of: tuple[str, ...] | None = None
    includes: str | None = None
    answered: bool | None = None

    @model_validator(mode="after")
    def _one_operator(self) -> Condition:
        given = [n for n in ("equals", "not_equals", "one_of", "includes", "answered")
                 if getattr(self, n) is not None]
        if len(given) != 1:
            raise ValueError(
                "exactly one of equals, not_equals, one_of, includes, answered"
            )
        return self


class Route(_Strict):
    when: Condition
    goto: str | None = None
    exit: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Route:
        if (self.goto is None) == (self.exit is None):
            raise ValueError("exactly one of goto (a page id or check_answers) or exit")
        return self


class Page(_Strict):
    id: str = Field(pattern=IDENTIFIER)
    question: Question
    next: str | None = None
    routes: tuple[Route, ...] = ()


class ExitPage(_Strict):
    id: str = Field(pattern=IDENTIFIER)
    title: LocalText
    body: LocalText


class Destination(_Strict):
    """How answers become an Open311 request: attribute codes and standard fields."""

    to: str
    service_code: str = Field(min_length=1)
    attributes: dict[str, str] = Field(default_factory=dict)
    fields: dict[str, tuple[str, ...]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_fields(self) -> Destination:
        unknown = sorted(set(self.fields) - set(OPEN311_FIELDS))
        if unknown:
            raise ValueError(f"Open311 fields among {', '.join(OPEN311_FIELDS)} (not {unknown[0]})")
        return self


class CheckAnswers(_Strict):
    title: LocalText = LocalText.of("Check your answers before sending")
    submit_label: LocalText = LocalText.of("Send")


class Confirmation(_Strict):
    title: LocalText
    next_steps: LocalText


class Service(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    version: int = Field(default=1, ge=1)
    title: LocalText
    description: LocalText
    order: int = 100
    pages: tuple[Page, ...] = Field(min_length=1)
    exits: tuple[ExitPage, ...] = ()
    check_answers: CheckAnswers = CheckAnswers()
    confirmation: Confirmation
    destination: Destination

    @model_validator(mode="after")
    def _references_resolve(self) -> Service:
        problems = list(_reference_problems(self))
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def page(self, page_id: str) -> Page:
        for page in self.pages:
            if page.id == page_id:
                return page
        raise KeyError(page_id)

    def exit_page(self, exit_id: str) -> ExitPage:
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


def _reference_problems(service: Service) -> list[str]:
    page_ids = [p.id for p in service.pages]
    exit_ids = [e.id for e in service.exits]
    problems: list[str] = []
    for dup in sorted({i for i in page_ids if page_ids.count(i) > 1}):
        problems.append(f"unique page ids (page {dup!r} appears twice)")
    if CHECK_ANSWERS in page_ids:
        problems.append(f"a page id other than the reserved {CHECK_ANSWERS!r}")
    targets = set(page_ids) | {CHECK_ANSWERS}
    for page in service.pages:
        if page.next is not None and page.next not in targets:
            problems.append(f"page {page.id!r}: next names an existing page, not {page.next!r}")
        for route in page.routes:
            if route.goto is not None and route.goto not in targets:
                problems.append(f"page {page.id!r}: goto names an existing page, not {route.goto!r}")
            if route.exit is not None and route.exit not in exit_ids:
                problems.append(f"page {page.id!r}: exit names an exit page, not {route.exit!r}")
            if route.when.answer not in page_ids:
                problems.append(
                    f"page {page.id!r}: a condition on an existing page, not {route.when.answer!r}"
                )
    mapped = list(service.destination.attributes.values())
    mapped += [pid for ids in service.destination.fields.values() for pid in ids]
    for pid in mapped:
        if pid not in page_ids:
            problems.append(f"destination maps existing pages, not {pid!r}")
    if not problems:
        problems.extend(_graph_problems(service))
    return problems


def _graph_problems(service: Service) -> list[str]:
    """Every page reachable from the first, and no loops, so every journey ends."""
    edges: dict[str, set[str]] = {}
    for page in service.pages:
        outs = {service.default_next(page.id)}
        outs |= {r.goto for r in page.routes if r.goto is not None}
        edges[page.id] = outs - {CHECK_ANSWERS}
    start = service.pages[0].id
    seen: set[str] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(edges[node])
    problems = [f"every page reachable from {start!r} (not {pid!r})"
                for pid in edges if pid not in seen]
    state: dict[str, int] = {}

    def visit(node: str) -> bool:
        state[node] = 1
        for nxt in edges[node]:
            if state.get(nxt) == 1 or (state.get(nxt) is None and visit(nxt)):
                return True
        state[node] = 2
        return False

    if visit(start):
        problems.append("routes without loops (a page can be reached from itself)")
    return problems
