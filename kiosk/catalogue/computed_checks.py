"""What a service file may say about computed values and evidence, checked at load so a
mistake is reported where the council wrote it (which value, which field, what was
expected): a computed value reads a page of the right question type and its id clashes
with no page; evidence ids are unique and only a service that sends lists any.

Each problem is (path in the file, what was expected, what was found), as in `checks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.catalogue.address_checks import address_ids, part_ids
from kiosk.config_errors import Loc

if TYPE_CHECKING:
    from kiosk.catalogue.condition import Condition
    from kiosk.catalogue.model import Service

Problems = list[tuple[Loc, str, str]]
DATE = "date"
NONE_SEEN = "none"
"""The staff evidence page's "None of these" option: no evidence item may take its id."""


def computed_problems(service: Service, reserved: tuple[str, ...]) -> Problems:
    page_ids = {p.id for p in service.pages}
    taken = page_ids | {part for lead in address_ids(service) for part in part_ids(lead)}
    dates = [p.id for p in service.pages if p.kind == "question" and p.question.type == DATE]
    addresses = address_ids(service)
    problems: Problems = []
    seen: set[str] = set()
    for index, value in enumerate(service.computed):
        at: Loc = ("computed", index)
        if value.id in seen:
            problems.append(((*at, "id"), "unique computed ids", f"{value.id!r} again"))
        seen.add(value.id)
        if value.id in taken or value.id in reserved:
            problems.append(((*at, "id"), "an id no page has (a condition names a page or a "
                             "computed value by its id)", f"{value.id!r}, also a page id"))
        if value.inside_area is not None:
            if value.inside_area not in addresses:
                problems.append(((*at, "inside_area"), "an address question's page id "
                                 f"({', '.join(addresses) or 'none defined'})",
                                 repr(value.inside_area)))
            continue
        field: Loc = ((*at, "age_at_least", "date") if value.age_at_least is not None
                      else (*at, "state_pension_age_reached"))
        if value.reads not in dates:
            problems.append((field, f"a date question's page id ({', '.join(dates) or 'none defined'})",
                             repr(value.reads)))
    return problems


def computed_condition_problems(service: Service, when: Condition, where: Loc) -> Problems:
    """`{computed: <id>, equals: ...}`: the id names a computed value, and the values compared
    with are ones it can take (a typo would make the condition never hold)."""
    ids = [c.id for c in service.computed]
    if when.computed not in ids:
        return [((*where, "computed"), f"a computed value's id ({', '.join(ids) or 'none defined'})",
                 repr(when.computed))]
    allowed = service.computed_value(when.computed).values()
    operator = when.operator()
    problems: Problems = []
    for index, value in enumerate(when.values()):
        if value not in allowed:
            loc: Loc = (*where, operator, index) if operator == "one_of" else (*where, operator)
            problems.append((loc, f"a value of {when.computed!r} ({', '.join(allowed)})",
                             repr(value)))
    return problems


def evidence_problems(service: Service) -> Problems:
    problems: Problems = []
    if service.evidence and not service.sends:
        problems.append((("evidence",), "no evidence in a service that sends nothing (it has no "
                         "check answers or receipt to list it on)", "evidence"))
    seen: set[str] = set()
    for index, item in enumerate(service.evidence):
        if item.id in seen:
            problems.append((("evidence", index, "id"), "unique evidence ids", f"{item.id!r} again"))
        elif item.id == NONE_SEEN:
            problems.append((("evidence", index, "id"), f"an id other than {NONE_SEEN!r} (the "
                             "staff page's \"None of these\")", repr(item.id)))
        seen.add(item.id)
    return problems
