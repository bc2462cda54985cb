"""Computed values, pages shown only when a condition holds, and evidence, driven headless
through the engine with a small test application (tests/kiosk/eligibility_service.py): each
outcome, Back, Change and check answers, and what is sent."""

from __future__ import annotations

from datetime import date

import pytest

from accessibility.languages import Translator
from kiosk.journey.engine import CHECK, JourneyEngine, Where
from kiosk.journey.pages import CheckAnswersPage, ExitPage, QuestionPage, WaitingPage
from kiosk.journey.validation import DateParts
from kiosk.resident import ask_council
from kiosk.submission import open311_parameters
from tests.kiosk.eligibility_service import Gazetteer, service

TODAY = date(2026, 11, 23)
OVER_PENSION_AGE = DateParts("1", "1", "1955")  # 66th birthday 1 January 2021
UNDER_PENSION_AGE = DateParts("1", "1", "1963")  # 60 and over, 67 in 2030
IN_AREA, OUT_OF_AREA = "990000001001", "990000001002"


class Staff:
    """Whether staff are assisting, as the resident session tells the engine."""

    def __init__(self) -> None:
        self.here = False

    def __call__(self) -> bool:
        return self.here


def engine(staff: Staff | None = None, today: date = TODAY, language: str = "en"
           ) -> JourneyEngine:
    return JourneyEngine(service(), Translator(language, strict=True), lambda: today,
                         assisted=staff)


def choose_address(journey: JourneyEngine, uprn: str | None) -> None:
    journey.answer("address", "de99 1ab")
    page = journey.current()
    assert isinstance(page, WaitingPage)
    journey.lookup_done(page.request, ask_council(Gazetteer(), page.request))
    if uprn is None:
        journey.answer("address__list", "not_listed")
        journey.answer("address__manual", ("9 New Road", "", "Demo Town", "DE99 1AB"))
    else:
        journey.answer("address__list", uprn)


def to_check_answers(journey: JourneyEngine, born: DateParts = OVER_PENSION_AGE,
                     uprn: str | None = IN_AREA) -> None:
    journey.answer("born", born)
    if journey.where == Where("page", "why"):
        journey.answer("why", "disabled")
    journey.answer("ni", "ab 12 34 56 c")
    choose_address(journey, uprn)
    if journey.where == Where("page", "outside"):
        journey.answer("outside", "")


def sent(journey: JourneyEngine) -> dict[str, str | list[str]]:
    answers = journey.answers()
    attributes, _ = open311_parameters(journey.service, answers, journey.answer_data(),
                                       journey.types,
                                       labels={p: journey.chosen_labels(p) for p in answers})
    return attributes


def row_ids(journey: JourneyEngine) -> list[str]:
    page = journey.current()
    assert isinstance(page, CheckAnswersPage)
    return [row.page_id for row in page.rows]


def test_a_computed_value_without_its_inputs_has_no_value() -> None:
    journey = engine()
    assert journey.computed() == {}
    assert journey.where == Where("page", "born")


def test_past_state_pension_age_the_why_page_is_passed_by_never_shown_or_sent() -> None:
    journey = engine()
    to_check_answers(journey)
    assert journey.computed() == {"pension_age": "yes", "over_60": "yes", "in_area": "yes"}
    assert journey.where == CHECK
    assert "why" not in journey.answers()
    assert row_ids(journey) == ["born", "ni", "address"]
    assert "why" not in sent(journey)


def test_before_state_pension_age_the_why_page_is_asked_and_sent() -> None:
    journey = engine()
    journey.answer("born", UNDER_PENSION_AGE)
    assert journey.where == Where("page", "why")
    to_check_answers(engine(), UNDER_PENSION_AGE)
    journey = engine()
    to_check_answers(journey, UNDER_PENSION_AGE)
    assert row_ids(journey) == ["born", "why", "ni", "address"]
    assert sent(journey)["why"] == "disabled"


@pytest.mark.parametrize(("today", "asked"), [
    (date(2026, 4, 4), True),    # born 5 April 1960: 66 on 5 April 2026
    (date(2026, 4, 5), False),
])
def test_state_pension_age_on_the_day_not_the_day_before(today: date, asked: bool) -> None:
    journey = engine(today=today)
    journey.answer("born", DateParts("5", "4", "1960"))
    assert (journey.where == Where("page", "why")) is asked


@pytest.mark.parametrize(("born", "exits"), [
    (DateParts("24", "11", "1966"), True),   # 60 tomorrow
    (DateParts("23", "11", "1966"), False),  # 60 today
])
def test_age_at_least_routes_to_the_exit_page_until_the_birthday(born: DateParts,
                                                                  exits: bool) -> None:
    journey = engine()
    page = journey.answer("born", born)
    assert isinstance(page, ExitPage) is exits
    if exits:
        assert journey.where == Where("exit", "too_young")
        assert journey.back() is not None
        assert journey.where == Where("page", "born")


def test_back_skips_a_page_passed_by_and_stops_at_one_asked() -> None:
    journey = engine()
    journey.answer("born", OVER_PENSION_AGE)
    assert journey.where == Where("page", "ni")
    journey.back()
    assert journey.where == Where("page", "born")
    journey.answer("born", UNDER_PENSION_AGE)
    journey.answer("why", "carer")
    journey.back()
    assert journey.where == Where("page", "why")


def test_change_into_a_page_now_on_the_route_asks_it_then_returns() -> None:
    journey = engine()
    to_check_answers(journey)
    journey.change("born")
    journey.answer("born", UNDER_PENSION_AGE)
    assert journey.where == Where("page", "why")  # the first gap
    journey.answer("why", "carer")
    assert journey.where == CHECK
    assert row_ids(journey) == ["born", "why", "ni", "address"]


