"""Encryption of queued submissions at rest, and the device key that protects them.

A queued submission holds a resident's name, address and answers until the back office has
it, possibly for days if the council's system is down. A stolen or imaged disk must not
reveal it, so every row is sealed with AES-256-GCM before it reaches SQLite.

The associated data binds each ciphertext to its row's submission id and destination: a
ciphertext copied into another row, or a row re-pointed at another destination, fails to
open and is dead-lettered rather than sent somewhere it was never meant to go.

Stopgap: the key lives in a 0600 file on the same disk as the outbox, which protects against
casual copies of the database file but not against theft of the whole disk. It is meant to
move into a systemd credential sealed to the TPM (`LoadCredentialEncrypted=`), so that the
key never rests in the clear; that is a later issue, and `load_or_create_key` is the single
place to change.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_BYTES = 32
NONCE_BYTES = 12
# One leading byte names the format, so a later scheme (say, a per-row key wrapped by a
# TPM-sealed key) can coexist with rows already queued under this one.
_FORMAT_V1 = b"\x01"
_AAD_LABEL = b"civic-kiosk/outbox/v1"


class KeyFileError(Exception):
    """The key file exists but cannot be the key we wrote: refuse rather than guess."""


class PayloadUnreadable(Exception):
    """A sealed payload failed authentication or decoding; its row must never be sent."""


def _aad(submission_id: str, destination: str) -> bytes:
    # NUL separators keep ("ab", "c") and ("a", "bc") distinct.
    return b"\x00".join((_AAD_LABEL, submission_id.encode(), destination.encode()))


class PayloadCipher:
    """Seals and opens row payloads under one device key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != KEY_BYTES:
            raise ValueError(f"outbox key must be {KEY_BYTES} bytes, got {len(key)}")
        self._aead = AESGCM(key)

    def seal(self, submission_id: str, destination: str, plaintext: bytes) -> bytes:
        # A random 96-bit nonce per message: collisions become likely only after ~2^32
        # messages under one key, far beyond a kiosk's lifetime of submissions.
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext, _aad(submission_id, destination))
        return _FORMAT_V1 + nonce + sealed

    def open(self, submission_id: str, destination: str, blob: bytes) -> bytes:
        if len(blob) < 1 + NONCE_BYTES + 16 or blob[:1] != _FORMAT_V1:
            raise PayloadUnreadable("unknown payload format")
        nonce = blob[1 : 1 + NONCE_BYTES]
        try:
            return self._aead.decrypt(
                nonce, blob[1 + NONCE_BYTES :], _aad(submission_id, destination)
            )
        except InvalidTag:
            raise PayloadUnreadable("payload failed authentication") from None


def load_or_create_key(path: Path) -> bytes:
    """Return the device key, creating it on first use.

    Creation writes a temporary file and hard-links it into place, so a crash leaves either
    no key file or a complete one, and two processes racing on first boot agree on one key.
    """
    existing = _read_key(path)
    if existing is not None:
        return existing
    create_key_file(path)
    key = _read_key(path)
    if key is None:
        raise KeyFileError(f"outbox key file {path} vanished while being created")
    return key


def create_key_file(path: Path) -> None:
    """Write a new random key at `path` (0600, in a 0700 folder if it has to make one) unless
    another process got there first: a temporary file hard-linked into place, so a crash
    leaves no key file or a whole one, and two processes racing agree on one key. The caller
    reads the file afterwards (whoever won the race wrote it). The hub's saved applications
    key uses it too."""
    parent = path.parent
    if not parent.exists():
        parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        parent.chmod(0o700)  # mkdir's mode is filtered by the umask
    tmp = parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, secrets.token_bytes(KEY_BYTES))
            os.fsync(fd)
        finally:
            os.close(fd)
        with contextlib.suppress(FileExistsError):  # another process won the race
            os.link(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(parent)


def _read_key(path: Path) -> bytes | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    if len(data) != KEY_BYTES:
        raise KeyFileError(
            f"outbox key file {path} holds {len(data)} bytes, expected {KEY_BYTES}; "
            "it is damaged or not ours. Queued submissions cannot be read without the "
            "original key: restore it, or move the outbox and key aside to start afresh."
        )
    return data


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
