"""The replayable snapshot (kiosk/journey/snapshot.py): captured at every kind of page,
carried as JSON, replayed into a fresh engine at the same place with the same answers —
without asking the council again — and stopping where a changed service no longer fits."""

from __future__ import annotations

import json
from datetime import date

import pytest

from accessibility.languages import Translator
from kiosk.catalogue import Service
from kiosk.journey.engine import CHECK, JourneyEngine, Where
from kiosk.journey.pages import CheckAnswersPage, QuestionPage, ResultPage, WaitingPage
from kiosk.journey.snapshot import SnapshotError, capture, restore
from kiosk.journey.types.address import NOT_LISTED, AddressParts
from kiosk.journey.validation import DateParts
from kiosk.resident import ask_council
from tests.kiosk.saved_service import SECRET, SERVICE_DATA, Council, service

TODAY = date(2026, 11, 23)
BORN = DateParts("29", "2", "1956")


def engine(svc: Service | None = None, language: str = "en") -> JourneyEngine:
    return JourneyEngine(svc or service(), Translator(language, strict=True), lambda: TODAY)


def settle(journey: JourneyEngine, council: Council) -> None:
    """The terminal's part: answer whatever the page waits for."""
    while isinstance(page := journey.current(), WaitingPage):
        journey.lookup_done(page.request, ask_council(council, page.request))


def walk(journey: JourneyEngine, council: Council, until: str) -> None:
    """Answer page after page until `until` is the page showing."""
    answers = {"who": "me", "about": "", "home": "de99 1ab", "home__list": "990000001001",
               "days": "", "born": BORN, "story": SECRET, "extra": ""}
    for _ in range(20):
        settle(journey, council)
        where = journey.where
        if where.kind != "page" or where.page_id == until:
            return
        journey.answer(where.page_id, answers[where.page_id])
    raise AssertionError("the walk did not end")


def round_trip(journey: JourneyEngine, svc: Service | None = None) -> tuple[JourneyEngine, object]:
    snapshot = json.loads(json.dumps(capture(journey)))  # as the hub keeps it
    fresh = engine(svc)
    return fresh, restore(fresh, snapshot)


@pytest.mark.parametrize("page", ["about", "home", "home__list", "days", "born", "story",
                                  "extra"])
def test_resumes_at_the_page_it_was_saved_on(page: str) -> None:
    council = Council()
    journey = engine()
    walk(journey, council, page)
    assert journey.where == Where("page", page)
    asked_before = len(council.asked)
    resumed, how = round_trip(journey)
    settle(resumed, Council(fail=True))  # nothing it already had is asked for again
    assert resumed.where == Where("page", page)
    assert resumed.answers() == journey.answers()
    assert how.complete is True
    assert len(council.asked) == asked_before


def test_a_resumed_journey_goes_on_to_check_answers() -> None:
    council = Council()
    journey = engine()
    walk(journey, council, "story")
    resumed, _ = round_trip(journey)
    walk(resumed, council, "none")
    assert resumed.where == CHECK
    assert isinstance(resumed.current(), CheckAnswersPage)
    assert resumed.answers()["born"] == "1956-02-29"
    assert resumed.answers()["story"] == SECRET
    assert resumed.answer_data()["home__list"]["uprn"] == "990000001001"


def test_the_result_page_keeps_the_rows_it_showed() -> None:
    council = Council()
    journey = engine()
    walk(journey, council, "born")
    resumed, _ = round_trip(journey)
    resumed.back()
    shown = resumed.current()
    assert isinstance(shown, ResultPage)
    assert [row for row in shown.rows]
    assert "Black bin: Tuesday" in str(shown.rows)


def test_a_typed_address_and_a_passed_by_list() -> None:
    council = Council()
    journey = engine()
    walk(journey, council, "home")
    journey.answer("home", "de99 9zz")  # no addresses there: the list is passed by
    settle(journey, council)
    assert journey.where.page_id != "home__list"
    manual = journey.where.page_id
    journey.answer(manual, AddressParts("Flat 9", "Mill Lane", "Demo Town", "DE99 9ZZ"))
    settle(journey, council)
    resumed, _how = round_trip(journey)
    settle(resumed, council)
    assert resumed.where == journey.where
    assert resumed.answers() == journey.answers()


def test_not_listed_then_typed() -> None:
    council = Council()
    journey = engine()
    walk(journey, council, "home__list")
    journey.answer("home__list", NOT_LISTED)
    journey.answer(journey.where.page_id, AddressParts("1 Road", "", "Town", "DE99 1AB"))
    settle(journey, council)
    resumed, _ = round_trip(journey)
    settle(resumed, council)
    assert resumed.answers() == journey.answers()


def test_a_changed_service_resumes_where_the_replay_stopped() -> None:
    council = Council()
    journey = engine()
    walk(journey, council, "extra")
    snapshot = json.loads(json.dumps(capture(journey)))
    # In version 3 the story is a choice: the saved text is not one of its options.
    raw = dict(SERVICE_DATA, version=3)
    raw["pages"] = [dict(p) for p in SERVICE_DATA["pages"]]
    raw["pages"][5] = {"id": "story", "question": {"type": "radios", "label": "Why?", "options": [
        {"value": "a", "label": "A"}, {"value": "b", "label": "B"}]}}
    fresh = engine(Service.model_validate(raw))
    how = restore(fresh, snapshot)
    assert how.version_changed
    assert not how.complete
    assert fresh.where == Where("page", "story")
    assert isinstance(fresh.current(), QuestionPage)
    assert fresh.answers()["who"] == "me"
    assert fresh.answers()["born"] == "1956-02-29"


def test_a_snapshot_of_another_service_is_refused() -> None:
    journey = engine()
    snapshot = capture(journey)
    other = service(id="another-one")
    with pytest.raises(SnapshotError):
        restore(engine(other), snapshot)
    with pytest.raises(SnapshotError):
        restore(engine(), {"format": 99})


def test_the_first_page_saves_nothing_but_its_place() -> None:
    journey = engine()
    snapshot = capture(journey)
    assert snapshot["steps"] == []
    resumed, _how = round_trip(journey)
    assert resumed.where == Where("page", "who")
