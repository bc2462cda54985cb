"""The screen's side of the relay: it asks the socket, never a back office; its wait comes
from the profile; and a production profile with no display refuses to start at all."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.assembly import Assembly, assemble
from kiosk.config_errors import ConfigError
from kiosk.device_identity import key_folder
from kiosk.launch import launch_refusal
from kiosk.outbox import RelayClient
from kiosk.profile import load_profile
from tests.hub_server import REPO_ROOT, running_hub
from tests.kiosk.open311_fake import Open311Fake, make_submission
from tests.kiosk_fixtures import demo_profile_copy
from tests.relay_process import running_relay


def _production_copy(tmp_path: Path, base_url: str) -> Path:
    """The demo council as a production profile (real printer type, no fake card reader)."""
    return demo_profile_copy(tmp_path, base_url=base_url, mode="production",
                             demo_quit_shortcut=False, card_reader={"type": "none"},
                             sealed_for=tmp_path / "state")


@pytest.fixture
def assembled(tmp_path: Path) -> Iterator[tuple[Assembly, Open311Fake]]:
    with Open311Fake() as fake:
        base = fake.url.removesuffix("/open311/v2")
        loaded = load_profile(demo_profile_copy(tmp_path, base_url=base,
                                                outbox={"send_wait_seconds": 1.5}))
        assembly = assemble(loaded, tmp_path / "state")
        try:
            yield assembly, fake
        finally:
            assembly.close()


def test_the_screen_asks_the_socket_and_sends_nothing_itself(
    assembled: tuple[Assembly, Open311Fake], tmp_path: Path
) -> None:
    assembly, fake = assembled
    deliver_now = assembly.parts.deliver_now
    assert deliver_now is not None
    client = getattr(deliver_now, "__self__", None)
    assert isinstance(client, RelayClient)
    assert (client.path, client.wait) == (tmp_path / "state" / "relay.sock", 1.5)
    assert assembly.relay is None  # no relay, no sender, in the screen's process

    submission = make_submission()
    assembly.outbox.enqueue(submission)
    assert not deliver_now(submission.submission_id)
    assert fake.received == []
    assert assembly.outbox.depth() == 1

    assembly.start_relay(interval_seconds=3600)
    with pytest.raises(RuntimeError, match="already running"):
        assembly.start_relay()
    assert (tmp_path / "state" / "relay.sock").exists()
    assert deliver_now(submission.submission_id)
    assert len(fake.service_requests) == 1
    assembly.close()
    assert not (tmp_path / "state" / "relay.sock").exists()


def test_send_wait_seconds_is_validated_precisely(tmp_path: Path) -> None:
    assert load_profile(demo_profile_copy(tmp_path)).profile.outbox.send_wait_seconds == 3.0
    for value, expected in ((0, "a number > 0"), (60, "a number <= 10"),
                            ("soon", "a number")):
        path = demo_profile_copy(tmp_path, outbox={"send_wait_seconds": value})
        with pytest.raises(ConfigError) as info:
            load_profile(path)
        [problem] = info.value.problems
        assert problem.path == "outbox.send_wait_seconds"
        assert expected in problem.expected
        assert problem.line is not None
        assert "send_wait_seconds" in path.read_text().splitlines()[problem.line - 1]
    path = demo_profile_copy(tmp_path, outbox={"send_wait": 3})
    with pytest.raises(ConfigError) as info:
        load_profile(path)
    assert info.value.problems[0].path == "outbox.send_wait"


def test_launch_refusal_keeps_the_tour_for_the_demo() -> None:
    assert launch_refusal("demo", {}, screenshots=False) is None
    assert launch_refusal("demo", {}, screenshots=True) is None
    for env in ({"DISPLAY": ":0"}, {"WAYLAND_DISPLAY": "wayland-0"},
                {"QT_QPA_PLATFORM": "eglfs"}):
        assert launch_refusal("production", env, screenshots=False) is None
    headless = launch_refusal("production", {"DISPLAY": ""}, screenshots=False)
    assert headless is not None
    assert "No display" in headless
    tour = launch_refusal("production", {"DISPLAY": ":0"}, screenshots=True)
    assert tour is not None
    assert "demo profiles only" in tour


def _kiosk(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=60, check=False)


def test_kiosk_run_on_production_with_no_display_refuses_and_sends_nothing(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    with running_hub(tmp_path / "hub") as hub:
        profile = _production_copy(tmp_path, hub.base_url)
        assert load_profile(profile, key_folder=key_folder(tmp_path / "state")).profile.mode == "production"
        state = tmp_path / "state"
        started = time.monotonic()
        headless = _kiosk(["run", "--profile", str(profile), "--state-dir", str(state)], env)
        shots = _kiosk(["run", "--profile", str(profile), "--state-dir", str(state),
                        "--screenshots", str(tmp_path / "shots")],
                       {**env, "QT_QPA_PLATFORM": "offscreen"})
        assert time.monotonic() - started < 30
        for result, words in ((headless, "No display"), (shots, "demo profiles only")):
            assert result.returncode == 2
            assert result.stdout == ""
            [line] = result.stderr.splitlines()
            assert line.startswith("kiosk: not started.")
            assert words in line
            assert "Traceback" not in result.stderr
        # Refused before opening anything: the state folder holds only the device's identity.
        assert sorted(p.name for p in state.iterdir()) == ["device"]
        assert not (tmp_path / "shots").exists()
        db = Path(hub.database_url.removeprefix("sqlite:///"))
        with sqlite3.connect(db) as conn:
            assert conn.execute("SELECT count(*) FROM service_requests").fetchone() == (0,)



def test_a_second_relay_on_the_same_state_folder_refuses_in_one_line(tmp_path: Path) -> None:
    profile = demo_profile_copy(tmp_path)
    state = tmp_path / "state"
    with running_relay(profile, state, tmp_path / "first") as first:
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
        second = _kiosk(["relay", "--profile", str(profile), "--state-dir", str(state)], env)
        assert second.returncode == 1
        [line] = second.stderr.splitlines()
        assert line.startswith("relay: not started. another relay")
        assert RelayClient(first.socket).status().depth == 0  # the first still answers
        assert first.stop() == 0
    assert not (state / "relay.sock").exists()
