"""The staff's evidence page through the whole `Terminal`, with no Qt: it appears only while
a staff card is on the reader, never in the resident's own session, and what staff tick
reaches the submission (with their role) only if they are still there at Send.

The catalogue is the demo's plus a small test application (tests/kiosk/eligibility_service).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from kiosk.assembly import Assembly, assemble
from kiosk.clock import FakeClock
from kiosk.journey.pages import CheckAnswersPage, ConfirmationPage, QuestionPage
from kiosk.journey.validation import DateParts
from kiosk.profile import load_profile
from kiosk.submission import Submission
from kiosk.terminal import Terminal
from tests.kiosk.eligibility_service import SERVICE_DATA
from tests.kiosk.test_terminal import STAFF_CARD, Recorder, make_terminal
from tests.kiosk_fixtures import DEMO, demo_profile_copy


@pytest.fixture
def assembly(tmp_path: Path) -> Iterator[Assembly]:
    folder = tmp_path / "catalogue"
    shutil.copytree(DEMO / "catalogue", folder)
    (folder / "pass-test.yaml").write_text(yaml.safe_dump(SERVICE_DATA, allow_unicode=True),
                                           encoding="utf-8")
    profile = demo_profile_copy(tmp_path, printer="fake", lookups={"type": "fake"},
                                catalogue={"path": str(folder),
                                           "services": ["pass-test", "feedback"]})
    clock = FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    built = assemble(load_profile(profile), tmp_path / "state", clock=clock,
                     deliver_immediately=False)
    yield built
    built.close()


@pytest.fixture
def terminal(assembly: Assembly) -> Terminal:
    return make_terminal(assembly)


def to_last_page(terminal: Terminal) -> None:
    """Every page of the test application (past pension age, an address chosen in the area)."""
    terminal.start()
    terminal.choose_service("pass-test")
    terminal.answer("born", DateParts("1", "1", "1955"))
    terminal.answer("ni", "AB 12 34 56 C")
    terminal.answer("address", "DE99 1AB")  # the fake gazetteer answers at once (inline)
    terminal.answer("address__list", "990000001014")


def send(terminal: Terminal) -> Submission:
    """What Send puts in the outbox (frozen at check answers), then Send itself."""
    submission = terminal.session.prepare_submission()
    terminal.submit()
    assert isinstance(terminal.current(), ConfirmationPage)
    return submission


def pages_shown(recorder: Recorder) -> list[str]:
    return [getattr(args[0], "page_id", args[0].kind) for name, args, _ in recorder.seen
            if name == "page_changed" and hasattr(args[0], "kind")]


def test_without_a_staff_card_the_resident_never_sees_the_staff_page(
        terminal: Terminal, assembly: Assembly) -> None:
    recorder = Recorder(terminal)
    to_last_page(terminal)
    assert isinstance(terminal.current(), CheckAnswersPage)
    terminal.back()
    assert getattr(terminal.current(), "page_id", None) == "address__list"
    terminal.answer("address__list", "990000001014")
    sent = send(terminal)
    assert "evidence_seen" not in pages_shown(recorder)
    assert (sent.evidence_seen, sent.evidence_seen_by) == ([], "")
    assert "evidence_seen" not in sent.entered_by
    assert "Documents seen" not in sent.fields.get("description", "")


def test_with_a_staff_card_their_page_comes_before_check_answers(
        terminal: Terminal, assembly: Assembly) -> None:
    terminal.start()
    assert terminal.staff.card_inserted(STAFF_CARD) is not None
    to_last_page(terminal)
    shown = terminal.current()
    assert isinstance(shown, QuestionPage)
    assert shown.page_id == "evidence_seen"
    assert [o.value for o in shown.options] == ["photo", "none"]
    terminal.answer("evidence_seen", ("photo",))
    assert isinstance(terminal.current(), CheckAnswersPage)
    sent = send(terminal)
    assert (sent.evidence_seen, sent.evidence_seen_by) == (["photo"], "staff")
    assert sent.entered_by["evidence_seen"] == "staff"
    # Said where every back office reads it (Open311, webhook and email all carry fields).
    assert sent.fields["description"].endswith(
        "Documents seen by staff (staff): A recent photo of you")


def test_a_card_tapped_at_check_answers_shows_the_staff_page_at_once(terminal: Terminal) -> None:
    recorder = Recorder(terminal)
    to_last_page(terminal)
    assert isinstance(terminal.current(), CheckAnswersPage)
    assert terminal.staff.card_inserted(STAFF_CARD) is not None
    assert getattr(recorder.last_shown(), "page_id", None) == "evidence_seen"


def test_the_card_removed_on_the_staff_page_takes_it_off_the_screen(terminal: Terminal) -> None:
    recorder = Recorder(terminal)
    terminal.start()
    assert terminal.staff.card_inserted(STAFF_CARD) is not None
    to_last_page(terminal)
    assert getattr(recorder.last_shown(), "page_id", None) == "evidence_seen"
    assert terminal.staff.card_removed()
    assert isinstance(recorder.last_shown(), CheckAnswersPage)
    assert isinstance(terminal.current(), CheckAnswersPage)


def test_ticks_given_then_staff_leaving_before_send_are_dropped(
        terminal: Terminal, assembly: Assembly) -> None:
    terminal.start()
    assert terminal.staff.card_inserted(STAFF_CARD) is not None
    to_last_page(terminal)
    terminal.answer("evidence_seen", ("photo",))
    assert terminal.staff.card_removed()
    shown = terminal.current()
    assert isinstance(shown, CheckAnswersPage)
    assert "evidence_seen" not in [row.page_id for row in shown.rows]
    sent = send(terminal)
    assert (sent.evidence_seen, sent.evidence_seen_by) == ([], "")


def test_the_receipt_lists_what_to_bring_without_answers(terminal: Terminal) -> None:
    to_last_page(terminal)
    send(terminal)
    outcome = terminal.session.outcome
    assert outcome is not None
    texts = [getattr(block, "text", "") for block in outcome.receipt.blocks]
    position = texts.index("What to bring or post")
    assert texts[position + 1] == "- A recent photo of you"
    assert not any("AB 12" in text or "AB12" in text for text in texts)


def test_a_payload_from_before_evidence_still_loads() -> None:
    old = ('{"submission_id": "s1", "reference": "ABCD2345", "service_id": "feedback", '
           '"service_version": 1, "created_at": "2026-11-23T10:00:00+00:00", '
           '"destination": "council", "service_code": "FB", "attributes": {}, "fields": {}, '
           '"language": "en", "assisted": false, "entered_by": {}}')
    loaded = Submission.from_json(old)
    assert (loaded.evidence_seen, loaded.evidence_seen_by) == ([], "")
    again = Submission.from_json(loaded.to_json())
    assert again == loaded
