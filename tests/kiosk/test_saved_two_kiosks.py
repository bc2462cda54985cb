"""Save at one kiosk, come back at another: two Terminals with parts of their own against one
real hub (`python -m hub` on 127.0.0.1, started and stopped here), through the hub client.
Then the hub's database file holds neither the answers nor the word, and after Send (or five
wrong words) not even the row."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.journey.pages import ConfirmationPage
from kiosk.saved.hub_client import HubSavedApplications
from kiosk.saved.screens import ResumeGoneScreen, ResumeScreen, SavedDoneScreen
from kiosk.session import Phase
from kiosk.terminal import Terminal
from tests.hub_server import HubProcess, running_hub
from tests.kiosk.saved_kiosk import on_question, saved_kiosk, to_check_answers, walk_to
from tests.kiosk.saved_service import SECRET

WORD = "Lighthouse Pancake"


def hub_bytes(tmp_path: Path) -> bytes:
    db = tmp_path / "hub" / "hub.db"
    return b"".join(p.read_bytes() for p in (db, Path(f"{db}-wal")) if p.exists())


def client(hub: HubProcess) -> HubSavedApplications:
    return HubSavedApplications(f"{hub.base_url}/kiosk/v1", hub.api_key)


@pytest.fixture
def hub(tmp_path: Path):  # type: ignore[no-untyped-def]
    with running_hub(tmp_path / "hub", extra_args=[
            "--saved-key-file", str(tmp_path / "hub" / "saved.key")]) as process:
        yield process


def save_at_first_kiosk(tmp_path: Path, hub: HubProcess, clock: FakeClock, at: str) -> str:
    with saved_kiosk(tmp_path / "kiosk-a", clock, client(hub)) as first:
        terminal = Terminal(first.parts)
        walk_to(terminal, at)
        terminal.saved.save_for_later()
        terminal.saved.choose_word(WORD)
        done = terminal.current()
        assert isinstance(done, SavedDoneScreen), done
        terminal.saved.finish()
        assert terminal.phase is Phase.ATTRACT
        return done.reference


def test_resume_at_another_kiosk_then_send_deletes_it(tmp_path: Path, hub: HubProcess) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    reference = save_at_first_kiosk(tmp_path, hub, clock, "story")
    data = hub_bytes(tmp_path)
    for secret in (SECRET, WORD, WORD.casefold()):  # (the UPRN is in its demo gazetteer)
        assert secret.encode() not in data
    with saved_kiosk(tmp_path / "kiosk-b", clock, client(hub)) as second:
        terminal = Terminal(second.parts)
        terminal.start()
        terminal.saved.continue_saved()
        terminal.saved.resume(reference, "wrong word")
        assert terminal.current() == ResumeScreen("wrong", 4)
        terminal.saved.resume(reference, WORD.upper())
        on_question(terminal, "story")
        assert terminal.session.engine is not None
        assert terminal.session.engine.answers()["who"] == "me"
        assert second.parts.lookup.asked == []  # type: ignore[union-attr]  # from the snapshot
        to_check_answers(terminal)
        terminal.submit()
        assert isinstance(terminal.current(), ConfirmationPage)
    assert reference.encode() not in hub_bytes(tmp_path)
    with saved_kiosk(tmp_path / "kiosk-c", clock, client(hub)) as third:
        terminal = Terminal(third.parts)
        terminal.start()
        terminal.saved.continue_saved()
        terminal.saved.resume(reference, WORD)
        assert terminal.current() == ResumeScreen("not_found")


def test_five_wrong_words_at_the_other_kiosk(tmp_path: Path, hub: HubProcess) -> None:
    clock = FakeClock(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    reference = save_at_first_kiosk(tmp_path, hub, clock, "born")
    with saved_kiosk(tmp_path / "kiosk-b", clock, client(hub)) as second:
        terminal = Terminal(second.parts)
        terminal.start()
        terminal.saved.continue_saved()
        for left in (4, 3, 2, 1):
            terminal.saved.resume(reference, "not the word")
            assert terminal.current() == ResumeScreen("wrong", left)
        terminal.saved.resume(reference, "not the word")
        assert isinstance(terminal.current(), ResumeGoneScreen)
    assert reference.encode() not in hub_bytes(tmp_path)
