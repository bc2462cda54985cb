"""Every validation error of every shipped question, with the exact words the resident sees.

GOV.UK pattern: validate on Continue, show the error by the field, keep what was typed.
Catalogue wording (`errors:` in the service file) wins over the app's generic message keys.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import kiosk
from accessibility.languages import Translator
from kiosk.catalogue import Service
from kiosk.catalogue.model import EVIDENCE_SEEN
from kiosk.journey.engine import JourneyEngine, Where
from kiosk.journey.pages import QuestionPage, WaitingPage
from kiosk.journey.types.address import AddressParts
from kiosk.journey.validation import DateParts, RawAnswer
from kiosk.lookups.fake import FakeLookup
from kiosk.profile import load_profile
from kiosk.resident import ask_council

TODAY = date(2026, 11, 23)
TEXTS = Translator(strict=True)
CATALOGUE = load_profile(Path(kiosk.__file__).parent / "demo" / "profile.yaml").catalogue

# How to reach each page of each shipped service. LOOKUP: the council answers the page
# waiting for it (the demo's canned answers: DE99 1AB has addresses, DE99 9ZZ none).
LOOKUP = "@lookup"
FOUND = [(LOOKUP, "")]
ADDRESS = [("address", "DE99 1AB"), *FOUND, ("address__list", "990000001001")]
BIN_BASE = [*ADDRESS, ("bin_type", "general"), ("due_date", DateParts("20", "11", "2026")),
            ("details", "")]
STREET_BASE = [("location", "Oak Road by the school"), ("nearby_address", ""), ("description", "")]
NEARBY = [("problem", "pothole"), ("location", "Oak Road by the school"),
          ("nearby_address", "DE99 1AB"), *FOUND]


def address_pages(service_id: str, before: list[tuple[str, RawAnswer]],
                  lead: str = "address") -> dict[tuple[str, str], list[tuple[str, RawAnswer]]]:
    """How to reach an address question's own pages: found, not listed, none found."""
    postcode = [*before[:-2], (lead, "DE99 9ZZ"), *FOUND]
    return {(service_id, f"{lead}__list"): before,
            (service_id, f"{lead}__manual"): [*before, (f"{lead}__list", "not_listed")],
            (service_id, f"{lead}__none"): postcode}

FEEDBACK_BASE = [("feedback_type", "complaint"), ("topics", ("bins",)), ("message", "Hello"),
                 ("happened_on", DateParts()), ("wants_reply", "yes"), ("full_name", "Ann")]
CALLBACK_BASE = [("topic", "appointment"), ("name", "Ann"), ("phone", "07700 900982"),
                 ("best_time", "morning")]
# Issue 13's applications: Blue Badge for yourself (and for someone else), bus pass, moving.
BADGE_ME = [("who_for", "myself"), ("benefit", "wpms"), ("eligible", ""), ("name", "Ann"),
            *ADDRESS, ("date_of_birth", DateParts("2", "4", "1961")),
            ("ni_number", "JK 12 34 56 C")]
BADGE_THEM = [("who_for", "someone_else"), ("benefit", "wpms"), ("eligible", ""),
              ("their_name", "Sam"), ("your_name", "Ann"), *ADDRESS,
              ("their_date_of_birth", DateParts("9", "9", "2019"))]
BADGE_PREFIX: dict[str, list[tuple[str, RawAnswer]]] = {
    "who_for": [], "benefit": [("who_for", "myself")],
    "pip_points": [("who_for", "myself"), ("benefit", "pip")],
    "dla_rate": [("who_for", "myself"), ("benefit", "dla")],
    "afcs_tariff": [("who_for", "myself"), ("benefit", "afcs")],
    "sight": [("who_for", "myself"), ("benefit", "none")],
    "conditions": [("who_for", "myself"), ("benefit", "none"), ("sight", "no")],
    "name": BADGE_ME[:3], "address": BADGE_ME[:4], "date_of_birth": BADGE_ME[:7],
    "ni_number": BADGE_ME[:8], "phone": BADGE_ME,
    "their_name": BADGE_THEM[:3], "your_name": BADGE_THEM[:4],
    "their_date_of_birth": BADGE_THEM[:8], "their_ni_number": BADGE_THEM,
}
MOVED_BASE = [("old_address", "DE99 1AB"), *FOUND, ("old_address__list", "990000001002"),
              ("new_address", "DE99 2DE"), *FOUND, ("new_address__list", "990000002007"),
              ("moving_date", DateParts("14", "11", "2026")), ("name", "Ann")]
