"""The screen's judgement of a version on trial, without a screen: counted starts, a build
that fails, and a profile run directly (the demo) that nothing provisions."""

from __future__ import annotations

from pathlib import Path

from kiosk.profile_store import ProfileStore
from kiosk.profile_trial import MAX_STARTS, before_paint, failed_to_build, managed_store


def on_trial(tmp_path: Path) -> ProfileStore:
    store = ProfileStore(tmp_path / "state" / "profiles")
    for name in ("p1-s1", "p2-s1"):
        store.stage(name, {"profile.yaml": f"# {name}\n".encode()})
        store.set_pending(name)
        store.apply_pending()
        if name == "p1-s1":
            store.bless()
    return store


def test_starts_are_counted_and_one_too_many_rolls_back(tmp_path: Path) -> None:
    store = on_trial(tmp_path)
    for _ in range(MAX_STARTS):
        assert before_paint(store) is None
    why = before_paint(store)
    assert why is not None
    assert "started 4 times" in why
    assert store.current_name() == "p1-s1"
    assert store.result()["status"] == "rolled-back"
    assert before_paint(store) is None  # back on the good version: no trial, nothing counted


def test_a_build_that_fails_on_trial_rolls_back_at_once(tmp_path: Path) -> None:
    store = on_trial(tmp_path)
    assert failed_to_build(store, "ConfigError")
    assert store.current_name() == "p1-s1"
    assert "could not start on it: ConfigError" in store.result()["reason"]
    assert not failed_to_build(store, "ConfigError")  # not on trial: a plain failure


def test_only_the_current_versions_profile_is_managed(tmp_path: Path) -> None:
    store = on_trial(tmp_path)
    state = tmp_path / "state"
    current = state / "profiles" / "current" / "profile.yaml"
    assert managed_store(current, state) is not None
    assert managed_store(tmp_path / "elsewhere" / "profile.yaml", state) is None
    assert managed_store(current, tmp_path / "another-state") is None
    assert store.trial() is not None
