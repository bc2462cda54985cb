"""Older person's bus pass (issue 13): every route headless.

Eligibility is worked out, never asked: state pension age from the date of birth (on the day,
the day before, a 29 February birthday) and residency from the address (chosen from the
council's list inside the area, outside it, or typed by hand so nobody knows).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kiosk.journey.engine import CHECK, JourneyEngine, Where
from kiosk.journey.pages import CheckAnswersPage, ConfirmationPage, ExitPage
from kiosk.journey.types.address import AddressParts
from kiosk.journey.validation import DateParts
from kiosk.submission import open311_parameters
from tests.kiosk.journey_steps import (
    Step,
    demo_terminal,
    rows,
    sent_rows,
    started,
    visit,
    walk,
)

SERVICE = "bus-pass"
# Born 6 July - 5 August 1960: state pension age is 66 years and 4 months (Pensions Act 2014),
# so someone born on 23 July 1960 reaches it on 23 November 2026, the tests' today.
ON_THE_DAY = DateParts("23", "7", "1960")
THE_DAY_BEFORE = DateParts("24", "7", "1960")  # reaches it tomorrow
IN_AREA: list[Step] = [("address", "DE99 1AB"), ("address__list", "990000001014")]
TYPED: list[Step] = [("address", "DE99 1AB"), ("address__list", "not_listed"),
                     ("address__manual", AddressParts("16 Library Lane", "", "Demo Town",
                                                      "DE99 1AB"))]
# In the council's list (the gazetteer) but across the boundary: its data says in_area "no".
OUTSIDE: list[Step] = [("address", "DE99 9XA"), ("address__list", "990000009001")]


def evidence_ids(engine: JourneyEngine) -> list[str]:
    return [item.id for item in engine.evidence()]


@pytest.mark.parametrize("born", [ON_THE_DAY, DateParts("5", "10", "1954"),
                                  DateParts("1", "1", "1940")],
                         ids=["on-the-day", "old-tables", "long-ago"])
def test_state_pension_age_reached_goes_on_to_the_address(born: DateParts) -> None:
    engine = started(SERVICE, [("date_of_birth", born)])
    assert engine.where == Where("page", "address")


@pytest.mark.parametrize("born", [THE_DAY_BEFORE, DateParts("6", "3", "1961"),
                                  DateParts("1", "1", "1990")],
                         ids=["the-day-before", "sixty-seven", "young"])
def test_before_state_pension_age_exits_saying_when_to_apply(born: DateParts) -> None:
    engine = started(SERVICE, [("date_of_birth", born)])
    page = engine.current()
    assert isinstance(page, ExitPage)
    assert page.page_id == "not_yet"
    assert page.title == "You cannot apply for an older person's bus pass yet"
    assert "You can apply from your state pension age" in page.body
    assert "disabled person's bus pass" in page.body
    # Back keeps the date, and a corrected one goes on.
    engine.back()
    engine.answer("date_of_birth", ON_THE_DAY)
    assert engine.where == Where("page", "address")


@pytest.mark.parametrize(("today", "reached"), [
    (date(2026, 2, 28), False),  # 2026 has no 29 February: the birthday is 1 March
    (date(2026, 3, 1), True),
])
def test_a_leap_day_birthday_reaches_state_pension_age_on_1_march(
        today: date, reached: bool) -> None:
    # Born 29 February 1960 (6 October 1954 - 5 April 1960): state pension age is 66.
    engine = started(SERVICE, [("date_of_birth", DateParts("29", "2", "1960"))], today=today)
    if reached:
        assert engine.where == Where("page", "address")
    else:
        page = engine.current()
        assert isinstance(page, ExitPage)
        assert page.page_id == "not_yet"


def test_an_address_in_the_area_needs_a_photo_and_proof_of_age_only() -> None:
    steps = [("date_of_birth", ON_THE_DAY), *IN_AREA, ("name", "Ann Example")]
    engine = started(SERVICE, steps)
    assert rows(engine) == {"date_of_birth": "23 July 1960",
                            "address": "14 Library Lane, Demo Town, DE99 1AB",
                            "name": "Ann Example"}
    assert evidence_ids(engine) == ["photo", "age"]
    answers = engine.answers()
    assert open311_parameters(engine.service, answers, engine.answer_data(), engine.types,
                              labels={p: engine.chosen_labels(p) for p in answers}) == (
        {"date_of_birth": "1960-07-23", "name": "Ann Example"},
        {"address_string": "14 Library Lane, Demo Town, DE99 1AB", "address_id": "990000001014"})


def test_an_address_typed_by_hand_continues_and_asks_for_proof_of_address() -> None:
    engine = started(SERVICE, [("date_of_birth", ON_THE_DAY), *TYPED, ("name", "Ann Example")])
    assert engine.where == CHECK
    assert rows(engine)["address"] == "16 Library Lane\nDemo Town\nDE99 1AB"
    assert evidence_ids(engine) == ["photo", "age", "address"]
    assert engine.evidence()[-1].label.get("en") == "Proof of your address"


def test_an_address_outside_the_area_exits_to_apply_where_you_live() -> None:
    engine = started(SERVICE, [("date_of_birth", ON_THE_DAY), *OUTSIDE])
    page = engine.current()
    assert isinstance(page, ExitPage)
    assert page.page_id == "other_council"
    assert page.title == "Apply to the council where you live"
    # Back to the postcode, and an address inside the area goes on.
    engine.back()
    engine.back()
    walk(engine, [*IN_AREA, ("name", "Ann Example")])
    assert engine.where == CHECK


def test_changing_the_date_of_birth_at_check_answers_to_too_young_exits() -> None:
    engine = started(SERVICE, [("date_of_birth", ON_THE_DAY), *IN_AREA, ("name", "Ann")])
    engine.change("date_of_birth")
    page = engine.answer("date_of_birth", THE_DAY_BEFORE)
    assert isinstance(page, ExitPage)
    assert page.page_id == "not_yet"
    assert not engine.ready_to_submit()


def test_a_visit_sends_the_bus_pass_application(tmp_path: Path) -> None:
    with demo_terminal(tmp_path) as (terminal, assembly):
        visit(terminal, SERVICE, [("date_of_birth", ON_THE_DAY), *TYPED, ("name", "Ann Example")])
        page = terminal.current()
        assert isinstance(page, CheckAnswersPage)
        terminal.submit()
        confirmation = terminal.current()
        assert isinstance(confirmation, ConfirmationPage)
        assert confirmation.title == "Application sent"
        [(part, submission)] = sent_rows(assembly, confirmation.reference).items()
        assert part == ""
        assert submission.service_code == "BUS_PASS"
        assert submission.attributes == {"date_of_birth": "1960-07-23", "name": "Ann Example"}
        assert submission.fields == {"address_string": "16 Library Lane, Demo Town, DE99 1AB"}

