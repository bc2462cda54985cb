"""The address question (`type: address`), driven headless: postcode → the addresses there
(or none) → chosen, or typed by hand; the lookup down; Back and Change; another language; the
Open311 parameters it gives. The engine does no I/O: the test plays the terminal's part."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from pydantic import ValidationError

from accessibility.languages import Translator
from kiosk.catalogue import Service
from kiosk.catalogue.checks import reference_problems
from kiosk.journey.engine import CHECK, JourneyEngine, Where
from kiosk.journey.pages import (
    CheckAnswersPage,
    LookupFailedPage,
    PageModel,
    QuestionPage,
    WaitingPage,
)
from kiosk.journey.types import builtin_types
from kiosk.journey.types.address import AddressParts
from kiosk.lookups.base import LookupUnavailable
from kiosk.resident import ask_council
from kiosk.submission import open311_parameters
from tests.kiosk.address_service import SERVICE_DATA, AddressBook, service

TODAY = date(2026, 11, 23)
ADDRESS = AddressParts("Flat 3, The Old Mill", "Mill Lane", "Demo Town", "de99 9zz")


def engine(language: str = "en", **changes: object) -> JourneyEngine:
    return JourneyEngine(service(**changes), Translator(language, strict=True), lambda: TODAY)


def run(journey: JourneyEngine, lookup: AddressBook | None = None) -> PageModel:
    """What the terminal does on a waiting page: ask the council, hand the outcome back."""
    page = journey.current()
    assert isinstance(page, WaitingPage)
    try:
        return journey.lookup_done(page.request, ask_council(lookup or AddressBook(), page.request))
    except LookupUnavailable as exc:
        return journey.lookup_failed(page.request, exc.reason)


def at_postcode(language: str = "en") -> JourneyEngine:
    journey = engine(language)
    journey.answer("what", "bin")
    assert journey.where == Where("page", "address")
    return journey


def at_list(postcode: str = "de99 1ab") -> tuple[JourneyEngine, PageModel]:
    journey = at_postcode()
    assert isinstance(journey.answer("address", postcode), WaitingPage)
    return journey, run(journey)


def parameters(journey: JourneyEngine) -> tuple[dict[str, str | list[str]], dict[str, str]]:
    answers = journey.answers()
    return open311_parameters(journey.service, answers, journey.answer_data(), journey.types,
                              labels={pid: journey.chosen_labels(pid) for pid in answers})


def test_the_postcode_page_is_worded_by_the_app_in_every_language() -> None:
    page = at_postcode().current()
    assert isinstance(page, QuestionPage)
    assert (page.page_id, page.qtype, page.title, page.hint) == (
        "address", "address", "What is the postcode of the address?", "For example, DE1 2AB")
    welsh = at_postcode("cy").current()
    assert isinstance(welsh, QuestionPage)
    assert welsh.title == "Beth yw cod post y cyfeiriad?"
    refused = at_postcode().answer("address", "postcode")
    assert isinstance(refused, QuestionPage)
    assert [e.message for e in refused.errors] == ["Enter a full UK postcode, like DE1 2AB"]


def test_address_found_chosen_and_sent_as_words_uprn_and_position() -> None:
    journey, page = at_list()
    assert isinstance(page, QuestionPage)
    assert (page.page_id, page.title, page.qtype) == ("address__list", "Select the address",
                                                      "address_list")
    assert [(o.value, o.label) for o in page.options] == [
        ("990000001001", "1 Library Lane, Demo Town, DE99 1AB"),
        ("990000001002", "2 Library Lane, Demo Town, DE99 1AB"),
        ("not_listed", "The address is not listed"),  # always the last choice
    ]
    refused = journey.answer("address__list", "")
    assert isinstance(refused, QuestionPage)
    assert [e.message for e in refused.errors] == ["Select an address"]
    after = journey.answer("address__list", "990000001002")
    assert isinstance(after, QuestionPage)
    assert after.page_id == "when"  # the page after the address
    journey.answer("when", "Tuesday")
    journey.answer("details", "")
    assert journey.where == CHECK
    attributes, fields = parameters(journey)
    assert attributes == {"what": "bin", "uprn": "990000001002"}
    assert fields == {"address_string": "2 Library Lane, Demo Town, DE99 1AB",
                      "address_id": "990000001002", "lat": "52.60015", "long": "-1.47021"}


def test_check_answers_shows_one_address_row_whose_change_returns_to_the_postcode() -> None:
    journey, _ = at_list()
    journey.answer("address__list", "990000001001")
    journey.answer("when", "Tuesday")
    journey.answer("details", "")
    page = journey.current()
    assert isinstance(page, CheckAnswersPage)
    assert [(r.page_id, r.label, r.value) for r in page.rows] == [
        ("what", "What is wrong?", "A bin"),
        ("address", "Address", "1 Library Lane, Demo Town, DE99 1AB"),
        ("when", "When?", "Tuesday"),
        ("details", "Anything else?", "Not provided"),
    ]
    assert page.rows[1].personal
    changing = journey.change("address")
    assert isinstance(changing, QuestionPage)
    assert (changing.page_id, changing.value) == ("address", "de99 1ab")  # as typed
    # The same postcode: straight back to check answers, the address kept.
    assert isinstance(journey.answer("address", "DE99 1AB"), CheckAnswersPage)
    assert journey.answers()["address__list"] == "990000001001"
    # Another postcode: its addresses are looked up and one must be chosen again.
    journey.change("address")
    assert isinstance(journey.answer("address", "DE99 9ZZ"), WaitingPage)
    typed = run(journey)
    assert isinstance(typed, QuestionPage)
    assert typed.page_id == "address__none"
    assert isinstance(journey.answer("address__none", ADDRESS), CheckAnswersPage)
    row = next(r for r in journey.current().rows if r.page_id == "address")  # type: ignore[union-attr]
    assert row.value == "Flat 3, The Old Mill\nMill Lane\nDemo Town\nDE99 9ZZ"


def test_not_listed_leads_to_typing_it_with_the_postcode_filled_in() -> None:
    journey, _ = at_list()
    page = journey.answer("address__list", "not_listed")
    assert isinstance(page, QuestionPage)
    assert (page.page_id, page.title, page.hint, page.qtype) == (
        "address__manual", "Enter the address", None, "address_manual")
    assert page.value == AddressParts(postcode="DE99 1AB")
    assert journey.answer_data() == {}
    typed = AddressParts("14 Library Lane", "", "Demo Town", "DE99 1AB")
    assert journey.answer("address__manual", typed).page_id == "when"  # type: ignore[union-attr]
    journey.answer("when", "Monday")
    journey.answer("details", "")
    attributes, fields = parameters(journey)
    # Typed by hand: the address in words only; no UPRN, no position, no attribute.
    assert attributes == {"what": "bin"}
    assert fields == {"address_string": "14 Library Lane, Demo Town, DE99 1AB"}


def test_manual_entry_checks_each_box_with_govuk_messages() -> None:
    journey, _ = at_list()
    journey.answer("address__list", "not_listed")
    page = journey.answer("address__manual", AddressParts("", "x" * 101, " ", "nope"))
    assert isinstance(page, QuestionPage)
    assert [(e.field, e.message) for e in page.errors] == [
        ("address__manual-line1", "Enter address line 1, typically the building and street"),
        ("address__manual-line2", "Address line 2 must be 100 characters or less"),
        ("address__manual-town", "Enter town or city"),
        ("address__manual-postcode", "Enter a full UK postcode, like DE1 2AB"),
    ]
    assert page.value == AddressParts("", "x" * 101, " ", "nope")  # shown again as typed
    blank = journey.answer("address__manual", AddressParts("1 Lane", "", "Town", ""))
    assert [e.message for e in blank.errors] == ["Enter postcode"]  # type: ignore[union-attr]


def test_a_postcode_with_no_addresses_goes_straight_to_typing_it_saying_so() -> None:
    journey, page = at_list("de99 9zz")
    assert isinstance(page, QuestionPage)
    assert page.page_id == "address__none"
    assert page.hint == ("We could not find any addresses at that postcode. Enter the address, "
                         "or go back and check the postcode.")
    assert page.value == AddressParts(postcode="DE99 9ZZ")
    back = journey.back()  # not to the empty list: to the postcode
    assert isinstance(back, QuestionPage)
    assert back.page_id == "address"
    assert isinstance(journey.answer("address", "DE99 9ZZ"), QuestionPage)  # no new lookup
    assert journey.answer("address__none", ADDRESS).page_id == "when"  # type: ignore[union-attr]
    assert parameters(journey)[1]["address_string"] == (
        "Flat 3, The Old Mill, Mill Lane, Demo Town, DE99 9ZZ")


def test_lookup_down_offers_typing_the_address_and_back_returns_there() -> None:
    journey = at_postcode()
    journey.answer("address", "DE99 1AB")
    failed = run(journey, AddressBook(fail=True))
    assert isinstance(failed, LookupFailedPage)
    assert failed.title == "We cannot look this up right now"
    assert [(o.value, o.label) for o in failed.ways_on] == [
        ("not_listed", "Enter the address yourself")]
    # Anything but the way on is still refused while the list never came.
    assert journey.answer("address__list", "990000001001") == failed
    typed = journey.answer("address__list", "not_listed")
    assert isinstance(typed, QuestionPage)
    assert typed.page_id == "address__manual"
    assert typed.value == AddressParts(postcode="DE99 1AB")
    assert journey.back() == failed
    assert isinstance(journey.back(), QuestionPage)  # the postcode
    assert journey.where == Where("page", "address")
    journey.answer("address", "DE99 1AB")
    journey.answer("address__list", "not_listed")
    journey.answer("address__manual", ADDRESS)
    assert journey.where == Where("page", "when")


def test_back_from_each_page_of_the_address() -> None:
    journey, _ = at_list()
    assert journey.back().page_id == "address"  # type: ignore[union-attr]
    assert journey.back().page_id == "what"  # type: ignore[union-attr]
    journey.answer("what", "bin")
    journey.answer("address", "DE99 1AB")  # looked up already: the list at once
    assert journey.where == Where("page", "address__list")
    journey.answer("address__list", "not_listed")
    shown = journey.back()
    assert isinstance(shown, QuestionPage)
    assert shown.page_id == "address__list"
    assert [o.value for o in shown.options if o.selected] == ["not_listed"]
    journey.answer("address__list", "990000001001")
    back = journey.back()
    assert isinstance(back, QuestionPage)
    assert [o.value for o in back.options if o.selected] == ["990000001001"]


def test_another_language_keeps_the_answer_and_words_the_pages_anew() -> None:
    journey, _ = at_list()
    journey.texts = Translator("cy", strict=True)
    waiting = journey.current()  # the list is asked for again, in Welsh
    assert isinstance(waiting, WaitingPage)
    page = run(journey)
    assert isinstance(page, QuestionPage)
    assert page.title == "Dewiswch y cyfeiriad"
    assert page.options[-1].label == "Nid yw'r cyfeiriad ar y rhestr"
    journey.answer("address__list", "990000001001")
    journey.answer("when", "Dydd Mawrth")
    journey.answer("details", "")
    journey.texts = Translator("pl", strict=True)
    check = journey.current()
    assert isinstance(check, CheckAnswersPage)
    row = next(r for r in check.rows if r.page_id == "address")
    assert (row.label, row.value) == ("Adres", "1 Library Lane, Demo Town, DE99 1AB")
    assert journey.answers()["address__list"] == "990000001001"


def test_routes_on_the_address_page_apply_after_it_is_chosen_or_typed() -> None:
    journey = engine()
    journey.answer("what", "light")
    journey.answer("address", "DE99 1AB")
    run(journey)
    assert journey.answer("address__list", "990000001001").page_id == "details"  # type: ignore[union-attr]
    journey.back()
    journey.answer("address__list", "not_listed")
    assert journey.answer("address__manual", ADDRESS).page_id == "details"  # type: ignore[union-attr]


def test_an_optional_address_left_empty_goes_on_by_its_answered_false_routes() -> None:
    data = copy.deepcopy(SERVICE_DATA)
    data["pages"][1] = {"id": "address", "question": {"type": "address", "optional": True},
                        "routes": [{"when": {"answer": "address", "answered": False},
                                    "goto": "details"}]}
    journey = JourneyEngine(Service.model_validate(data), Translator(strict=True), lambda: TODAY)
    journey.answer("what", "bin")
    page = journey.current()
    assert isinstance(page, QuestionPage)
    assert page.optional
    skipped = journey.answer("address", "")
    assert isinstance(skipped, QuestionPage)
    assert skipped.page_id == "details"
    journey.answer("details", "")
    check = journey.current()
    assert isinstance(check, CheckAnswersPage)
    assert [(r.page_id, r.value) for r in check.rows][1] == ("address", "Not provided")
    assert "address_string" not in parameters(journey)[1]


def test_a_lookup_input_naming_an_address_is_its_uprn_and_blank_when_typed() -> None:
    data = {"id": "bin-days", "title": "Bin days", "description": "When.",
            "pages": [{"id": "address", "question": {"type": "address"}},
                      {"id": "days", "result": {"title": "Days", "rows_from": {
                          "source": "bin-collections", "inputs": {"uprn": "address"}}}}]}
    journey = JourneyEngine(Service.model_validate(data), Translator(strict=True), lambda: TODAY)
    journey.answer("address", "DE99 1AB")
    run(journey)
    waiting = journey.answer("address__list", "990000001001")
    assert isinstance(waiting, WaitingPage)
    assert waiting.request.inputs == {"uprn": "990000001001"}
    journey.back()
    journey.answer("address__list", "not_listed")
    waiting = journey.answer("address__manual", ADDRESS)
    assert isinstance(waiting, WaitingPage)
    assert waiting.request.inputs == {"uprn": ""}
    book = AddressBook()
    found = ask_council(book, waiting.request)  # blank: nothing found, the council not asked
    assert found.items == ()
    assert book.asked == []


def test_the_expanded_pages_pass_every_catalogue_check() -> None:
    expanded = service()
    assert [p.id for p in expanded.pages] == [
        "what", "address", "when", "details", "address__list", "address__manual",
        "address__none"]
    assert reference_problems(expanded, builtin_types()) == []
    assert [expanded.lead(p.id) for p in expanded.pages] == [
        "what", "address", "when", "details", "address", "address", "address"]
    assert expanded.destination is not None
    assert expanded.destination.fields["address_string"] == (
        "address__list", "address__manual", "address__none")
    assert expanded.destination.data_fields["lat"] == "address__list.lat"


@pytest.mark.parametrize(("change", "fragment"), [
    ({"pages": [*SERVICE_DATA["pages"][:3],
                {"id": "address__list", "question": {"type": "text", "label": "T"}}]},
     "pages[3].id: expected a page id other than 'address__list' (address question 'address' "
     "adds a page of that name), found 'address__list'"),
    ({"pages": [*SERVICE_DATA["pages"][:3],
                {"id": "details", "question": {"type": "text", "label": "T"}, "routes": [
                    {"when": {"answer": "address", "equals": "DE99 1AB"}, "goto": "when"}]}]},
     "routes[0].when.equals: expected answered: true or false for address question 'address'"),
    ({"pages": [{"id": "address", "question": {"type": "address", "options_from": {
        "source": "addresses"}}}]},
     "options_from: expected no options_from for a address question"),
])
def test_address_mistakes_are_reported_where_the_council_wrote_them(
        change: dict[str, object], fragment: str) -> None:
    data = {**copy.deepcopy(SERVICE_DATA), **change}
    with pytest.raises(ValidationError) as info:
        Service.model_validate(data)
    assert fragment in str(info.value)


def test_a_catalogue_may_word_the_postcode_page_itself() -> None:
    data = copy.deepcopy(SERVICE_DATA)
    data["pages"][1]["question"].update(
        label={"en": "What is the postcode of the collection address?",
               "cy": "Beth yw cod post y cyfeiriad casglu?"}, summary_label="Collection address")
    journey = JourneyEngine(Service.model_validate(data), Translator("cy", strict=True),
                            lambda: TODAY)
    journey.answer("what", "bin")
    page = journey.current()
    assert isinstance(page, QuestionPage)
    assert (page.title, page.hint) == ("Beth yw cod post y cyfeiriad casglu?",
                                       "Er enghraifft, DE1 2AB")
