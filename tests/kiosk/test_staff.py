"""Staff roles, cards, PINs, the PIN pad's lockout and the staff side of a session."""

from __future__ import annotations

import base64
from itertools import product

import pytest
from pydantic import ValidationError

from kiosk.clock import FakeClock
from kiosk.staff import (
    PERMISSIONS,
    ROLES,
    PinPad,
    StaffCard,
    StaffDirectory,
    StaffMatch,
    StaffPin,
    StaffSession,
    StaffSettings,
    can,
    card_fingerprint,
    hash_pin,
    verify_pin,
)

SALT = b"council-salt-0123456789"
STAFF_UID = bytes.fromhex("04a1b2c3d4e5f6")
IT_UID = bytes.fromhex("04deadbeef0102")
UNKNOWN_UID = bytes.fromhex("04000000000000")
FAST = {"n": 2**10, "r": 8, "p": 1}  # cheap scrypt so the lockout tests stay quick


@pytest.fixture(scope="module")
def directory() -> StaffDirectory:
    cards = [
        StaffCard(fingerprint=card_fingerprint(STAFF_UID, SALT), role="staff", label="Reception 1"),
        StaffCard(fingerprint=card_fingerprint(IT_UID, SALT), role="it", label="IT 1"),
    ]
    pins = [
        StaffPin(hash=hash_pin("2468", **FAST), role="staff", label="Reception PIN"),
        StaffPin(hash=hash_pin("97531", **FAST), role="it", label="IT PIN"),
    ]
    return StaffDirectory(cards, pins, SALT)


# --- permissions -----------------------------------------------------------------------------

EXPECTED = {
    ("staff", "assist"): True, ("staff", "end_session"): True, ("staff", "reprint"): True,
    ("staff", "device_status"): True, ("staff", "maintenance"): False,
    ("it", "assist"): True, ("it", "end_session"): True, ("it", "reprint"): True,
    ("it", "device_status"): True, ("it", "maintenance"): True,
}


@pytest.mark.parametrize(("role", "permission"), list(product(ROLES, PERMISSIONS)))
def test_permissions_table(role: str, permission: str) -> None:
    assert can(role, permission) is EXPECTED[(role, permission)]  # type: ignore[arg-type]


def test_table_covers_every_role_and_permission() -> None:
    assert set(product(ROLES, PERMISSIONS)) == set(EXPECTED)


def test_unknown_role_or_permission_may_do_nothing() -> None:
    assert not can("resident", "assist")  # type: ignore[arg-type]
    assert not can("it", "format_disk")  # type: ignore[arg-type]


# --- cards -----------------------------------------------------------------------------------

def test_card_fingerprint_is_keyed_hmac_hex() -> None:
    fp = card_fingerprint(STAFF_UID, SALT)
    assert len(fp) == 64
    assert int(fp, 16) >= 0
    assert fp == card_fingerprint(STAFF_UID, SALT)
    assert fp != card_fingerprint(STAFF_UID, b"another-council-salt!")
    assert STAFF_UID.hex() not in fp


def test_short_salt_refused() -> None:
    with pytest.raises(ValueError, match="salt"):
        card_fingerprint(STAFF_UID, b"short")
    with pytest.raises(ValueError, match="salt"):
        StaffDirectory([], [], b"short")


def test_right_card_gives_its_role(directory: StaffDirectory) -> None:
    assert directory.role_for_card(STAFF_UID) == "staff"
    assert directory.role_for_card(IT_UID) == "it"
    assert directory.match_card(IT_UID) == StaffMatch("it", "IT 1")


def test_unknown_card_gives_none(directory: StaffDirectory) -> None:
    assert directory.role_for_card(UNKNOWN_UID) is None
    assert directory.role_for_card(b"") is None


def test_raw_uid_not_in_directory_repr(directory: StaffDirectory) -> None:
    directory.role_for_card(STAFF_UID)
    text = repr(directory) + str(directory)
    for uid in (STAFF_UID, IT_UID):
        assert uid.hex() not in text.lower()
        assert uid.hex().upper() not in text
    assert "fingerprint" not in text
    assert SALT.decode() not in text


def test_card_config_rejects_a_raw_uid() -> None:
    with pytest.raises(ValidationError):
        StaffCard(fingerprint=STAFF_UID.hex(), role="staff", label="x")