PREFIX: dict[tuple[str, str], list[tuple[str, RawAnswer]]] = {
    ("missed-bin", "address"): [],
    **address_pages("missed-bin", [("address", "DE99 1AB"), *FOUND]),
    ("missed-bin", "garden_subscription"): [*ADDRESS, ("bin_type", "garden")],
    **{("missed-bin", page): BIN_BASE[:len(ADDRESS) + i] for i, page in enumerate(
        ["bin_type", "due_date", "details", "contact_method"])},
    ("missed-bin", "contact_email"): [*BIN_BASE, ("contact_method", "email")],
    ("missed-bin", "contact_phone"): [*BIN_BASE, ("contact_method", "phone")],
    ("street-problem", "problem"): [],
    ("street-problem", "hazardous"): [("problem", "fly_tipping")],
    ("street-problem", "amount"): [("problem", "fly_tipping"), ("hazardous", "no")],
    ("street-problem", "offensive"): [("problem", "graffiti")],
    **{("street-problem", page): [("problem", "pothole"), *STREET_BASE[:i]] for i, page in
       enumerate(["location", "nearby_address", "description", "contact_method"])},
    **address_pages("street-problem", NEARBY, "nearby_address"),
    ("street-problem", "contact_email"): [("problem", "pothole"), *STREET_BASE,
                                          ("contact_method", "email")],
    ("street-problem", "contact_phone"): [("problem", "pothole"), *STREET_BASE,
                                          ("contact_method", "phone")],
    **{("feedback", page): FEEDBACK_BASE[:i] for i, page in enumerate(
        ["feedback_type", "topics", "message", "happened_on", "wants_reply", "full_name",
         "contact_method"])},
    ("feedback", "contact_email"): [*FEEDBACK_BASE, ("contact_method", "email")],
    ("feedback", "contact_phone"): [*FEEDBACK_BASE, ("contact_method", "phone")],
    ("track-request", "reference"): [],
    **{("request-callback", page): CALLBACK_BASE[:i] for i, page in enumerate(
        ["topic", "name", "phone", "best_time", "details"])},
    # reference (booking services): the first page; every other page of theirs waits on the
    # hub's diary: their errors are in tests/kiosk/test_booking_journey.py.
    ("manage-booking", "reference"): [],
    ("bin-day", "address"): [],
    **address_pages("bin-day", [("address", "DE99 1AB"), *FOUND]),
    **{("blue-badge", page): steps for page, steps in BADGE_PREFIX.items()},
    **address_pages("blue-badge", [*BADGE_ME[:4], ("address", "DE99 1AB"), *FOUND]),
    ("bus-pass", "date_of_birth"): [],
    ("bus-pass", "address"): [("date_of_birth", DateParts("1", "1", "1950"))],
    ("bus-pass", "name"): [("date_of_birth", DateParts("1", "1", "1950")), *ADDRESS],
    **address_pages("bus-pass", [("date_of_birth", DateParts("1", "1", "1950")),
                                 ("address", "DE99 1AB"), *FOUND]),
    ("moved-house", "old_address"): [],
    **address_pages("moved-house", [("old_address", "DE99 1AB"), *FOUND], "old_address"),
    ("moved-house", "new_address"): MOVED_BASE[:3],
    **address_pages("moved-house", [*MOVED_BASE[:3], ("new_address", "DE99 1AB"), *FOUND],
                    "new_address"),
    ("moved-house", "moving_date"): MOVED_BASE[:6],
    ("moved-house", "name"): MOVED_BASE[:7],
    ("moved-house", "tell"): MOVED_BASE,
    ("moved-house", "adults"): [*MOVED_BASE, ("tell", ("council_tax",))],
    ("moved-house", "tenure"): [*MOVED_BASE, ("tell", ("council_tax",)), ("adults", "1")],
    ("moved-house", "nationality"): [*MOVED_BASE, ("tell", ("electoral_register",))],
    ("moved-house", "move_garden"): [*MOVED_BASE, ("tell", ("garden_waste",))],
    ("moved-house", "library_card"): [*MOVED_BASE, ("tell", ("libraries",))],
    ("moved-house", "rent_from"): [*MOVED_BASE, ("tell", ("housing_benefit",))],
    ("moved-house", "new_rent"): [*MOVED_BASE, ("tell", ("housing_benefit",)),
                                  ("rent_from", DateParts("1", "12", "2026"))],
}


