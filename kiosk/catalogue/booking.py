"""A service's `booking:` section: which of its pages a booking journey reads, and what it does.

A booking service ends, like a service that sends, with check answers and a confirmation,
but nothing goes through the outbox: the council's hub holds the chosen time while the
resident finishes and books it when they confirm (`kiosk.bookings.journey`). The section
names the pages by role, so the journey never guesses from page ids:

    booking:
      action: book                       # or manage (find, change or cancel by reference)
      pages: {type: type, site: site, day: day, time: time, name: name, email: email,
              phone: phone, postcode: postcode}
      call_back: request-callback        # offered when the council cannot be reached

Each problem is (path in the file, what was expected, what was found), for `FieldProblems`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import Field

from kiosk.catalogue.question import Strict
from kiosk.config_errors import Loc

if TYPE_CHECKING:
    from kiosk.catalogue.model import Service

BookingAction = Literal["book", "manage"]
# Per action: the roles a service must name, and those it may name.
REQUIRED: dict[BookingAction, tuple[str, ...]] = {
    "book": ("type", "site", "day", "time", "name", "postcode"),
    "manage": ("reference", "postcode", "details", "choice", "day", "time", "sure"),
}
OPTIONAL: dict[BookingAction, tuple[str, ...]] = {"book": ("email", "phone"), "manage": ()}
CHOICES = ("change", "cancel")
# The kind of page each role must be (question types are checked below).
_INFO_ROLES = ("details",)
_LOOKED_UP = ("type", "site", "day", "time")


class BookingPages(Strict):
    """Page ids by role (each a page of the service)."""

    type: str | None = None
    site: str | None = None
    day: str | None = None
    time: str | None = None
    name: str | None = None
    email: str | None = None
    phone: str | None = None
    postcode: str | None = None
    reference: str | None = None
    details: str | None = None
    choice: str | None = None
    sure: str | None = None

    def named(self) -> dict[str, str]:
        return {role: page for role, page in self.model_dump().items() if page is not None}


class BookingSpec(Strict):
    action: BookingAction
    pages: BookingPages
    call_back: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9-]*$")
    """A service offered instead when the council's diary cannot be reached (a call back)."""


def booking_problems(service: Service) -> list[tuple[Loc, str, str]]:
    spec = service.booking
    assert spec is not None  # only asked of a booking service
    problems: list[tuple[Loc, str, str]] = []
    if service.destination is not None:
        problems.append((("destination",), "no destination in a booking service (a booking is "
                         "made with the council's hub, never through the outbox)", "destination"))
    named = spec.pages.named()
    allowed = REQUIRED[spec.action] + OPTIONAL[spec.action]
    for role in REQUIRED[spec.action]:
        if role not in named:
            problems.append((("booking", "pages"), f"a page for {role} (a {spec.action} journey "
                             f"names {', '.join(REQUIRED[spec.action])})", "none"))
    ids = {p.id: p for p in service.pages}
    for role, page_id in named.items():
        at: Loc = ("booking", "pages", role)
        if role not in allowed:
            problems.append((at, f"a role of a {spec.action} journey ({', '.join(allowed)})",
                             repr(role)))
            continue
        page = ids.get(page_id)
        if page is None:
            problems.append((at, f"a page id ({', '.join(ids)})", repr(page_id)))
            continue
        problems.extend(_role_problems(role, page_id, page, at))
    return problems


def _role_problems(role: str, page_id: str, page: object, at: Loc) -> list[tuple[Loc, str, str]]:
    from kiosk.catalogue.model import Page

    assert isinstance(page, Page)
    if role in _INFO_ROLES:
        return [] if page.kind == "info" else [(at, "an information page (the journey shows the "
                                                    "booking's details on it)", page.kind)]
    if page.kind != "question":
        return [(at, "a question page", f"{page_id!r}, a {page.kind} page")]
    question = page.question
    if role in _LOOKED_UP and question.options_from is None:
        return [(at, "a question with options_from (the council's appointment sources)",
                 f"{page_id!r} without")]
    if role == "choice":
        values = sorted(o.value for o in question.options)
        if question.type != "radios" or values != sorted(CHOICES):
            return [(at, "a radios question with the options change and cancel",
                     f"{question.type} with {', '.join(values) or 'no options'}")]
    if role == "sure" and question.type != "yes_no":
        return [(at, "a yes_no question (are you sure?)", question.type)]
    return []
