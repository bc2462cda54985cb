"""A terminal's signed envelope, as heartbeats and usage batches arrive: `device_id`, the
`body` as the exact string the device signed, and its Ed25519 `signature` (base64).

One reader for both intakes, so the two cannot drift on what counts as well-formed: exactly
those three string keys, an ASCII body within the intake's limit, a 64-byte signature, and
(when the intake asks) a device id of the form devices are given.
"""

from __future__ import annotations

import binascii
import json
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.device_identity import unb64, valid_device_id


@dataclass(frozen=True)
class Envelope:
    device_id: str
    body: bytes
    signature: bytes


def read_envelope(raw: bytes, *, max_body: int | None = None,
                  check_device_id: bool = False) -> Envelope | None:
    """The envelope in `raw`, or None when it is not one."""
    try:
        outer = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(outer, dict) or set(outer) != {"device_id", "body", "signature"}:
        return None
    device_id, body, signature = outer["device_id"], outer["body"], outer["signature"]
    if not (isinstance(device_id, str) and isinstance(body, str) and isinstance(signature, str)):
        return None
    try:
        signed, sig = body.encode("ascii"), unb64(signature)
    except (UnicodeEncodeError, ValueError, binascii.Error):
        return None
    if (max_body is not None and len(signed) > max_body) or len(sig) != 64:
        return None
    if check_device_id and not valid_device_id(device_id):
        return None
    return Envelope(device_id, signed, sig)


def signed_by(signing_public: bytes, envelope: Envelope) -> bool:
    """Whether the device's public key verifies the body's signature."""
    try:
        Ed25519PublicKey.from_public_bytes(signing_public).verify(envelope.signature, envelope.body)
    except (InvalidSignature, ValueError):
        return False
    return True
