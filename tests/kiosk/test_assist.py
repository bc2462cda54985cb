"""A staff visit driven with no UI: card in, assist, answers, receipt faults, reprint, card out.

Runs the assembled kiosk (outbox, fake printer, audit log) exactly as the UI does, like a Home
Assistant config-flow test, and checks what was recorded, printed and audited.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.assembly import Assembly, assemble
from kiosk.assist import StaffAssist
from kiosk.clock import FakeClock
from kiosk.journey.pages import CheckAnswersPage
from kiosk.journey.validation import DateParts
from kiosk.profile import load_profile
from kiosk.resident import ResidentSession
from kiosk.submission import Submission
from peripherals.printer import FakePrinter
from tests.kiosk_fixtures import demo_profile_copy

STAFF_CARD = bytes.fromhex("04A2246B1180")  # enrolled in the demo profile
IT_CARD = bytes.fromhex("04C1357E2290")
STRANGER = bytes.fromhex("04000000000001")
CANARY = "Zebedee Canary-Quux"


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Assembly]:
    loaded = load_profile(demo_profile_copy(tmp_path, printer="fake"))
    clock = FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    assembly = assemble(loaded, tmp_path / "state", clock=clock, deliver_immediately=False)
    yield assembly
    assembly.close()


@pytest.fixture
def assist(kiosk: Assembly) -> StaffAssist:
    assert kiosk.staff is not None
    return StaffAssist(kiosk.staff, kiosk.audit, kiosk.parts.clock)


def feedback_to_check_answers(session: ResidentSession) -> CheckAnswersPage:
    session.choose("feedback")
    for page_id, raw in (("feedback_type", "compliment"), ("topics", ("bins",)),
                         ("message", f"Thanks from {CANARY}"), ("happened_on", DateParts()),
                         ("wants_reply", "no")):
        model = session.answer(page_id, raw)
    assert isinstance(model, CheckAnswersPage), model
    return model


def actions(kiosk: Assembly) -> list[tuple[str | None, str, str | None]]:
    return [(r.role, r.action, r.detail) for r in reversed(kiosk.audit.recent(100))]


def test_staff_card_assists_and_answers_are_marked_as_entered_by_staff(
        kiosk: Assembly, assist: StaffAssist) -> None:
    session = ResidentSession(kiosk.parts)
    session.choose("feedback")
    session.answer("feedback_type", "compliment")  # the resident, alone
    actor = assist.card_inserted(STAFF_CARD, session, session.reference)
    assert actor is not None
    assert (actor.role, actor.via) == ("staff", "card")
    assist.assist(session, session.reference)
    session.answer("topics", ("bins",))  # staff, signed in, on an assisted session
    assert assist.card_removed(session, session.reference)
    session.answer("message", "Thank you")  # the resident again
    assert session.staff.entered_by() == {"feedback_type": "resident", "topics": "staff",
                                          "message": "resident"}
    assert session.assisted
    assert actions(kiosk) == [("staff", "staff_in_card", None), ("staff", "assist_on", None),
                              ("staff", "staff_out", "card_removed")]
    assert all(r.reference == session.reference for r in kiosk.audit.recent(10))


def test_submission_carries_assisted_and_entered_by(kiosk: Assembly, assist: StaffAssist) -> None:
    session = ResidentSession(kiosk.parts)
    assist.card_inserted(STAFF_CARD, session, None)
    assist.assist(session, None)
    feedback_to_check_answers(session)
    submission = session.prepare_submission()
    assert submission.assisted is True
    assert set(submission.entered_by.values()) == {"staff"}
    again = Submission.from_json(submission.to_json())
    assert again.entered_by == submission.entered_by


def test_unknown_card_does_nothing_but_is_audited_without_its_uid(
        kiosk: Assembly, assist: StaffAssist) -> None:
    session = ResidentSession(kiosk.parts)
    assert assist.card_inserted(STRANGER, session, None) is None
    assert assist.card_inserted(None, session, None) is None  # a card that gave no UID
    assert session.staff.actor is None
    assert not assist.card_removed(session, None)
    assert actions(kiosk) == [(None, "card_refused", None)] * 2
    raw = kiosk.audit.path.read_bytes()
    assert STRANGER.hex().encode() not in raw.lower()
    assert STRANGER not in raw


def test_pin_sign_in_lockout_is_audited_once(kiosk: Assembly, assist: StaffAssist) -> None:
    session = ResidentSession(kiosk.parts)
    clock = kiosk.parts.clock
    assert isinstance(clock, FakeClock)
    for _ in range(4):
        assert assist.try_pin("0000", session, None).outcome == "refused"
    locked = assist.try_pin("0000", session, None)
    assert (locked.outcome, locked.locked_for) == ("locked", 300)
    assert assist.try_pin("2468", session, None).outcome == "locked"  # right PIN, still locked
    clock.advance(299)
    assert assist.pin_locked_for() == 1
    clock.advance(1)
    accepted = assist.try_pin("2468", session, None)
    assert accepted.outcome == "accepted"
    assert session.staff.actor is not None
    assert session.staff.actor.via == "pin"
    assert [a for _, a, _ in actions(kiosk)] == ["pin_refused"] * 5 + ["pin_locked", "staff_in_pin"]
    # A PIN sign-in is not ended by a card coming off the reader.
    assert not assist.card_removed(session, None)


def test_permissions_follow_the_role(kiosk: Assembly, assist: StaffAssist) -> None:
    session = ResidentSession(kiosk.parts)
    assist.card_inserted(STAFF_CARD, session, None)
    with pytest.raises(PermissionError):
        assist.enter_maintenance(session, None)
    assist.hand_back(session, None, "manual")
    with pytest.raises(PermissionError):
        assist.end_session(session, None)  # nobody signed in
    assist.card_inserted(IT_CARD, session, None)
    actor = assist.enter_maintenance(session, None)
    assist.leave_maintenance(actor, "manual")
    assert actions(kiosk) == [("staff", "staff_in_card", None), ("staff", "staff_out", "manual"),
                              ("it", "staff_in_card", None),
                              ("it", "maintenance", "maintenance_enter"),
                              ("it", "maintenance", "maintenance_exit"),
                              ("it", "staff_out", "manual")]


@pytest.mark.parametrize("fault", ["paper_out_before", "paper_out_mid_job", "offline"])
def test_receipt_faults_never_touch_the_submission(kiosk: Assembly, assist: StaffAssist,
                                                   fault: str, caplog: pytest.LogCaptureFixture
                                                   ) -> None:
    printer = kiosk.printer
    assert isinstance(printer, FakePrinter)
    session = ResidentSession(kiosk.parts)
    feedback_to_check_answers(session)
    submission = session.prepare_submission()
    kiosk.health.refresh(only=("printer",))
    if fault == "paper_out_before":
        printer.paper_state = "out"
    elif fault == "offline":
        printer.offline = True
    else:
        printer.paper_out_after_bytes = 200
    caplog.set_level(logging.INFO, logger="kiosk.health")
    outcome = session.deliver_and_print(submission)
    assert not outcome.printed
    assert outcome.qr_payload is not None
    assert outcome.reference in outcome.qr_payload
    row = kiosk.outbox.get(submission.submission_id)
    assert row is not None
    assert row.state == "pending"
    assert kiosk.outbox.open_payload(submission.submission_id) == submission
    kiosk.health.refresh(only=("printer",))
    # The fault is fixed; the printer recovers; one log line each way.
    printer.paper_state, printer.offline, printer.paper_out_after_bytes = "ok", False, None
    kiosk.health.refresh(only=("printer",))
    kiosk.health.refresh(only=("printer",))
    lines = [(r.levelname, r.getMessage()) for r in caplog.records if r.name == "kiosk.health"]
    assert [level for level, _ in lines] == ["WARNING", "INFO"], lines
    assert CANARY not in caplog.text


def test_reprint_prints_the_same_bytes(kiosk: Assembly, assist: StaffAssist) -> None:
    printer = kiosk.printer
    assert isinstance(printer, FakePrinter)
    session = ResidentSession(kiosk.parts)
    feedback_to_check_answers(session)
    outcome = session.deliver_and_print(session.prepare_submission())
    session.finish(outcome)
    assert outcome.printed
    assist.card_inserted(STAFF_CARD, session, outcome.reference)
    result = assist.reprint(session, outcome.reference, outcome.receipt, printer)
    assert result.ok
    assert printer.jobs[0] == printer.jobs[1]
    assert printer.job_names == [outcome.reference] * 2
    assert actions(kiosk)[-1] == ("staff", "reprint", "printer_ok")


def test_audit_holds_no_resident_data(kiosk: Assembly, assist: StaffAssist) -> None:
    session = ResidentSession(kiosk.parts)
    assist.card_inserted(STAFF_CARD, session, None)
    assist.assist(session, session.reference)
    feedback_to_check_answers(session)
    outcome = session.deliver_and_print(session.prepare_submission())
    assist.reprint(session, outcome.reference, outcome.receipt, kiosk.printer)
    assist.end_session(session, outcome.reference)
    kiosk.audit.close()
    state = kiosk.outbox.path.parent
    for name in ("audit.db", "audit.db-wal"):
        path = state / name
        if path.exists():
            data = path.read_bytes()
            assert CANARY.encode() not in data
            assert STAFF_CARD not in data
            assert STAFF_CARD.hex().encode() not in data.lower()
            assert b"Demo staff card" not in data  # not even the card's label
