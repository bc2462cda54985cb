"""The device's own identity: a signing key for heartbeats and a sealing key for its secrets.

Both private keys are made on the device at enrolment and never leave it; IT registers the
public half. Two keys, not one, because Ed25519 signs and X25519 agrees keys, and reusing one
key for both is a known foot-gun. The private keys are files of mode 0600 in a 0700 folder
under the state directory, written with fsync so a power cut at enrolment leaves either no
identity or a whole one.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

SIGNING_KEY = "signing.key"
SEALING_KEY = "sealing.key"
IDENTITY = "identity.json"
_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def key_folder(state_dir: Path) -> Path:
    """Where a terminal keeps its identity: inside the state directory, 0700, kiosk's own."""
    return state_dir / "device"


class IdentityError(ValueError):
    """The device's identity is missing, incomplete or not this device's."""


def valid_device_id(device_id: str) -> bool:
    """Device and site ids appear in paths of the signed repository: keep them plain."""
    return (0 < len(device_id) <= 64 and set(device_id) <= _ID_CHARS
            and device_id[0] != "-" and device_id[-1] != "-")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))


@dataclass(frozen=True)
class PublicIdentity:
    """What IT registers for a device; safe to print, publish and log."""

    device_id: str
    site: str
    signing_public: bytes
    sealing_public: bytes

    def to_json(self) -> dict[str, str]:
        return {"device_id": self.device_id, "site": self.site,
                "signing_public": b64(self.signing_public),
                "sealing_public": b64(self.sealing_public)}

    @classmethod
    def from_json(cls, data: Any) -> PublicIdentity:
        try:
            identity = cls(str(data["device_id"]), str(data["site"]),
                           unb64(data["signing_public"]), unb64(data["sealing_public"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise IdentityError(
                "a device identity has device_id, site, signing_public and sealing_public "
                f"(base64url); this one has a problem with {exc}"
            ) from None
        if not valid_device_id(identity.device_id) or not valid_device_id(identity.site):
            raise IdentityError("device_id and site are lowercase letters, digits and hyphens")
        if len(identity.signing_public) != 32 or len(identity.sealing_public) != 32:
            raise IdentityError("signing_public and sealing_public are 32-byte keys")
        return identity

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.signing_public).verify(signature, data)
        except InvalidSignature:
            return False
        return True


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class DeviceKeys:
    """The private half, loaded from the device's key folder."""

    def __init__(self, identity: PublicIdentity, signing: Ed25519PrivateKey,
                 sealing: X25519PrivateKey) -> None:
        self.identity = identity
        self._signing = signing
        self.sealing = sealing

    def __repr__(self) -> str:  # never the keys
        return f"DeviceKeys({self.identity.device_id!r})"

    def sign(self, data: bytes) -> bytes:
        return self._signing.sign(data)

    @classmethod
    def create(cls, folder: Path, device_id: str, site: str) -> DeviceKeys:
        """Make this device's keys; refuses to replace an identity that already exists."""
        if not valid_device_id(device_id) or not valid_device_id(site):
            raise IdentityError("device_id and site are lowercase letters, digits and hyphens")
        if (folder / IDENTITY).exists():
            raise IdentityError(f"{folder} already holds a device identity; a device is enrolled "
                                "once (to re-enrol, IT revokes it and removes the folder)")
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
        signing = Ed25519PrivateKey.generate()
        sealing = X25519PrivateKey.generate()
        raw = (Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        identity = PublicIdentity(
            device_id, site,
            signing.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
            sealing.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw),
        )
        for name in (SIGNING_KEY, SEALING_KEY, IDENTITY):
            (folder / name).unlink(missing_ok=True)  # leftovers of an enrolment cut short
        _write_private(folder / SIGNING_KEY, signing.private_bytes(*raw))
        _write_private(folder / SEALING_KEY, sealing.private_bytes(*raw))
        # The identity file goes last: its presence means the keys beside it are whole.
        _write_private(folder / IDENTITY, json.dumps(identity.to_json(), indent=2).encode())
        _fsync_dir(folder)
        return cls(identity, signing, sealing)

    @classmethod
    def load(cls, folder: Path) -> DeviceKeys:
        try:
            identity = PublicIdentity.from_json(json.loads((folder / IDENTITY).read_text()))
            signing = Ed25519PrivateKey.from_private_bytes((folder / SIGNING_KEY).read_bytes())
            sealing = X25519PrivateKey.from_private_bytes((folder / SEALING_KEY).read_bytes())
        except FileNotFoundError as exc:
            raise IdentityError(f"this device is not enrolled: {exc.filename} is missing "
                                "(run `kiosk provision enrol BUNDLE`)") from None
        except (OSError, ValueError) as exc:
            raise IdentityError(f"the device identity in {folder} cannot be read ({type(exc).__name__})"
                                ) from None
        pub = (Encoding.Raw, PublicFormat.Raw)
        if (signing.public_key().public_bytes(*pub) != identity.signing_public
                or sealing.public_key().public_bytes(*pub) != identity.sealing_public):
            raise IdentityError(f"the keys in {folder} do not match its identity.json")
        return cls(identity, signing, sealing)
