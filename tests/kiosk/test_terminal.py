"""Whole visits through the `Terminal`, with no Qt: every end path, holds, staff, the wipe.

Driven like a Home Assistant config-flow test: intents in, events and page models out. The
assembled kiosk is real (outbox on SQLite, audit log, fake printer); time is a FakeClock.
"""

from __future__ import annotations

import gc
import sqlite3
import weakref
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from kiosk.assembly import Assembly, assemble
from kiosk.assist import StaffAssist
from kiosk.clock import FakeClock
from kiosk.journey.pages import CheckAnswersPage, ConfirmationPage, QuestionPage
from kiosk.journey.validation import DateParts
from kiosk.profile import load_profile
from kiosk.session import EndReason, Phase
from kiosk.terminal import AttractScreen, MenuScreen, Terminal
from kiosk.terminal_staff import StaffDesk
from peripherals.printer import FakePrinter
from tests.kiosk_fixtures import demo_profile_copy

STAFF_CARD = bytes.fromhex("04A2246B1180")  # enrolled in the demo profile
IT_CARD = bytes.fromhex("04C1357E2290")
CANARY = "Zebedee Canary-Quux"
IDLE = 60  # the demo profile's session timings
WARNING = 30
CONFIRMATION = 90


class Recorder:
    """Every event the terminal publishes, in order, with the phase it was published in."""

    def __init__(self, terminal: Terminal) -> None:
        self.terminal = terminal
        self.seen: list[tuple[str, tuple[Any, ...], Phase]] = []
        for name, event in vars(terminal.events).items():
            event.connect(self._note(name))

    def _note(self, name: str) -> Callable[..., None]:
        def note(*args: Any) -> None:
            self.seen.append((name, args, self.terminal.phase))
        return note

    def names(self) -> list[str]:
        return [name for name, _, _ in self.seen if name != "deadline_changed"]

    def count(self, name: str) -> int:
        return sum(1 for seen, _, _ in self.seen if seen == name)

    def last_shown(self) -> Any:
        shown = [args[0] for name, args, _ in self.seen if name == "page_changed"]
        return shown[-1] if shown else None


class HeldRunner:
    """Keeps background jobs until the test runs them: a print still going when a visit ends."""

    def __init__(self) -> None:
        self.jobs: list[tuple[Callable[[], Any], Callable[[Any], None],
                              Callable[[BaseException], None]]] = []

    def run(self, work: Callable[[], Any], on_done: Callable[[Any], None],
            on_error: Callable[[BaseException], None]) -> None:
        self.jobs.append((work, on_done, on_error))

    def run_all(self) -> None:
        while self.jobs:
            work, done, failed = self.jobs.pop(0)
            try:
                result = work()
            except Exception as exc:  # noqa: BLE001
                failed(exc)
            else:
                done(result)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))


@pytest.fixture
def assembly(tmp_path: Path, clock: FakeClock) -> Iterator[Assembly]:
    loaded = load_profile(demo_profile_copy(tmp_path, printer="fake"))
    built = assemble(loaded, tmp_path / "state", clock=clock, deliver_immediately=False)
    yield built
    built.close()


def make_terminal(assembly: Assembly, **kwargs: Any) -> Terminal:
    assert assembly.staff is not None
    desk = StaffDesk(StaffAssist(assembly.staff, assembly.audit, assembly.parts.clock),
                     assembly.parts.clock)
    return Terminal(assembly.parts, staff=desk, **kwargs)


@pytest.fixture
def terminal(assembly: Assembly) -> Terminal:
    return make_terminal(assembly)


def to_check_answers(terminal: Terminal) -> CheckAnswersPage:
    terminal.start()
    terminal.choose_service("feedback")
    for page_id, raw in (("feedback_type", "compliment"), ("topics", ("bins",)),
                         ("message", f"Thanks from {CANARY}"), ("happened_on", DateParts()),
                         ("wants_reply", "no")):
        terminal.answer(page_id, raw)
    shown = terminal.current()
    assert isinstance(shown, CheckAnswersPage), shown
    return shown


def audit_actions(assembly: Assembly) -> list[tuple[str | None, str, str | None]]:
    return [(r.role, r.action, r.detail) for r in reversed(assembly.audit.recent(100))]