# --- PINs ------------------------------------------------------------------------------------

def test_pin_round_trip_with_default_cost() -> None:
    encoded = hash_pin("123456")
    scheme, n, r, p, salt, key = encoded.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**14), "8", "1")
    assert len(base64.b64decode(salt)) == 16
    assert len(base64.b64decode(key)) == 32
    assert "123456" not in encoded
    assert verify_pin("123456", encoded)
    assert not verify_pin("123457", encoded)
    assert not verify_pin("", encoded)


def test_same_pin_hashes_differently_each_time() -> None:
    a, b = hash_pin("2468", **FAST), hash_pin("2468", **FAST)
    assert a != b
    assert verify_pin("2468", a)
    assert verify_pin("2468", b)


@pytest.mark.parametrize("pin", ["", "123", "12a4", "1234567890123", " 1234"])
def test_hash_pin_refuses_non_pins(pin: str) -> None:
    with pytest.raises(ValueError, match="PIN"):
        hash_pin(pin)


@pytest.mark.parametrize("encoded", [
    "", "bcrypt$1$2$3$4$5", "scrypt$16384$8$1$salt", "scrypt$x$8$1$AAAA$AAAA",
    "scrypt$1000$8$1$AAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAA",  # n not a power of two
    "scrypt$1073741824$8$1$AAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAA",  # would exhaust memory
    "scrypt$16384$8$1$!!!!$AAAAAAAAAAAAAAAAAAAAAAAA",
])
def test_malformed_pin_hash_refused(encoded: str) -> None:
    with pytest.raises(ValueError, match="PIN hash"):
        verify_pin("1234", encoded)
    with pytest.raises(ValidationError):
        StaffPin(hash=encoded, role="staff", label="x")


def test_directory_matches_pins(directory: StaffDirectory) -> None:
    assert directory.match_pin("2468") == StaffMatch("staff", "Reception PIN")
    assert directory.match_pin("97531") == StaffMatch("it", "IT PIN")
    assert directory.match_pin("0000") is None
    assert directory.match_pin("not a pin") is None


def test_settings_build_a_directory() -> None:
    settings = StaffSettings.model_validate({
        "salt": base64.b64encode(SALT).decode(),
        "cards": [{"fingerprint": card_fingerprint(IT_UID, SALT), "role": "it", "label": "IT 1"}],
        "pins": [{"hash": hash_pin("2468", **FAST), "role": "staff", "label": "Desk"}],
    })
    built = StaffDirectory.from_settings(settings)
    assert built.role_for_card(IT_UID) == "it"
    assert built.match_pin("2468") == StaffMatch("staff", "Desk")


@pytest.mark.parametrize("salt", ["not base64!", base64.b64encode(b"short").decode()])
def test_settings_refuse_bad_salt(salt: str) -> None:
    with pytest.raises(ValidationError):
        StaffSettings(salt=salt)


def test_settings_refuse_unknown_role_and_fields() -> None:
    with pytest.raises(ValidationError):
        StaffCard.model_validate({"fingerprint": "0" * 64, "role": "admin", "label": "x"})
    with pytest.raises(ValidationError):
        StaffCard.model_validate({"fingerprint": "0" * 64, "role": "it", "label": "x", "uid": "04"})


# --- the PIN pad -----------------------------------------------------------------------------

def _fail(pad: PinPad, times: int) -> None:
    for _ in range(times):
        pad.try_pin("0000")


def test_right_pin_accepted(directory: StaffDirectory) -> None:
    pad = PinPad(directory, FakeClock())
    result = pad.try_pin("2468")
    assert result.outcome == "accepted"
    assert result.role == "staff"


def test_wrong_pins_count_down_then_lock(directory: StaffDirectory) -> None:
    pad = PinPad(directory, FakeClock())
    lefts = [pad.try_pin("0000") for _ in range(4)]
    assert [r.outcome for r in lefts] == ["refused"] * 4
    assert [r.attempts_left for r in lefts] == [4, 3, 2, 1]
    assert all(r.role is None for r in lefts)
    fifth = pad.try_pin("0000")
    assert fifth.outcome == "locked"
    assert fifth.locked_for == 300
    assert fifth.role is None
    assert pad.locked_for() == 300


