"""A resident tapping at random never breaks a journey: every intent gives a page to show.

Random sequences of answer (right page or stale), back, change, finish and language switches
drive a real engine. Only the documented misuse raises: `change()` away from check answers
(or of a page not on the route) and `finish()` before check answers, both `JourneyError`.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import kiosk
from accessibility.languages import Translator
from kiosk.journey.engine import CHECK, DONE, JourneyEngine, JourneyError, Where
from kiosk.journey.pages import (
    CheckAnswersPage,
    ConfirmationPage,
    ExitPage,
    InfoPage,
    LookupFailedPage,
    PageModel,
    QuestionPage,
    WaitingPage,
)
from kiosk.journey.types.address import AddressParts
from kiosk.journey.validation import YES_NO, DateParts, RawAnswer
from kiosk.lookups.fake import FakeLookup
from kiosk.profile import load_profile
from kiosk.resident import ask_council
from kiosk.submission import open311_parameters

TODAY = date(2026, 11, 23)
CATALOGUE = load_profile(Path(kiosk.__file__).parent / "demo" / "profile.yaml").catalogue
# The question journeys: Track my request waits for the council (tests/kiosk/test_track_request.py).
# Services whose every question is the resident's (booking services wait on the hub's diary:
# tests/kiosk/test_booking_journey.py).
SERVICE_IDS = [service.id for service in CATALOGUE if service.destination is not None]

VALID_TEXT = {
    "text": ["Ann", "14 Rose Cottage", "  Ann  "], "textarea": ["Outside the school gates"],
    "number": ["3", "12.0", "999"], "email": ["name@Example.com"],
    "phone": ["07700 900982", "+44 1632 960001"], "postcode": ["de1 2ab", "SW1A1AA"],
    # Addresses found (the demo's canned answers), and none found.
    "address": ["de99 1ab", "DE99 2DE", "DE99 9ZZ"],
    "ni_number": ["JK 12 34 56 C", "ab123456d"],
}
TYPED_ADDRESS = AddressParts("Flat 3, The Old Mill", "Mill Lane", "Demo Town", "de99 9zz")
# Weighted towards progress, so random journeys reach check answers, exits and confirmation.
INTENTS = ["answer"] * 8 + ["stale", "back", "back", "change", "change", "finish", "language",
                          "type", "try_again"]
NASTY = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["", " ", "\ud800", "مرحبا", "e\u0301", "\u200d", "x" * 5000, "0", "-1"]),
)


def valid_for(engine: JourneyEngine, page_id: str) -> st.SearchStrategy[RawAnswer]:
    """Answers the page accepts (an address from those the page offers now); an information
    page (an application's outcome) takes only Continue."""
    page = engine.service.page(page_id)
    if page.kind != "question":
        return st.just("")
    question = page.question
    good: st.SearchStrategy[RawAnswer]
    if question.type == "address_list":
        offered = [v for v, _, _ in engine.items(page_id)]
        good = st.sampled_from(offered)
    elif question.type == "address_manual":
        good = st.just(TYPED_ADDRESS)
    elif question.type in ("radios", "yes_no"):
        good = st.sampled_from([o.value for o in question.options] or list(YES_NO))
    elif question.type == "checkboxes":
        good = st.lists(st.sampled_from([o.value for o in question.options]), min_size=1,
                        max_size=3).map(tuple)
    elif question.type == "date":
        # Today back to 14 days ago: inside every shipped date rule.
        good = st.integers(0, 14).map(lambda n: DateParts(str(TODAY.day - n), "11", "2026"))
    else:
        good = st.sampled_from(VALID_TEXT[question.type])
    return good


def raw_for(engine: JourneyEngine, page_id: str) -> st.SearchStrategy[RawAnswer]:
    """Mostly answers the page accepts (so journeys get somewhere), sometimes nonsense."""
    good = valid_for(engine, page_id)
    bad: st.SearchStrategy[RawAnswer] = st.one_of(
        NASTY, st.builds(DateParts, NASTY, NASTY, NASTY), st.lists(NASTY, max_size=2).map(tuple),
        st.builds(AddressParts, NASTY, NASTY, NASTY, NASTY),
    )
    return st.one_of(*[good] * 6, bad)


def check_invariants(engine: JourneyEngine, shown: PageModel | None) -> None:
    page = engine.current()
    if shown is not None:
        assert shown == page  # what an intent returns is what current() re-renders
    where = engine.where
    path = engine.path()
    answers = engine.answers()
    assert set(answers) <= set(path)
    assert list(answers) == [p for p in path if p in answers]
    assert not any(engine.passed_by(p) for p in answers)
    if where.kind == "page":
        assert isinstance(page, QuestionPage | InfoPage | WaitingPage | LookupFailedPage)
        assert page.page_id == where.page_id
        assert where.page_id in path
        assert not isinstance(page, QuestionPage) or all(e.message for e in page.errors)
    elif where == CHECK:
        assert isinstance(page, CheckAnswersPage)
        # One row per question; an address question's pages are one row, under its own.
        assert [row.page_id for row in page.rows] == list(dict.fromkeys(
            engine.service.lead(p) for p in answers))
        assert all(row.value for row in page.rows)
    elif where.kind == "exit":
        assert isinstance(page, ExitPage)
        assert where.page_id in {e.id for e in engine.service.exits}
    else:
        assert where == DONE
        assert isinstance(page, ConfirmationPage)
    attributes, fields = open311_parameters(
        engine.service, answers, engine.answer_data(), engine.types,
        labels={pid: engine.chosen_labels(pid) for pid in answers})
    assert "not_listed" not in fields.get("address_string", "")
    mapped = engine.service.destination.attributes
    assert all(mapped[code] in answers for code in attributes)
    assert all(isinstance(v, str) for v in fields.values())


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(service_id=st.sampled_from(SERVICE_IDS), data=st.data())
def test_random_intents_never_break_a_journey(service_id: str, data: st.DataObject) -> None:
    service = CATALOGUE.service(service_id)
    texts = Translator(strict=True)
    engine = JourneyEngine(service, texts, lambda: TODAY)
    check_invariants(engine, engine.start())
    page_ids = [p.id for p in service.pages]
    for _ in range(data.draw(st.integers(1, 50), label="steps")):
        intent = data.draw(st.sampled_from(INTENTS), label="intent")
        shown: PageModel | None
        if intent == "answer" and engine.where.kind == "page":
            page_id = engine.where.page_id
            shown = engine.answer(page_id, data.draw(raw_for(engine, page_id), label=page_id))
        elif intent in ("answer", "stale"):
            page_id = data.draw(st.sampled_from([*page_ids, "no_such_page"]), label="stale")
            before = (engine.where, engine.answers())
            raw = data.draw(raw_for(engine, page_id)) if page_id in page_ids else "x"
            shown = engine.answer(page_id, raw)
            if before[0] != Where("page", page_id):  # stale: nothing changes
                assert (engine.where, engine.answers()) == before
        elif intent == "back":
            shown = engine.back()
            if shown is None:
                assert engine.where.kind == "page"
                assert engine.where.page_id == page_ids[0]
        elif intent == "change":
            page_id = data.draw(st.sampled_from(page_ids), label="change")
            if engine.where == CHECK and page_id in engine.answers():
                shown = engine.change(page_id)
                assert isinstance(shown, QuestionPage)
                assert shown.changing
            else:
                with pytest.raises(JourneyError):
                    engine.change(page_id)
                shown = None
        elif intent == "finish":
            if engine.where in (CHECK, DONE):
                shown = engine.finish("AB2CD3EF", data.draw(st.booleans(), label="delivered"))
            else:
                with pytest.raises(JourneyError):
                    engine.finish("AB2CD3EF", True)
                shown = None
        elif intent == "type":  # typing without Continue (kept across re-renders)
            on_page = engine.where.page_id if engine.where.kind == "page" else page_ids[0]
            page_id = data.draw(st.sampled_from([on_page, *page_ids]), label="typed on")
            raw = data.draw(raw_for(engine, page_id), label="typed")
            before_where, before_answers = engine.where, engine.answers()
            engine.keep_typed(page_id, raw)
            shown = None
            assert (engine.where, engine.answers()) == (before_where, before_answers)
            page = engine.current()
            if before_where == Where("page", page_id) and isinstance(page, QuestionPage):
                assert page.value == raw
        elif intent == "try_again":
            shown = engine.try_again()
        else:
            texts.switch(data.draw(st.sampled_from(["en", "cy", "pl", "ur", "ro"]), label="lang"))
            shown = None
        check_invariants(engine, shown)
        # The terminal's part: the council answers, or cannot be reached.
        request = engine.pending_lookup()
        if request is not None:
            if data.draw(st.integers(0, 5), label="lookup fails") == 0:
                engine.lookup_failed(request, "unreachable")
            else:
                engine.lookup_done(request, ask_council(FakeLookup(), request))
            check_invariants(engine, None)
        event(f"{intent} -> {engine.where.kind}")


@settings(max_examples=60, deadline=None)
@given(service_id=st.sampled_from(SERVICE_IDS), data=st.data())
def test_answering_valid_answers_always_reaches_check_answers_or_an_exit(
    service_id: str, data: st.DataObject
) -> None:
    service = CATALOGUE.service(service_id)
    engine = JourneyEngine(service, Translator(strict=True), lambda: TODAY)
    for _ in range(len(service.pages) + 1):
        request = engine.pending_lookup()
        if request is not None:
            engine.lookup_done(request, ask_council(FakeLookup(), request))
        if engine.where.kind != "page":
            break
        page_id = engine.where.page_id
        engine.answer(page_id, data.draw(valid_for(engine, page_id), label=page_id))
    assert engine.where == CHECK or engine.where.kind == "exit", engine.where