def engine_at(service: Service, page_id: str) -> JourneyEngine:
    engine = JourneyEngine(service, TEXTS, lambda: TODAY)
    for step_page, raw in PREFIX[(service.id, page_id)]:
        if step_page == LOOKUP:
            waiting = engine.current()
            assert isinstance(waiting, WaitingPage)
            engine.lookup_done(waiting.request, ask_council(FakeLookup(), waiting.request))
        else:
            engine.answer(step_page, raw)
    assert engine.where == Where("page", page_id)
    return engine


def asked_here(service: Service) -> list[str]:
    """The questions this file reaches with the plain engine: all of a service's, or only a
    booking service's first (the rest wait on the hub's diary: test_booking_journey.py)."""
    questions = [p.id for p in service.pages if p.kind == "question" and p.id != EVIDENCE_SEEN]
    return questions if service.booking is None or not questions else [
        q for q in questions if not PREFIX.get((service.id, q), [None])]


def test_every_shipped_page_is_reachable_by_the_prefixes_above() -> None:
    assert {key for key in PREFIX} == {(s.id, q) for s in CATALOGUE for q in asked_here(s)}


def shown_after(service_id: str, page_id: str, raw: RawAnswer) -> QuestionPage:
    engine = engine_at(CATALOGUE.service(service_id), page_id)
    page = engine.answer(page_id, raw)
    assert isinstance(page, QuestionPage), f"{raw!r} was accepted"
    assert page.page_id == page_id
    assert page.value == raw  # GOV.UK: keep what was typed
    assert engine.where == Where("page", page_id)
    assert page_id not in engine.answers() or PREFIX[(service_id, page_id)] == []
    return page


EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
PHONE_FORMAT = "Enter a UK phone number, like 01632 960 001 or 07700 900 982"
POSTCODE_FORMAT = "Enter a full UK postcode, like DE1 2AB"
CHOOSE_LISTED = "Select one of the answers shown"
CHARACTERS = "Your answer contains characters we cannot send. Remove them and try again"
REAL_DATE = "Enter a real date, like 27 3 2026"
REFERENCE_FORMAT = "Enter the reference as it is printed on your receipt, like AB2C D3EF"


def contact_cases(service_id: str) -> list[Any]:
    return [
        (service_id, "contact_email", "", ["Enter your email address"]),
        (service_id, "contact_email", "   ", ["Enter your email address"]),
        (service_id, "contact_email", "name@", [EMAIL_FORMAT]),
        (service_id, "contact_email", "name@example", [EMAIL_FORMAT]),
        (service_id, "contact_email", "name..x@example.com", [EMAIL_FORMAT]),
        (service_id, "contact_email", "name @example.com", [EMAIL_FORMAT]),
        (service_id, "contact_email", "a@" + "b" * 250 + ".com",
         ["Your answer must be 254 characters or fewer"]),
        (service_id, "contact_phone", "", ["Enter your phone number"]),
        (service_id, "contact_phone", "12345", [PHONE_FORMAT]),
        (service_id, "contact_phone", "+1 202 555 0100", [PHONE_FORMAT]),
        (service_id, "contact_phone", "07700 900 9", [PHONE_FORMAT]),
        (service_id, "contact_phone", "07700 900 982 1", [PHONE_FORMAT]),
        (service_id, "contact_phone", "0" * 31, ["Your answer must be 30 characters or fewer"]),
    ]


def address_cases(service_id: str, lead: str = "address") -> list[Any]:
    """The address question's own pages, worded by the app (GOV.UK's address messages)."""
    return [
        (service_id, f"{lead}__list", "", ["Select an address"]),
        (service_id, f"{lead}__list", "990000009999", [CHOOSE_LISTED]),
        (service_id, f"{lead}__manual", AddressParts(), [
            "Enter address line 1, typically the building and street", "Enter town or city",
            "Enter postcode"]),
        (service_id, f"{lead}__manual", AddressParts("x" * 101, "x" * 101, "Demo Town", "DE1"), [
            "Address line 1 must be 100 characters or less",
            "Address line 2 must be 100 characters or less", POSTCODE_FORMAT]),
        (service_id, f"{lead}__none", AddressParts("1 Mill Lane", "", " ", "DE99 9ZZ"),
         ["Enter town or city"]),
        (service_id, f"{lead}__none", AddressParts("1 Mill Lane\ud800", "", "Town", "DE99 9ZZ"),
         [CHARACTERS]),
    ]