# ----- a whole visit -------------------------------------------------------------------------


def test_a_whole_visit_from_attract_to_a_verified_wipe(terminal: Terminal,
                                                       assembly: Assembly) -> None:
    events = Recorder(terminal)
    assert isinstance(terminal.current(), AttractScreen)
    to_check_answers(terminal)
    terminal.submit()
    confirmation = events.last_shown()
    assert isinstance(confirmation, ConfirmationPage)
    assert assembly.outbox.get(terminal.session.engine.submission_id) is not None  # type: ignore[union-attr]
    printer = assembly.printer
    assert isinstance(printer, FakePrinter)
    assert printer.jobs  # the receipt printed
    terminal.finish()
    assert events.names()[:3] == ["session_started", "page_changed", "page_changed"]
    tail = events.names()[-6:]
    assert tail == ["printed", "page_changed", "session_ended", "wiping", "between_sessions",
                    "page_changed"], events.names()
    assert isinstance(events.last_shown(), AttractScreen)
    assert terminal.phase is Phase.ATTRACT
    assert terminal.session.engine is None


def test_the_menu_and_back_out_of_a_service(terminal: Terminal) -> None:
    events = Recorder(terminal)
    terminal.start()
    assert isinstance(events.last_shown(), MenuScreen)
    terminal.choose_service("feedback")
    assert isinstance(events.last_shown(), QuestionPage)
    terminal.back()
    assert isinstance(events.last_shown(), MenuScreen)
    assert terminal.session.engine is None


def test_intents_outside_a_visit_change_nothing(terminal: Terminal) -> None:
    events = Recorder(terminal)
    terminal.choose_service("feedback")
    terminal.answer("feedback_type", "compliment")
    terminal.back()
    terminal.submit()
    terminal.finish()
    terminal.start_again()
    assert events.names() == []


# ----- every end path -------------------------------------------------------------------------


@pytest.mark.parametrize("end", ["finish", "start_again", "staff", "timeout", "confirmation"])
def test_every_end_path_wipes_once_and_fires_between_sessions_once(
        terminal: Terminal, clock: FakeClock, end: str) -> None:
    events = Recorder(terminal)
    to_check_answers(terminal)
    if end == "finish":
        terminal.submit()
        terminal.finish()
        reason = EndReason.FINISHED
    elif end == "start_again":
        terminal.start_again()
        reason = EndReason.START_AGAIN
    elif end == "staff":
        assert terminal.staff.card_inserted(STAFF_CARD) is not None
        terminal.staff.end_session()
        reason = EndReason.STAFF
    elif end == "timeout":
        clock.advance(IDLE)
        terminal.tick()
        assert terminal.phase is Phase.WARNING
        clock.advance(WARNING)
        terminal.tick()
        reason = EndReason.TIMEOUT
    else:
        terminal.submit()
        clock.advance(CONFIRMATION - 1)
        terminal.tick()
        assert terminal.phase is Phase.ACTIVE
        clock.advance(1)
        terminal.tick()
        assert events.count("warning") == 0  # nothing left to lose: no "need more time?"
        reason = EndReason.FINISHED
    ended = [args for name, args, _ in events.seen if name == "session_ended"]
    assert ended == [(reason,)]
    assert events.count("wiping") == 1
    assert events.count("between_sessions") == 1
    assert terminal.phase is Phase.ATTRACT
    assert isinstance(events.last_shown(), AttractScreen)


def test_between_sessions_never_fires_during_a_visit(terminal: Terminal, clock: FakeClock) -> None:
    events = Recorder(terminal)
    for _ in range(3):
        to_check_answers(terminal)
        clock.advance(IDLE)
        terminal.tick()
        terminal.more_time()
        terminal.start_again()
    phases = [phase for name, _, phase in events.seen if name == "between_sessions"]
    assert phases == [Phase.ATTRACT] * 3


