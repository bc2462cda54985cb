"""The shape of one service file: pages of questions, routes, exits and where it is sent.

Modelled on GOV.UK Forms' form document and Home Assistant config flows: a journey is data,
so councils can add services without code, and tests can walk every route without a screen.
"""

from __future__ import annotations

import re
import string
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from kiosk.config_errors import FieldProblems, Loc
from kiosk.identifiers import IDENTIFIER
from kiosk.localtext import LocalText

QuestionType = Literal[
    "radios", "checkboxes", "text", "textarea", "number", "date", "email", "phone", "postcode",
    "yes_no",
]
CHECK_ANSWERS = "check_answers"
OPEN311_FIELDS = ("address_string", "description", "email", "phone", "first_name", "last_name")

# Defaults chosen so nothing typed at a kiosk can overflow Open311 (description <= 4000).
DEFAULT_MAX_LENGTH: dict[str, int] = {
    "text": 200, "textarea": 1200, "email": 254, "phone": 30, "postcode": 12, "number": 20,
}

# Every error `kiosk.journey.validation` can give (its message key), with the placeholders its
# text is given. A question's `errors` may override any of these by its name (the key without
# "error."), or a group of them by the name's first part (`date`, `required`).
ERROR_PARAMS: dict[str, frozenset[str]] = {
    key: frozenset(params) for key, params in {
        "error.required.choose": (), "error.required.choose_many": (),
        "error.required.enter": (), "error.choose_listed": (), "error.characters": (),
        "error.too_long": ("max",), "error.too_short": ("min",), "error.pattern": (),
        "error.email": (), "error.phone": (), "error.postcode": (), "error.number": (),
        "error.whole_number": (), "error.number_min": ("min",), "error.number_max": ("max",),
        "error.date.required": (), "error.date.missing_day": (), "error.date.missing_month": (),
        "error.date.missing_year": (), "error.date.real": (), "error.date.future": (),
        "error.date.past": (), "error.date.too_old": ("days",), "error.date.too_far": ("days",),
    }.items()
}


def override_names(key: str) -> tuple[str, ...]:
    """The names in a question's `errors` that can word error `key`, most specific first.

    `error.date.required` is worded by `date.required`, else `required`, else `date`.
    """
    short = key.removeprefix("error.")
    parts = short.split(".")
    names = [short]
    if "required" in parts and short != "required":
        names.append("required")
    if parts[0] not in names:
        names.append(parts[0])
    return tuple(names)


def _override_params(name: str) -> frozenset[str] | None:
    """The placeholders an override called `name` may use; None if no error has that name."""
    covered = [params for key, params in ERROR_PARAMS.items() if name in override_names(key)]
    if not covered:
        return None
    return frozenset.intersection(*covered)


def _placeholders(text: str) -> set[str] | None:
    """The `{name}` placeholders in `text`, or None if its braces are unbalanced."""
    try:
        return {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    except ValueError:
        return None


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

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"a regular expression (this one has {exc})") from None
        return pattern


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
        problems: list[tuple[Loc, str, str]] = []
        count = len(self.options)
        if self.type in ("radios", "checkboxes"):
            if count < 2:
                problems.append((("options",), f"at least 2 options for a {self.type} question",
                                 "1 option" if count == 1 else "none"))
            seen: set[str] = set()
            for index, option in enumerate(self.options):
                if option.value in seen:
                    problems.append((("options", index, "value"), "options with different values",
                                     f"{option.value!r} again"))
                seen.add(option.value)
        elif self.options:
            problems.append((("options",), f"no options for a {self.type} question",
                             f"{count} option{'s' if count != 1 else ''}"))
        problems.extend(self._error_problems())
        if problems:
            raise FieldProblems(problems)
        return self

    def _error_problems(self) -> list[tuple[Loc, str, str]]:
        """Error overrides must name an error, and use only the placeholders it is given."""
        problems: list[tuple[Loc, str, str]] = []
        for name, text in self.errors.items():
            allowed = _override_params(name)
            if allowed is None:
                names = sorted({n for key in ERROR_PARAMS for n in override_names(key)})
                problems.append((("errors", name), f"an error name ({', '.join(names)})",
                                 repr(name)))
                continue
            for language, words in text.root.items():
                used = _placeholders(words)
                wanted = ", ".join(f"{{{p}}}" for p in sorted(allowed)) or "none"
                if used is None:
                    problems.append((("errors", name, language),
                                     "text with balanced { } placeholders", repr(words)))
                elif used - allowed:
                    problems.append((("errors", name, language), f"placeholders among {wanted}",
                                     ", ".join(f"{{{p}}}" for p in sorted(used - allowed))))
        return problems

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
            raise FieldProblems([((), "exactly one of equals, not_equals, one_of, includes, answered",
                                  " and ".join(given) if given else "none of them")])
        return self

    def values(self) -> tuple[str, ...]:
        """The answer values this condition compares with."""
        if self.one_of is not None:
            return self.one_of
        return tuple(v for v in (self.equals, self.not_equals, self.includes) if v is not None)

    def operator(self) -> str:
        return next(n for n in ("equals", "not_equals", "one_of", "includes", "answered")
                    if getattr(self, n) is not None)


