"""The council's signed repository: TUF metadata and targets as static files.

`<repo>/public/` is what a web server (any HTTPS host, or the hub) serves::

    public/metadata/N.root.json, timestamp.json, N.snapshot.json, N.targets.json, N.<council>.json
    public/targets/sites/<council>/<site>/<sha256>.profile.json
    public/targets/devices/<council>/<device>/<sha256>.secrets.sealed

Consistent snapshots: every version of every file keeps its own name, so a device in the
middle of an update never mixes an old snapshot with a new targets file. The latest of each
role is also kept as `<role>.json` for this tool to edit. Private keys never live under
`<repo>` (see `keys.py`); `<repo>/registry/` holds the public side of enrolment.

Roles: root (2 of 3 offline keys by default) names the keys of targets (offline), snapshot
and timestamp (online, for cron). Targets delegates one role per council (`layout.py`),
signed by that council's own key.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tuf.api.exceptions import UnsignedMetadataError
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Signed,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

from kiosk.profile_store import write_durably
from provisioning.keys import KeyFolders
from provisioning.layout import TOP_LEVEL_ROLES, check_name, council_paths

# How long each role's signature is good for. Timestamp is re-signed by cron (`timestamp
# refresh`), which also renews snapshot; the others are renewed by the edits that need them.
LIFETIME = {"root": timedelta(days=365), "targets": timedelta(days=365),
            "snapshot": timedelta(days=7), "timestamp": timedelta(days=1)}
COUNCIL_LIFETIME = timedelta(days=365)
Clock = Callable[[], datetime]


class RepoError(ValueError):
    """Something the operator asked that the repository cannot do; says what to do instead."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Repository:
    def __init__(self, folder: Path, keys: KeyFolders, clock: Clock = _utc_now) -> None:
        self.folder = folder
        self.public = folder / "public"
        self.metadata = self.public / "metadata"
        self.targets_dir = self.public / "targets"
        self.keys = keys
        self.clock = clock

    # -- creating -----------------------------------------------------------------------------

    @classmethod
    def init(cls, folder: Path, keys: KeyFolders, *, root_keys: int = 3, root_threshold: int = 2,
             clock: Clock = _utc_now) -> Repository:
        """Make a new repository with fresh keys for every top-level role."""
        repo = cls(folder, keys, clock)
        if (repo.metadata / "root.json").exists():
            raise RepoError(f"{folder} already holds a repository")
        for key_folder in keys.folders:
            if key_folder.resolve().is_relative_to(repo.public.resolve()):
                raise RepoError("the key folder must not be inside the published folder")
        if not 1 <= root_threshold <= root_keys:
            raise RepoError("the root threshold is between 1 and the number of root keys")
        repo.metadata.mkdir(parents=True, exist_ok=True)
        repo.targets_dir.mkdir(parents=True, exist_ok=True)
        with repo.locked():
            now = clock()
            root = Root(version=1, expires=now + LIFETIME["root"], consistent_snapshot=True)
            for role in TOP_LEVEL_ROLES:
                count = root_keys if role == "root" else 1
                for _ in range(count):
                    root.add_key(keys.generate(role).public_key, role)
            root.roles["root"].threshold = root_threshold
            repo._write_root(Metadata(root), previous=None)
            targets = Targets(version=1, expires=now + LIFETIME["targets"])
            targets.delegations = Delegations(keys={}, roles={})
            repo._write(Metadata(targets), "targets")
            repo._write(Metadata(Snapshot(version=1, expires=now + LIFETIME["snapshot"],
                                          meta={"targets.json": repo._meta_of("targets")})), "snapshot")
            repo._write(Metadata(Timestamp(version=1, expires=now + LIFETIME["timestamp"],
                                           snapshot_meta=repo._meta_of("snapshot"))), "timestamp")
        return repo

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """One operator at a time: edits read the latest metadata and write the next."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            yield

    # -- reading ------------------------------------------------------------------------------

    def load(self, role: str) -> Metadata[Any]:
        try:
            return Metadata.from_bytes((self.metadata / f"{role}.json").read_bytes())
        except FileNotFoundError:
            raise RepoError(f"no {role} metadata in {self.metadata} (is this a repository? "
                            "make one with `kiosk-admin repo init`)") from None

    def root(self) -> Root:
        signed = self.load("root").signed
        assert isinstance(signed, Root)
        return signed

    def targets(self, role: str = "targets") -> Targets:
        signed = self.load(role).signed
        assert isinstance(signed, Targets)
        return signed

    def root_bytes(self) -> bytes:
        return (self.metadata / "root.json").read_bytes()

    def councils(self) -> list[str]:
        delegations = self.targets().delegations
        return sorted(delegations.roles or {}) if delegations else []

    def target(self, council: str, path: str) -> TargetFile | None:
        return self.targets(council).targets.get(path)

    # -- editing ------------------------------------------------------------------------------

    def add_council(self, council: str, key_folder: Path | None = None) -> None:
        """Delegate `sites/<council>/*/*` and `devices/<council>/*/*` to a new key of its own."""
        check_name("council", council)
        with self.locked():
            if council in self.councils():
                raise RepoError(f"council {council!r} is already delegated (to change its key: "
                                f"`kiosk-admin keys rotate {council}`)")
            signer = self.keys.generate(council, key_folder)
            targets_md = self.load("targets")
            targets = targets_md.signed
            assert isinstance(targets, Targets)
            if targets.delegations is None:
                targets.delegations = Delegations(keys={}, roles={})
            assert targets.delegations.roles is not None
            targets.delegations.roles[council] = DelegatedRole(
                council, [], 1, terminating=True, paths=council_paths(council))
            targets.add_key(signer.public_key, council)
            self._bump(targets_md, "targets")
            self._write(Metadata(Targets(version=1, expires=self.clock() + COUNCIL_LIFETIME)), council)
            self.publish()

    def put_target(self, council: str, path: str, data: bytes) -> TargetFile:
        """Add or replace a target signed by `council`, its `custom.version` one higher."""
        with self.locked():
            delegations = self.targets().delegations
            role = (delegations.roles or {}).get(council) if delegations else None
            if role is None or not role.is_delegated_path(path):
                raise RepoError(f"council {council!r} may not sign {path} (its paths: "
                                f"{', '.join(role.paths or []) if role else 'none, no such council'})")
            md = self.load(council)
            signed = md.signed
            assert isinstance(signed, Targets)
            old = signed.targets.get(path)
            version = _target_version(old) + 1
            target = TargetFile.from_data(path, data, ["sha256"])
            target.unrecognized_fields["custom"] = {"version": version}
            folder, _, name = path.rpartition("/")
            stored = self.targets_dir / folder / f"{target.hashes['sha256']}.{name}"
            stored.parent.mkdir(parents=True, exist_ok=True)
            write_durably(stored, data)
            signed.targets[path] = target
            self._bump(md, council, lifetime=COUNCIL_LIFETIME)
            self.publish()
            return target

    def remove_target(self, council: str, path: str) -> bool:
        with self.locked():
            md = self.load(council)
            signed = md.signed
            assert isinstance(signed, Targets)
            if signed.targets.pop(path, None) is None:
                return False
            self._bump(md, council, lifetime=COUNCIL_LIFETIME)
            self.publish()
            return True

    def rotate(self, role: str, key_folder: Path | None = None) -> list[str]:
        """Replace every key of `role` with a new one; returns the new key ids.

        A top-level role's keys are replaced in a new root, signed by the old root keys' and
        the new root keys' thresholds (so devices follow the chain); a council's key is
        replaced in targets. The role is then re-signed with its new key.
        """
        with self.locked():
            if role in TOP_LEVEL_ROLES:
                root_md = self.load("root")
                root = root_md.signed
                assert isinstance(root, Root)
                previous = Metadata.from_bytes(root_md.to_bytes())
                old = list(root.roles[role].keyids)
                new = [self.keys.generate(role, key_folder) for _ in old]
                for keyid in old:
                    root.revoke_key(keyid, role)
                for signer in new:
                    root.add_key(signer.public_key, role)
                root.version += 1
                root.expires = self.clock() + LIFETIME["root"]
                self._write_root(root_md, previous=previous)
                if role in ("targets", "snapshot", "timestamp"):
                    self._bump(self.load(role), role)
            else:
                check_name("council", role)
                if role not in self.councils():
                    raise RepoError(f"no council or role named {role!r}")
                targets_md = self.load("targets")
                targets = targets_md.signed
                assert isinstance(targets, Targets)
                assert targets.delegations is not None
                assert targets.delegations.roles is not None
                old = list(targets.delegations.roles[role].keyids)
                new = [self.keys.generate(role, key_folder)]
                for keyid in old:
                    targets.revoke_key(keyid, role)
                targets.add_key(new[0].public_key, role)
                self._bump(targets_md, "targets")
                self._bump(self.load(role), role, lifetime=COUNCIL_LIFETIME)
            self.publish(force=True)
            for keyid in old:
                self.keys.retire(keyid)
            return [signer.public_key.keyid for signer in new]

    def refresh_timestamp(self) -> list[str]:
        """Re-sign timestamp (and snapshot when half its life is gone); returns warnings about
        roles that expire within 30 days and need their offline keys."""
        with self.locked():
            now = self.clock()
            snapshot = self.load("snapshot")
            if snapshot.signed.expires - now < LIFETIME["snapshot"] / 2:
                self._bump(snapshot, "snapshot")
            self._bump(self.load("timestamp"), "timestamp", meta=self._meta_of("snapshot"))
            warnings = []
            for role in ("root", "targets", *self.councils()):
                left = self.load(role).signed.expires - now
                if left < timedelta(days=30):
                    warnings.append(f"{role} metadata expires in {max(left.days, 0)} days: re-sign it "
                                    "with its keys (any edit of that role renews it)")
            return warnings

    def publish(self, *, force: bool = False) -> None:
        """Bring snapshot and timestamp up to the targets metadata on disk."""
        snapshot_md = self.load("snapshot")
        snapshot = snapshot_md.signed
        assert isinstance(snapshot, Snapshot)
        meta = {f"{role}.json": self._meta_of(role) for role in ("targets", *self.councils())}
        if force or snapshot.meta != meta:
            snapshot.meta = meta
            self._bump(snapshot_md, "snapshot")
            self._bump(self.load("timestamp"), "timestamp", meta=self._meta_of("snapshot"))

    # -- inside -------------------------------------------------------------------------------

    def _meta_of(self, role: str) -> MetaFile:
        data = (self.metadata / f"{role}.json").read_bytes()
        version = Metadata[Any].from_bytes(data).signed.version
        return MetaFile(version=version, length=len(data),
                        hashes={"sha256": hashlib.sha256(data).hexdigest()})

    def _bump(self, md: Metadata[Any], name: str, *, lifetime: timedelta | None = None,
              meta: MetaFile | None = None) -> None:
        signed: Signed = md.signed
        signed.version += 1
        signed.expires = self.clock() + (lifetime or LIFETIME.get(name, COUNCIL_LIFETIME))
        if meta is not None:
            assert isinstance(signed, Timestamp)
            signed.snapshot_meta = meta
        self._write(md, name)

    def _keyids_for(self, name: str) -> tuple[list[str], int]:
        if name in TOP_LEVEL_ROLES:
            role = self.root().roles[name]
            return list(role.keyids), role.threshold
        delegations = self.targets().delegations
        assert delegations is not None
        assert delegations.roles is not None
        delegated = delegations.roles[name]
        return list(delegated.keyids), delegated.threshold

    def _sign(self, md: Metadata[Any], keyids: list[str], threshold: int, name: str) -> None:
        md.signatures.clear()
        signed = 0
        for keyid in keyids:
            signer = self.keys.get(keyid)
            if signer is not None:
                md.sign(signer, append=True)
                signed += 1
        if signed < threshold:
            raise RepoError(f"{name} needs {threshold} signature(s) and only {signed} of its keys are "
                            f"in the key folders given ({', '.join(map(str, self.keys.folders))}); "
                            "bring the missing keys with --keys")

    def _write(self, md: Metadata[Any], name: str) -> None:
        keyids, threshold = self._keyids_for(name)
        self._sign(md, keyids, threshold, name)
        data = md.to_bytes(JSONSerializer(compact=False))
        if name != "timestamp":
            write_durably(self.metadata / f"{md.signed.version}.{name}.json", data)
        write_durably(self.metadata / f"{name}.json", data)

    def _write_root(self, md: Metadata[Any], previous: Metadata[Any] | None) -> None:
        root = md.signed
        assert isinstance(root, Root)
        md.signatures.clear()
        wanted = list(root.roles["root"].keyids)
        if previous is not None:
            old_root = previous.signed
            assert isinstance(old_root, Root)
            wanted += [k for k in old_root.roles["root"].keyids if k not in wanted]
        for keyid in wanted:
            signer = self.keys.get(keyid)
            if signer is not None:
                md.sign(signer, append=True)
        try:
            root.verify_delegate("root", md.signed_bytes, md.signatures)
            if previous is not None:
                assert isinstance(previous.signed, Root)
                previous.signed.verify_delegate("root", md.signed_bytes, md.signatures)
        except UnsignedMetadataError:
            raise RepoError("a new root needs the threshold of the old root keys and of the new ones; "
                            "bring the root keys with --keys (one folder per key is fine)") from None
        data = md.to_bytes(JSONSerializer(compact=False))
        write_durably(self.metadata / f"{root.version}.root.json", data)
        write_durably(self.metadata / "root.json", data)


def _target_version(target: TargetFile | None) -> int:
    if target is None:
        return 0
    custom = target.custom
    version = custom.get("version") if isinstance(custom, dict) else None
    return version if isinstance(version, int) and not isinstance(version, bool) else 0
