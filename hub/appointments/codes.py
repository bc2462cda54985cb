"""Booking references, hold ids, the holder's digest, and the refusals the kiosk API reports.

A reference is `BK-` and two groups of four from an alphabet without the look-alikes 0, O, 1
and I (`23456789ABCDEFGHJKLMNPQRSTUVWXYZ`, 32 characters: 40 random bits), printed on the
receipt and typed back at a kiosk in any case, with or without its dashes and spaces.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_TYPED = re.compile(r"[\s\-]+")
_KEY = re.compile(rf"^BK[{ALPHABET}]{{8}}$")


def new_reference() -> str:
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"BK-{chars[:4]}-{chars[4:]}"


def normalise_booking_reference(typed: str) -> str | None:
    """`bk 7hq2 m9xa`, `BK7HQ2M9XA` and `BK-7HQ2-M9XA` are one reference; None when the text
    cannot be one (so nothing is looked up, or counted, for it)."""
    squeezed = _TYPED.sub("", typed).upper()
    if not _KEY.match(squeezed):
        return None
    return f"BK-{squeezed[2:6]}-{squeezed[6:]}"


def new_hold_id() -> str:
    return secrets.token_hex(16)


def digest(secret: str) -> str:
    """What is kept of a holder's token or a feed token: enough to check one, not to use it."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Wanted:
    """A slot someone asked for: what the "nearest free slots" are measured from."""

    site: str
    type: str
    start: datetime


class Refused(Exception):
    """A kiosk API answer other than success: HTTP status, error code, and for a slot that
    cannot be had, the slot asked for (the API adds the nearest free ones)."""

    def __init__(self, status: int, code: str, message: str, *, input_name: str | None = None,
                 wanted: Wanted | None = None, with_nearest: bool = False) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.input_name = input_name
        self.wanted = wanted
        self.with_nearest = with_nearest or wanted is not None


def slot_taken(wanted: Wanted) -> Refused:
    return Refused(409, "slot_taken", "That time has just been taken: choose another",
                   wanted=wanted)


def hold_expired(wanted: Wanted | None) -> Refused:
    return Refused(409, "hold_expired", "The time was held for too long and has been let go: "
                   "choose a time again", wanted=wanted, with_nearest=True)


def not_found() -> Refused:
    return Refused(404, "not_found", "No booking has that reference and postcode")
