"""Tell us once — I have moved (issue 13): every route headless, and what each service gets.

Each service chosen alone asks only its own questions and sends one delivery; all of them
chosen together ask every question once and send five deliveries under one reference, each
holding only the answers its own back office needs (data minimisation).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.journey.engine import CHECK, JourneyEngine, Where
from kiosk.journey.pages import ConfirmationPage, QuestionPage
from kiosk.journey.types.address import AddressParts
from kiosk.journey.validation import DateParts
from kiosk.submission import open311_parameters
from tests.kiosk.journey_steps import (
    Step,
    demo_terminal,
    engine_for,
    rows,
    sent_rows,
    started,
    visit,
    walk,
)

SERVICE = "moved-house"
OLD_WORDS = "2 Library Lane, Demo Town, DE99 1AB"
NEW_WORDS = "7 Orchard Rise, Little Demo, Demo Town, DE99 2DE"
START: list[Step] = [
    ("old_address", "DE99 1AB"), ("old_address__list", "990000001002"),
    ("new_address", "de99 2de"), ("new_address__list", "990000002007"),
    ("moving_date", DateParts("14", "11", "2026")), ("name", "Ann Example"),
]
COMMON = {"moving_date": "2026-11-14", "name": "Ann Example"}
WHERE = {"address_string": NEW_WORDS, "description": OLD_WORDS, "address_id": "990000002007"}

# Each service: its own questions, and exactly what its delivery sends.
OWN: dict[str, tuple[list[Step], str, dict[str, object], dict[str, str]]] = {
    "council_tax": ([("adults", "2"), ("tenure", "tenant")], "MOVED-COUNCIL-TAX",
                    {**COMMON, "adults": "2", "tenure": "tenant"}, WHERE),
    "electoral_register": ([("nationality", "yes")], "MOVED-ELECTORAL",
                           {**COMMON, "eligible_nationality": "yes"}, WHERE),
    "garden_waste": ([("move_garden", "no")], "MOVED-WASTE",
                     {**COMMON, "move_garden_subscription": "no"}, WHERE),
    "libraries": ([("library_card", "2990 0012 3456")], "MOVED-LIBRARIES",
                  {"name": "Ann Example", "library_card": "2990 0012 3456"},
                  {"address_string": NEW_WORDS, "address_id": "990000002007"}),
    "housing_benefit": ([("rent_from", DateParts("1", "12", "2026")), ("new_rent", "650.50")],
                        "MOVED-HOUSING-BENEFIT",
                        {**COMMON, "rent_from": "2026-12-01", "new_rent": "650.5"}, WHERE),
}
ALL = list(OWN)


def steps_for(chosen: list[str]) -> list[Step]:
    own = [step for service in ALL if service in chosen for step in OWN[service][0]]
    return [*START, ("tell", tuple(chosen)), *own]


def deliveries_sent(engine: JourneyEngine) -> dict[str, tuple[str, tuple[object, object]]]:
    """What each delivery whose `when` holds sends (its service code, attributes and fields),
    mapped as the resident session maps it."""
    assert engine.where == CHECK
    answers = engine.answers()
    labels = {pid: engine.chosen_labels(pid) for pid in answers}
    return {d.id: (d.destination.service_code,
                   open311_parameters(engine.service, answers, engine.answer_data(), engine.types,
                                      labels=labels, mapping=d.destination))
            for d in engine.service.deliveries if d.when is None or engine.holds(d.when)}


def sent_by_delivery(chosen: list[str]) -> dict[str, tuple[str, tuple[object, object]]]:
    return deliveries_sent(started(SERVICE, steps_for(chosen)))


@pytest.mark.parametrize("service", ALL)
def test_each_service_alone_asks_only_its_own_questions_and_gets_one_delivery(
        service: str) -> None:
    steps = steps_for([service])
    engine = started(SERVICE, steps)
    shown = rows(engine)
    own_pages = [page_id for page_id, _ in OWN[service][0]]
    assert list(shown) == ["old_address", "new_address", "moving_date", "name", "tell", *own_pages]
    others = {pid for other in ALL if other != service for pid, _ in OWN[other][0]}
    assert not others & set(engine.answers())
    _, code, attributes, fields = OWN[service]
    assert sent_by_delivery([service]) == {service: (code, (attributes, fields))}


def test_all_services_together_ask_everything_once_and_each_gets_only_its_own() -> None:
    engine = started(SERVICE, steps_for(ALL))
    page = engine.current()
    assert [r.label for r in page.rows] == [  # type: ignore[union-attr]
        "Old address", "New address", "Moving date", "Name", "Tell", "Adults at the new address",
        "Own or rent", "British, Irish, Commonwealth or EU citizen",
        "Move garden waste subscription", "Library card number", "Rent changes from",
        "New rent each month (£)"]
    assert rows(engine)["tell"] == ("Council Tax\nElectoral register (voting)\nWaste and garden "
                                    "waste subscription\nLibraries\nHousing Benefit")
    sent = sent_by_delivery(ALL)
    assert sent == {service: (code, (attributes, fields))
                    for service, (_, code, attributes, fields) in OWN.items()}
    # Data minimisation: the rent goes only to Housing Benefit, the card only to libraries.
    assert [s for s, (_, (attrs, _)) in sent.items() if "new_rent" in attrs] == ["housing_benefit"]
    assert [s for s, (_, (a, _)) in sent.items() if "library_card" in a] == ["libraries"]


def test_tell_needs_at_least_one_service() -> None:
    engine = started(SERVICE, START)
    page = engine.answer("tell", ())
    assert isinstance(page, QuestionPage)
    assert [e.message for e in page.errors] == ["Select who we should tell"]


def test_unchoosing_a_service_at_check_answers_drops_its_answers_and_its_delivery() -> None:
    engine = started(SERVICE, steps_for(["council_tax", "housing_benefit"]))
    engine.change("tell")
    engine.answer("tell", ("council_tax",))
    assert engine.where == CHECK
    assert "new_rent" not in rows(engine)
    assert "new_rent" not in engine.answers()
    # Choosing it again asks its questions again (the earlier answers were on a left branch).
    engine.change("tell")
    page = engine.answer("tell", ("council_tax", "libraries"))
    assert isinstance(page, QuestionPage)
    assert page.page_id == "library_card"
    assert page.changing


def test_library_card_is_optional_and_an_empty_one_is_not_sent() -> None:
    engine = started(SERVICE, [*START, ("tell", ("libraries",)), ("library_card", "")])
    assert rows(engine)["library_card"] == "Not provided"
    assert deliveries_sent(engine) == {"libraries": (
        "MOVED-LIBRARIES", ({"name": "Ann Example"},
                            {"address_string": NEW_WORDS, "address_id": "990000002007"}))}


def test_an_old_address_typed_by_hand_goes_in_words() -> None:
    engine = started(SERVICE, [
        ("old_address", "SW1A 1AA"), ("old_address__none",
                                      AddressParts("3 Elsewhere Road", "", "Far Town", "SW1A 1AA")),
        *START[2:], ("tell", ("garden_waste",)), ("move_garden", "yes")])
    assert deliveries_sent(engine) == {"garden_waste": (
        "MOVED-WASTE", ({**COMMON, "move_garden_subscription": "yes"},
                        {"address_string": NEW_WORDS,
                         "description": "3 Elsewhere Road, Far Town, SW1A 1AA",
                         "address_id": "990000002007"}))}


@pytest.mark.parametrize(("day", "error"), [
    (DateParts("1", "2", "2027"), "You can tell us up to 61 days before you move"),
    (DateParts("1", "11", "2025"),
     "We can only take moves from the last 365 days. Call 01632 960 000 instead."),
])
def test_moving_date_limits(day: DateParts, error: str) -> None:
    engine = started(SERVICE, START[:4])
    page = engine.answer("moving_date", day)
    assert isinstance(page, QuestionPage)
    assert [e.message for e in page.errors] == [error]


def test_first_page_is_the_old_address() -> None:
    engine = engine_for(SERVICE)
    engine.start()
    assert engine.where == Where("page", "old_address")
    walk(engine, START[:2])
    assert engine.where == Where("page", "new_address")


# ----- end to end through the terminal --------------------------------------------------------

@pytest.mark.parametrize("chosen", [["libraries"], ALL], ids=["one", "all"])
def test_a_visit_sends_one_reference_and_one_row_per_chosen_service(
        tmp_path: Path, chosen: list[str]) -> None:
    with demo_terminal(tmp_path) as (terminal, assembly):
        visit(terminal, SERVICE, steps_for(chosen))
        terminal.submit()
        confirmation = terminal.current()
        assert isinstance(confirmation, ConfirmationPage)
        assert confirmation.title == "We are telling the services you chose"
        assert len(confirmation.told) == len(chosen)
        sent = sent_rows(assembly, confirmation.reference)
        assert sorted(sent) == sorted(chosen)
        for part, submission in sent.items():
            _, code, attributes, fields = OWN[part]
            assert submission.reference == confirmation.reference
            assert submission.service_id == SERVICE
            assert submission.service_code == code
            assert submission.destination == "council"
            assert submission.attributes == attributes
            assert submission.fields == fields
        assert len({s.submission_id for s in sent.values()}) == len(chosen)
