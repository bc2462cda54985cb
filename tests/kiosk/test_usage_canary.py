"""The canary: whatever a resident types, scans or a member of staff keys in never reaches a
usage event or the buffer file. Every service of the demo is walked headless through the
`Terminal`, a unique canary typed into every free-text answer (also as a wrong answer first),
scanned as a library card, kept as half-typed text and tried as a staff PIN."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.assembly import Assembly, assemble
from kiosk.bookings.fake import FakeBookings
from kiosk.clock import FakeClock
from kiosk.journey.pages import CheckAnswersPage, QuestionPage
from kiosk.journey.types.address import AddressParts
from kiosk.journey.validation import DateParts, RawAnswer
from kiosk.profile import load_profile
from kiosk.terminal import Terminal
from kiosk.usage_buffer import UsageBuffer
from kiosk.usage_events import UsageEvent
from kiosk.usage_recorder import UsageRecorder
from tests.kiosk.test_terminal import make_terminal
from tests.kiosk_fixtures import demo_profile_copy

CANARY = "cnryq7x2zz"
VALID = {"email": f"{CANARY}@example.org", "postcode": "DE99 1AA", "phone": "07700 900982",
         "number": "3", "address": "DE99 1AB"}


def forms(text: str) -> list[bytes]:
    raw = text.encode()
    return [raw, text.encode("utf-16-le"), base64.b64encode(raw), text.upper().encode()]


@pytest.fixture
def assembly(tmp_path: Path) -> Iterator[Assembly]:
    clock = FakeClock()
    loaded = load_profile(demo_profile_copy(tmp_path, printer="fake", lookups={"type": "fake"}))
    built = assemble(loaded, tmp_path / "state", clock=clock, deliver_immediately=False)
    diary = FakeBookings(clock)
    built.parts.bookings = diary
    built.parts.lookup = diary.answering(built.parts.lookup)
    yield built
    built.close()


def answers_for(page: QuestionPage) -> list[RawAnswer]:
    """The canary first (rejected or kept), then something the page takes."""
    q = page.qtype
    if q == "address_manual":
        return [AddressParts(CANARY, "", "Demo Town", "DE99 1AB")]
    if q == "date":
        return [DateParts(CANARY, "", ""), DateParts("20", "11", "2026")]
    if q == "checkboxes":
        return [(page.options[0].value,)]
    if page.options:
        values = [o.value for o in page.options]
        return ["not_listed"] if "not_listed" in values else [values[0]]
    return [CANARY + " said", *([VALID[q]] if q in VALID else [])]


def walk(terminal: Terminal, service_id: str) -> None:
    terminal.start()
    terminal.library_card_scanned(CANARY)
    terminal.staff.try_pin(CANARY)
    terminal.choose_service(service_id)
    for _ in range(60):
        shown = terminal.current()
        if isinstance(shown, CheckAnswersPage):
            terminal.submit()
            break
        if not isinstance(shown, QuestionPage):
            break
        terminal.keep_typed(shown.page_id, CANARY)
        for raw in answers_for(shown):
            terminal.answer(shown.page_id, raw)
            if terminal.current() != shown:
                break
        if terminal.current() == shown:
            break  # a page this walk cannot answer: what was reached still counts
    terminal.rate_visit(5)
    terminal.contacted_before("yes")
    terminal.finish()


def test_no_resident_input_reaches_an_event_or_the_buffer(assembly: Assembly,
                                                           tmp_path: Path) -> None:
    buffer = UsageBuffer(tmp_path / "state" / "usage.db")
    terminal = make_terminal(assembly)
    seen: list[UsageEvent] = []

    class Both:
        def append(self, event: UsageEvent) -> None:
            seen.append(event)
            buffer.append(event)

    UsageRecorder(terminal, Both(), assembly.parts.clock)
    services = [s.id for s in terminal.session.services()]
    assert len(services) >= 6
    for service_id in services:
        walk(terminal, service_id)
    kinds = {e.kind for e in seen}
    assert {"visit_started", "service_chosen", "page_reached", "submitted", "satisfaction",
            "avoidable_contact", "visit_ended"} <= kinds
    assert len([e for e in seen if e.kind == "submitted"]) >= 5  # the walks reach the end
    assert len({e.service for e in seen if e.kind == "service_chosen"}) == len(services)
    files = b"".join(p.read_bytes() for p in (tmp_path / "state").glob("usage.db*"))
    assert b"page_reached" in files  # the events really are in the file
    everything = b"\n".join(e.to_json() for e in seen)
    for form in forms(CANARY):
        assert form not in files
        assert form not in everything
    buffer.close()