class Route(_Strict):
    when: Condition
    goto: str | None = None
    exit: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Route:
        if (self.goto is None) == (self.exit is None):
            raise FieldProblems([((), "exactly one of goto (a page id or check_answers) or exit",
                                  "both" if self.goto is not None else "neither")])
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
        unknown = [name for name in self.fields if name not in OPEN311_FIELDS]
        if unknown:
            raise FieldProblems(
                (("fields", name), f"an Open311 field ({', '.join(OPEN311_FIELDS)})", repr(name))
                for name in unknown
            )
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
        problems = _reference_problems(self)
        if problems:
            raise FieldProblems(problems)
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


def _reference_problems(service: Service) -> list[tuple[Loc, str, str]]:
    page_ids = [p.id for p in service.pages]
    exit_ids = [e.id for e in service.exits]
    problems: list[tuple[Loc, str, str]] = []
    for index, page in enumerate(service.pages):
        if page_ids.index(page.id) != index:
            problems.append((("pages", index, "id"), "unique page ids",
                             f"{page.id!r} again (also pages[{page_ids.index(page.id)}])"))
        if page.id == CHECK_ANSWERS:
            problems.append((("pages", index, "id"), f"a page id other than the reserved "
                             f"{CHECK_ANSWERS!r}", repr(page.id)))
    targets = set(page_ids) | {CHECK_ANSWERS}
    pages_expected = f"a page id ({', '.join(page_ids)}) or {CHECK_ANSWERS}"
    for index, page in enumerate(service.pages):
        if page.next is not None and page.next not in targets:
            problems.append((("pages", index, "next"), pages_expected, repr(page.next)))
        for r_index, route in enumerate(page.routes):
            where: Loc = ("pages", index, "routes", r_index)
            if route.goto is not None and route.goto not in targets:
                problems.append(((*where, "goto"), pages_expected, repr(route.goto)))
            if route.exit is not None and route.exit not in exit_ids:
                problems.append(((*where, "exit"),
                                 f"an exit page id ({', '.join(exit_ids) or 'none defined'})",
                                 repr(route.exit)))
            if route.when.answer not in page_ids:
                problems.append(((*where, "when", "answer"), f"a page id ({', '.join(page_ids)})",
                                 repr(route.when.answer)))
            else:
                problems.extend(_condition_problems(service, route.when, (*where, "when")))
    for code, pid in service.destination.attributes.items():
        if pid not in page_ids:
            problems.append((("destination", "attributes", code),
                             f"a page id ({', '.join(page_ids)})", repr(pid)))
    for name, pids in service.destination.fields.items():
        for f_index, pid in enumerate(pids):
            if pid not in page_ids:
                problems.append((("destination", "fields", name, f_index),
                                 f"a page id ({', '.join(page_ids)})", repr(pid)))
    if not problems:
        problems.extend(_graph_problems(service))
    return problems


def _condition_problems(service: Service, when: Condition, where: Loc) -> list[tuple[Loc, str, str]]:
    """A condition that can never hold is a typo: its value must be one the question allows."""
    question = service.page(when.answer).question
    operator = when.operator()
    if operator == "answered":
        return []
    many = question.type == "checkboxes"
    if many != (operator == "includes"):
        fits = "includes" if many else "equals, not_equals or one_of"
        return [((*where, operator), f"{fits} for a {question.type} question", operator)]
    if question.type == "yes_no":
        allowed: tuple[str, ...] = ("yes", "no")
    elif question.type in ("radios", "checkboxes"):
        allowed = tuple(o.value for o in question.options)
    else:
        return []
    problems: list[tuple[Loc, str, str]] = []
    for index, value in enumerate(when.values()):
        if value not in allowed:
            loc: Loc = (*where, operator, index) if operator == "one_of" else (*where, operator)
            problems.append((loc, f"an answer of page {when.answer!r} ({', '.join(allowed)})",
                             repr(value)))
    return problems


def _graph_problems(service: Service) -> list[tuple[Loc, str, str]]:
    """Every page reachable from the first, and no loops, so every journey ends."""
    edges: dict[str, list[str]] = {}
    for page in service.pages:
        outs = [r.goto for r in page.routes if r.goto is not None]
        outs.append(service.default_next(page.id))
        edges[page.id] = [o for o in dict.fromkeys(outs) if o != CHECK_ANSWERS]
    position = {p.id: i for i, p in enumerate(service.pages)}
    start = service.pages[0].id
    seen: set[str] = set()
    stack = [start]
    while stack:
        node = stack.pop()
        if node not in seen:
            seen.add(node)
            stack.extend(edges[node])
    problems: list[tuple[Loc, str, str]] = [
        (("pages", position[pid]), f"a page reached from the first page {start!r} by next or a "
         "route", f"{pid!r}, which no page on the journey leads to")
        for pid in edges if pid not in seen
    ]
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        trail.append(node)
        for nxt in edges[node]:
            if state.get(nxt) == 1:
                return [*trail[trail.index(nxt):], nxt]
            if state.get(nxt) is None:
                loop = visit(nxt)
                if loop is not None:
                    return loop
        state[node] = 2
        trail.pop()
        return None

    loop = visit(start)
    if loop is not None:
        problems.append((("pages", position[loop[-2]]), "routes without loops (every journey ends)",
                         "a loop: " + " → ".join(loop)))
    return problems
