"""What a result page may offer next (`result.offer`): another service, started with some
answers carried over ("Report a missed bin" from bin collection days, the address given).

Checked twice: within the service file (what it carries must be its own questions), and
across the catalogue folder (the offered service exists and asks the same questions). A
profile that leaves the offered service out of its menu drops the offer (`Catalogue.only`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from kiosk.config_errors import Loc

if TYPE_CHECKING:
    from kiosk.catalogue.model import Offer, Service

Problems = list[tuple[Loc, str, str]]


def offers(service: Service) -> Iterator[tuple[Loc, Offer]]:
    for index, page in enumerate(service.pages):
        if page.result is not None and page.result.offer is not None:
            yield ("pages", index, "result", "offer"), page.result.offer


def offer_problems(service: Service) -> Problems:
    questions = [p.id for p in service.pages if p.kind == "question"]
    problems: Problems = []
    for at, offer in offers(service):
        if offer.service == service.id:
            problems.append(((*at, "service"), "another service's id", repr(offer.service)))
        for theirs, ours in offer.carry.items():
            if ours not in questions:
                problems.append(((*at, "carry", theirs), f"a question page id of this service "
                                 f"({', '.join(questions)})", repr(ours)))
    return problems


def catalogue_offer_problems(services: Sequence[Service]) -> list[tuple[Service, Loc, str, str]]:
    """Offers naming a service not in the folder, or carrying an answer to a page the offered
    service does not ask the same way."""
    by_id = {s.id: s for s in services}
    problems: list[tuple[Service, Loc, str, str]] = []
    for service in services:
        for at, offer in offers(service):
            other = by_id.get(offer.service)
            if other is None:
                problems.append((service, (*at, "service"),
                                 f"a service in the catalogue ({', '.join(sorted(by_id))})",
                                 repr(offer.service)))
                continue
            asked = {p.id: p.question.type for p in other.pages if p.kind == "question"}
            for theirs, ours in offer.carry.items():
                qtype = service.page(ours).question.type
                if asked.get(theirs) != qtype:
                    problems.append((service, (*at, "carry", theirs),
                                     f"a {qtype} question of service {other.id!r}",
                                     repr(theirs) if theirs not in asked
                                     else f"{theirs!r}, a {asked[theirs]} question"))
    return problems


def without_missing_offers(service: Service, offered: set[str]) -> Service:
    """`service` without offers of services this kiosk does not offer."""
    pages = tuple(
        page.model_copy(update={"result": page.result.model_copy(update={"offer": None})})
        if page.result is not None and page.result.offer is not None
        and page.result.offer.service not in offered else page
        for page in service.pages)
    if pages == service.pages:
        return service
    return service.model_copy(update={"pages": pages})
