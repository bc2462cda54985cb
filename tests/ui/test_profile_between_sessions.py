"""A new profile reaches a running terminal only between sessions, and the screen judges it:
blessed once it is up, rolled back when it keeps failing. The repository is the real signed
one (tests/provisioning/world.py), the agent the real one, the screen the real kiosk."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.device_identity import key_folder
from kiosk.profile import load_profile
from kiosk.profile_store import ProfileStore
from tests.hub_server import REPO_ROOT
from tests.provisioning.world import World, world_at
from tests.ui.test_watchdog import NotifySocket
from ui.app import build
from ui.driving import page_name, tap
from ui.staff.maintenance import RESTART_EXIT_CODE


@pytest.fixture
def running(tmp_path: Path):
    with world_at(tmp_path) as world:
        assert world.refresh().status == "ok"
        world.store.bless()
        yield world


def current_profile(world: World) -> Path:
    return world.state / "profiles" / "current" / "profile.yaml"


def test_a_profile_arriving_mid_visit_is_applied_only_when_the_visit_ends(
        running: World, qtbot, clock, monkeypatch) -> None:
    exits: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(exits.append))
    loaded = load_profile(current_profile(running), key_folder=key_folder(running.state))
    kiosk = build(loaded, running.state, clock=clock, animate=False)
    try:
        qtbot.addWidget(kiosk.window)
        kiosk.window.show()
        tap(kiosk.window, "start")
        assert page_name(kiosk.window) == "menu"
        # IT adds a service; the terminal's agent fetches and stages it mid-visit.
        assert running.publish("added", services=["missed-bin", "street-problem", "feedback"]) == "p2"
        assert running.refresh().offered == "p2-s1"
        tap(kiosk.window, "service-missed-bin")
        assert kiosk.terminal.in_session
        assert running.store.current_name() == "p1-s1"
        assert exits == []
        kiosk.terminal.finish()  # the visit ends; the wipe is verified; then, and only then:
        qtbot.waitUntil(lambda: exits == [RESTART_EXIT_CODE])
        assert running.store.current_name() == "p2-s1"
        assert running.store.trial() is not None  # the next start judges it
    finally:
        kiosk.close()
    restarted = load_profile(current_profile(running), key_folder=key_folder(running.state))
    assert [s.id for s in restarted.catalogue] == ["missed-bin", "street-problem", "feedback"]


def run_screen(world: World, notify: str) -> subprocess.Popen[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "NOTIFY_SOCKET": notify,
           "PYTHONPATH": str(REPO_ROOT)}
    env.pop("DISPLAY", None)
    return subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "run", "--profile", str(current_profile(world)),
         "--state-dir", str(world.state)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)  # polling a file and a socket another process writes


def stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    try:
        _, err = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return process.returncode, err


def on_trial(world: World) -> ProfileStore:
    store = world.store
    assert world.publish("second", services=["feedback"]) == "p2"
    assert world.refresh().offered == "p2-s1"
    assert store.apply_pending() == "p2-s1"  # as the screen does between sessions
    return store


def test_a_version_that_keeps_failing_is_rolled_back_at_the_next_start(running: World,
                                                                      tmp_path: Path) -> None:
    store = on_trial(running)
    for _ in range(3):
        store.note_start()  # three starts that crashed before the screen was up
    notify = NotifySocket(str(tmp_path / "notify"))
    screen = run_screen(running, str(tmp_path / "notify"))
    try:
        wait_for(lambda: any(t.startswith("READY=1") for _, t in notify.messages), "READY=1")
        wait_for(lambda: store.trial() is None, "the good version blessed again")
    finally:
        code, err = stop(screen)
        notify.close()
    assert code == 0, err
    assert "Traceback" not in err
    assert store.current_name() == "p1-s1"
    assert store.last_good() == "p1-s1"
    result = store.result()
    assert result["status"] == "rolled-back"
    assert "p2-s1" in result["reason"]
    assert "started 4 times" in result["reason"]
    assert running.refresh().status != "ok" or store.pending() is None  # never staged again


def test_a_version_the_screen_comes_up_on_is_blessed(running: World, tmp_path: Path) -> None:
    store = on_trial(running)
    notify = NotifySocket(str(tmp_path / "notify"))
    screen = run_screen(running, str(tmp_path / "notify"))
    try:
        wait_for(lambda: store.trial() is None, "the new version blessed")
    finally:
        code, err = stop(screen)
        notify.close()
    assert code == 0, err
    assert (store.current_name(), store.last_good()) == ("p2-s1", "p2-s1")
    assert store.result()["status"] == "ok"


def test_the_relay_restarts_itself_on_the_new_profile(running: World, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    relay = subprocess.Popen(
        [sys.executable, "-m", "kiosk.cli", "relay", "--profile", str(current_profile(running)),
         "--state-dir", str(running.state)],
        cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: (running.state / "relay.sock").exists(), "the relay's socket")
        on_trial(running)  # the screen switched `current` between sessions
        _, err = relay.communicate(timeout=30)
    finally:
        if relay.poll() is None:
            relay.kill()
            relay.communicate()
    assert relay.returncode == RESTART_EXIT_CODE, err  # systemd starts it on the new profile
    assert "Traceback" not in err


def test_a_terminal_nobody_is_using_takes_the_new_profile_without_waiting_for_a_visit(
        running: World, qtbot, clock, monkeypatch) -> None:
    import ui.app

    exits: list[int] = []
    monkeypatch.setattr(QApplication, "exit", staticmethod(exits.append))
    monkeypatch.setattr(ui.app, "IDLE_APPLY_SECONDS", 1)
    loaded = load_profile(current_profile(running), key_folder=key_folder(running.state))
    kiosk = build(loaded, running.state, clock=clock, animate=False)
    try:
        qtbot.addWidget(kiosk.window)
        kiosk.window.show()
        assert running.publish("added", services=["missed-bin", "feedback"]) == "p2"
        assert running.refresh().offered == "p2-s1"
        qtbot.waitUntil(lambda: exits == [RESTART_EXIT_CODE], timeout=10_000)
        assert running.store.current_name() == "p2-s1"
    finally:
        kiosk.close()
