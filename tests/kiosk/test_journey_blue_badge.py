"""Apply for a Blue Badge (issue 13): every eligibility route headless, for yourself or for
someone else, the evidence each outcome needs, and a whole visit through the terminal.

Outcomes follow the national scheme: eligible without further assessment, further
assessment needed, or not eligible (an exit page saying why and what else may help).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.journey.engine import CHECK, JourneyEngine, Where
from kiosk.journey.pages import ConfirmationPage, ExitPage, InfoPage, QuestionPage
from kiosk.journey.validation import DateParts
from tests.kiosk.journey_steps import (
    Step,
    demo_terminal,
    rows,
    sent_rows,
    started,
    visit,
    walk,
)

SERVICE = "blue-badge"
ALWAYS = ["identity", "address", "photo"]

# Each eligibility route: the answers, the outcome page, and the proof it needs besides ALWAYS.
AUTOMATIC: dict[str, tuple[list[Step], list[str]]] = {
    "pip-moving-around": ([("benefit", "pip"), ("pip_points", "moving_around")],
                          ["benefit_letter"]),
    "pip-journeys-e": ([("benefit", "pip"), ("pip_points", "journeys_e")], ["benefit_letter"]),
    "dla-higher-rate": ([("benefit", "dla"), ("dla_rate", "yes")], ["benefit_letter"]),
    "war-pension": ([("benefit", "wpms")], ["benefit_letter"]),
    "armed-forces-1-8": ([("benefit", "afcs"), ("afcs_tariff", "yes")], ["benefit_letter"]),
    "registered-blind": ([("benefit", "none"), ("sight", "yes")], ["sight_certificate"]),
    "pip-other-but-blind": ([("benefit", "pip"), ("pip_points", "other"), ("sight", "yes")],
                            ["benefit_letter", "sight_certificate"]),
}
ASSESSED: dict[str, tuple[list[Step], list[str]]] = {
    "walking": ([("benefit", "none"), ("sight", "no"), ("conditions", ("walking",))],
                ["medical"]),
    "arms": ([("benefit", "none"), ("sight", "no"), ("conditions", ("arms",))], ["medical"]),
    "hidden": ([("benefit", "none"), ("sight", "no"), ("conditions", ("hidden", "none"))],
               ["medical"]),
    "young-child": ([("benefit", "none"), ("sight", "no"), ("conditions", ("young_child",))],
                    ["medical"]),
    "pip-low-points": ([("benefit", "pip"), ("pip_points", "other"), ("sight", "no"),
                        ("conditions", ("walking",))], ["benefit_letter", "medical"]),
    "dla-lower-rate": ([("benefit", "dla"), ("dla_rate", "no"), ("sight", "no"),
                        ("conditions", ("walking", "arms"))], ["benefit_letter", "medical"]),
    "armed-forces-other": ([("benefit", "afcs"), ("afcs_tariff", "no"), ("sight", "no"),
                            ("conditions", ("hidden",))], ["benefit_letter", "medical"]),
}
MYSELF: list[Step] = [
    ("name", "Ann Example"), ("address", "DE99 1AB"), ("address__list", "990000001014"),
    ("date_of_birth", DateParts("2", "4", "1961")), ("ni_number", "jk 12 34 56 c"),
    ("phone", "07700 900982"),
]
FOR_SOMEONE: list[Step] = [
    ("their_name", "Sam Example"), ("your_name", "Ann Example"),
    ("address", "DE99 1AB"), ("address__list", "990000001014"),
    ("their_date_of_birth", DateParts("9", "9", "2019")), ("their_ni_number", ""),
    ("phone", "07700 900982"),
]


def evidence(engine: JourneyEngine) -> list[str]:
    return [item.id for item in engine.evidence()]


def outcome(engine: JourneyEngine, page_id: str) -> None:
    """The journey is on an outcome page (information, with Continue); continue past it."""
    page = engine.current()
    assert isinstance(page, InfoPage), page
    assert engine.where == Where("page", page_id)
    engine.answer(page_id, "")


@pytest.mark.parametrize("route", list(AUTOMATIC))
def test_eligible_without_further_assessment(route: str) -> None:
    steps, proof = AUTOMATIC[route]
    engine = started(SERVICE, [("who_for", "myself"), *steps])
    page = engine.current()
    assert isinstance(page, InfoPage)
    assert page.title == "You are likely to get a Blue Badge without further assessment"
    outcome(engine, "eligible")
    walk(engine, MYSELF)
    assert engine.where == CHECK
    assert evidence(engine) == [*ALWAYS, *proof]


@pytest.mark.parametrize("route", list(ASSESSED))
def test_further_assessment_needed(route: str) -> None:
    steps, proof = ASSESSED[route]
    engine = started(SERVICE, [("who_for", "myself"), *steps])
    page = engine.current()
    assert isinstance(page, InfoPage)
    assert page.title == "We will need to assess the application"
    outcome(engine, "assessment")
    walk(engine, MYSELF)
    assert engine.where == CHECK
    assert evidence(engine) == [*ALWAYS, *proof]


@pytest.mark.parametrize("steps", [
    [("benefit", "none"), ("sight", "no"), ("conditions", ("none",))],
    [("benefit", "pip"), ("pip_points", "other"), ("sight", "no"), ("conditions", ("none",))],
], ids=["no-benefit", "pip-low-points"])
def test_not_eligible_exits_saying_why_and_what_else_may_help(steps: list[Step]) -> None:
    engine = started(SERVICE, [("who_for", "myself"), *steps])
    page = engine.current()
    assert isinstance(page, ExitPage)
    assert page.page_id == "not_eligible"
    assert page.title == "You are unlikely to get a Blue Badge"
    assert "none of the conditions we assess applies" in page.body
    assert "disabled person's bus pass" in page.body
    assert not engine.ready_to_submit()
    # Back to the conditions, and ticking one goes on to the assessment.
    engine.back()
    engine.answer("conditions", ("walking",))
    assert engine.where == Where("page", "assessment")


def test_for_myself_asks_my_details_and_sends_them() -> None:
    engine = started(SERVICE, [("who_for", "myself"), ("benefit", "wpms")])
    outcome(engine, "eligible")
    walk(engine, MYSELF)
    assert rows(engine) == {
        "who_for": "Myself", "benefit": "War Pensioners' Mobility Supplement",
        "name": "Ann Example", "address": "14 Library Lane, Demo Town, DE99 1AB",
        "date_of_birth": "2 April 1961", "ni_number": "JK 12 34 56 C",
        "phone": "07700900982",
    }
    for page_id in ("their_name", "your_name", "their_date_of_birth", "their_ni_number"):
        assert engine.passed_by(page_id)


def test_for_someone_else_asks_their_details_and_who_is_applying() -> None:
    engine = started(SERVICE, [("who_for", "someone_else"), ("benefit", "none"),
                               ("sight", "no"), ("conditions", ("young_child",))])
    outcome(engine, "assessment")
    page = engine.current()
    assert isinstance(page, QuestionPage)
    assert page.title == "What is the full name of the person the badge is for?"
    walk(engine, FOR_SOMEONE)
    shown = rows(engine)
    assert list(shown) == ["who_for", "benefit", "sight", "conditions", "their_name",
                           "your_name", "address", "their_date_of_birth", "their_ni_number",
                           "phone"]
    assert shown["their_ni_number"] == "Not provided"
    assert "name" not in engine.answers()


def test_a_national_insurance_number_in_the_wrong_format_is_refused() -> None:
    engine = started(SERVICE, [("who_for", "myself"), ("benefit", "wpms")])
    outcome(engine, "eligible")
    walk(engine, MYSELF[:4])
    page = engine.answer("ni_number", "JK 12 34 56")
    assert isinstance(page, QuestionPage)
    assert [e.message for e in page.errors] == [
        "Enter a National Insurance number in the correct format"]


def test_changing_who_it_is_for_asks_the_other_pages() -> None:
    engine = started(SERVICE, [("who_for", "myself"), ("benefit", "wpms")])
    outcome(engine, "eligible")
    walk(engine, MYSELF)
    engine.change("who_for")
    engine.answer("who_for", "someone_else")
    # The eligibility answers still stand; the pages that say "their" are now to do.
    walk(engine, [("their_name", "Sam Example"), ("your_name", "Ann Example"),
                  ("their_date_of_birth", DateParts("9", "9", "2019")), ("their_ni_number", "")])
    assert engine.where == CHECK
    assert "name" not in rows(engine)
    assert "date_of_birth" not in engine.answers()


def test_a_visit_sends_the_application_with_its_answers(tmp_path: Path) -> None:
    steps = [("who_for", "myself"), ("benefit", "pip"), ("pip_points", "moving_around"),
             ("eligible", ""), *MYSELF]
    with demo_terminal(tmp_path) as (terminal, assembly):
        visit(terminal, SERVICE, steps)
        terminal.submit()
        confirmation = terminal.current()
        assert isinstance(confirmation, ConfirmationPage)
        assert confirmation.title == "Application sent"
        [(part, submission)] = sent_rows(assembly, confirmation.reference).items()
        assert part == ""
        assert submission.service_code == "BLUE_BADGE"
        assert submission.attributes == {
            "who_for": "myself", "benefit": "pip", "pip_points": "moving_around",
            "name": "Ann Example", "date_of_birth": "1961-04-02", "ni_number": "JK123456C"}
        assert submission.fields == {"address_string": "14 Library Lane, Demo Town, DE99 1AB",
                                     "phone": "07700900982", "address_id": "990000001014"}
        assert (submission.evidence_seen, submission.evidence_seen_by) == ([], "")  # no staff
