"""Secrets for a call: made here, handed out once, kept only as digests.

A kiosk's call token, an advisor's, and an interpreter's invite are each 32 random bytes,
URL-safe; the database holds their SHA-256, so a copy of it cannot join a call.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_call_id() -> str:
    return uuid.uuid4().hex


def new_peer_id() -> str:
    return secrets.token_urlsafe(9)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def matches(token: str, stored_digest: str | None) -> bool:
    """Whether `token` is the one whose digest was kept, in constant time."""
    if stored_digest is None:
        return False
    return hmac.compare_digest(digest(token), stored_digest)
