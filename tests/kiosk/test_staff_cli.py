"""Enrolling staff from the command line: salts, card fingerprints and PIN hashes that the
profile accepts, and never a UID or PIN on the output."""

from __future__ import annotations

import base64

import pytest

from kiosk import cli
from kiosk.staff import StaffDirectory, StaffPin, card_fingerprint, verify_pin

SALT = base64.b64encode(b"0123456789abcdef0123").decode()


def test_salt_is_fresh_base64_of_32_bytes(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["staff-salt"]) == 0
    assert cli.main(["staff-salt"]) == 0
    first, second = capsys.readouterr().out.split()
    assert first != second
    assert len(base64.b64decode(first)) == 32


def test_card_fingerprint_from_a_uid(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["staff-card", "--salt", SALT, "--uid", "04:A2:24:6B:11:80"]) == 0
    out = capsys.readouterr().out.strip()
    assert out == card_fingerprint(bytes.fromhex("04A2246B1180"), base64.b64decode(SALT))
    assert "04a2246b1180" not in out.lower()


@pytest.mark.parametrize(("args", "message"), [
    (["--salt", "not base64!", "--uid", "04"], "--salt must be base64"),
    (["--salt", SALT, "--uid", "zz"], "--uid must be hex"),
    (["--salt", base64.b64encode(b"short").decode(), "--uid", "04"], "at least 16 bytes"),
])
def test_card_mistakes_are_explained(capsys: pytest.CaptureFixture[str], args: list[str],
                                     message: str) -> None:
    assert cli.main(["staff-card", *args]) == 2
    assert message in capsys.readouterr().err


def test_pin_hash_verifies_and_the_pin_is_not_printed(monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    answers = iter(["864213", "864213"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli.main(["staff-pin"]) == 0
    out = capsys.readouterr().out.strip()
    assert "864213" not in out
    assert verify_pin("864213", out)
    directory = StaffDirectory([], [StaffPin(hash=out, role="staff", label="x")], b"s" * 16)
    assert directory.match_pin("864213") is not None


@pytest.mark.parametrize(("typed", "message"), [(["12", "12"], "4 to 12 digits"),
                                                (["1234", "4321"], "different")])
def test_pin_mistakes_make_nothing(monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str], typed: list[str],
                                   message: str) -> None:
    answers = iter(typed)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli.main(["staff-pin"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert message in captured.err