def test_lockout_countdown_and_expiry(directory: StaffDirectory) -> None:
    clock = FakeClock()
    pad = PinPad(directory, clock)
    _fail(pad, 5)
    start = clock.monotonic()
    assert pad.locked_for(start) == 300
    assert pad.locked_for(start + 0.4) == 300  # rounded up: never shows 0 while locked
    assert pad.locked_for(start + 1) == 299
    clock.advance(120)
    assert pad.locked_for() == 180
    clock.advance(179.5)
    assert pad.locked_for() == 1
    clock.advance(0.5)
    assert pad.locked_for() == 0
    assert pad.try_pin("2468").outcome == "accepted"


def test_right_pin_during_lockout_refused(directory: StaffDirectory) -> None:
    clock = FakeClock()
    pad = PinPad(directory, clock)
    _fail(pad, 5)
    clock.advance(299)
    result = pad.try_pin("2468")
    assert result.outcome == "locked"
    assert result.role is None
    assert result.locked_for == 1
    # Attempts during a lockout do not extend it.
    clock.advance(1)
    assert pad.try_pin("2468").role == "staff"


def test_lockout_ends_with_a_fresh_run_of_attempts(directory: StaffDirectory) -> None:
    clock = FakeClock()
    pad = PinPad(directory, clock)
    _fail(pad, 5)
    clock.advance(300)
    assert pad.locked_for() == 0
    assert pad.try_pin("0000").attempts_left == 4


def test_right_pin_resets_the_count(directory: StaffDirectory) -> None:
    pad = PinPad(directory, FakeClock())
    _fail(pad, 4)
    assert pad.try_pin("97531").role == "it"
    results = [pad.try_pin("0000") for _ in range(4)]
    assert all(r.outcome == "refused" for r in results)
    assert pad.locked_for() == 0


def test_malformed_input_counts_as_a_wrong_pin(directory: StaffDirectory) -> None:
    pad = PinPad(directory, FakeClock())
    assert pad.try_pin("").outcome == "refused"
    assert pad.try_pin("abcd").attempts_left == 3


# --- the staff side of a session -------------------------------------------------------------

def test_session_starts_unassisted_with_nobody_acting() -> None:
    session = StaffSession()
    assert session.actor is None
    assert not session.assisted
    assert session.entered_by() == {}
    assert not session.allows("assist")
    with pytest.raises(PermissionError):
        session.mark_assisted()


def test_take_over_and_permissions() -> None:
    session = StaffSession()
    actor = session.take_over(StaffMatch("staff", "Reception 1"), "card")
    assert (actor.role, actor.via, actor.label) == ("staff", "card", "Reception 1")
    assert session.allows("reprint")
    assert not session.allows("maintenance")
    with pytest.raises(PermissionError):
        session.require("maintenance")
    session.take_over(StaffMatch("it", "IT PIN"), "pin")
    assert session.require("maintenance").via == "pin"


def test_entered_by_record() -> None:
    session = StaffSession()
    session.record_entry("describe_problem", "resident")
    with pytest.raises(PermissionError):
        session.record_entry("location", "staff")  # nobody from staff is acting
    session.take_over(StaffMatch("staff", "Reception 1"), "card")
    session.record_entry("location", "staff")
    assert session.assisted
    session.hand_back()
    assert session.actor is None
    assert session.assisted
    session.record_entry("contact", "resident")
    session.record_entry("location", "resident")  # resident re-entered it: latest wins
    assert session.entered_by() == {
        "describe_problem": "resident", "location": "resident", "contact": "resident",
    }


def test_entered_by_is_a_copy_and_dropped_on_clear() -> None:
    session = StaffSession()
    session.take_over(StaffMatch("it", "IT 1"), "card")
    session.mark_assisted()
    session.record_entry("location", "staff")
    snapshot = session.entered_by()
    snapshot["location"] = "resident"
    assert session.entered_by() == {"location": "staff"}
    session.clear()
    assert session.actor is None
    assert not session.assisted
    assert session.entered_by() == {}


@pytest.mark.parametrize("page_id", ["", "Location", "12 High Street", "a b"])
def test_record_entry_refuses_non_page_ids(page_id: str) -> None:
    with pytest.raises(ValueError, match="page"):
        StaffSession().record_entry(page_id, "resident")


def test_record_entry_refuses_unknown_author() -> None:
    with pytest.raises(ValueError, match="by"):
        StaffSession().record_entry("location", "advisor")  # type: ignore[arg-type]
