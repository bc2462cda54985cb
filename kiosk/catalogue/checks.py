"""Cross-references in a service file: every id a page, route or mapping names must exist and
fit, every page must be reachable, and no route may loop.

Each problem is (path in the file, what was expected, what was found), for `FieldProblems`.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from kiosk.catalogue.address_checks import address_ids, address_problems
from kiosk.catalogue.booking import booking_problems
from kiosk.catalogue.computed_checks import (
    computed_condition_problems,
    computed_problems,
    evidence_problems,
)
from kiosk.catalogue.deliveries import delivery_problems
from kiosk.catalogue.offers import offer_problems
from kiosk.config_errors import Loc
from kiosk.journey.types import QuestionTypes

if TYPE_CHECKING:
    from kiosk.catalogue.model import Condition, Page, Service, ServiceDestination

CHECK_ANSWERS = "check_answers"
EVIDENCE_SEEN = "evidence_seen"
"""The staff's evidence page a service with `evidence` gets (`kiosk.catalogue.evidence_page`)."""
RESERVED = (CHECK_ANSWERS, EVIDENCE_SEEN)
Problems = list[tuple[Loc, str, str]]


def reference_problems(service: Service, types: QuestionTypes) -> Problems:
    page_ids = [p.id for p in service.pages]
    problems: Problems = []
    for index, page in enumerate(service.pages):
        if page_ids.index(page.id) != index:
            problems.append((("pages", index, "id"), "unique page ids",
                             f"{page.id!r} again (also pages[{page_ids.index(page.id)}])"))
        if page.id in RESERVED:
            problems.append((("pages", index, "id"), f"a page id other than the reserved "
                             f"{' and '.join(map(repr, RESERVED))}", repr(page.id)))
    for index, page in enumerate(service.pages):
        problems.extend(_page_problems(service, page, ("pages", index), types))
    problems.extend(computed_problems(service, RESERVED))
    problems.extend(evidence_problems(service))
    for index, item in enumerate(service.evidence):
        if item.when is not None:
            problems.extend(_when_problems(service, item.when, ("evidence", index, "when"),
                                           types))
    if service.destination is not None:
        problems.extend(_destination_problems(service, service.destination, ("destination",)))
    elif service.deliveries:
        problems.extend(delivery_problems(
            service, partial(_destination_problems, service),
            lambda when, where: _condition_problems(service, when, where, types)))
    elif not service.sends:
        problems.extend(_ending_problems(service))
    if service.booking is not None:
        problems.extend(booking_problems(service))
    problems.extend(address_problems(service))
    problems.extend(offer_problems(service))
    if not problems:
        problems.extend(_graph_problems(service))
    return problems


def _questions(service: Service) -> list[str]:
    return [p.id for p in service.pages if p.kind == "question"]


def _lookups(service: Service) -> list[str]:
    return [p.id for p in service.pages if p.lookup() is not None]


def _page_problems(service: Service, page: Page, at: Loc, types: QuestionTypes) -> Problems:
    page_ids = [p.id for p in service.pages]
    exit_ids = [e.id for e in service.exits]
    questions = _questions(service)
    targets = set(page_ids) | {CHECK_ANSWERS}
    pages_expected = f"a page id ({', '.join(page_ids)}) or {CHECK_ANSWERS}"
    problems: Problems = []
    if page.next is not None and page.next not in targets:
        problems.append(((*at, "next"), pages_expected, repr(page.next)))
    for r_index, route in enumerate(page.routes):
        where: Loc = (*at, "routes", r_index)
        if route.goto is not None and route.goto not in targets:
            problems.append(((*where, "goto"), pages_expected, repr(route.goto)))
        if route.exit is not None and route.exit not in exit_ids:
            problems.append(((*where, "exit"),
                             f"an exit page id ({', '.join(exit_ids) or 'none defined'})",
                             repr(route.exit)))
        problems.extend(_when_problems(service, route.when, (*where, "when"), types))
    if page.when is not None:
        if page.id in (page.when.answer, page.when.result):
            problems.append(((*at, "when"), "a condition on an earlier page or a computed value",
                             f"page {page.id!r} itself"))
        else:
            problems.extend(_when_problems(service, page.when, (*at, "when"), types))
    spec = page.lookup()
    if spec is None:
        return problems
    section: Loc = ("question", "options_from") if page.kind == "question" else ("result",
                                                                              "rows_from")
    for name, source_page in spec.inputs.items():
        if source_page not in questions or source_page == page.id:
            problems.append(((*at, *section, "inputs", name),
                             f"an earlier question page id ({', '.join(questions)})",
                             repr(source_page)))
    if page.kind == "question" and not any(
        r.when.result == page.id and r.when.empty for r in page.routes
    ):
        problems.append(((*at, "routes"), f"a route for when the lookup finds nothing "
                         f"(when: {{result: {page.id}, empty: true}})", "none"))
    return problems


