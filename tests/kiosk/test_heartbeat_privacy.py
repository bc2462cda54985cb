"""A canary typed into resident sessions never reaches a heartbeat or the screen's status file.

One resident sends a report with the canary in their message, name and email (it waits in
the outbox: no relay runs), a second is part-way through typing it; the screen refreshes its
device status; then the relay's heartbeat is made from the same state directory. The canary
is looked for in every form a leak might take (as typed, upper case, base64, UTF-16).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.assembly import Assembly, assemble
from kiosk.clock import FakeClock
from kiosk.device_identity import DeviceKeys, key_folder
from kiosk.heartbeat import HeartbeatSource
from kiosk.journey.pages import CheckAnswersPage, ConfirmationPage
from kiosk.journey.validation import DateParts
from kiosk.profile import load_profile
from kiosk.screen_status import SCREEN_STATUS_FILE
from kiosk.terminal import Terminal
from tests.kiosk.test_terminal import Recorder, make_terminal
from tests.kiosk_fixtures import demo_profile_copy

CANARY = "qzcanary7x"


def forms(text: str) -> list[bytes]:
    raw = text.encode()
    return [raw, text.upper().encode(), base64.b64encode(raw), base64.urlsafe_b64encode(raw),
            text.encode("utf-16-le"), json.dumps(text).encode()]


@pytest.fixture
def assembly(tmp_path: Path, clock: FakeClock) -> Iterator[Assembly]:
    loaded = load_profile(demo_profile_copy(tmp_path, printer="fake"))
    built = assemble(loaded, tmp_path / "state", clock=clock, deliver_immediately=False)
    yield built
    built.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def typed_feedback(terminal: Terminal, *, finish: bool) -> None:
    terminal.start()
    terminal.choose_service("feedback")
    answers = [("feedback_type", "complaint"), ("topics", ("bins",)),
               ("message", f"My neighbour {CANARY} at 4 Elm Road"), ("happened_on", DateParts()),
               ("wants_reply", "yes"), ("full_name", f"Ann {CANARY}"), ("contact_method", "email"),
               ("contact_email", f"{CANARY}@example.org")]
    for page_id, raw in answers if finish else answers[:3]:
        terminal.answer(page_id, raw)
    if finish:
        assert isinstance(terminal.current(), CheckAnswersPage), terminal.current()
        terminal.submit()


def test_no_canary_in_a_heartbeat(assembly: Assembly, tmp_path: Path) -> None:
    state = tmp_path / "state"
    keys = DeviceKeys.create(key_folder(state), "kiosk-0001", "central-library")
    terminal = make_terminal(assembly)
    events = Recorder(terminal)
    typed_feedback(terminal, finish=True)
    assert isinstance(events.last_shown(), ConfirmationPage)
    terminal.finish()
    assert assembly.outbox.depth() == 1  # the canary's report waits, encrypted, in the outbox
    typed_feedback(terminal, finish=False)  # and the next resident is typing it
    assert CANARY in repr(terminal.session.engine.answers())  # type: ignore[union-attr]

    assembly.health.refresh()
    source = HeartbeatSource(keys, state, assembly.outbox, assembly.loaded.source.read_bytes(),
                             interval_seconds=60, screen_stale_after=150, wall=time.time)
    envelope = source.next_envelope()
    body = source.body()

    assert body.outbox.depth == 1
    assert body.screen.reporting  # the screen's status really was read
    status_file = (state / SCREEN_STATUS_FILE).read_bytes()
    for leak in forms(CANARY):
        assert leak not in envelope
        assert leak not in body.canonical()
        assert leak not in status_file
    for fragment in ("Elm Road", "example.org", "Ann "):
        assert fragment.encode() not in envelope
