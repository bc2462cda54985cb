"""Staff beside the terminal: who may do what, staff cards, PINs and the staff overlay's session.

A member of staff takes over a resident's session with a staff card or a PIN. Neither is kept
in a form that could be replayed:

- a card is known only by `card_fingerprint`, an HMAC-SHA256 of its UID under a per-council
  salt, so the profile (a published TUF target) never holds a raw UID, and a leaked profile
  cannot be matched against another council's cards;
- a PIN is known only by a scrypt hash with its own random salt (`hash_pin`).

Five wrong PINs in a row lock the pad for five minutes (`PinPad`), timed on the injected
clock's monotonic time so a wall-clock change can neither end nor extend a lockout.

The profile can adopt `StaffSettings` as its `staff:` section; `StaffDirectory.from_settings`
turns it into the object the kiosk checks against.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from kiosk.clock import Clock
from kiosk.identifiers import IDENTIFIER
from kiosk.secrets import Secret

Role = Literal["staff", "it"]
Permission = Literal["assist", "end_session", "reprint", "device_status", "maintenance"]
Via = Literal["card", "pin"]
EnteredBy = Literal["resident", "staff"]

ROLES: tuple[Role, ...] = get_args(Role)
PERMISSIONS: tuple[Permission, ...] = get_args(Permission)

_BOTH: frozenset[Permission] = frozenset({"assist", "end_session", "reprint", "device_status"})
GRANTS: Mapping[Role, frozenset[Permission]] = {
    "staff": _BOTH,
    "it": _BOTH | {"maintenance"},
}


def can(role: Role, permission: Permission) -> bool:
    """Whether `role` may do `permission`. Unknown roles or permissions may do nothing."""
    return permission in GRANTS.get(role, frozenset())


# --- staff cards -----------------------------------------------------------------------------

MIN_SALT_BYTES = 16
_FINGERPRINT = r"^[0-9a-f]{64}$"


def card_fingerprint(uid: bytes, salt: bytes) -> str:
    """HMAC-SHA256 of a card UID under the council's salt, as lowercase hex."""
    if len(salt) < MIN_SALT_BYTES:
        raise ValueError(f"the card salt must be at least {MIN_SALT_BYTES} bytes")
    return hmac.new(salt, uid, hashlib.sha256).hexdigest()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StaffCard(_Strict):
    """One staff card, as IT enrols it (`kiosk-admin` computes the fingerprint)."""

    fingerprint: str = Field(pattern=_FINGERPRINT, description="card_fingerprint(uid, salt), hex.")
    role: Role
    label: str = Field(min_length=1, max_length=60,
                       description="Which card, for IT (e.g. 'Reception card 3'); never a UID.")


# --- PINs ------------------------------------------------------------------------------------

PIN_PATTERN = re.compile(r"^[0-9]{4,12}$")
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
_SCRYPT_SALT_BYTES = 16
_SCRYPT_KEY_BYTES = 32
# Refuse cost parameters that would exhaust memory when verifying (128 * r * n bytes).
_SCRYPT_MAXMEM = 64 * 1024 * 1024


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(pin: str, salt: bytes, n: int, r: int, p: int, length: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=length,
                          maxmem=_SCRYPT_MAXMEM)


