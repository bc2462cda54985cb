"""Pages that are not plain questions, driven headless: information pages, options looked
up from a source, result pages, the waiting and "cannot look this up" states, and routing
on what a lookup found. The engine does no I/O: the test plays the terminal's part."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from accessibility.languages import Translator
from kiosk.catalogue import Service, load_catalogue
from kiosk.config_errors import ConfigError
from kiosk.journey.engine import CHECK, JourneyEngine, Where
from kiosk.journey.pages import (
    CheckAnswersPage,
    ExitPage,
    InfoPage,
    LookupFailedPage,
    PageModel,
    QuestionPage,
    ResultPage,
    WaitingPage,
)
from kiosk.journey.types import builtin_types
from kiosk.lookups.base import LookupRequest, LookupResult, LookupUnavailable
from kiosk.resident import ResidentSession
from kiosk.submission import open311_parameters
from tests.kiosk.lookup_service import SERVICE_DATA, TableLookup, service

FIXTURES = Path(__file__).parent / "fixtures" / "catalogues"

TODAY = date(2026, 11, 23)


def engine(language: str = "en") -> JourneyEngine:
    return JourneyEngine(service(), Translator(language, strict=True), lambda: TODAY)


def run(engine: JourneyEngine, lookup: TableLookup) -> PageModel:
    """What the terminal does on a waiting page: run the lookup, hand the outcome back."""
    page = engine.current()
    assert isinstance(page, WaitingPage)
    assert engine.pending_lookup() == page.request
    try:
        return engine.lookup_done(page.request, lookup.lookup(page.request))
    except LookupUnavailable as exc:
        return engine.lookup_failed(page.request, exc.reason)


def at_address(postcode: str = "de1 2ab") -> tuple[JourneyEngine, PageModel]:
    journey = engine()
    assert isinstance(journey.start(), InfoPage)
    journey.answer("intro", "")
    shown = journey.answer("postcode", postcode)
    return journey, shown


def test_an_information_page_shows_its_text_and_continue_goes_on() -> None:
    journey = engine()
    page = journey.start()
    assert page == InfoPage("intro", "Find your bin days", "Before you start",
                            "You need the postcode of the address.")
    assert journey.pending_lookup() is None
    shown = journey.answer("intro", "ignored")
    assert isinstance(shown, QuestionPage)
    assert shown.page_id == "postcode"
    assert isinstance(journey.back(), InfoPage)
    assert journey.back() is None  # backing out of the first page leaves the service


def test_options_from_a_source_wait_then_show_then_route_on() -> None:
    journey, shown = at_address()
    assert isinstance(shown, WaitingPage)
    assert shown.title == "Looking this up"
    assert shown.hint
    assert shown.request == LookupRequest("addresses", {"postcode": "DE1 2AB"}, "en")
    assert "DE1" not in repr(shown)  # the answers stay out of anything that may be logged
    # A Continue tapped on the waiting page changes nothing.
    assert journey.answer("address", "100030000001") == shown
    lookup = TableLookup()
    page = run(journey, lookup)
    assert isinstance(page, QuestionPage)
    assert page.page_id == "address"
    assert [(o.value, o.label, o.hint) for o in page.options] == [
        ("100030000001", "1 Market Place, Derby", None),
        ("100030000002", "2 Market Place, Derby", "Flat above the shop"),
    ]
    assert journey.pending_lookup() is None
    refused = journey.answer("address", "100030000009")
    assert isinstance(refused, QuestionPage)
    assert refused.errors[0].field == "address"
    after = journey.answer("address", "100030000001")
    assert isinstance(after, WaitingPage)
    assert after.request == LookupRequest("bins", {"uprn": "100030000001"}, "en")


def test_a_stale_result_is_ignored() -> None:
    journey, waiting = at_address()
    assert isinstance(waiting, WaitingPage)
    old = waiting.request
    journey.back()  # the resident goes back to the postcode while the lookup runs
    late = LookupResult("addresses", TableLookup().lookup(old).items)
    assert isinstance(journey.lookup_done(old, late), QuestionPage)
    assert journey.where == Where("page", "postcode")
    assert isinstance(journey.lookup_failed(old, "timeout"), QuestionPage)
    # A different postcode: the old request's answer must not fill the new page.
    shown = journey.answer("postcode", "NG7 2RD")
    assert isinstance(shown, WaitingPage)
    assert isinstance(journey.lookup_done(old, late), WaitingPage)
    page = run(journey, TableLookup())
    assert isinstance(page, QuestionPage)
    assert [o.label for o in page.options] == ["Ivy Lodge, Nottingham"]


def test_failed_lookup_offers_try_again_which_waits_then_shows_options() -> None:
    journey, _ = at_address()
    failed = run(journey, TableLookup(fail=True))
    assert isinstance(failed, LookupFailedPage)
    assert failed.title == "We cannot look this up right now"
    assert "member of staff" in failed.staff_hint
    assert failed.reason == "unreachable"
    assert journey.pending_lookup() is None  # nothing runs until the resident asks
    assert journey.current() == failed
    waiting = journey.try_again()
    assert isinstance(waiting, WaitingPage)
    page = run(journey, TableLookup())
    assert isinstance(page, QuestionPage)
    assert len(page.options) == 2
    # Go back from the failure page: the page before it.
    journey2, _ = at_address()
    run(journey2, TableLookup(fail=True))
    back = journey2.back()
    assert isinstance(back, QuestionPage)
    assert back.page_id == "postcode"


def test_nothing_found_routes_like_an_answer_and_back_skips_the_empty_page() -> None:
    journey, _ = at_address("SW1A 1AA")
    page = run(journey, TableLookup())
    assert isinstance(page, ExitPage)
    assert page.page_id == "not_found"
    assert journey.answers() == {"postcode": "SW1A 1AA"}
    back = journey.back()  # not to the address page: it had nothing to choose from
    assert isinstance(back, QuestionPage)
    assert back.page_id == "postcode"
    # The same postcode again: still nothing, straight to the exit without a new lookup.
    again = journey.answer("postcode", "SW1A 1AA")
    assert isinstance(again, ExitPage)


def test_result_page_shows_rows_and_routes_on_an_empty_result() -> None:
    journey, _ = at_address()
    run(journey, TableLookup())
    journey.answer("address", "100030000001")
    page = run(journey, TableLookup())
    assert isinstance(page, ResultPage)
    assert page.title == "Your next collections"
    assert page.hint == "Put your bins out by 7am."
    assert [(r.label, r.detail) for r in page.rows] == [
        ("Black bin", "Tuesday 25 November"), ("Blue bin", "Tuesday 2 December")]
    missed = journey.answer("days", "")
    assert isinstance(missed, QuestionPage)
    assert missed.page_id == "missed"
    # An address with no collections: the result page says so, Continue takes its route.
    journey2, _ = at_address()
    run(journey2, TableLookup())
    journey2.answer("address", "100030000002")
    empty = run(journey2, TableLookup())
    assert isinstance(empty, ResultPage)
    assert empty.rows == ()
    assert empty.empty_text == "Nothing was found."
    gone = journey2.answer("days", "")
    assert isinstance(gone, ExitPage)
    assert gone.page_id == "no_days"


def to_check_answers() -> JourneyEngine:
    journey, _ = at_address()
    run(journey, TableLookup())
    journey.answer("address", "100030000001")
    run(journey, TableLookup())
    journey.answer("days", "")
    journey.answer("missed", ("blue",))
    assert journey.where == CHECK
    return journey


def test_check_answers_lists_questions_only_with_looked_up_labels() -> None:
    journey = to_check_answers()
    page = journey.current()
    assert isinstance(page, CheckAnswersPage)
    assert [(r.page_id, r.value) for r in page.rows] == [
        ("postcode", "DE1 2AB"), ("address", "1 Market Place, Derby"), ("missed", "Blue bin")]


def test_the_chosen_options_data_is_kept_and_mapped_to_open311() -> None:
    journey = to_check_answers()
    assert journey.answer_data() == {
        "address": {"uprn": "100030000001", "lat": "52.92", "long": "-1.47"}}
    labels = {pid: journey.chosen_labels(pid) for pid in journey.answers()}
    attributes, fields = open311_parameters(journey.service, journey.answers(),
                                            journey.answer_data(), labels=labels)
    assert attributes == {"uprn": "100030000001", "missed": ["blue"]}
    # The address in words as address_string (the label), its UPRN as address_id.
    assert fields == {"address_string": "1 Market Place, Derby", "address_id": "100030000001",
                      "lat": "52.92", "long": "-1.47"}


def test_the_session_sends_a_chosen_address_as_words_and_its_uprn_as_address_id() -> None:
    session = ResidentSession(Parts(TableLookup()))  # type: ignore[arg-type]
    session.engine = to_check_answers()
    session.parts.clock = FixedClock()  # type: ignore[attr-defined]
    session.parts.texts = Translator("en")  # type: ignore[attr-defined]
    submission = session.prepare_submission()
    assert submission.fields["address_string"] == "1 Market Place, Derby"
    assert submission.fields["address_id"] == "100030000001"
    assert "100030000001" not in submission.fields["address_string"]


def test_changing_the_postcode_asks_for_the_address_again() -> None:
    journey = to_check_answers()
    journey.change("postcode")
    shown = journey.answer("postcode", "NG7 2RD")
    assert isinstance(shown, WaitingPage)
    page = run(journey, TableLookup())
    assert isinstance(page, QuestionPage)
    assert page.page_id == "address"
    assert not any(o.selected for o in page.options)
    assert "address" not in journey.answers()
    journey.answer("address", "100030000003")
    # Collection days for the new address are looked up again: none, so the route exits.
    page = run(journey, TableLookup())
    assert isinstance(page, ResultPage)
    assert page.rows == ()


def test_another_language_looks_up_again_but_keeps_the_answer() -> None:
    journey = to_check_answers()
    journey.texts = Translator("cy", strict=True)
    assert journey.where == CHECK
    assert isinstance(journey.current(), CheckAnswersPage)
    assert journey.answers()["address"] == "100030000001"


@pytest.mark.parametrize("reason", ["unreachable", "timeout", "refused", "bad_answer",
                                    "not_configured"])
def test_every_unavailable_reason_gives_the_cannot_look_up_page(reason: str) -> None:
    journey, waiting = at_address()
    assert isinstance(waiting, WaitingPage)
    page = journey.lookup_failed(waiting.request, reason)  # type: ignore[arg-type]
    assert isinstance(page, LookupFailedPage)
    assert page.reason == reason


# ----- the catalogue checks what the new YAML says -----------------------------------------

def with_pages(**changes: object) -> dict[str, object]:
    data = copy.deepcopy(SERVICE_DATA)
    pages = data["pages"]
    for page_id, change in changes.items():
        page = next(p for p in pages if p["id"] == page_id)
        if change is None:
            pages.remove(page)
        else:
            page.update(change)  # type: ignore[arg-type]
    return data


@pytest.mark.parametrize(("data", "fragment"), [
    (with_pages(address={"routes": []}),
     "pages[2].routes: expected a route for when the lookup finds nothing "
     "(when: {result: address, empty: true}), found none"),
    (with_pages(days={"routes": [{"when": {"result": "postcode", "empty": True}, "exit": "no_days"}]}),
     "pages[3].routes[0].when.result: expected a page id with options_from or rows_from "
     "(address, days), found 'postcode'"),
    (with_pages(address={"question": {"type": "radios", "label": "A", "options_from": {
        "source": "addresses", "inputs": {"postcode": "intro"}}}}),
     "pages[2].question.options_from.inputs.postcode: expected an earlier question page id"),
    (with_pages(intro={"question": {"type": "text", "label": "T"}}),
     "expected exactly one of question, info or result, found question and info"),
    (with_pages(missed={"routes": [{"when": {"result": "days", "equals": "x"}, "goto": "check_answers"}]}),
     "expected empty: true or false with result, found equals"),
    (with_pages(missed={"routes": [{"when": {"answer": "intro", "answered": True},
                                    "goto": "check_answers"}]}),
     "when.answer: expected a question page id (postcode, address, missed), found 'intro'"),
    (with_pages(postcode={"question": {"type": "postcode", "label": "P", "options_from": {
        "source": "x"}}}),
     "options_from: expected no options_from for a postcode question"),
])
def test_bad_lookup_yaml_is_reported_precisely(data: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        Service.model_validate(data)
    assert fragment in str(info.value)


def test_data_fields_must_name_a_looked_up_question() -> None:
    data = copy.deepcopy(SERVICE_DATA)
    data["destination"]["data_fields"] = {"lat": "postcode.lat"}
    with pytest.raises(ValidationError) as info:
        Service.model_validate(data)
    assert ("destination.data_fields.lat: expected page.key of a question with options_from or "
            "an address "
            "(address), found 'postcode.lat'") in str(info.value)


def test_an_unknown_question_type_names_the_file_line_and_the_registered_types(
        tmp_path: Path) -> None:
    folder = tmp_path / "catalogue"
    folder.mkdir()
    text = (FIXTURES / "good" / "report.yaml").read_text(encoding="utf-8")
    (folder / "report.yaml").write_text(text.replace("type: text", "type: txet"), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_catalogue(folder)
    (problem,) = info.value.problems
    assert problem.path == "pages[1].question.type"
    assert problem.line == text.splitlines().index("      type: text") + 1
    assert problem.expected == f"a question type ({', '.join(builtin_types().names())})"
    assert problem.found == "'txet'"


# ----- the resident session's glue (what the UI calls) ---------------------------------------

@dataclass
class Parts:
    """Just what `ResidentSession`'s lookup glue reads of `KioskParts`."""

    lookup: TableLookup | None


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def session_at_address(lookup: TableLookup | None) -> ResidentSession:
    session = ResidentSession(Parts(lookup))  # type: ignore[arg-type]
    session.engine = engine()
    session.engine.answer("intro", "")
    session.engine.answer("postcode", "DE1 2AB")
    return session


