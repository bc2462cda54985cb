"""The terminal's provisioning agent: one refresh, from signed metadata to a staged profile.

Run by a systemd timer (every 5 minutes) as `kiosk provision refresh`. A refresh verifies
the repository's metadata (TUF: signatures, thresholds, versions, expiry, hashes, lengths),
downloads this site's profile and this device's sealed secrets, opens the secrets with the
device key, validates the profile completely, stages it as a new version folder and marks it
pending. It never switches the running profile: the screen applies a pending version
between sessions (`ProfileStore.apply_pending`). Only a terminal with no profile yet (first
enrolment) gets its first profile applied here, since no screen can be running on it.

Whatever happens is recorded in `profiles/result.json`, in words for IT and with no secret
value (every message is redacted against the opened secrets before it is written or logged).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import shutil
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tuf.api import exceptions as tuf_errors
from tuf.api.metadata import TargetFile
from tuf.ngclient.fetcher import FetcherInterface

from kiosk.config_errors import ConfigError
from kiosk.device_identity import DeviceKeys, IdentityError, key_folder
from kiosk.profile_store import ProfileStore, StoreError, write_durably
from kiosk.secrets import SecretsError, open_secrets
from provisioning.bundle import BOOTSTRAP_ROOT, BundleError, DeviceConfig
from provisioning.fetching import DurableUpdater
from provisioning.layout import metadata_url, profile_target, secrets_target, targets_url
from provisioning.pack import MAX_PACKED, PackError, unpack
from provisioning.validate import check_unpacked, redact

PROVISION = "provision"
PROFILES = "profiles"
ACCEPTED = "accepted.json"
MAX_SECRETS = 256 * 1024
Clock = Callable[[], datetime]
logger = logging.getLogger(__name__)


def provision_folder(state_dir: Path) -> Path:
    return state_dir / PROVISION


def profile_store(state_dir: Path) -> ProfileStore:
    """The terminal's profile versions: what the screen runs and applies between sessions."""
    return ProfileStore(state_dir / PROFILES)