def hash_pin(pin: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """Encode a PIN as `scrypt$n$r$p$salt_b64$hash_b64` with a fresh random salt."""
    if not PIN_PATTERN.match(pin):
        raise ValueError("a PIN is 4 to 12 digits")
    salt = secrets.token_bytes(_SCRYPT_SALT_BYTES)
    key = _scrypt(pin, salt, n, r, p, _SCRYPT_KEY_BYTES)
    return f"scrypt${n}${r}${p}${_b64(salt)}${_b64(key)}"


@dataclass(frozen=True)
class _PinHash:
    n: int
    r: int
    p: int
    salt: bytes
    key: bytes


def _parse_pin_hash(encoded: str) -> _PinHash:
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        raise ValueError("a PIN hash looks like scrypt$n$r$p$salt$hash")
    try:
        n, r, p = (int(x) for x in parts[1:4])
        salt = base64.b64decode(parts[4], validate=True)
        key = base64.b64decode(parts[5], validate=True)
    except (ValueError, binascii.Error) as exc:
        raise ValueError("a PIN hash has numbers for n, r, p and base64 salt and hash") from exc
    if n < 2 or n & (n - 1) or not (1 <= r <= 32 and 1 <= p <= 16) or 128 * r * n > _SCRYPT_MAXMEM // 2:
        raise ValueError("a PIN hash's scrypt parameters are out of range")
    if len(salt) < 8 or len(key) < 16:
        raise ValueError("a PIN hash's salt or hash is too short")
    return _PinHash(n, r, p, salt, key)


def verify_pin(pin: str, encoded: str) -> bool:
    """Whether `pin` matches a `hash_pin` encoding. A malformed encoding raises ValueError."""
    stored = _parse_pin_hash(encoded)
    candidate = _scrypt(pin, stored.salt, stored.n, stored.r, stored.p, len(stored.key))
    return hmac.compare_digest(candidate, stored.key)


class StaffPin(_Strict):
    """One staff PIN, as IT enrols it (`hash_pin` output, never the PIN)."""

    hash: str = Field(description="scrypt$n$r$p$salt_b64$hash_b64, from hash_pin.")
    role: Role
    label: str = Field(min_length=1, max_length=60)

    @field_validator("hash")
    @classmethod
    def _well_formed(cls, value: str) -> str:
        _parse_pin_hash(value)
        return value


class StaffSettings(_Strict):
    """The profile's `staff:` section."""

    salt: Secret = Field(description="Base64 salt for card fingerprints, at least 16 bytes.")
    cards: tuple[StaffCard, ...] = ()
    pins: tuple[StaffPin, ...] = ()

    @field_validator("salt")
    @classmethod
    def _salt_long_enough(cls, value: str) -> str:
        try:
            raw = base64.b64decode(value, validate=True)
        except binascii.Error as exc:
            raise ValueError("salt must be base64") from exc
        if len(raw) < MIN_SALT_BYTES:
            raise ValueError(f"salt must decode to at least {MIN_SALT_BYTES} bytes")
        return value

    def salt_bytes(self) -> bytes:
        return base64.b64decode(self.salt, validate=True)


# --- the directory ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffMatch:
    """Who was recognised: a role and the enrolment's label (never the card or PIN)."""

    role: Role
    label: str


class StaffDirectory:
    """The enrolled cards and PINs. Holds fingerprints and hashes only."""

    def __init__(self, cards: Iterable[StaffCard], pins: Iterable[StaffPin], salt: bytes) -> None:
        if len(salt) < MIN_SALT_BYTES:
            raise ValueError(f"the card salt must be at least {MIN_SALT_BYTES} bytes")
        self._cards = tuple(cards)
        self._pins = tuple(pins)
        self._salt = salt

    @classmethod
    def from_settings(cls, settings: StaffSettings) -> StaffDirectory:
        return cls(settings.cards, settings.pins, settings.salt_bytes())

    @property
    def has_pins(self) -> bool:
        return bool(self._pins)

    def __repr__(self) -> str:
        return f"StaffDirectory({len(self._cards)} cards, {len(self._pins)} PINs)"

    def match_card(self, uid: bytes) -> StaffMatch | None:
        """The enrolment for a presented card UID. Compares every card in constant time."""
        seen = card_fingerprint(uid, self._salt).encode("ascii")
        found: StaffMatch | None = None
        for card in self._cards:
            # Compare them all: how long this takes says nothing about which card matched.
            if hmac.compare_digest(seen, card.fingerprint.encode("ascii")) and found is None:
                found = StaffMatch(card.role, card.label)
        return found

    def role_for_card(self, uid: bytes) -> Role | None:
        found = self.match_card(uid)
        return found.role if found else None

    def match_pin(self, pin: str) -> StaffMatch | None:
        """The enrolment a PIN opens. Every PIN hash is tried so timing does not say which."""
        if not PIN_PATTERN.match(pin):
            return None
        found: StaffMatch | None = None
        for entry in self._pins:
            if verify_pin(pin, entry.hash) and found is None:
                found = StaffMatch(entry.role, entry.label)
        return found


# --- the PIN pad -----------------------------------------------------------------------------

PinOutcome = Literal["accepted", "refused", "locked"]
MAX_FAILURES = 5
LOCKOUT_SECONDS = 300.0


@dataclass(frozen=True)
class PinResult:
    """What one PIN attempt came to.

    `locked` is returned both for the attempt that caused the lockout and for any attempt made
    during it (which is not checked and does not count). `locked_for` is whole seconds left.
    """

    outcome: PinOutcome
    match: StaffMatch | None = None
    attempts_left: int = 0
    locked_for: int = 0

    @property
    def role(self) -> Role | None:
        return self.match.role if self.match else None


class PinPad:
    """Checks PINs, locking for `lockout_seconds` after `max_failures` wrong ones in a row."""

    def __init__(self, directory: StaffDirectory, clock: Clock, *,
                 max_failures: int = MAX_FAILURES, lockout_seconds: float = LOCKOUT_SECONDS) -> None:
        self._directory = directory
        self._clock = clock
        self._max_failures = max_failures
        self._lockout_seconds = lockout_seconds
        self._failures = 0
        self._locked_until: float | None = None

    def locked_for(self, now: float | None = None) -> int:
        """Whole seconds of lockout left (0 when unlocked), for the countdown on screen.

        `now` is the clock's monotonic time; the clock is read when it is not given.
        """
        if self._locked_until is None:
            return 0
        at = self._clock.monotonic() if now is None else now
        left = self._locked_until - at
        if left <= 0:
            # The lockout ends by itself, with a fresh run of attempts.
            self._locked_until = None
            self._failures = 0
            return 0
        return math.ceil(left)

    def try_pin(self, pin: str) -> PinResult:
        left = self.locked_for()
        if left:
            return PinResult("locked", locked_for=left)
        match = self._directory.match_pin(pin)
        if match is not None:
            self._failures = 0
            return PinResult("accepted", match=match, attempts_left=self._max_failures)
        self._failures += 1
        if self._failures >= self._max_failures:
            self._locked_until = self._clock.monotonic() + self._lockout_seconds
            return PinResult("locked", locked_for=self.locked_for())
        return PinResult("refused", attempts_left=self._max_failures - self._failures)


# --- the staff side of one resident session --------------------------------------------------

_PAGE_ID = re.compile(IDENTIFIER)


@dataclass(frozen=True)
class Actor:
    """The member of staff acting now: their role, how they signed in, the enrolment's label."""

    role: Role
    via: Via
    label: str


class StaffSession:
    """The staff side of one resident session; made with the session and dropped with it.

    Holds who is acting, whether the session was assisted, and for each answered page whether
    the resident or staff entered it. Holds no answers.
    """

    def __init__(self) -> None:
        self._actor: Actor | None = None
        self._assisted = False
        self._entered_by: dict[str, EnteredBy] = {}

    @property
    def actor(self) -> Actor | None:
        return self._actor

    @property
    def assisted(self) -> bool:
        return self._assisted

    def take_over(self, match: StaffMatch, via: Via) -> Actor:
        self._actor = Actor(match.role, via, match.label)
        return self._actor

    def hand_back(self) -> None:
        """Staff step away; the resident carries on (the session stays marked if assisted)."""
        self._actor = None

    def allows(self, permission: Permission) -> bool:
        return self._actor is not None and can(self._actor.role, permission)

    def require(self, permission: Permission) -> Actor:
        if self._actor is None or not can(self._actor.role, permission):
            raise PermissionError(f"no staff member acting may {permission}")
        return self._actor

    def mark_assisted(self) -> None:
        self.require("assist")
        self._assisted = True

    def record_entry(self, page_id: str, by: EnteredBy) -> None:
        """Record who entered the answer on `page_id` (the latest entry wins).

        Staff entering an answer needs the assist permission and marks the session assisted.
        """
        if not _PAGE_ID.match(page_id):
            raise ValueError("page_id must be a catalogue page identifier")
        if by not in ("resident", "staff"):
            raise ValueError("by must be 'resident' or 'staff'")
        if by == "staff":
            self.mark_assisted()
        self._entered_by[page_id] = by

    def entering(self) -> EnteredBy:
        """Who is answering now: staff while one is acting on an assisted session."""
        return "staff" if self._actor is not None and self._assisted else "resident"

    def entered_by(self) -> dict[str, str]:
        return dict(self._entered_by)

    def clear(self) -> None:
        """Forget everything, as when the resident session ends."""
        self._actor = None
        self._assisted = False
        self._entered_by.clear()


__all__ = [
    "GRANTS", "LOCKOUT_SECONDS", "MAX_FAILURES", "PERMISSIONS", "ROLES", "Actor", "EnteredBy",
    "Permission", "PinOutcome", "PinPad", "PinResult", "Role", "StaffCard", "StaffDirectory",
    "StaffMatch", "StaffPin", "StaffSession", "StaffSettings", "Via", "can", "card_fingerprint",
    "hash_pin", "verify_pin",
]