def _when_problems(service: Service, when: Condition, where: Loc,
                   types: QuestionTypes) -> Problems:
    """A condition's subject must exist and fit: a question for `answer`, a page that looks
    something up for `result`, a computed value for `computed`."""
    questions, lookups = _questions(service), _lookups(service)
    if when.computed is not None:
        return computed_condition_problems(service, when, where)
    if when.answer is not None and when.answer not in questions:
        return [((*where, "answer"), f"a question page id ({', '.join(questions)})",
                 repr(when.answer))]
    if when.result is not None and when.result not in lookups:
        return [((*where, "result"), "a page id with options_from or rows_from "
                 f"({', '.join(lookups) or 'none defined'})", repr(when.result))]
    if when.answer is not None:
        return _condition_problems(service, when, where, types)
    return []


def _condition_problems(service: Service, when: Condition, where: Loc,
                        types: QuestionTypes) -> Problems:
    """A condition that can never hold is a typo: its value must be one the question allows."""
    question = service.page(when.page).question
    qtype = types[question.type]
    operator = when.operator()
    if operator == "answered":
        return []
    if qtype.many != (operator == "includes"):
        fits = "includes" if qtype.many else "equals, not_equals or one_of"
        return [((*where, operator), f"{fits} for a {question.type} question", operator)]
    if qtype.options == "own":
        allowed = qtype.own_values()
    elif qtype.options == "listed" and question.options_from is None:
        allowed = tuple(o.value for o in question.options)
    else:
        return []  # typed text, or options looked up: any value may come
    problems: Problems = []
    for index, value in enumerate(when.values()):
        if value not in allowed:
            loc: Loc = (*where, operator, index) if operator == "one_of" else (*where, operator)
            problems.append((loc, f"an answer of page {when.page!r} ({', '.join(allowed)})",
                             repr(value)))
    return problems


def _ending_problems(service: Service) -> Problems:
    """A service that sends nothing has no check answers: a journey may end only on an
    information or result page (its Finish), never straight after a question."""
    problems: Problems = []
    for index, page in enumerate(service.pages):
        if page.kind != "question":
            continue
        targets = [r.goto for r in page.routes if r.goto is not None]
        targets.append(service.default_next(page.id))
        if CHECK_ANSWERS in targets:
            problems.append((("pages", index), "an information or result page after the last "
                             "question (a service without a destination has no check answers)",
                             f"question {page.id!r} leads to {CHECK_ANSWERS}"))
    return problems


def _destination_problems(service: Service, destination: ServiceDestination, at: Loc
                          ) -> Problems:
    """A mapping's page ids (the service's `destination`, or a delivery's, `at` either)."""
    questions = _questions(service)
    expected = f"a question page id ({', '.join(questions)})"
    problems: Problems = []
    for code, pid in destination.attributes.items():
        if pid not in questions:
            problems.append(((*at, "attributes", code), expected, repr(pid)))
    for name, pids in destination.fields.items():
        for f_index, pid in enumerate(pids):
            if pid not in questions:
                problems.append(((*at, "fields", name, f_index), expected, repr(pid)))
    for code, keys in destination.values.items():
        problems.extend(_value_problems(service, destination, at, code, keys))
    # An address question's chosen address carries its data too (its UPRN, lat, long).
    looked_up = [p.id for p in service.pages if p.kind == "question" and p.lookup() is not None]
    looked_up += address_ids(service)
    for name, ref in destination.data_fields.items():
        pid = ref.partition(".")[0]
        if pid not in looked_up:
            problems.append(((*at, "data_fields", name),
                             f"page.key of a question with options_from or an address "
                             f"({', '.join(looked_up) or 'none defined'})", repr(ref)))
    return problems


def _value_problems(service: Service, mapping: ServiceDestination, where: Loc, code: str,
                    keys: dict[str, str]) -> Problems:
    """`values` renames the options of a mapped question with listed options, to real keys."""
    at: Loc = (*where, "values", code)
    page_id = mapping.attributes.get(code)
    page = service.page(page_id) if page_id in {p.id for p in service.pages} else None
    if page is None or page.asks is None or page.asks.options_from is not None \
            or not page.asks.options:
        mapped = ", ".join(mapping.attributes) or "none"
        return [(at, f"an attribute code mapped to a question with listed options ({mapped})",
                 repr(code))]
    offered = [o.value for o in page.asks.options]
    problems: Problems = []
    for value, key in keys.items():
        if value not in offered:
            problems.append(((*at, value), f"an option value of page {page.id!r} "
                             f"({', '.join(offered)})", repr(value)))
        elif not key.strip():
            problems.append(((*at, value), "the key the back office expects", "nothing"))
    return problems


def _graph_problems(service: Service) -> Problems:
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
    problems: Problems = [
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
