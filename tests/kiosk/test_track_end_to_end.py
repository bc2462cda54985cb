"""Track my request the whole way round, headless: a resident's missed-bin report goes from
the kiosk through the real relay process to a third-party Open311 server (not the hub); the
relay tells the real hub where it went; the kiosk's Track journey asks the hub, which asks the
third party, and shows what it says; a status change made there shows on a second look.
Nothing the resident typed reaches the hub, its logs, or the relay's report file."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from kiosk.assembly import Assembly, assemble
from kiosk.clock import FakeClock
from kiosk.journey.pages import ConfirmationPage, ResultPage
from kiosk.journey.types.address import AddressParts
from kiosk.journey.validation import DateParts
from kiosk.outbox.reference_reports import FILE_NAME
from kiosk.profile import load_profile
from kiosk.terminal import Terminal
from tests.relay_process import running_relay
from tests.track_world import TrackWorld, track_world

CANARY = "Quixote Zanzibar-Ŵŷ 4417"


def wait_for(condition: Callable[[], Any], what: str, seconds: float = 20.0) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[TrackWorld]:
    with track_world(tmp_path) as made:
        yield made


@pytest.fixture
def kiosk(world: TrackWorld, tmp_path: Path) -> Iterator[Assembly]:
    today = datetime.now(UTC)
    with running_relay(world.profile, world.state, tmp_path / "relay", interval=0.5):
        built = assemble(load_profile(world.profile), world.state, clock=FakeClock(today))
        try:
            yield built
        finally:
            built.close()


def report_missed_bin(terminal: Terminal) -> str:
    terminal.start()
    terminal.choose_service("missed-bin")
    today = terminal.clock.now().date()
    for page_id, raw in (("address", "DE99 1AB"), ("address__list", "not_listed"),
                         ("address__manual",
                          AddressParts(f"14 {CANARY}", "", "Demo Town", "DE99 1AB")),
                         ("bin_type", "general"),
                         ("due_date", DateParts(str(today.day), str(today.month),
                                                str(today.year))),
                         ("details", f"Behind the gate, {CANARY}"), ("contact_method", "none")):
        terminal.answer(page_id, raw)
    terminal.submit()
    shown = terminal.current()
    assert isinstance(shown, ConfirmationPage), shown
    reference = shown.reference
    terminal.finish()
    return reference


def track(terminal: Terminal, typed: str) -> dict[str, str | None]:
    terminal.start()
    terminal.choose_service("track-request")
    terminal.answer("reference", typed)
    shown = terminal.current()
    assert isinstance(shown, ResultPage), shown
    terminal.finish()
    return {row.label: row.detail for row in shown.rows}


def test_track_a_report_sent_to_a_third_party(world: TrackWorld, kiosk: Assembly,
                                              tmp_path: Path,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    terminal = Terminal(kiosk.parts)
    reference = report_missed_bin(terminal)
    # The relay delivered it to the county, and then told the hub where it went.
    wait_for(lambda: world.council.posted(), "the county to receive the report")
    record = wait_for(lambda: world.hub_record(reference), "the hub to hear of the reference")
    assert record.destination == "county"
    assert record.service_code == "MISSED_BIN"
    remote_id = world.remote_id(reference)

    asked = sum(world.council.gets.values())
    found = track(terminal, reference.lower())
    assert found["Status"] == "Received by the council"
    assert found["Service"] == "Report a missed bin collection"
    assert sum(world.council.gets.values()) > asked  # the hub asked the county

    world.council.update(remote_id, "in_progress", "Crew booked for Tuesday")
    found = track(terminal, f"{world.hub.base_url}/status/{reference}")  # the QR's URL, pasted
    assert found["Status"] == "In progress"
    assert found["Notes from the council"] == "Crew booked for Tuesday"
    page = requests.get(world.hub.status_url(reference), timeout=10)
    assert "In progress" in page.text
    assert "Crew booked for Tuesday" in page.text

    world.council.update(remote_id, "fixed", "Emptied this morning")
    assert track(terminal, reference)["Status"] == "Closed"

    # Privacy canary: nothing the resident typed is anywhere but the county's server.
    assert any(CANARY in str(r.form) for r in world.council.posted())
    assert CANARY not in world.hub.output()
    for path in (tmp_path / "hub").glob("hub.db*"):
        data = path.read_bytes()
        assert CANARY.encode() not in data
        assert CANARY.encode("utf-16-le") not in data
    for path in world.state.glob(f"{FILE_NAME}*"):
        assert CANARY.encode() not in path.read_bytes()
    assert CANARY not in (tmp_path / "relay" / "relay.log").read_text(encoding="utf-8")
    assert all(CANARY not in r.getMessage() for r in caplog.records)


def test_a_report_the_county_refuses_is_answered_by_the_kiosk(world: TrackWorld,
                                                               kiosk: Assembly) -> None:
    """The county refuses the kiosk's key (kept and retried, as a key IT can fix): the report
    has not left this kiosk, so the hub cannot know it, and the kiosk's own outbox says where
    it is without asking anyone."""
    world.council.api_key = "changed"
    terminal = Terminal(kiosk.parts)
    reference = report_missed_bin(terminal)
    wait_for(lambda: (row := kiosk.outbox.find(reference)) is not None and row.attempts,
             "the relay to try the county")
    gets = sum(world.council.gets.values())
    found = track(terminal, reference)
    assert found["Status"] is not None
    assert found["Status"].startswith("Waiting to be sent")
    assert sum(world.council.gets.values()) == gets
    assert found["Service"] == "Report a missed bin collection"
    assert world.hub_record(reference) is None
    assert world.council.posted() == []
