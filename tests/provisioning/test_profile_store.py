"""The terminal's profile versions: staged whole, switched atomically, tried, blessed or rolled back."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.profile_store import ProfileStore, StoreError

FIRST = {"profile.yaml": b"one", "catalogue/a.yaml": b"a1", "secrets.sealed": b"s1"}
SECOND = {"profile.yaml": b"two", "catalogue/a.yaml": b"a2", "catalogue/b.yaml": b"b2"}


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_stage_is_whole_and_idempotent(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles")
    folder = store.stage("p1-s1", FIRST)
    assert _files(folder) == FIRST
    assert store.stage("p1-s1", FIRST) == folder  # the same files again: nothing to do
    with pytest.raises(StoreError, match="other files"):
        store.stage("p1-s1", SECOND)
    for bad_name in ("", "../x", ".hidden", "A"):
        with pytest.raises(StoreError):
            store.stage(bad_name, FIRST)
    for bad_file in ("../escape", "/etc/passwd", "a/../../b", ".git/config", "a//b"):
        with pytest.raises(StoreError):
            store.stage("p9-s9", {bad_file: b"x"})
    assert store.names() == ["p1-s1"]


def test_apply_trial_bless_and_rollback(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles")
    assert store.current() is None
    assert store.apply_pending() is None
    store.stage("p1-s1", FIRST)
    store.set_pending("p1-s1")
    assert store.pending() == "p1-s1"
    assert store.apply_pending() == "p1-s1"
    assert store.pending() is None
    assert store.trial() is not None
    assert store.note_start() == 1
    store.bless()
    assert (store.trial(), store.last_good(), store.note_start()) == (None, "p1-s1", 0)

    store.stage("p2-s1", SECOND)
    store.set_pending("p2-s1")
    assert store.current_name() == "p1-s1"  # staging never switches
    assert store.apply_pending() == "p2-s1"
    assert _files(store.current() or tmp_path) == SECOND
    assert [store.note_start() for _ in range(3)] == [1, 2, 3]
    assert store.rollback("the screen did not report healthy after 3 starts") == "p1-s1"
    assert store.current_name() == "p1-s1"
    assert store.trial() is None
    assert "p2-s1" in store.refused()
    result = store.result()
    assert result["status"] == "rolled-back"
    assert "3 starts" in result["reason"]
    assert result["offered"] == "p2-s1"
    assert os.readlink(store.root / "current") == "versions/p1-s1"  # relative: the folder can move


def test_rollback_without_a_good_version_says_so(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles")
    store.stage("p1-s1", FIRST)
    store.set_pending("p1-s1")
    store.apply_pending()
    assert store.rollback("crash loop") is None
    assert store.current_name() == "p1-s1"
    assert "no earlier good version" in store.result()["reason"]


def test_prune_keeps_what_is_in_use(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles")
    for n in range(1, 7):
        store.stage(f"p{n}-s1", {"profile.yaml": str(n).encode()})
    store.set_pending("p1-s1")
    store.apply_pending()
    store.bless()
    store.set_pending("p2-s1")
    removed = store.prune(keep=2)
    assert sorted(removed) == ["p3-s1", "p4-s1"]
    assert store.names() == ["p1-s1", "p2-s1", "p5-s1", "p6-s1"]


def test_recovery_tidies_what_a_cut_left(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles")
    store.stage("p1-s1", FIRST)
    store.set_pending("p1-s1")
    store.apply_pending()
    store.bless()
    store.stage("p2-s1", SECOND)
    # A cut while staging, while writing a file, while swapping a link, and a trial started
    # for a switch that never happened:
    (store.versions / ".tmp-p3-s1-0000").mkdir()
    (store.versions / ".tmp-p3-s1-0000" / "profile.yaml").write_bytes(b"half")
    (store.root / ".tmp-pending-0000").write_bytes(b"p2")
    os.symlink("versions/p2-s1", store.root / ".tmp-current-0000")
    (store.root / "trial.json").write_text('{"version": "p2-s1", "previous": "p1-s1", "attempts": 0}')
    (store.root / "pending").write_text("p2-s1\n")
    assert store.apply_pending() == "p2-s1"  # recovery first, then the switch, whole
    assert not list(store.root.glob(".tmp-*"))
    assert not list(store.versions.glob(".tmp-*"))
    assert store.trial() is not None
    assert store.trial()["attempts"] == 0  # type: ignore[index]
    # A pending file naming a version that is not there is dropped, not followed.
    (store.root / "pending").write_text("p9-s9\n")
    assert store.pending() is None
    assert store.apply_pending() is None
    assert not (store.root / "pending").exists()
    assert store.current_name() == "p2-s1"


def test_result_holds_only_known_statuses(tmp_path: Path) -> None:
    store = ProfileStore(tmp_path / "profiles")
    store.record("rejected", "why", offered="p2-s1")
    assert store.result()["status"] == "rejected"
    with pytest.raises(StoreError):
        store.record("fine", "?")


def test_a_trial_fails_after_too_many_starts_or_too_long(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    store = ProfileStore(tmp_path / "profiles")
    store.stage("p1-s1", FIRST)
    store.set_pending("p1-s1")
    store.apply_pending()
    assert store.trial_failed(max_starts=2) is None
    for _ in range(3):
        store.note_start()
    assert "started 3 times on p1-s1" in (store.trial_failed(max_starts=2) or "")
    later = datetime.now(UTC) + timedelta(minutes=11)
    assert "within 600 s" in (store.trial_failed(max_starts=5, now=later) or "")
    store.bless()
    assert store.trial_failed(max_starts=0, now=later) is None
