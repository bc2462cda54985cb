"""Password hashing at full cost, and the rules for a new password."""

from __future__ import annotations

import pytest

from hub.passwords import MAX_LENGTH, MIN_LENGTH, Passwords, password_problem


def test_full_cost_argon2id() -> None:
    passwords = Passwords()
    stored = passwords.hash("correct horse battery")
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert "correct horse battery" not in stored
    assert passwords.verify(stored, "correct horse battery")
    assert not passwords.verify(stored, "correct horse batterY")
    assert not passwords.verify("not a hash", "anything")
    assert not passwords.needs_rehash(stored)
    assert passwords.needs_rehash(Passwords.cheap_for_tests().hash("x" * MIN_LENGTH))


def test_same_password_hashes_differently() -> None:
    cheap = Passwords.cheap_for_tests()
    assert cheap.hash("correct horse battery") != cheap.hash("correct horse battery")


@pytest.mark.parametrize(("password", "problem"), [
    ("a" * (MIN_LENGTH - 1), "at least"),
    ("a" * (MAX_LENGTH + 1), "at most"),
    (" correct horse battery", "space"),
    ("correct horse battery ", "space"),
])
def test_rules(password: str, problem: str) -> None:
    found = password_problem(password)
    assert found is not None
    assert problem in found


def test_three_words_are_enough() -> None:
    assert password_problem("correct horse battery") is None
    assert password_problem("ŵyn ar y bryn ddoe") is None  # any letters, counted as characters
