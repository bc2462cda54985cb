"""Talk to an advisor, headless (kiosk/terminal_calls.py): consent, the queue, the call, and
every way it ends, driven through the terminal with no Qt against the in-memory queue
(`FakeCalls`), as Home Assistant tests drive config flows. The hub and the video are tested
end to end in tests/hub and tests/ui."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.assembly import Assembly, assemble
from kiosk.calls.fake import FakeCalls
from kiosk.calls.screens import (
    CallConsentScreen,
    CallLiveScreen,
    CallOverScreen,
    CallQueueScreen,
)
from kiosk.clock import FakeClock
from kiosk.journey.pages import CheckAnswersPage, QuestionPage
from kiosk.profile import load_profile
from kiosk.session import Phase
from kiosk.terminal import Terminal
from tests.kiosk.test_terminal import HeldRunner
from tests.kiosk_fixtures import demo_profile_copy

# A Monday, 10:00 in London (GMT in November): inside the test hours below.
OPEN = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
CLOSED = datetime(2026, 11, 23, 19, 0, tzinfo=UTC)
CALLS = {"opening_hours": [{"days": ["mon", "tue", "wed", "thu", "fri"], "opens": "09:00",
                            "closes": "17:00"}],
         "closed_dates": ["2026-12-25"], "answer_limit_seconds": 120,
         "interpreter_languages": ["cy", "pl", "bfi"]}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(OPEN)


@pytest.fixture
def assembly(tmp_path: Path, clock: FakeClock) -> Iterator[Assembly]:
    loaded = load_profile(demo_profile_copy(tmp_path, printer="fake", calls=CALLS))
    built = assemble(loaded, tmp_path / "state", clock=clock, deliver_immediately=False)
    built.parts.calls = FakeCalls()
    yield built
    built.close()


@pytest.fixture
def queue(assembly: Assembly) -> FakeCalls:
    assert isinstance(assembly.parts.calls, FakeCalls)
    return assembly.parts.calls


@pytest.fixture
def terminal(assembly: Assembly) -> Terminal:
    return Terminal(assembly.parts)


def to_queue(terminal: Terminal, *, interpreter: str | None = None,
             share: bool = False) -> CallQueueScreen:
    terminal.start()
    terminal.calls.talk()
    assert isinstance(terminal.current(), CallConsentScreen)
    terminal.calls.join(interpreter, share)
    shown = terminal.current()
    assert isinstance(shown, CallQueueScreen)
    return shown


def test_consent_then_the_queue_holds_the_visit(terminal: Terminal, queue: FakeCalls,
                                                clock: FakeClock) -> None:
    shown = to_queue(terminal)
    assert shown.position == 1
    assert shown.wait_minutes == 5  # one caller ahead of nobody, 300 s mean, one advisor
    assert "call" in terminal.held
    clock.advance(3600)  # an hour of waiting never times the visit out
    terminal.tick()
    assert terminal.phase is Phase.ACTIVE
    request = next(iter(queue.calls.values())).request
    assert request.site == terminal.parts.profile.site.id
    assert request.language == "en"
    assert request.service is None


def test_two_kiosks_are_served_in_order_and_the_second_moves_up(
        assembly: Assembly, queue: FakeCalls) -> None:
    first, second = Terminal(assembly.parts), Terminal(assembly.parts)
    assert to_queue(first).position == 1
    assert to_queue(second).position == 2
    answered = queue.answer()
    first.calls.poll()
    second.calls.poll()
    live = first.current()
    assert isinstance(live, CallLiveScreen)
    assert live.call_id == answered
    assert live.origin == queue.origin
    waiting = second.current()
    assert isinstance(waiting, CallQueueScreen)
    assert waiting.position == 1


def test_out_of_hours_shows_the_hours_and_offers_a_call_back(terminal: Terminal,
                                                             clock: FakeClock) -> None:
    clock.advance((CLOSED - OPEN).total_seconds())
    terminal.start()
    terminal.calls.talk()
    shown = terminal.current()
    assert isinstance(shown, CallOverScreen)
    assert shown.reason == "out_of_hours"
    assert shown.can_call_back
    assert shown.hours[0].times == (("09:00", "17:00"),)
    assert shown.hours[5].times == ()  # Saturday: closed
    terminal.calls.call_back()
    page = terminal.current()
    assert isinstance(page, QuestionPage)
    assert terminal.session.engine is not None
    assert terminal.session.engine.service.id == "request-callback"


def test_a_closed_date_is_out_of_hours(terminal: Terminal, clock: FakeClock) -> None:
    clock.advance((datetime(2026, 12, 25, 11, 0, tzinfo=UTC) - OPEN).total_seconds())
    terminal.start()
    terminal.calls.talk()
    shown = terminal.current()
    assert isinstance(shown, CallOverScreen)
    assert shown.reason == "out_of_hours"


def test_no_camera_or_microphone_says_so_and_offers_a_call_back(terminal: Terminal) -> None:
    terminal.calls.devices_ready = lambda: False
    terminal.start()
    terminal.calls.talk()
    shown = terminal.current()
    assert isinstance(shown, CallOverScreen)
    assert shown.reason == "no_devices"
    assert shown.can_call_back


def test_nobody_answers_within_the_limit(terminal: Terminal, queue: FakeCalls,
                                         clock: FakeClock) -> None:
    to_queue(terminal)
    clock.advance(121)
    terminal.calls.poll()
    shown = terminal.current()
    assert isinstance(shown, CallOverScreen)
    assert shown.reason == "no_answer"
    assert next(iter(queue.calls.values())).ended_by_kiosk == "no_answer"
    assert "call" not in terminal.held


def test_a_queue_that_stops_answering_is_said_plainly(terminal: Terminal,
                                                      queue: FakeCalls) -> None:
    to_queue(terminal)
    queue.failing = "down"
    for _ in range(3):
        assert isinstance(terminal.current(), CallQueueScreen)
        terminal.calls.poll()
    shown = terminal.current()
    assert isinstance(shown, CallOverScreen)
    assert shown.reason == "unavailable"


def test_joining_when_the_hub_is_down(terminal: Terminal, queue: FakeCalls) -> None:
    queue.failing = "down"
    terminal.start()
    terminal.calls.talk()
    terminal.calls.join(None, False)
    shown = terminal.current()
    assert isinstance(shown, CallOverScreen)
    assert shown.reason == "unavailable"
    assert terminal.held == ()


def test_leaving_the_queue_returns_to_the_page_left(terminal: Terminal,
                                                    queue: FakeCalls) -> None:
    terminal.start()
    terminal.choose_service("request-callback")
    first = terminal.current()
    terminal.calls.talk()
    terminal.calls.join(None, False)
    terminal.calls.leave_queue()
    assert terminal.current() == first
    assert next(iter(queue.calls.values())).ended_by_kiosk == "resident_left_queue"
    assert terminal.held == ()


def test_the_call_ends_from_the_page_or_the_advisor_drops(terminal: Terminal,
                                                          queue: FakeCalls) -> None:
    to_queue(terminal)
    queue.answer()
    terminal.calls.poll()
    assert terminal.calls.phase == "in_call"
    terminal.calls.call_event("peer_left", {"role": "interpreter", "reason": "left"})
    assert terminal.calls.phase == "in_call"  # an interpreter leaving keeps the call
    terminal.calls.call_event("peer_left", {"role": "advisor", "reason": "disconnected"})
    shown = terminal.current()
    assert isinstance(shown, CallOverScreen)
    assert shown.reason == "connection_lost"
    assert shown.can_call_back
    assert terminal.held == ()


def test_the_advisor_ends_the_call(terminal: Terminal, queue: FakeCalls) -> None:
    to_queue(terminal)
    call_id = queue.answer()
    terminal.calls.poll()
    terminal.calls.call_event("call_ended", {"reason": "resolved", "by": "advisor"})
    shown = terminal.current()
    assert isinstance(shown, CallOverScreen)
    assert shown.reason == "ended"
    terminal.calls.close()
    assert terminal.calls.showing is None
    assert queue.calls[call_id].ended_by_kiosk is None  # the hub ended it, not the kiosk


def test_end_call_button(terminal: Terminal, queue: FakeCalls) -> None:
    to_queue(terminal)
    call_id = queue.answer()
    terminal.calls.poll()
    terminal.calls.end_call()
    assert queue.calls[call_id].ended_by_kiosk == "resident_ended"
    shown = terminal.current()
    assert isinstance(shown, CallOverScreen)
    assert shown.reason == "ended"


def test_the_visit_ending_mid_call_ends_the_call_and_leaves_nothing(
        assembly: Assembly, queue: FakeCalls) -> None:
    runner = HeldRunner()
    terminal = Terminal(assembly.parts, runner=runner)
    terminal.start()
    terminal.calls.talk()
    terminal.calls.join(None, False)
    runner.run_all()
    call_id = queue.answer()
    terminal.calls.poll()
    runner.run_all()
    assert terminal.calls.phase == "in_call"
    terminal.start_again()
    runner.run_all()
    assert queue.calls[call_id].ended_by_kiosk == "session_ended"
    assert terminal.phase is Phase.ATTRACT
    assert terminal.calls.showing is None
    assert terminal.calls.summary() is None


def test_a_join_answered_after_the_visit_ended_is_ended_at_once(
        assembly: Assembly, queue: FakeCalls) -> None:
    runner = HeldRunner()
    terminal = Terminal(assembly.parts, runner=runner)
    terminal.start()
    terminal.calls.talk()
    terminal.calls.join(None, False)
    terminal.start_again()  # before the hub answered the join
    runner.run_all()
    (call,) = queue.calls.values()
    assert call.ended_by_kiosk == "session_ended"


def fill_callback(terminal: Terminal) -> CheckAnswersPage:
    terminal.choose_service("request-callback")
    for page_id, raw in (("topic", "housing"), ("name", "Zebedee Canary"),
                         ("phone", "07700 900461"), ("best_time", "morning"), ("details", "")):
        shown = terminal.current()
        assert isinstance(shown, QuestionPage), shown
        assert shown.page_id == page_id
        terminal.answer(page_id, raw)
    shown = terminal.current()
    assert isinstance(shown, CheckAnswersPage), shown
    return shown


def test_answers_are_shared_only_with_consent_and_only_during_the_call(
        terminal: Terminal, queue: FakeCalls) -> None:
    terminal.start()
    check = fill_callback(terminal)
    terminal.calls.talk()
    consent = terminal.current()
    assert isinstance(consent, CallConsentScreen)
    assert consent.share_service is not None
    terminal.calls.join(None, True)
    assert terminal.calls.summary() is None  # queued: nothing to share yet
    queue.answer()
    terminal.calls.poll()
    summary = terminal.calls.summary()
    assert summary is not None
    assert {"label": check.rows[1].label, "value": "Zebedee Canary"} in summary["rows"]
    terminal.calls.end_call()
    assert terminal.calls.summary() is None
    terminal.calls.close()
    assert terminal.current() == check  # back on check answers, every answer kept


def test_no_consent_no_summary(terminal: Terminal, queue: FakeCalls) -> None:
    terminal.start()
    fill_callback(terminal)
    terminal.calls.talk()
    terminal.calls.join(None, False)
    queue.answer()
    terminal.calls.poll()
    assert terminal.calls.phase == "in_call"
    assert terminal.calls.summary() is None


def test_the_interpreter_asked_for_travels_and_the_language_is_proposed(
        terminal: Terminal, queue: FakeCalls) -> None:
    terminal.set_preferences(terminal.prefs.with_(language="cy"))
    terminal.start()
    terminal.calls.talk()
    consent = terminal.current()
    assert isinstance(consent, CallConsentScreen)
    assert consent.proposed_interpreter == "cy"
    assert consent.interpreter_languages == ("cy", "pl", "bfi")
    terminal.calls.join("bfi", False)
    shown = terminal.current()
    assert isinstance(shown, CallQueueScreen)
    assert shown.interpreter == "bfi"
    (call,) = queue.calls.values()
    assert call.request.interpreter == "bfi"
    assert call.request.language == "cy"


def test_an_interpreter_not_offered_is_not_asked_for(terminal: Terminal,
                                                     queue: FakeCalls) -> None:
    to_queue(terminal, interpreter="xx")
    (call,) = queue.calls.values()
    assert call.request.interpreter is None


def test_no_calls_section_no_button(tmp_path: Path, clock: FakeClock) -> None:
    loaded = load_profile(demo_profile_copy(tmp_path, printer="fake", calls=None))
    built = assemble(loaded, tmp_path / "state", clock=clock, deliver_immediately=False)
    try:
        terminal = Terminal(built.parts)
        assert not terminal.calls.offered
        terminal.start()
        terminal.calls.talk()
        assert terminal.calls.showing is None
    finally:
        built.close()


def test_call_state_events_for_the_staff_panel(terminal: Terminal, queue: FakeCalls) -> None:
    seen: list[str] = []
    terminal.events.call_state.connect(seen.append)
    to_queue(terminal)
    queue.answer()
    terminal.calls.poll()
    terminal.calls.end_call()
    assert seen == ["joining", "queued", "in_call", "idle"]