def test_a_warning_and_more_time(terminal: Terminal, clock: FakeClock) -> None:
    events = Recorder(terminal)
    terminal.start()
    clock.advance(IDLE - 1)
    terminal.tick()
    assert terminal.phase is Phase.ACTIVE
    terminal.touch()
    clock.advance(IDLE - 1)
    terminal.tick()
    assert terminal.phase is Phase.ACTIVE  # the touch restarted the idle period
    clock.advance(1)
    terminal.tick()
    assert terminal.phase is Phase.WARNING
    assert [args for name, args, _ in events.seen if name == "warning"] == [(WARNING, True)]
    terminal.touch()  # a touch elsewhere does not answer the warning
    assert terminal.phase is Phase.WARNING
    terminal.more_time()
    assert terminal.phase is Phase.ACTIVE
    assert events.count("warning_cleared") == 1


# ----- holds ----------------------------------------------------------------------------------


def test_a_held_visit_never_times_out_and_resumes_when_released(terminal: Terminal,
                                                                 clock: FakeClock) -> None:
    events = Recorder(terminal)
    terminal.start()
    call = terminal.hold("call")
    assert terminal.next_deadline() is None
    clock.advance(IDLE * 20)
    terminal.tick()
    assert terminal.phase is Phase.ACTIVE
    terminal.release(call)
    terminal.release(call)  # a second release does nothing
    assert [name for name in events.names() if name in ("hold", "release")] == ["hold", "release"]
    assert terminal.next_deadline() == clock.monotonic() + IDLE
    clock.advance(IDLE)
    terminal.tick()
    assert terminal.phase is Phase.WARNING


def test_a_hold_withdraws_the_warning_and_two_holds_need_two_releases(terminal: Terminal,
                                                                      clock: FakeClock) -> None:
    events = Recorder(terminal)
    terminal.start()
    clock.advance(IDLE)
    terminal.tick()
    assert terminal.phase is Phase.WARNING
    call = terminal.hold("call")
    booking = terminal.hold("booking")
    assert terminal.phase is Phase.ACTIVE
    assert events.count("warning_cleared") == 1
    terminal.release(call)
    assert terminal.next_deadline() is None  # still held by the booking
    assert terminal.held == ("booking",)
    terminal.release(booking)
    assert terminal.next_deadline() is not None


def test_holds_end_with_the_visit(terminal: Terminal, clock: FakeClock) -> None:
    terminal.start()
    call = terminal.hold("call")
    terminal.start_again()
    assert terminal.held == ()
    terminal.start()
    terminal.release(call)  # the old visit's token: changes nothing in the new one
    assert terminal.next_deadline() == clock.monotonic() + IDLE
    outside = terminal.hold("print")
    assert terminal.held == ("print",)
    terminal.release(outside)
    terminal.start_again()
    assert terminal.hold("nothing to hold").released  # no visit: nothing to hold


def test_sending_holds_the_visit_until_the_receipt_is_out(assembly: Assembly,
                                                          clock: FakeClock) -> None:
    runner = HeldRunner()
    terminal = make_terminal(assembly, runner=runner)
    to_check_answers(terminal)
    terminal.submit()
    terminal.submit()  # a double tap while sending does nothing more
    assert len(runner.jobs) == 1
    assert terminal.held == ("submit",)
    clock.advance(IDLE * 5)
    terminal.tick()
    assert terminal.phase is Phase.ACTIVE
    runner.run_all()
    assert terminal.held == ()
    assert isinstance(terminal.current(), ConfirmationPage)


# ----- staff ----------------------------------------------------------------------------------


def test_staff_assist_through_the_terminal(terminal: Terminal, assembly: Assembly,
                                           clock: FakeClock) -> None:
    arrivals: list[object] = []
    terminal.staff.changed.connect(arrivals.append)
    terminal.start()
    terminal.choose_service("feedback")
    actor = terminal.staff.card_inserted(STAFF_CARD)
    assert actor is not None
    assert actor.role == "staff"
    assert terminal.staff.mark_assisted()
    terminal.answer("feedback_type", "compliment")
    assert terminal.staff.card_removed()
    assert arrivals == [actor, None]
    assert terminal.session.staff.entered_by() == {"feedback_type": "staff"}
    assert terminal.session.assisted
    terminal.start_again()
    assert audit_actions(assembly) == [("staff", "staff_in_card", None),
                                       ("staff", "assist_on", None),
                                       ("staff", "staff_out", "card_removed")]


