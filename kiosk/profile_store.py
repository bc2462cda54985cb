"""Versioned profile folders on the terminal, switched atomically, with a trial and a rollback.

The provisioning agent stages a verified profile as a whole new folder and marks it pending;
the screen applies it between sessions (never during one), starts a trial, and blesses it
once it has painted healthy; if it crash-loops instead, it rolls back to the last good
version. This module is that state on disk, in the Qt-free core because the screen needs it
between sessions and the agent (`provisioning`) needs it after a refresh.

Layout under `<state_dir>/profiles/`::

    versions/<name>/      profile.yaml, catalogue/…, secrets.sealed (whole folders only)
    current -> versions/<name>     the profile the screen runs (a relative symlink)
    last-good -> versions/<name>   where a rollback goes
    pending                        the name of a staged version the screen should apply
    trial.json                     {version, previous, attempts, since} while on probation
    refused.json                   versions rolled back, with why: never staged again
    result.json                    the last provisioning result (no secrets, no resident data)

Crash safety (SIGKILL or a power cut at any point): every file is written to a temporary
name, fsynced, renamed over the old one, and its folder fsynced; a version folder is filled
under a temporary name and renamed whole; a symlink is replaced by renaming a new symlink
over it. So `current` always names a whole old or a whole new version, and `_recover` (run
by every call that changes anything) tidies what a cut left half done.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets as token
import shutil
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

VERSIONS = "versions"
CURRENT = "current"
LAST_GOOD = "last-good"
PENDING = "pending"
TRIAL = "trial.json"
REFUSED = "refused.json"
RESULT = "result.json"
_LOCK = ".lock"
_TMP = ".tmp-"
_TRASH = ".trash-"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-._")
_PART_CHARS = _NAME_CHARS | frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_CARRIED = ("verified_at", "checked_at")
RESULT_STATUSES = ("ok", "rejected", "rolled-back", "unreachable", "failed")


class StoreError(ValueError):
    """A request the store refuses (a bad name, a clash with an existing version)."""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_durably(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Replace `path` with `data` so that a cut leaves the old or the new file, never a part."""
    temp = path.with_name(f"{_TMP}{path.name}-{token.token_hex(4)}")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    fsync_dir(path.parent)


def valid_version_name(name: str) -> bool:
    return (0 < len(name) <= 64 and set(name) <= _NAME_CHARS and name[0] not in ".-"
            and ".." not in name)


def check_relative_path(relative: str) -> PurePosixPath:
    """A file name inside a version folder: plain parts, no `..`, nothing hidden or absolute."""
    parts = relative.split("/")
    if (not relative or len(parts) > 6 or len(relative) > 200
            or any(not part or part.startswith(".") or not set(part) <= _PART_CHARS for part in parts)):
        raise StoreError(f"{relative!r} is not a plain relative file name (letters, digits, "
                         "'-', '_', '.', at most 6 folders deep, nothing hidden)")
    return PurePosixPath(relative)


