"""An attacker's hands on the served repository: re-sign, replay, tamper.

Each helper edits the files the test's HTTP server serves, signing with whichever keys the
attack assumes were stolen (or with keys nobody trusts), the way python-tuf's
RepositorySimulator edits its metadata before serving it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from securesystemslib.signer import CryptoSigner, Signer
from tuf.api.metadata import Metadata, MetaFile, Root, Targets
from tuf.api.serialization.json import JSONSerializer

from tests.provisioning.world import World


def keys_of(world: World, role: str) -> list[Signer]:
    """The private keys the repository uses for `role` (a top-level role or a council)."""
    if role in ("root", "targets", "snapshot", "timestamp"):
        keyids = world.repo.root().roles[role].keyids
    else:
        delegations = world.repo.targets().delegations
        assert delegations is not None
        assert delegations.roles is not None
        keyids = delegations.roles[role].keyids
    found = [world.keys.get(k) for k in keyids]
    return [s for s in found if s is not None]


def stranger() -> CryptoSigner:
    """A key no one trusts."""
    return CryptoSigner.generate_ed25519()


def load(world: World, role: str, version: int | None = None) -> Metadata[Any]:
    name = f"{version}.{role}.json" if version is not None else f"{role}.json"
    return Metadata.from_bytes((world.metadata / name).read_bytes())


def serve(world: World, md: Metadata[Any], role: str, signers: Iterable[Signer]) -> bytes:
    """Sign `md` with exactly `signers` and serve it as the role's current file."""
    md.signatures.clear()
    for signer in signers:
        md.sign(signer, append=True)
    data = md.to_bytes(JSONSerializer(compact=False))
    if role != "timestamp":
        (world.metadata / f"{md.signed.version}.{role}.json").write_bytes(data)
    (world.metadata / f"{role}.json").write_bytes(data)
    return data


def meta(data: bytes, version: int) -> MetaFile:
    return MetaFile(version=version, length=len(data), hashes={"sha256": hashlib.sha256(data).hexdigest()})


def resign(world: World, role: str, edit: Callable[[Any], None], *, bump: bool = True,
           signers: Iterable[Signer] | None = None) -> bytes:
    """Load the role's latest metadata, edit it, fresh expiry at the world's clock, serve it."""
    md = load(world, role)
    if bump:
        md.signed.version += 1
    md.signed.expires = world.now + timedelta(days=1)
    edit(md.signed)
    return serve(world, md, role, keys_of(world, role) if signers is None else signers)


def new_chain(world: World, *, targets_meta: dict[str, MetaFile] | None = None,
              snapshot_version: int | None = None) -> None:
    """A new snapshot (with `targets_meta` overriding entries) and a timestamp for it, signed
    with the real snapshot and timestamp keys: what an attacker holding the online keys
    could serve."""
    snapshot = load(world, "snapshot")
    snapshot.signed.version += 1
    snapshot.signed.expires = world.now + timedelta(days=7)
    snapshot.signed.meta.update(targets_meta or {})
    data = serve(world, snapshot, "snapshot", keys_of(world, "snapshot"))
    version = snapshot.signed.version if snapshot_version is None else snapshot_version

    def point(timestamp: Any) -> None:
        timestamp.snapshot_meta = meta(data, version) if snapshot_version is None else MetaFile(version)

    resign(world, "timestamp", point)


def next_root(world: World, *, keyids: list[str], threshold: int, signers: Iterable[Signer],
              new_keys: Iterable[CryptoSigner] = (), version: int | None = None) -> Root:
    """Serve root N+1 with root role `keyids`/`threshold`, signed by exactly `signers`."""
    md = load(world, "root")
    root = md.signed
    assert isinstance(root, Root)
    for signer in new_keys:
        root.keys[signer.public_key.keyid] = signer.public_key
    root.roles["root"].keyids = list(keyids)
    root.roles["root"].threshold = threshold
    root.version = version or root.version + 1
    root.expires = world.now + timedelta(days=365)
    serve(world, md, "root", signers)
    return root


def council_targets(world: World, council: str) -> Targets:
    signed = load(world, council).signed
    assert isinstance(signed, Targets)
    return signed