def test_staff_leave_with_the_visit_and_the_audit_line_follows_the_wipe(
        terminal: Terminal, assembly: Assembly) -> None:
    terminal.start()
    assert terminal.staff.card_inserted(STAFF_CARD) is not None
    terminal.start_again()
    assert terminal.staff.actor is None
    assert audit_actions(assembly)[-1] == ("staff", "staff_out", "session_ended")


def test_maintenance_wipes_the_visit_and_blocks_new_ones(terminal: Terminal,
                                                         assembly: Assembly) -> None:
    events = Recorder(terminal)
    terminal.start()
    assert terminal.staff.card_inserted(IT_CARD) is not None
    assert terminal.staff.enter_maintenance()
    assert terminal.phase is Phase.ATTRACT
    assert events.count("between_sessions") == 1
    terminal.start()
    assert terminal.phase is Phase.ATTRACT  # IT have the terminal
    assert terminal.staff.card_inserted(STAFF_CARD) is None  # no sign-in over maintenance
    terminal.staff.leave_maintenance("manual")
    terminal.start()
    assert terminal.phase is Phase.ACTIVE
    assert ("it", "maintenance", "maintenance_exit") in audit_actions(assembly)


def test_a_stranger_card_does_nothing(terminal: Terminal) -> None:
    terminal.start()
    assert terminal.staff.card_inserted(bytes.fromhex("04000000000001")) is None
    assert terminal.staff.actor is None


# ----- the wipe fails closed ------------------------------------------------------------------


def lock_database(path: Path) -> sqlite3.Connection:
    """Another process's write lock, as a council's backup job or a stuck tool would hold."""
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    return other


def test_a_locked_audit_log_never_holds_the_wipe(assembly: Assembly, tmp_path: Path) -> None:
    runner = HeldRunner()
    terminal = make_terminal(assembly, runner=runner)
    terminal.start()
    assert terminal.staff.card_inserted(STAFF_CARD) is not None
    terminal.choose_service("feedback")
    terminal.answer("feedback_type", "compliment")
    other = lock_database(tmp_path / "state" / "audit.db")
    try:
        terminal.start_again()  # no wait on the audit log: the wipe is done at once
        assert terminal.phase is Phase.ATTRACT
        assert terminal.staff.actor is None
        assert terminal.session.engine is None
    finally:
        other.rollback()
        other.close()
    runner.run_all()  # the audit line, written once the lock is gone
    assert audit_actions(assembly)[-1] == ("staff", "staff_out", "session_ended")