CASES: list[Any] = [
    # missed bin
    ("missed-bin", "bin_type", "", ["Select which bin was not collected"]),
    ("missed-bin", "bin_type", "compost", [CHOOSE_LISTED]),
    ("missed-bin", "garden_subscription", "",
     ["Select yes if you pay for garden waste collections"]),
    ("missed-bin", "garden_subscription", "maybe", [CHOOSE_LISTED]),
    ("missed-bin", "address", "", ["Enter the postcode of the collection address"]),
    ("missed-bin", "address", " \t ", ["Enter the postcode of the collection address"]),
    ("missed-bin", "address", "DE1", [POSTCODE_FORMAT]),
    ("missed-bin", "address", "not a postcode", ["Your answer must be 12 characters or fewer"]),
    ("missed-bin", "address", "DE12 ABC", [POSTCODE_FORMAT]),
    ("missed-bin", "address", "DE1 2A\ud800", [CHARACTERS]),
    *address_cases("missed-bin"),
    ("missed-bin", "due_date", DateParts(),
     ["Enter the date your bin should have been collected"]),
    ("missed-bin", "due_date", DateParts(" ", "", "  "),
     ["Enter the date your bin should have been collected"]),
    ("missed-bin", "due_date", DateParts("20", "", ""),
     ["The date must include a month", "The date must include a year"]),
    ("missed-bin", "due_date", DateParts("", "11", "2026"), ["The date must include a day"]),
    ("missed-bin", "due_date", DateParts("31", "2", "2026"), [REAL_DATE]),
    ("missed-bin", "due_date", DateParts("20", "13", "2026"), [REAL_DATE]),
    ("missed-bin", "due_date", DateParts("20", "11", "26"), [REAL_DATE]),
    ("missed-bin", "due_date", DateParts("twenty", "11", "2026"), [REAL_DATE]),
    ("missed-bin", "due_date", DateParts("0", "11", "2026"), [REAL_DATE]),
    ("missed-bin", "due_date", DateParts("24", "11", "2026"),
     ["The collection date must be today or in the past"]),
    ("missed-bin", "due_date", DateParts("8", "11", "2026"),
     ["We can only take reports of bins missed in the last 14 days. Call us instead."]),
    ("missed-bin", "details", "x" * 501, ["Your answer must be 500 characters or fewer"]),
    ("missed-bin", "contact_method", "", ["Select how we should contact you"]),
    ("missed-bin", "contact_method", "post", [CHOOSE_LISTED]),
    *contact_cases("missed-bin"),
    # street problem
    ("street-problem", "problem", "", ["Select what the problem is"]),
    ("street-problem", "hazardous", "", ["Select yes if any of it could be dangerous"]),
    ("street-problem", "amount", "", ["Enter about how many bags or items have been dumped"]),
    ("street-problem", "amount", "lots", ["Enter the number of bags or items as a number, like 3"]),
    ("street-problem", "amount", "3 bags",
     ["Enter the number of bags or items as a number, like 3"]),
    ("street-problem", "amount", "0", ["Enter a number that is 1 or more"]),
    ("street-problem", "amount", "-2", ["Enter a number that is 1 or more"]),
    ("street-problem", "amount", "1000", ["Enter a number that is 999 or less"]),
    ("street-problem", "amount", "2.5", ["Enter a whole number, like 3"]),
    ("street-problem", "amount", "1" * 21, ["Your answer must be 20 characters or fewer"]),
    ("street-problem", "offensive", "", ["Select yes if the graffiti is offensive"]),
    ("street-problem", "location", "", ["Enter where the problem is"]),
    ("street-problem", "location", " Oak ", ["Tell us a little more about where the problem is"]),
    ("street-problem", "location", "x" * 501, ["Your answer must be 500 characters or fewer"]),
    ("street-problem", "nearby_address", "near park", [POSTCODE_FORMAT]),
    *address_cases("street-problem", "nearby_address"),
    ("street-problem", "description", "x" * 1001, ["Your answer must be 1000 characters or fewer"]),
    ("street-problem", "contact_method", "", ["Select how we should contact you"]),
    *contact_cases("street-problem"),
    # feedback
    ("feedback", "feedback_type", "", ["Select what you would like to do"]),
    ("feedback", "topics", (), ["Select at least one council service"]),
    ("feedback", "topics", ("bins", "pets"), [CHOOSE_LISTED]),
    ("feedback", "message", "", ["Tell us what happened"]),
    ("feedback", "message", "\n\n \n", ["Tell us what happened"]),
    ("feedback", "message", "x" * 1201, ["Your answer must be 1200 characters or fewer"]),
    ("feedback", "happened_on", DateParts("24", "11", "2026"),
     ["The date must be today or in the past"]),
    ("feedback", "happened_on", DateParts("", "3", ""),
     ["The date must include a day", "The date must include a year"]),
    ("feedback", "happened_on", DateParts("29", "2", "2026"), [REAL_DATE]),
    ("feedback", "wants_reply", "", ["Select yes if you would like a reply"]),
    ("feedback", "full_name", "", ["Enter your name"]),
    ("feedback", "full_name", "x" * 101, ["Your answer must be 100 characters or fewer"]),
    ("feedback", "contact_method", "", ["Select how we should reply"]),
    *contact_cases("feedback"),
    # track my request
    ("track-request", "reference", "", ["Enter the reference from your receipt"]),
    ("track-request", "reference", "AB2C D3E", [REFERENCE_FORMAT]),
    ("track-request", "reference", "AB2C D3EFG", [REFERENCE_FORMAT]),
    ("track-request", "reference", "ABCD 2345", [REFERENCE_FORMAT]),  # no digit where one goes
    ("track-request", "reference", "AO2C D3EF", [REFERENCE_FORMAT]),  # O is never used
    ("track-request", "reference", "https://hub.example/status/", [REFERENCE_FORMAT]),
    ("track-request", "reference", "x" * 301, ["Your answer must be 300 characters or fewer"]),
    # ask us to call you back
    ("request-callback", "topic", "", ["Select what you would like to talk about"]),
    ("request-callback", "name", "", ["Enter your name"]),
    ("request-callback", "phone", "", ["Enter the number we should call"]),
    ("request-callback", "phone", "12345", [PHONE_FORMAT]),
    ("request-callback", "best_time", "", ["Select when is the best time to call"]),
    ("request-callback", "details", "x" * 501, ["Your answer must be 500 characters or fewer"]),
    # change or cancel a booking (its first page)
    ("manage-booking", "reference", "", ["Enter the reference from your booking confirmation"]),
    ("manage-booking", "reference", "AB2C D3E",
     ["Enter the reference as it is on your booking confirmation, like BK-4F7K-2QXD"]),
    ("manage-booking", "reference", "LR33 86LF 2",  # a receipt's reference and more
     ["Enter the reference as it is on your booking confirmation, like BK-4F7K-2QXD"]),
    ("manage-booking", "reference", "BK-4F7K-2QX",
     ["Enter the reference as it is on your booking confirmation, like BK-4F7K-2QXD"]),
    ("manage-booking", "reference", "BK-4F7K-2QX0",  # 0 is never used
     ["Enter the reference as it is on your booking confirmation, like BK-4F7K-2QXD"]),
    # bin collection days
    ("bin-day", "address", "", ["Enter the postcode of your home"]),
    *address_cases("bin-day"),
    # Blue Badge
    ("blue-badge", "who_for", "", ["Select who the Blue Badge is for"]),
    ("blue-badge", "benefit", "", ["Select which of these you get, or None of these"]),
    ("blue-badge", "pip_points", "", ["Select what your PIP award letter says"]),
    ("blue-badge", "dla_rate", "",
     ["Select yes if you get the higher rate of the mobility component"]),
    ("blue-badge", "afcs_tariff", "", ["Select yes if the lump sum was at tariff levels 1 to 8"]),
    ("blue-badge", "sight", "", ["Select yes if you are registered blind"]),
    ("blue-badge", "conditions", (), ["Select all that apply, or None of these"]),
    ("blue-badge", "name", "", ["Enter your full name"]),
    ("blue-badge", "their_name", "", ["Enter the full name of the person the badge is for"]),
    ("blue-badge", "your_name", "x" * 101, ["Your answer must be 100 characters or fewer"]),
    ("blue-badge", "your_name", "", ["Enter your full name"]),
    ("blue-badge", "address", "", ["Enter the postcode"]),
    *address_cases("blue-badge"),
    ("blue-badge", "date_of_birth", DateParts(), ["Enter your date of birth"]),
    ("blue-badge", "date_of_birth", DateParts("24", "11", "2026"),
     ["Your date of birth must be in the past"]),
    ("blue-badge", "their_date_of_birth", DateParts(), ["Enter their date of birth"]),
    ("blue-badge", "ni_number", "JK 12 34 56",
     ["Enter a National Insurance number in the correct format"]),
    ("blue-badge", "their_ni_number", "QQ 12 34 56 C",  # QQ is never issued
     ["Enter a National Insurance number in the correct format"]),
    ("blue-badge", "phone", "", ["Enter your phone number"]),
    ("blue-badge", "phone", "12345", [PHONE_FORMAT]),
    # bus pass
    ("bus-pass", "date_of_birth", DateParts(), ["Enter your date of birth"]),
    ("bus-pass", "date_of_birth", DateParts("30", "2", "1950"), [REAL_DATE]),
    ("bus-pass", "address", "", ["Enter your home postcode"]),
    *address_cases("bus-pass"),
    ("bus-pass", "name", "", ["Enter your full name"]),
    # tell us once
    ("moved-house", "old_address", "", ["Enter the postcode of your old address"]),
    *address_cases("moved-house", "old_address"),
    ("moved-house", "new_address", "", ["Enter the postcode of your new address"]),
    *address_cases("moved-house", "new_address"),
    ("moved-house", "moving_date", DateParts(), ["Enter the date you moved or will move"]),
    ("moved-house", "moving_date", DateParts("24", "1", "2027"),
     ["You can tell us up to 61 days before you move"]),
    ("moved-house", "name", "", ["Enter your full name"]),
    ("moved-house", "tell", (), ["Select who we should tell"]),
    ("moved-house", "tell", ("council_tax", "tv_licence"), [CHOOSE_LISTED]),
    ("moved-house", "adults", "", ["Enter how many adults live at your new address"]),
    ("moved-house", "adults", "0", ["Enter a number that is 1 or more"]),
    ("moved-house", "tenure", "", ["Select whether you own or rent your new home"]),
    ("moved-house", "nationality", "",
     ["Select yes if you are a British, Irish, Commonwealth or European Union citizen"]),
    ("moved-house", "move_garden", "",
     ["Select yes if you want to move your garden waste subscription"]),
    ("moved-house", "library_card", "12-34",
     ["Enter the library card number using only letters and numbers"]),
    ("moved-house", "rent_from", DateParts(), ["Enter the date you start paying rent at your "
                                               "new address"]),
    ("moved-house", "new_rent", "", ["Enter your rent each month"]),
    ("moved-house", "new_rent", "10001", ["Enter a number that is 10000 or less"]),
]


