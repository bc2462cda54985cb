"""Power-cut safety is fsync in the right order: every metadata file the agent keeps and every
file of a staged version is flushed before it is renamed into place, and its folder after."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.provisioning.world import World


def _record(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    events: list[tuple[str, str]] = []
    real_fsync, real_replace, real_rename = os.fsync, os.replace, os.rename

    def fsync(fd: int) -> None:
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str | Path, dst: str | Path, **kwargs: object) -> None:
        events.append(("rename", f"{os.path.abspath(src)} -> {os.path.abspath(dst)}"))
        real_replace(src, dst, **kwargs)  # type: ignore[arg-type]

    def rename(src: str | Path, dst: str | Path, **kwargs: object) -> None:
        events.append(("rename", f"{os.path.abspath(src)} -> {os.path.abspath(dst)}"))
        real_rename(src, dst, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "rename", rename)
    return events


def test_every_kept_file_is_fsynced_before_and_its_folder_after_the_rename(
    world: World, monkeypatch: pytest.MonkeyPatch,
) -> None:
    events = _record(monkeypatch)
    assert world.refresh().status == "ok"
    renames = [(i, detail.split(" -> ")) for i, (kind, detail) in enumerate(events) if kind == "rename"]
    metadata = world.state / "provision" / "metadata"
    kept = {Path(dst).name for _, (_, dst) in renames
            if Path(dst).parent in (metadata, metadata / "root_history")}
    assert kept >= {"timestamp.json", "snapshot.json", "targets.json", "north.json", "1.root.json",
                    "root.json"}
    for index, (src, dst) in renames:
        before = [path for kind, path in events[:index] if kind == "fsync"]
        after = [path for kind, path in events[index + 1:] if kind == "fsync"]
        if not Path(dst).is_symlink():
            assert src in before or any(p.startswith(src + "/") for p in before), f"{dst} not flushed"
        assert str(Path(dst).parent) in after, f"{Path(dst).parent} not flushed after {dst}"
