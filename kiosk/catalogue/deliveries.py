"""Checks for a "tell us once" service's `deliveries:`: one back office per delivery.

Each delivery is a `ServiceDestination` (checked like a service's own `destination`) with an
id the outbox row carries as `Submission.part`, and an optional `when` on an earlier answer
(the resident chose to tell that service). The checkers for mappings and conditions are
passed in by `kiosk.catalogue.checks`, which owns them, so this module needs nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.config_errors import Loc

if TYPE_CHECKING:
    from kiosk.catalogue.model import Condition, Service, ServiceDestination

Problems = list[tuple[Loc, str, str]]
MappingCheck = Callable[["ServiceDestination", Loc], Problems]
ConditionCheck = Callable[["Condition", Loc], Problems]


def delivery_problems(service: Service, mapping_problems: MappingCheck,
                      condition_problems: ConditionCheck) -> Problems:
    """Unique ids, a `when` on a real earlier page with a value it can hold, and each
    delivery's mapping naming real question pages."""
    questions = [p.id for p in service.pages if p.kind == "question"]
    lookups = [p.id for p in service.pages if p.lookup() is not None]
    ids = [d.id for d in service.deliveries]
    problems: Problems = []
    for index, delivery in enumerate(service.deliveries):
        at: Loc = ("deliveries", index)
        if ids.index(delivery.id) != index:
            problems.append(((*at, "id"), "unique delivery ids",
                             f"{delivery.id!r} again (also deliveries[{ids.index(delivery.id)}])"))
        when = delivery.when
        if when is not None:
            if when.answer is not None and when.answer not in questions:
                problems.append(((*at, "when", "answer"),
                                 f"a question page id ({', '.join(questions)})", repr(when.answer)))
            elif when.result is not None and when.result not in lookups:
                problems.append(((*at, "when", "result"), "a page id with options_from or "
                                 f"rows_from ({', '.join(lookups) or 'none defined'})",
                                 repr(when.result)))
            elif when.answer is not None:
                problems.extend(condition_problems(when, (*at, "when")))
        problems.extend(mapping_problems(delivery.destination, (*at, "destination")))
    return problems
