"""Talk to an advisor in the real window, offscreen, up to the moment an advisor answers:
the button where residents need it, consent with an interpreter and sharing, the queue (spoken
and updated), out of hours with the opening hours and a call back, the staff panel, and no
QtWebEngine loaded for any of it (the live call is tests/ui/test_call_live.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QAbstractButton, QLabel, QPushButton

from accessibility.speech import RecordingSpeech
from kiosk.calls.base import Joined, JoinRequest
from kiosk.calls.fake import FakeCalls
from peripherals.cards import FakeCardReader
from tests.kiosk_fixtures import demo_profile_copy
from ui.demo_controls import DEMO_STAFF_CARD
from ui.driving import page_name, tap

WEEKDAYS = {"opening_hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "09:00",
                               "closes": "17:00"}],
            "interpreter_languages": ["cy", "pl", "bfi"], "fake_media": True}


def wait_page(qtbot, window, name: str) -> None:
    qtbot.waitUntil(lambda: page_name(window) == name, timeout=10000)


def text_of(window, name: str) -> str:
    found = [w for w in window.findChildren(QLabel, name) if w.isVisible()]
    assert found, name
    return found[0].text()


@pytest.fixture
def kiosk(make_kiosk, tmp_path: Path):
    path = demo_profile_copy(tmp_path, printer="fake", card_reader={"type": "fake"},
                             lookups={"type": "fake"}, calls=WEEKDAYS)
    built = make_kiosk(profile=path, speech=RecordingSpeech(tmp_path / "speech"))
    assert isinstance(built.terminal.calls.calls, FakeCalls)
    return built


def queue_of(kiosk) -> FakeCalls:
    calls = kiosk.terminal.calls.calls
    assert isinstance(calls, FakeCalls)
    return calls


def engine_loaded() -> bool:
    return any(name.startswith("PySide6.QtWebEngine") for name in sys.modules)


def test_from_the_menu_to_the_queue_and_back(qtbot, kiosk) -> None:
    window = kiosk.window
    loaded_before = engine_loaded()  # another test in this process may have made a call
    tap(window, "start")
    wait_page(qtbot, window, "menu")
    talk = window.findChild(QPushButton, "talkToAdvisor")
    assert talk is not None
    assert talk.isVisible()  # in the action bar: never below the fold
    tap(window, "talkToAdvisor")
    wait_page(qtbot, window, "call_consent")
    assert text_of(window, "body") == "The advisor will see and hear you. Nothing is recorded."
    assert window.findChild(QAbstractButton, "option-none").isChecked()  # English: none proposed
    assert window.findChild(QAbstractButton, "option-cy").caption() == "Cymraeg"
    tap(window, "option-pl")
    tap(window, "joinQueue")
    wait_page(qtbot, window, "call_queue")
    qtbot.waitUntil(lambda: "number 1" in text_of(window, "queue-position"), timeout=5000)
    assert "Polski" in text_of(window, "queue-interpreter")
    (call,) = queue_of(kiosk).calls.values()
    assert call.request.interpreter == "pl"
    assert "call" in kiosk.terminal.held
    assert engine_loaded() == loaded_before  # consent and queue never load it
    tap(window, "leaveQueue")
    wait_page(qtbot, window, "menu")
    assert call.ended_by_kiosk == "resident_left_queue"
    assert kiosk.terminal.held == ()


def test_the_queue_position_updates_live(qtbot, kiosk) -> None:
    window = kiosk.window
    queue = queue_of(kiosk)
    ahead = queue.join(JoinRequest("other-kiosk", "central-library", None, "en", None))
    assert isinstance(ahead, Joined)
    tap(window, "start")
    tap(window, "talkToAdvisor")
    wait_page(qtbot, window, "call_consent")
    tap(window, "joinQueue")
    qtbot.waitUntil(lambda: "number 2" in text_of(window, "queue-position"), timeout=5000)
    assert "10 minutes" in text_of(window, "queue-wait")
    queue.hang_up(ahead.call_id)  # the caller ahead gave up
    qtbot.waitUntil(lambda: "number 1" in text_of(window, "queue-position"), timeout=5000)


def test_out_of_hours_lists_the_hours_and_offers_a_call_back(qtbot, kiosk, clock) -> None:
    clock.advance(9 * 3600)  # Monday 19:00
    window = kiosk.window
    tap(window, "start")
    tap(window, "talkToAdvisor")
    wait_page(qtbot, window, "call_over:out_of_hours")
    assert text_of(window, "hours-day-0") == "Monday"
    assert text_of(window, "hours-0") == "09:00 to 17:00"
    assert text_of(window, "hours-6") == "Closed"
    tap(window, "callBack")
    wait_page(qtbot, window, "question:topic")


def test_exit_pages_and_check_answers_offer_an_advisor(qtbot, kiosk) -> None:
    window = kiosk.window
    tap(window, "start")
    tap(window, "service-request-callback")
    wait_page(qtbot, window, "question:topic")
    assert window.findChild(QPushButton, "talkToAdvisor") is None  # questions: not there
    kiosk.terminal.answer("topic", "housing")
    kiosk.terminal.answer("name", "Zebedee Canary")
    kiosk.terminal.answer("phone", "07700 900461")
    kiosk.terminal.answer("best_time", "morning")
    kiosk.terminal.answer("details", "")
    wait_page(qtbot, window, "check_answers")
    button = window.findChild(QPushButton, "talkToAdvisor")
    assert button is not None
    assert button.text() == "I need help with this"
    tap(window, "talkToAdvisor")
    wait_page(qtbot, window, "call_consent")
    assert window.findChild(QAbstractButton, "option-share-no").isChecked()  # shared only if asked
    tap(window, "goBack")
    wait_page(qtbot, window, "check_answers")


def test_the_queue_is_read_aloud(qtbot, kiosk) -> None:
    window = kiosk.window
    kiosk.terminal.set_preferences(kiosk.terminal.prefs.with_(read_aloud=True))
    tap(window, "start")
    tap(window, "talkToAdvisor")
    wait_page(qtbot, window, "call_consent")
    tap(window, "joinQueue")
    qtbot.waitUntil(lambda: "number 1" in text_of(window, "queue-position"), timeout=5000)
    said = [u.text for u in window.script()]
    assert said[0] == "Waiting for an advisor"
    assert "You are number 1 in the queue." in said
    assert said[-1] == "Leave the queue"


def test_staff_see_the_call_and_can_end_it(qtbot, kiosk) -> None:
    window = kiosk.window
    tap(window, "start")
    tap(window, "talkToAdvisor")
    tap(window, "joinQueue")
    qtbot.waitUntil(lambda: kiosk.terminal.calls.phase == "queued", timeout=5000)
    reader = kiosk.assembly.card_reader
    assert isinstance(reader, FakeCardReader)
    reader.insert(DEMO_STAFF_CARD)
    qtbot.waitUntil(lambda: kiosk.staff.panel is not None, timeout=5000)
    assert text_of(window, "staffCallState") == "The resident is waiting for an advisor"
    tap(window, "staff-end_call")
    qtbot.waitUntil(lambda: kiosk.terminal.calls.phase == "idle", timeout=5000)
    (call,) = queue_of(kiosk).calls.values()
    assert call.ended_by_kiosk == "resident_left_queue"