def test_change_out_of_a_page_drops_its_answer_from_check_answers_and_what_is_sent() -> None:
    journey = engine()
    to_check_answers(journey, UNDER_PENSION_AGE)
    journey.change("born")
    journey.answer("born", OVER_PENSION_AGE)
    assert journey.where == CHECK
    assert row_ids(journey) == ["born", "ni", "address"]
    assert "why" not in sent(journey)
    with pytest.raises(Exception, match="cannot change"):
        journey.change("why")


@pytest.mark.parametrize(("uprn", "area", "outside_page"), [
    (IN_AREA, "yes", False),
    (OUT_OF_AREA, "no", True),
    (None, "unknown", False),
])
def test_inside_area_from_the_chosen_address(uprn: str | None, area: str,
                                             outside_page: bool) -> None:
    journey = engine()
    journey.answer("born", OVER_PENSION_AGE)
    journey.answer("ni", "AB123456C")
    assert "in_area" not in journey.computed()
    choose_address(journey, uprn)
    assert journey.computed()["in_area"] == area
    assert (journey.where == Where("page", "outside")) is outside_page


def test_check_answers_and_confirmation_list_the_evidence_that_applies() -> None:
    journey = engine()
    to_check_answers(journey, UNDER_PENSION_AGE, uprn=None)
    page = journey.current()
    assert isinstance(page, CheckAnswersPage)
    assert page.evidence_heading == "What you need to bring or post"
    assert [(e.label, e.hint) for e in page.evidence] == [
        ("A recent photo of you", "Passport style"), ("Proof of your address", None),
        ("Proof of your disability", None)]
    done = journey.finish("ABCD2345", delivered=True)
    assert [e.label for e in done.evidence] == [e.label for e in page.evidence]  # type: ignore[union-attr]


def test_evidence_whose_condition_fails_is_not_listed() -> None:
    journey = engine(language="cy")
    to_check_answers(journey)  # past pension age, address chosen inside the area
    page = journey.current()
    assert isinstance(page, CheckAnswersPage)
    assert [e.label for e in page.evidence] == ["Llun diweddar ohonoch"]
    assert page.evidence_heading == "Beth sydd angen i chi ddod ag ef neu ei anfon drwy’r post"


def test_without_staff_the_evidence_page_is_never_on_the_route() -> None:
    journey = engine(Staff())
    to_check_answers(journey)
    assert journey.where == CHECK
    assert "evidence_seen" not in row_ids(journey)
    assert journey.evidence_seen() == ()
    journey.back()
    assert journey.where == Where("page", "address__list")


def test_with_staff_the_evidence_page_comes_before_check_answers() -> None:
    staff = Staff()
    staff.here = True
    journey = engine(staff)
    to_check_answers(journey, UNDER_PENSION_AGE, uprn=OUT_OF_AREA)
    page = journey.current()
    assert isinstance(page, QuestionPage)
    assert (page.page_id, page.title, page.hint, page.optional) == (
        "evidence_seen", "Documents you have seen (for staff)",
        "Tick only what you have seen today. Nothing is scanned or kept.", True)
    assert [o.value for o in page.options] == ["photo", "proof_of_address",
                                               "proof_of_disability", "none"]
    assert page.options[-1].label == "None of these"
    journey.back()
    assert journey.where == Where("page", "outside")
    journey.answer("outside", "")
    journey.answer("evidence_seen", ("photo", "proof_of_disability"))
    assert journey.where == CHECK
    assert journey.evidence_seen() == ("photo", "proof_of_disability")
    assert row_ids(journey)[-1] == "evidence_seen"
    journey.back()
    assert journey.where == Where("page", "evidence_seen")


def test_the_evidence_page_offers_only_items_that_apply() -> None:
    staff = Staff()
    staff.here = True
    journey = engine(staff)
    to_check_answers(journey)
    page = journey.current()
    assert isinstance(page, QuestionPage)
    assert [o.value for o in page.options] == ["photo", "none"]
    refused = journey.answer("evidence_seen", ("proof_of_disability",))
    assert isinstance(refused, QuestionPage)
    assert refused.errors
    journey.answer("evidence_seen", ("none",))
    assert journey.where == CHECK
    assert journey.evidence_seen() == ()


def test_staff_leaving_before_send_drops_what_they_ticked() -> None:
    staff = Staff()
    staff.here = True
    journey = engine(staff)
    to_check_answers(journey)
    journey.answer("evidence_seen", ("photo",))
    staff.here = False
    assert row_ids(journey) == ["born", "ni", "address"]
    assert journey.evidence_seen() == ()
    assert "evidence_seen" not in journey.answers()


def test_staff_leaving_on_the_evidence_page_moves_on_to_check_answers() -> None:
    staff = Staff()
    staff.here = True
    journey = engine(staff)
    to_check_answers(journey)
    assert journey.where == Where("page", "evidence_seen")
    staff.here = False
    assert isinstance(journey.current(), CheckAnswersPage)
    assert journey.where == CHECK


def test_staff_arriving_at_check_answers_are_taken_to_their_page() -> None:
    staff = Staff()
    journey = engine(staff)
    to_check_answers(journey)
    assert journey.where == CHECK
    staff.here = True
    page = journey.current()
    assert isinstance(page, QuestionPage)
    assert page.page_id == "evidence_seen"
    journey.answer("evidence_seen", ("photo",))
    assert journey.where == CHECK
    journey.change("born")
    journey.answer("born", OVER_PENSION_AGE)
    assert journey.where == CHECK
    assert journey.evidence_seen() == ("photo",)
