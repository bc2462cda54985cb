"""Commands IT sends in the signed profile: each token acted on once, a reboot only inside
its window, a restart satisfied by the start that applying the profile causes, and a ledger
that cannot be read never makes the terminal loop."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
import yaml

from kiosk.config_errors import ConfigError
from kiosk.profile import load_profile
from kiosk.remote_commands import CommandLedger, Due, RemoteCommandSettings, Window, due, started
from tests.kiosk_fixtures import demo_profile_copy


def commands(**values: object) -> RemoteCommandSettings:
    return RemoteCommandSettings.model_validate(values)


NIGHT = {"opens": "02:00", "closes": "05:00"}


def test_a_reboot_waits_for_its_window_and_happens_once(tmp_path: Path) -> None:
    ledger = CommandLedger(tmp_path)
    started(commands(), ledger)  # the first profile had no reboot in it
    settings = commands(reboot={"token": "r-1", "window": NIGHT})
    assert due(settings, ledger, time(14, 0)) is None
    assert due(settings, ledger, time(5, 0)) is None  # the window closes at 05:00
    asked = due(settings, ledger, time(2, 30))
    assert asked == Due("reboot", "r-1")
    ledger.record(asked)
    assert due(settings, ledger, time(2, 31)) is None
    assert CommandLedger(tmp_path).done()["reboot"] == "r-1"  # survives a restart
    assert due(commands(reboot={"token": "r-2", "window": NIGHT}), ledger, time(3, 0)) == Due(
        "reboot", "r-2")


def test_a_window_may_run_past_midnight() -> None:
    late = Window.model_validate({"opens": "23:00", "closes": "01:00"})
    assert late.contains(time(23, 30))
    assert late.contains(time(0, 30))
    assert not late.contains(time(1, 0))
    assert not late.contains(time(22, 59))


def test_the_first_profile_tokens_are_history_not_requests(tmp_path: Path) -> None:
    ledger = CommandLedger(tmp_path)
    settings = commands(restart="a", reboot={"token": "r-1", "window": NIGHT})
    started(settings, ledger)
    assert due(settings, ledger, time(3, 0)) is None


def test_a_new_restart_token_is_done_by_the_start_that_applies_it(tmp_path: Path) -> None:
    ledger = CommandLedger(tmp_path)
    started(commands(restart="a"), ledger)
    newer = commands(restart="b")
    assert due(newer, ledger, time(12, 0)) == Due("restart", "b")
    started(newer, ledger)  # applying the profile restarted the app
    assert due(newer, ledger, time(12, 0)) is None


def test_an_unreadable_ledger_never_loops(tmp_path: Path) -> None:
    ledger = CommandLedger(tmp_path)
    ledger.path.write_text("{not json", encoding="utf-8")
    settings = commands(restart="b", reboot={"token": "r-9", "window": NIGHT})
    assert due(settings, ledger, time(3, 0)) is None


def test_commands_in_a_profile_are_checked_like_every_field(tmp_path: Path) -> None:
    path = demo_profile_copy(tmp_path, commands={
        "restart": "2026-12-06", "maintenance": True,
        "reboot": {"token": "r-1", "window": NIGHT},
        "staff_message": {"en": "Paper rolls are in the cupboard."}})
    profile = load_profile(path).profile
    assert profile.commands is not None
    assert profile.commands.maintenance is True
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["commands"] = {"restart": "no spaces allowed", "reboot": {
        "token": "r-1", "window": {"opens": "02:00", "closes": "02:00"}}}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_profile(path)
    assert {p.path for p in info.value.problems} == {"commands.restart",
                                                       "commands.reboot.window.closes"}
