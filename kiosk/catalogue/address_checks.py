"""What a service file may say about an address question (`type: address`), checked before
the question is expanded into its pages (`kiosk.catalogue.address_pages`), so a mistake is
reported where the council wrote it.

Each problem is (path in the file, what was expected, what was found), as in `checks`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kiosk.config_errors import Loc
from kiosk.journey.types.address import ADDRESS

if TYPE_CHECKING:
    from kiosk.catalogue.model import Service

Problems = list[tuple[Loc, str, str]]
PARTS = ("list", "manual", "none")
"""The pages an address question adds, after its own (which asks for the postcode): the
addresses found, the address typed by hand, and typed when none were found."""


def part_ids(lead: str) -> tuple[str, ...]:
    """The ids of the pages address question `lead` adds: `address__list`, ..."""
    return tuple(f"{lead}__{part}" for part in PARTS)


def address_ids(service: Service) -> list[str]:
    return [p.id for p in service.pages if p.kind == "question" and p.question.type == ADDRESS]


def address_problems(service: Service) -> Problems:
    leads = address_ids(service)
    position = {p.id: i for i, p in enumerate(service.pages)}
    problems: Problems = []
    for lead in leads:
        for part in part_ids(lead):
            # Already expanded (a test checking what `address_pages` made): its own pages.
            if part in position and service.lead(part) != lead:
                problems.append((("pages", position[part], "id"), f"a page id other than "
                                 f"{part!r} (address question {lead!r} adds a page of that name)",
                                 repr(part)))
    for index, page in enumerate(service.pages):
        for r_index, route in enumerate(page.routes):
            when = route.when
            if when.answer in leads and when.answered is None:
                operator = when.operator()
                problems.append((("pages", index, "routes", r_index, "when", operator),
                                 f"answered: true or false for address question {when.answer!r}",
                                 operator))
    return problems