def test_an_unaudited_sign_in_is_refused(terminal: Terminal, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    terminal.start()

    def full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(terminal.staff.assist.audit, "record", full)  # type: ignore[union-attr]
    assert terminal.staff.card_inserted(STAFF_CARD) is None
    assert terminal.staff.actor is None
    terminal.staff.end_session()  # nobody acting: nothing happens
    assert terminal.phase is Phase.ACTIVE


def test_staff_end_the_visit_even_when_the_audit_is_full(terminal: Terminal,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    terminal.start()
    assert terminal.staff.card_inserted(STAFF_CARD) is not None

    def full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(terminal.staff.assist.audit, "record", full)  # type: ignore[union-attr]
    terminal.staff.end_session()
    assert terminal.phase is Phase.ATTRACT


def test_a_printer_that_raises_still_confirms_and_wipes(terminal: Terminal, assembly: Assembly,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise OSError("usb gone")

    monkeypatch.setattr(assembly.printer, "print_receipt", broken)
    to_check_answers(terminal)
    terminal.submit()
    shown = terminal.current()
    assert isinstance(shown, ConfirmationPage)
    assert terminal.session.outcome is not None
    assert not terminal.session.outcome.printed
    terminal.finish()
    assert terminal.phase is Phase.ATTRACT


def test_a_full_disk_at_send_keeps_the_visit_and_says_so(terminal: Terminal, assembly: Assembly,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    events = Recorder(terminal)

    def full(*args: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(assembly.outbox, "enqueue", full)
    to_check_answers(terminal)
    terminal.submit()
    assert events.count("submit_failed") == 1
    assert isinstance(terminal.current(), CheckAnswersPage)  # nothing lost: send again
    assert terminal.held == ()
    terminal.start_again()
    assert terminal.phase is Phase.ATTRACT


def test_a_view_that_fails_its_wipe_stops_the_terminal(assembly: Assembly) -> None:
    fatal: list[tuple[str, ...]] = []
    terminal = make_terminal(assembly, on_fatal=fatal.append)
    events = Recorder(terminal)

    def broken_view() -> None:
        raise RuntimeError("widget already deleted")

    terminal.events.wiping.connect(broken_view)
    terminal.start()
    terminal.start_again()
    assert fatal
    assert "raised RuntimeError" in fatal[0][0]
    assert events.count("wipe_failed") == 1
    assert events.count("between_sessions") == 0
    assert terminal.phase is Phase.ENDED  # never back to attract on an unverified wipe
    terminal.start()
    assert terminal.phase is Phase.ENDED


def test_a_view_check_that_finds_leftovers_stops_the_terminal(assembly: Assembly) -> None:
    fatal: list[tuple[str, ...]] = []
    terminal = make_terminal(assembly, on_fatal=fatal.append)
    terminal.add_wipe_check(lambda: ["QLineEdit#email"])
    terminal.start()
    terminal.start_again()
    assert fatal == [("QLineEdit#email",)]


def test_nothing_of_an_ended_visit_stays_reachable(terminal: Terminal,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    """Without a garbage collection: reference counting alone must free the visit (the wipe
    falls back to a full collection, and says so, only for a cycle that is a bug)."""
    gc.disable()
    try:
        for _ in range(3):
            to_check_answers(terminal)
            session = weakref.ref(terminal.session)
            engine = weakref.ref(terminal.session.engine)  # type: ignore[arg-type]
            terminal.submit()
            terminal.finish()
            assert session() is None
            assert engine() is None
    finally:
        gc.enable()
    assert "garbage collection" not in caplog.text


def test_a_visit_ended_while_its_receipt_prints_is_gone_and_its_report_is_kept(
        assembly: Assembly) -> None:
    runner = HeldRunner()
    terminal = make_terminal(assembly, runner=runner)
    events = Recorder(terminal)
    to_check_answers(terminal)
    submission_id = terminal.session.engine.submission_id  # type: ignore[union-attr]
    session = weakref.ref(terminal.session)
    terminal.submit()
    terminal.start_again()  # a print job is still waiting on the worker
    assert session() is None
    assert terminal.phase is Phase.ATTRACT
    runner.run_all()
    assert assembly.outbox.get(submission_id) is not None  # the report is safe
    assert not any(isinstance(shown, ConfirmationPage)
                   for name, (shown, *_), _ in [(n, a or (None,), p) for n, a, p in events.seen]
                   if name == "page_changed")


def test_a_library_card_lives_and_dies_with_the_visit(terminal: Terminal) -> None:
    terminal.library_card_scanned("29876543")
    assert terminal.session.library_card is None  # no visit: ignored
    terminal.start()
    terminal.library_card_scanned("29876543")
    assert terminal.session.library_card == "29876543"
    terminal.start_again()
    assert terminal.session.library_card is None


def test_preferences_reset_at_the_end_of_a_visit(terminal: Terminal) -> None:
    events = Recorder(terminal)
    default = terminal.prefs
    terminal.start()
    terminal.set_preferences(default.with_(text_size="extra_large", language="cy"))
    terminal.start_again()
    assert terminal.prefs == default
    changes = [args for name, args, _ in events.seen if name == "preferences_changed"]
    assert changes[-1] == (default, default.with_(text_size="extra_large", language="cy"))


def test_half_typed_text_survives_a_re_render(terminal: Terminal) -> None:
    terminal.start()
    terminal.choose_service("feedback")
    terminal.answer("feedback_type", "compliment")
    terminal.answer("topics", ("bins",))
    terminal.keep_typed("message", "Half a sent")
    shown = terminal.current()
    assert isinstance(shown, QuestionPage)
    assert shown.value == "Half a sent"