def test_session_runs_the_pending_lookup_and_hands_the_result_back() -> None:
    lookup = TableLookup()
    session = session_at_address(lookup)
    request = session.pending_lookup()
    assert request is not None
    result = session.run_lookup(request)
    page = session.lookup_finished(request, result)
    assert isinstance(page, QuestionPage)
    assert len(page.options) == 2
    assert lookup.asked == [request]
    assert session.pending_lookup() is None


def test_session_without_a_lookup_backend_says_not_configured() -> None:
    session = session_at_address(None)
    request = session.pending_lookup()
    assert request is not None
    with pytest.raises(LookupUnavailable) as info:
        session.run_lookup(request)
    assert info.value.reason == "not_configured"
    page = session.lookup_finished(request, info.value)
    assert isinstance(page, LookupFailedPage)
    assert page.reason == "not_configured"


class Broken:
    def lookup(self, request: LookupRequest) -> LookupResult:
        raise RuntimeError("a bug in a backend, with DE1 2AB in it")


def test_session_words_a_backend_bug_as_unavailable_without_the_answers() -> None:
    session = session_at_address(None)
    session.parts.lookup = Broken()  # type: ignore[assignment]
    request = session.pending_lookup()
    assert request is not None
    with pytest.raises(LookupUnavailable) as info:
        session.run_lookup(request)
    assert info.value.reason == "bad_answer"
    assert "DE1" not in str(info.value)
