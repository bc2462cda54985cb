"""Staff passwords: argon2id hashes (argon2-cffi), the rules a new password must meet.

The cost is argon2-cffi's default (RFC 9106's second recommended profile: 64 MiB, 3 passes,
about 0.1 s here), so a stolen database costs an attacker that much per guess. Tests build a
cheap `Passwords` so hundreds of sign-ins take no time; a hash made at one cost verifies at
any other, and `needs_rehash` moves an old hash to the current cost at the next sign-in.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 1024  # hashing a megabyte on every guess would be a cheap way to load the hub


def password_problem(password: str) -> str | None:
    """Why `password` cannot be used, in words for whoever is choosing it; None if it can.

    Length only, as the NCSC advises (three random words make a good one); no composition
    rules, which push people to predictable patterns.
    """
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters (three random words work well)"
    if len(password) > MAX_LENGTH:
        return f"a password may have at most {MAX_LENGTH} characters"
    if password != password.strip():
        return "a password may not start or end with a space"
    return None


class Passwords:
    """Hash and verify; also a dummy verification, so a name with no account takes as long
    to refuse as a wrong password does."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._dummy: str | None = None

    @classmethod
    def cheap_for_tests(cls) -> Passwords:
        return cls(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return True

    def waste_time(self, password: str) -> None:
        """Spend what a verification costs, for a refusal that must not be quicker."""
        if self._dummy is None:
            self._dummy = self._hasher.hash("not any account's password")
        self.verify(self._dummy, password)
