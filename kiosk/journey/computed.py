"""Computed values (`computed:` in a service file) worked out from the answers, the chosen
address's data and today's date. Pure: the engine hands in what it holds.

A value whose inputs are not answered yet has no value, so every condition on it is false.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from kiosk.catalogue.address_checks import part_ids
from kiosk.catalogue.model import Computed, Service
from kiosk.journey.pension_age import age_at_least, state_pension_age_reached
from kiosk.journey.validation import Answer

OUTSIDE = "no"
"""An address's `in_area` data saying the council's list holds it, but outside the area."""


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _born(answer: Answer | None) -> date | None:
    if not isinstance(answer, str):
        return None
    try:
        return date.fromisoformat(answer)
    except ValueError:
        return None


def _inside_area(lead: str, answers: Mapping[str, Answer | None],
                 data: Mapping[str, Mapping[str, str]]) -> str | None:
    """"yes" for an address chosen from the council's list (unless its data says `in_area:
    no`), "unknown" for one typed by hand, nothing before either."""
    list_id, manual_id, none_id = part_ids(lead)
    if answers.get(list_id) is not None:
        chosen = data.get(list_id)
        if chosen is None:  # chosen from a list no longer current: asked again
            return None
        return OUTSIDE if chosen.get("in_area", "").strip().lower() == OUTSIDE else "yes"
    if answers.get(manual_id) is not None or answers.get(none_id) is not None:
        return "unknown"
    return None


def computed_value(spec: Computed, answers: Mapping[str, Answer | None],
                   data: Mapping[str, Mapping[str, str]], today: date) -> str | None:
    if spec.inside_area is not None:
        return _inside_area(spec.inside_area, answers, data)
    born = _born(answers.get(spec.reads))
    if born is None:
        return None
    if spec.age_at_least is not None:
        return _yes_no(age_at_least(born, spec.age_at_least.years, today))
    return _yes_no(state_pension_age_reached(born, today))


def computed_values(service: Service, answers: Mapping[str, Answer | None],
                    data: Mapping[str, Mapping[str, str]], today: date) -> dict[str, str]:
    """Each computed value of `service` that has one: id -> "yes" | "no" | "unknown".

    `data` is the looked-up data of the option each page's answer chose (a chosen address's),
    for the lookup its page asks now."""
    found = {}
    for spec in service.computed:
        value = computed_value(spec, answers, data, today)
        if value is not None:
            found[spec.id] = value
    return found