@pytest.mark.parametrize(("service_id", "page_id", "raw", "messages"), CASES,
                         ids=[f"{c[0]}-{c[1]}-{i}" for i, c in enumerate(CASES)])
def test_error_text_shown_and_value_kept(
    service_id: str, page_id: str, raw: RawAnswer, messages: list[str]
) -> None:
    page = shown_after(service_id, page_id, raw)
    assert [e.message for e in page.errors] == messages


def test_every_shipped_question_has_an_error_case() -> None:
    required = {(s.id, p.id) for s in CATALOGUE for p in s.pages
                if p.id in asked_here(s) and not p.question.optional}
    assert required <= {(c[0], c[1]) for c in CASES}


def test_date_errors_name_the_box_to_fix() -> None:
    page = shown_after("missed-bin", "due_date", DateParts("20", "", ""))
    assert [e.field for e in page.errors] == ["due_date-month", "due_date-year"]
    page = shown_after("missed-bin", "due_date", DateParts("31", "2", "2026"))
    assert [e.field for e in page.errors] == ["due_date"]


def test_checkbox_choices_are_kept_after_an_error() -> None:
    page = shown_after("feedback", "topics", ("bins", "pets"))
    assert [o.value for o in page.options if o.selected] == ["bins"]


def test_error_clears_once_the_answer_is_fixed() -> None:
    service = CATALOGUE.service("missed-bin")
    engine = engine_at(service, "address")
    engine.answer("address", "DE1")
    page = engine.answer("address", "de99 1ab")
    assert isinstance(page, WaitingPage)  # on to the addresses there, the error gone
    back = engine.back()
    assert isinstance(back, QuestionPage)
    assert back.page_id == "address"
    assert not back.errors


