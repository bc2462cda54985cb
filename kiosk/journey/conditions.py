"""Whether a condition holds (a route's, a page's `when`, an evidence item's): the one rule
routing, the catalogue's graph and tests share. A pure function of the answers (and of what
each lookup found, and the computed values), so the engine keeps to its state machine."""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.catalogue.model import Condition
from kiosk.journey.validation import Answer


def condition_holds(condition: Condition, answers: Mapping[str, Answer | None],
                    empties: Mapping[str, bool] | None = None,
                    computed: Mapping[str, str] | None = None) -> bool:
    """Whether `condition` holds; `empties` says, per page with a lookup result, whether the
    lookup found nothing (a page without one satisfies neither `empty: true` nor `false`);
    `computed` holds the computed values that have one (`kiosk.journey.computed`): a
    condition on one without a value (its inputs not answered yet) is false, whatever it is."""
    if condition.computed is not None:
        known = (computed or {}).get(condition.computed)
        if known is None:
            return False
        if condition.equals is not None:
            return known == condition.equals
        if condition.not_equals is not None:
            return known != condition.not_equals
        return condition.one_of is not None and known in condition.one_of
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