class Refused(Exception):
    """Something offered was refused (an attack, or a profile that fails validation)."""

    def __init__(self, reason: str, offered: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.offered = offered


class Unreachable(Exception):
    """The repository could not be reached or was too slow: try again at the next refresh."""


@dataclass(frozen=True)
class Outcome:
    status: str
    reason: str
    offered: str | None = None


def version_name(profile_version: int, secrets_version: int) -> str:
    return f"p{profile_version}-s{secrets_version}"


def _custom_version(target: TargetFile | None, what: str) -> int:
    if target is None:
        return 0
    custom = target.custom
    version = custom.get("version") if isinstance(custom, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise Refused(f"the {what} target {target.path} has no version number (custom.version)")
    return version


class Agent:
    def __init__(self, state_dir: Path, *, clock: Clock | None = None,
                 fetcher: FetcherInterface | None = None, keep: int = 3) -> None:
        self.state_dir = state_dir
        self.folder = provision_folder(state_dir)
        self.store = profile_store(state_dir)
        self.clock = clock or (lambda: datetime.now(UTC))
        self.fetcher = fetcher
        self.keep = keep

    def refresh(self) -> Outcome:
        """One refresh; never raises for what the repository or the network does."""
        secrets: dict[str, str] = {}
        with self._exclusive() as alone:
            if not alone:
                return Outcome("failed", "another refresh is running")
            try:
                outcome = self._refresh(secrets)
            except Refused as refused:
                outcome = Outcome("rejected", refused.reason, refused.offered)
            except Unreachable as exc:
                outcome = Outcome("unreachable", str(exc))
            except (BundleError, IdentityError, StoreError, OSError) as exc:
                outcome = Outcome("failed", f"{type(exc).__name__}: {exc}")
            except Exception as exc:  # noqa: BLE001 - the timer's refresh must always report
                # Only where, never the message: it could hold anything, a secret included.
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                outcome = Outcome("failed", f"unexpected {type(exc).__name__} at "
                                  f"{Path(frame.filename).name}:{frame.lineno}")
            outcome = Outcome(outcome.status, redact(outcome.reason, secrets), outcome.offered)
            verified = self._verified_at(outcome)
            self.store.record(outcome.status, outcome.reason, offered=outcome.offered,
                              verified_at=verified, checked_at=self._now_text())
            log = logger.info if outcome.status == "ok" else logger.warning
            log("provisioning %s: %s", outcome.status, outcome.reason)
            return outcome

    # -- the steps ----------------------------------------------------------------------------

    def _refresh(self, secrets: dict[str, str]) -> Outcome:
        config = DeviceConfig.load(self.folder)
        keys = DeviceKeys.load(key_folder(self.state_dir))
        self._tidy()
        updater = self._updater()
        profile_path = profile_target(config.council, config.site)
        secrets_path = secrets_target(config.council, config.device_id)
        profile_info = self._tuf(lambda: updater.get_targetinfo(profile_path))
        secrets_info = self._tuf(lambda: updater.get_targetinfo(secrets_path))
        if profile_info is None:
            return Outcome("ok", f"no profile has been published for site {config.site} yet")
        name = version_name(_custom_version(profile_info, "profile"),
                            _custom_version(secrets_info, "secrets"))
        unchanged = self._unchanged(name)
        if unchanged is not None:
            return unchanged
        self._check_not_older(name)
        if profile_info.length > MAX_PACKED:
            raise Refused(f"{profile_path} is {profile_info.length} bytes; a profile is at most "
                          f"{MAX_PACKED}", name)
        if secrets_info is not None and secrets_info.length > MAX_SECRETS:
            raise Refused(f"{secrets_path} is {secrets_info.length} bytes; a secrets document is at "
                          f"most {MAX_SECRETS}", name)
        packed = self._download(updater, profile_info, name)
        blob = self._download(updater, secrets_info, name) if secrets_info is not None else None
        try:
            files = unpack(packed)
        except PackError as exc:
            raise Refused(f"{profile_path}: {exc}", name) from None
        if blob is not None:
            try:
                secrets.update(open_secrets(keys, blob))
            except SecretsError as exc:
                raise Refused(f"{secrets_path}: {exc}", name) from None
        try:
            files, _ = check_unpacked(files, secrets=secrets if blob is not None else None,
                                      site=config.site, label=profile_path, scratch=self.folder)
        except ConfigError as exc:
            raise Refused(f"the profile does not pass validation, so it was not staged. "
                          f"{exc.describe()}", name) from None
        if blob is not None:
            files["secrets.sealed"] = blob
        try:
            self.store.stage(name, files)
        except StoreError as exc:  # the same version number signed again over other files
            raise Refused(f"{profile_path}: {exc}", name) from None
        self._accept(name)
        self.store.set_pending(name)
        if self.store.current() is None:
            self.store.apply_pending()
            message = f"applied {name}, this terminal's first profile"
        else:
            message = f"staged {name}; the screen applies it between sessions"
        self.store.prune(self.keep)
        return Outcome("ok", message, name)

    def _updater(self) -> DurableUpdater:
        """An updater on the local metadata; on a local failure, a fresh one from the bootstrap
        root (the cache is rebuilt, the rollback checks of our own versions still hold)."""
        config = DeviceConfig.load(self.folder)
        root = (self.folder / BOOTSTRAP_ROOT).read_bytes()
        cache = self.folder / "metadata"
        for attempt in (1, 2):
            try:
                return DurableUpdater(cache, metadata_url(config.repository_url), self.folder / "downloads",
                                      targets_url(config.repository_url), bootstrap=root,
                                      reference_time=self.clock(), fetcher=self.fetcher)
            except (OSError, tuf_errors.RepositoryError) as exc:
                if attempt == 2:
                    raise Refused(f"the bootstrap root cannot be used ({type(exc).__name__}: {exc}); "
                                  "enrol this terminal again") from None
                logger.warning("provisioning: local metadata unusable (%s); starting again from "
                               "the bootstrap root", type(exc).__name__)
                _remove(cache)
        raise AssertionError("unreachable")

    def _tuf(self, step: Callable[[], TargetFile | None]) -> TargetFile | None:
        try:
            return step()
        except tuf_errors.ExpiredMetadataError as exc:
            raise Refused(f"{exc}: the repository is frozen or stale, or this terminal's clock is "
                          f"wrong (it reads {self._now_text()})") from None
        except tuf_errors.BadVersionNumberError as exc:
            raise Refused(f"rollback refused: {exc}") from None
        except tuf_errors.UnsignedMetadataError as exc:
            raise Refused(f"metadata not signed by enough trusted keys: {exc}") from None
        except tuf_errors.RepositoryError as exc:
            raise Refused(f"metadata refused: {type(exc).__name__}: {exc}") from None
        except tuf_errors.DownloadLengthMismatchError as exc:
            raise Refused(f"the repository sent more than allowed: {exc}") from None
        except tuf_errors.DownloadError as exc:
            raise Unreachable(f"the repository could not be reached: {type(exc).__name__}: "
                              f"{exc}") from None

    def _download(self, updater: DurableUpdater, info: TargetFile, name: str) -> bytes:
        folder = self.folder / "downloads"
        _remove(folder)
        folder.mkdir(parents=True)
        try:
            path = updater.download_target(info, str(folder / "target"))
        except tuf_errors.LengthOrHashMismatchError as exc:
            raise Refused(f"{info.path} does not match its signed length and hash: {exc}", name) from None
        except tuf_errors.DownloadLengthMismatchError as exc:
            raise Refused(f"{info.path}: the repository sent more than the signed length: {exc}",
                          name) from None
        except tuf_errors.DownloadError as exc:
            raise Unreachable(f"{info.path} could not be downloaded: {type(exc).__name__}: {exc}") from None
        data = Path(path).read_bytes()
        _remove(folder)
        return data

    def _unchanged(self, name: str) -> Outcome | None:
        if name == self.store.current_name():
            return Outcome("ok", f"up to date ({name})", name)
        if name == self.store.pending():
            return Outcome("ok", f"{name} is staged; the screen applies it between sessions", name)
        why = self.store.refused().get(name)
        if why is not None:
            return Outcome("rolled-back", f"{name} was rolled back ({why}); waiting for a newer "
                           "version to be published", name)
        return None

    def _check_not_older(self, name: str) -> None:
        accepted = self._read_accepted()
        offered = _parse(name)
        if accepted is not None and (offered[0] < accepted[0] or offered[1] < accepted[1]):
            raise Refused(f"{name} is older than {version_name(*accepted)}, which this terminal "
                          "already accepted (rollback refused)", name)

    def _read_accepted(self) -> tuple[int, int] | None:
        try:
            data = json.loads((self.folder / ACCEPTED).read_text(encoding="utf-8"))
            return int(data["profile"]), int(data["secrets"])
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _accept(self, name: str) -> None:
        profile, secrets = _parse(name)
        write_durably(self.folder / ACCEPTED, json.dumps({"profile": profile, "secrets": secrets}).encode())

    def _verified_at(self, outcome: Outcome) -> str | None:
        """When the repository last answered with fresh, verified metadata (freeze watch)."""
        if outcome.status in ("ok", "rolled-back"):
            return self._now_text()
        previous = self.store.result().get("verified_at")
        return previous if isinstance(previous, str) else None

    def _now_text(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="seconds")

    def _tidy(self) -> None:
        """What a killed refresh left: scratch folders, downloads, ngclient temp files."""
        for leftover in self.folder.glob("profile-check-*"):
            _remove(leftover)
        _remove(self.folder / "downloads")
        cache = self.folder / "metadata"
        for leftover in cache.glob(".tmp-*") if cache.is_dir() else ():
            _remove(leftover)

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[bool]:
        self.folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.folder / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            yield True
        finally:
            os.close(fd)


def _parse(name: str) -> tuple[int, int]:
    profile, _, secrets = name.removeprefix("p").partition("-s")
    return int(profile), int(secrets)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def status(state_dir: Path) -> dict[str, Any]:
    """What `kiosk provision status` prints (and the heartbeat can carry)."""
    summary = profile_store(state_dir).summary()
    try:
        summary["config"] = DeviceConfig.load(provision_folder(state_dir)).to_json()
    except BundleError as exc:
        summary["config"] = str(exc)
    return summary