@pytest.mark.parametrize(("page_id", "raw"), [
    ("due_date", DateParts("23", "11", "2026")),  # today
    ("due_date", DateParts("9", "11", "2026")),  # exactly 14 days ago
    ("due_date", DateParts(" 09 ", "011", "2026")),
])
def test_boundary_dates_are_accepted(page_id: str, raw: RawAnswer) -> None:
    engine = engine_at(CATALOGUE.service("missed-bin"), page_id)
    page = engine.answer(page_id, raw)
    assert isinstance(page, QuestionPage)
    assert page.page_id == "details"


# ----- the app's generic messages, for a service that words nothing itself -----------------

PLAIN = Service.model_validate({
    "id": "plain", "title": "Plain", "description": "Every question type, no wording of its own",
    "pages": [
        {"id": "pick", "question": {"type": "radios", "label": "Pick", "options": [
            {"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}},
        {"id": "many", "question": {"type": "checkboxes", "label": "Many", "options": [
            {"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}},
        {"id": "ok", "question": {"type": "yes_no", "label": "OK?"}},
        {"id": "words", "question": {"type": "text", "label": "Words",
                                     "rules": {"min_length": 3, "pattern": "[A-Z]+[0-9]*"}}},
        {"id": "long", "question": {"type": "textarea", "label": "Long"}},
        {"id": "count", "question": {"type": "number", "label": "Count",
                                     "rules": {"min": 2, "max": 10, "whole_number": False}}},
        {"id": "whole", "question": {"type": "number", "label": "Whole"}},
        {"id": "mail", "question": {"type": "email", "label": "Email"}},
        {"id": "tel", "question": {"type": "phone", "label": "Phone"}},
        {"id": "code", "question": {"type": "postcode", "label": "Postcode"}},
        {"id": "ahead", "question": {"type": "date", "label": "When",
                                     "rules": {"not_in_past": True, "max_days_ahead": 30}}},
        {"id": "before", "question": {"type": "date", "label": "When before",
                                      "rules": {"not_in_future": True, "max_days_ago": 7}}},
    ],
    "confirmation": {"title": "Sent", "next_steps": "Nothing"},
    "destination": {"to": "council", "service_code": "PLAIN"},
})
PLAIN_STEPS: list[tuple[str, RawAnswer]] = [
    ("pick", "a"), ("many", ("b",)), ("ok", "no"), ("words", "ABC1"), ("long", "x"),
    ("count", "2.5"), ("whole", "7"), ("mail", "a@b.co"), ("tel", "01632960001"),
    ("code", "DE1 2AB"), ("ahead", DateParts("1", "12", "2026")),
    ("before", DateParts("20", "11", "2026")),
]

GENERIC: list[Any] = [
    ("pick", "", "Select an answer"),
    ("pick", "c", CHOOSE_LISTED),
    ("many", (), "Select at least one answer"),
    ("many", ("a", "zz"), CHOOSE_LISTED),
    ("ok", "", "Select an answer"),
    ("ok", "Yes", CHOOSE_LISTED),
    ("words", "", "Enter an answer"),
    ("words", "AB", "Your answer must be 3 characters or more"),
    ("words", "abc", "Enter your answer in the format shown in the hint"),
    ("words", "x" * 201, "Your answer must be 200 characters or fewer"),
    ("long", "y" * 1201, "Your answer must be 1200 characters or fewer"),
    ("count", "1.5", "Enter a number that is 2 or more"),
    ("count", "10.01", "Enter a number that is 10 or less"),
    ("count", "1e3", "Enter a number, like 3"),
    ("whole", "3.5", "Enter a whole number, like 3"),
    ("whole", "three", "Enter a number, like 3"),
    ("mail", "nope", EMAIL_FORMAT),
    ("tel", "999", PHONE_FORMAT),
    ("code", "ZZ", POSTCODE_FORMAT),
    ("ahead", DateParts(), "Enter a date"),
    ("ahead", DateParts("22", "11", "2026"), "The date must be today or in the future"),
    ("ahead", DateParts("24", "12", "2026"), "The date must be within the next 30 days"),
    ("before", DateParts("24", "11", "2026"), "The date must be today or in the past"),
    ("before", DateParts("15", "11", "2026"), "The date must be within the last 7 days"),
    ("before", DateParts("1", "1", "0000"), REAL_DATE),
]


def plain_engine_at(page_id: str) -> JourneyEngine:
    engine = JourneyEngine(PLAIN, TEXTS, lambda: TODAY)
    for step_page, raw in PLAIN_STEPS:
        if step_page == page_id:
            break
        engine.answer(step_page, raw)
    assert engine.where == Where("page", page_id)
    return engine


@pytest.mark.parametrize(("page_id", "raw", "message"), GENERIC,
                         ids=[f"{g[0]}-{i}" for i, g in enumerate(GENERIC)])
def test_generic_error_text(page_id: str, raw: RawAnswer, message: str) -> None:
    page = plain_engine_at(page_id).answer(page_id, raw)
    assert isinstance(page, QuestionPage)
    assert page.page_id == page_id
    assert [e.message for e in page.errors] == [message]
    assert page.value == raw


def test_plain_steps_are_all_accepted() -> None:
    engine = JourneyEngine(PLAIN, TEXTS, lambda: TODAY)
    for page_id, raw in PLAIN_STEPS:
        engine.answer(page_id, raw)
    assert engine.ready_to_submit()
    assert engine.answers()["count"] == "2.5"


# ----- which catalogue wording wins --------------------------------------------------------

def worded(errors: dict[str, Any], qtype: str = "date", **rules: Any) -> Service:
    return Service.model_validate({
        "id": "worded", "title": "W", "description": "d",
        "pages": [{"id": "q", "question": {"type": qtype, "label": "Q", "rules": rules,
                                           "errors": errors}}],
        "confirmation": {"title": "Sent", "next_steps": "Nothing"},
        "destination": {"to": "council", "service_code": "W"},
    })


@pytest.mark.parametrize(("errors", "raw", "message"), [
    ({"required": "R"}, DateParts(), "R"),
    ({"date": "D"}, DateParts(), "D"),
    ({"date": "D", "required": "R"}, DateParts(), "R"),
    ({"date": "D", "required": "R", "date.required": "DR"}, DateParts(), "DR"),
    ({"date": "D"}, DateParts("1", "", "2026"), "D"),
    ({"required": "R"}, DateParts("1", "", "2026"), "The date must include a month"),
    ({"date.too_old": "Only {days} days back"}, DateParts("1", "1", "2026"),
     "Only 7 days back"),
    ({"date": "D", "date.too_old": "Old"}, DateParts("1", "1", "2026"), "Old"),
])
def test_most_specific_catalogue_wording_wins(
    errors: dict[str, str], raw: RawAnswer, message: str
) -> None:
    engine = JourneyEngine(worded(errors, max_days_ago=7), TEXTS, lambda: TODAY)
    page = engine.answer("q", raw)
    assert isinstance(page, QuestionPage)
    assert page.errors[0].message == message


def test_catalogue_wording_with_a_placeholder_is_filled_in() -> None:
    engine = JourneyEngine(worded({"too_long": "At most {max} letters"}, "text", max_length=5),
                           TEXTS, lambda: TODAY)
    page = engine.answer("q", "abcdef")
    assert isinstance(page, QuestionPage)
    assert [e.message for e in page.errors] == ["At most 5 letters"]


def check_messages(page: QuestionPage, expected: Sequence[str]) -> None:
    assert [e.message for e in page.errors] == list(expected)


def test_nul_and_controls_are_removed_before_length_rules() -> None:
    page = plain_engine_at("words").answer("words", "A\x00\u200bB")
    assert isinstance(page, QuestionPage)
    check_messages(page, ["Your answer must be 3 characters or more"])