class ProfileStore:
    """The profile versions of one terminal. Safe to share between the agent and the screen
    (each change holds an advisory lock on the folder; a killed holder releases it)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.versions = root / VERSIONS

    # -- reading ------------------------------------------------------------------------------

    def current(self) -> Path | None:
        """The current version's folder (its profile is `profile.yaml` inside), or None."""
        return self._resolve(CURRENT)

    def current_name(self) -> str | None:
        folder = self.current()
        return folder.name if folder else None

    def last_good(self) -> str | None:
        folder = self._resolve(LAST_GOOD)
        return folder.name if folder else None

    def pending(self) -> str | None:
        try:
            name = (self.root / PENDING).read_text(encoding="utf-8").strip()
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        return name if valid_version_name(name) and (self.versions / name).is_dir() else None

    def trial(self) -> dict[str, Any] | None:
        data = self._read_json(TRIAL)
        return data if data and isinstance(data.get("version"), str) else None

    def result(self) -> dict[str, Any]:
        """The last provisioning result; `{}` before the first one."""
        return self._read_json(RESULT) or {}

    def refused(self) -> dict[str, str]:
        """Versions rolled back, name -> why: the agent never stages these again."""
        data = self._read_json(REFUSED) or {}
        return {str(k): str(v) for k, v in data.items()}

    def names(self) -> list[str]:
        """Whole versions on disk, oldest staged first."""
        if not self.versions.is_dir():
            return []
        found = [p for p in self.versions.iterdir() if valid_version_name(p.name) and p.is_dir()]
        return [p.name for p in sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name))]

    def summary(self) -> dict[str, Any]:
        """Everything `kiosk provision status` shows and a heartbeat may carry."""
        return {"current": self.current_name(), "last_good": self.last_good(),
                "pending": self.pending(), "trial": self.trial(), "versions": self.names(),
                "refused": self.refused(), "result": self.result()}

    # -- changing -----------------------------------------------------------------------------

    def stage(self, name: str, files: Mapping[str, bytes]) -> Path:
        """Write a whole version folder; the same files under an existing name are a no-op."""
        if not valid_version_name(name):
            raise StoreError(f"{name!r} is not a version name (lowercase letters, digits, '-._')")
        paths = {check_relative_path(rel): data for rel, data in files.items()}
        with self._locked():
            final = self.versions / name
            if final.exists():
                if _same_files(final, paths):
                    return final
                raise StoreError(f"version {name} is already on this terminal with other files")
            temp = self.versions / f"{_TMP}{name}-{token.token_hex(4)}"
            temp.mkdir()
            folders = {temp}
            for rel, data in paths.items():
                target = temp.joinpath(*rel.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
                with open(target, "xb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
            for folder in sorted(folders, key=lambda p: len(p.parts), reverse=True):
                fsync_dir(folder)
            os.rename(temp, final)
            fsync_dir(self.versions)
            return final

    def set_pending(self, name: str) -> None:
        with self._locked():
            if not valid_version_name(name) or not (self.versions / name).is_dir():
                raise StoreError(f"version {name!r} has not been staged")
            write_durably(self.root / PENDING, f"{name}\n".encode())

    def apply_pending(self) -> str | None:
        """Make the pending version current and start its trial; None when nothing is pending.

        Call between sessions only, then restart the screen (and relay) on `current()`. The
        version that was current stays on disk as the rollback target (`last-good`, set when
        the screen blesses a version).
        """
        with self._locked():
            name = self.pending()
            previous = self.current_name()
            if name is None or name == previous:
                self._clear(PENDING)
                return None
            self._write_json(TRIAL, {"version": name, "previous": previous, "attempts": 0,
                                     "since": _now()})
            self._point(CURRENT, name)
            self._clear(PENDING)
            return name

    def note_start(self) -> int:
        """Count a screen start while on trial; 0 when there is no trial. The screen calls this
        at every start and rolls back when the count passes its limit (a crash loop)."""
        with self._locked():
            trial = self.trial()
            if trial is None:
                return 0
            attempts = int(trial.get("attempts", 0)) + 1
            self._write_json(TRIAL, {**trial, "attempts": attempts})
            return attempts

    def trial_failed(self, *, max_starts: int = 3, max_seconds: float = 600.0,
                     now: datetime | None = None) -> str | None:
        """Why the running trial has failed (too many starts, or no healthy report in time), or
        None while it may go on. The screen asks at start, before painting, and rolls back."""
        trial = self.trial()
        if trial is None:
            return None
        attempts = int(trial.get("attempts", 0))
        if attempts > max_starts:
            return f"the screen started {attempts} times on {trial['version']} without reporting healthy"
        try:
            since = datetime.fromisoformat(str(trial["since"]))
        except (KeyError, ValueError):
            return None
        waited = ((now or datetime.now(UTC)) - since).total_seconds()
        if waited > max_seconds:
            return f"the screen did not report healthy on {trial['version']} within {max_seconds:.0f} s"
        return None

    def bless(self) -> None:
        """The screen painted healthy on the current version: it becomes the last good one."""
        with self._locked():
            name = self.current_name()
            if name is None:
                return
            trial = self.trial()
            if trial is None and self.last_good() == name:
                return
            self._point(LAST_GOOD, name)
            self._clear(TRIAL)
            if trial is not None:
                self._write_result("ok", f"version {name} applied and running", applied=name)

    def rollback(self, reason: str) -> str | None:
        """Go back to the last good version and remember why; None when there is none."""
        with self._locked():
            bad = self.current_name()
            good = self.last_good()
            if good is None or good == bad:
                self._write_result("rolled-back", f"{reason}; no earlier good version to go back "
                                   "to, so this one stays", offered=bad)
                return None
            if bad is not None:
                self._write_json(REFUSED, {**self.refused(), bad: reason})
            self._point(CURRENT, good)
            self._clear(TRIAL)
            if self.pending() == bad:
                self._clear(PENDING)
            self._write_result("rolled-back", f"version {bad} was rolled back to {good}: {reason}",
                               offered=bad)
            return good

    def record(self, status: str, reason: str, *, offered: str | None = None,
               **extra: Any) -> None:
        """Record the last provisioning result (the agent after a refresh, the screen after an
        apply). `reason` is plain text for IT and must hold no secret and no resident data."""
        with self._locked():
            self._write_result(status, reason, offered=offered, **extra)

    def prune(self, keep: int = 3) -> list[str]:
        """Remove old versions, keeping current, last-good, pending and the newest `keep`."""
        with self._locked():
            names = self.names()
            wanted = {self.current_name(), self.last_good(), self.pending(), *names[-keep:]}
            removed = [name for name in names if name not in wanted]
            for name in removed:
                trash = self.versions / f"{_TRASH}{name}-{token.token_hex(4)}"
                os.rename(self.versions / name, trash)
                shutil.rmtree(trash)
            if removed:
                fsync_dir(self.versions)
            return removed

    # -- inside -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.versions.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / _LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            self._recover()
            yield
        finally:
            os.close(fd)

    def _recover(self) -> None:
        """Finish or undo whatever a cut left behind (only ever called under the lock)."""
        for folder in (self.root, self.versions):
            for leftover in folder.iterdir():
                if leftover.name.startswith((_TMP, _TRASH)):
                    if leftover.is_dir() and not leftover.is_symlink():
                        shutil.rmtree(leftover)
                    else:
                        leftover.unlink()
        for link in (CURRENT, LAST_GOOD):
            if (self.root / link).is_symlink() and self._resolve(link) is None:
                (self.root / link).unlink()  # points at a version that is gone
        trial = self.trial()
        current = self.current_name()
        if trial is not None and (trial["version"] != current or self.last_good() == current):
            # The switch never happened, or a rollback or bless finished but for this file.
            self._clear(TRIAL)
        raw_pending = (self.root / PENDING).exists()
        if raw_pending and (self.pending() is None or self.pending() == current):
            self._clear(PENDING)

    def _resolve(self, link: str) -> Path | None:
        path = self.root / link
        try:
            target = os.readlink(path)
        except OSError:
            return None
        name = PurePosixPath(target).name
        if target != f"{VERSIONS}/{name}" or not valid_version_name(name):
            return None
        folder = self.versions / name
        return folder if folder.is_dir() else None

    def _point(self, link: str, name: str) -> None:
        temp = self.root / f"{_TMP}{link}-{token.token_hex(4)}"
        os.symlink(f"{VERSIONS}/{name}", temp)
        os.replace(temp, self.root / link)
        fsync_dir(self.root)

    def _clear(self, file_name: str) -> None:
        try:
            (self.root / file_name).unlink()
        except FileNotFoundError:
            return
        fsync_dir(self.root)

    def _read_json(self, file_name: str) -> dict[str, Any] | None:
        try:
            data = json.loads((self.root / file_name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    def _write_json(self, file_name: str, data: Mapping[str, Any]) -> None:
        write_durably(self.root / file_name, json.dumps(data, indent=2, sort_keys=True).encode())

    def _write_result(self, status: str, reason: str, *, offered: str | None = None,
                      **extra: Any) -> None:
        if status not in RESULT_STATUSES:
            raise StoreError(f"a result is one of {', '.join(RESULT_STATUSES)}, not {status!r}")
        trial = self.trial()
        previous = self.result()
        # The agent's freeze watch (when the repository last answered with fresh metadata)
        # outlives the screen's own results.
        carried = {key: previous[key] for key in _CARRIED if key in previous}
        self._write_json(RESULT, {
            **carried, **extra, "status": status, "reason": reason, "at": _now(), "offered": offered,
            "current": self.current_name(), "last_good": self.last_good(),
            "pending": self.pending(), "trial": trial["version"] if trial else None,
        })


def _same_files(folder: Path, files: Mapping[PurePosixPath, bytes]) -> bool:
    on_disk = {PurePosixPath(p.relative_to(folder).as_posix()) for p in folder.rglob("*") if p.is_file()}
    if on_disk != set(files):
        return False
    return all(folder.joinpath(*rel.parts).read_bytes() == data for rel, data in files.items())
