"""Sealing bytes to one device's public key, so only that device can read them.

The fleet's signed repository is public in effect (any device, any mirror can read it), so a
profile may not carry a back office's API key or the staff-card salt. Those travel in a
secrets document sealed to the device it is for.

The construction is HPKE (RFC 9180) in base mode, DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
AES-256-GCM, from `cryptography`, which the project already pins for the outbox: a published
standard in a kept library, rather than a home-made ECIES or a second crypto library (PyNaCl's
sealed box would do the same job with one more dependency). HPKE's `info` binds a sealed blob
to its purpose and its device, so a blob sealed for another device or another purpose fails
to open rather than being misread.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

MAGIC = b"CKSEAL1\n"
_SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_256_GCM)
# X25519's encapsulated key (32) and AES-GCM's tag (16): nothing shorter can be a sealed blob.
_MIN_BODY = 32 + 16


class SealedError(ValueError):
    """A blob that cannot be opened here. The message says why, never what it holds."""


def _info(purpose: str, device_id: str) -> bytes:
    return f"civic-kiosk/{purpose}/v1/{device_id}".encode()


def seal(recipient: bytes, plaintext: bytes, *, purpose: str, device_id: str) -> bytes:
    """Seal `plaintext` to the device whose raw X25519 public key is `recipient`."""
    public = X25519PublicKey.from_public_bytes(recipient)
    return MAGIC + _SUITE.encrypt(plaintext, public, info=_info(purpose, device_id))


def open_sealed(private: X25519PrivateKey, blob: bytes, *, purpose: str, device_id: str) -> bytes:
    """Open a blob sealed to this device for this purpose, or raise SealedError."""
    if not blob.startswith(MAGIC):
        raise SealedError("not a sealed document (it does not start with the sealed-document header)")
    body = blob[len(MAGIC):]
    if len(body) < _MIN_BODY:
        raise SealedError("a sealed document too short to hold anything (truncated?)")
    try:
        return _SUITE.decrypt(body, private, info=_info(purpose, device_id))
    except (InvalidTag, ValueError):
        raise SealedError(
            f"sealed to another device or for another purpose than {purpose!r} on "
            f"{device_id!r}, or altered in transit"
        ) from None
