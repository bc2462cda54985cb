"""IT never interrupts a resident: a new profile, a restart or a reboot asked for in the
signed profile waits for the visit to end and its wipe to be verified; and a terminal IT took
out of service does not start visits at all. Headless, on the Qt-free terminal."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest

from kiosk.assembly import Assembly, assemble
from kiosk.between_sessions import BetweenSessions
from kiosk.clock import FakeClock
from kiosk.profile import load_profile
from kiosk.remote_commands import CommandLedger, RemoteCommandSettings
from kiosk.terminal import AttractScreen, Terminal
from tests.kiosk_fixtures import demo_profile_copy

NIGHT = {"opens": "02:00", "closes": "05:00"}


class Pending:
    """Stands in for the profile store: one staged version waiting to be applied."""

    def __init__(self, version: str | None) -> None:
        self.version = version
        self.applied: list[str] = []

    def pending(self) -> str | None:
        return self.version

    def apply_pending(self) -> str | None:
        version, self.version = self.version, None
        if version is not None:
            self.applied.append(version)
        return version


@pytest.fixture
def assembly(tmp_path: Path) -> Iterator[Assembly]:
    clock = FakeClock(datetime(2026, 12, 6, 3, 0, tzinfo=UTC))
    built = assemble(load_profile(demo_profile_copy(tmp_path, printer="fake")), tmp_path / "state",
                     clock=clock, deliver_immediately=False)
    yield built
    built.close()


def wire(terminal: Terminal, commands: dict[str, Any] | None, state: Path, *,
         now: time = time(3, 0), pending: Pending | None = None,
         first: dict[str, Any] | None = None) -> tuple[BetweenSessions, list[str]]:
    done: list[str] = []
    ledger = CommandLedger(state)
    if first is not None or not ledger.path.exists():
        # The terminal's first profile (tokens in it are history).
        BetweenSessions(RemoteCommandSettings.model_validate(first or {}), ledger,
                        local_time=lambda: now, restart=lambda: None,
                        reboot=lambda: None).started()
    between = BetweenSessions(
        RemoteCommandSettings.model_validate(commands) if commands is not None else None,
        ledger, local_time=lambda: now, restart=lambda: done.append("restart"),
        reboot=lambda: done.append("reboot"), profiles=pending)
    terminal.events.between_sessions.connect(between.run)
    return between, done


def a_visit_under_way(terminal: Terminal) -> None:
    terminal.start()
    terminal.choose_service("feedback")
    terminal.answer("feedback_type", "compliment")
    assert terminal.in_session


def test_a_pending_profile_waits_for_the_visit_to_end(assembly: Assembly, tmp_path: Path) -> None:
    terminal = Terminal(assembly.parts)
    pending = Pending(None)
    _, done = wire(terminal, None, tmp_path / "state", pending=pending)
    a_visit_under_way(terminal)
    pending.version = "v7"  # provisioning staged a profile while the resident was answering
    terminal.answer("topics", ("bins",))
    assert done == []
    assert pending.applied == []
    terminal.finish()  # the resident walks away (or finishes): the visit ends, then the wipe
    assert isinstance(terminal.current(), AttractScreen)
    assert pending.applied == ["v7"]
    assert done == ["restart"]


def test_a_reboot_in_its_window_happens_once_after_the_visit(assembly: Assembly,
                                                              tmp_path: Path) -> None:
    terminal = Terminal(assembly.parts)
    commands = {"reboot": {"token": "r-1", "window": NIGHT}}
    _, done = wire(terminal, commands, tmp_path / "state")
    a_visit_under_way(terminal)
    assert done == []
    terminal.finish()
    assert done == ["reboot"]
    terminal.start()
    terminal.finish()
    assert done == ["reboot"]  # recorded before it was done: never twice


def test_a_reboot_outside_its_window_waits(assembly: Assembly, tmp_path: Path) -> None:
    terminal = Terminal(assembly.parts)
    _, done = wire(terminal, {"reboot": {"token": "r-1", "window": NIGHT}}, tmp_path / "state",
                   now=time(14, 0))
    terminal.start()
    terminal.finish()
    assert done == []


def test_a_profile_that_takes_the_terminal_out_of_service(tmp_path: Path) -> None:
    path = demo_profile_copy(tmp_path, printer="fake", commands={"maintenance": True})
    built = assemble(load_profile(path), tmp_path / "state", deliver_immediately=False)
    try:
        terminal = Terminal(built.parts)
        assert terminal.out_of_service
        terminal.start()
        assert not terminal.in_session
        assert isinstance(terminal.current(), AttractScreen)
    finally:
        built.close()
