"""Whether a route's condition holds: the one rule routing, the catalogue's graph and tests
share. A pure function of the answers (and of what each lookup found), so the engine keeps
to its state machine."""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.catalogue.model import Condition
from kiosk.journey.validation import Answer


def condition_holds(condition: Condition, answers: Mapping[str, Answer | None],
                    empties: Mapping[str, bool] | None = None) -> bool:
    """Whether `condition` holds; `empties` says, per page with a lookup result, whether the
    lookup found nothing (a page without one satisfies neither `empty: true` nor `false`)."""
    if condition.result is not None:
        empty = (empties or {}).get(condition.result)
        return empty is not None and empty == condition.empty
    value = answers.get(condition.page)
    if condition.answered is not None:
        return (value is not None) == condition.answered
    if condition.includes is not None:
        return isinstance(value, tuple) and condition.includes in value
    if isinstance(value, tuple):
        return False
    if condition.equals is not None:
        return value == condition.equals
    if condition.not_equals is not None:
        return value != condition.not_equals
    return condition.one_of is not None and value in condition.one_of
