"""Encryption at rest: no plaintext on disk, tampering never sent, nothing left after delivery."""

from __future__ import annotations

import base64
import os
import random
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.clock import FakeClock
from kiosk.outbox import (
    KeyFileError,
    Open311Sender,
    Outbox,
    PayloadCipher,
    PayloadUnreadable,
    Relay,
    connect,
    load_or_create_key,
)
from tests.kiosk.open311_fake import Open311Fake, make_submission

CANARY = "CANARY-7f3a-JANE-DOE-SW1A1AA"


def _encodings(text: str) -> list[bytes]:
    """The canary as it could appear on disk: plain, UTF-16, base64 at every alignment."""
    forms: list[bytes] = []
    for variant in (text, text.lower(), text.upper()):
        raw = variant.encode()
        forms += [raw, variant.encode("utf-16-le"), variant.encode("utf-16-be")]
        for shift in range(3):
            encoded = base64.b64encode(b"\x00" * shift + raw)
            forms.append(encoded[4:-4])  # the stable middle, whatever the alignment
    return forms


def _files(db: Path) -> dict[str, bytes]:
    found = {}
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{db}{suffix}")
        if path.exists():
            found[path.name] = path.read_bytes()
    return found


def _hits(db: Path, needles: list[bytes]) -> list[str]:
    return [name for name, data in _files(db).items() if any(n in data for n in needles)]


@pytest.fixture
def key(tmp_path: Path) -> bytes:
    return load_or_create_key(tmp_path / "keys" / "outbox.key")


@pytest.fixture
def outbox(tmp_path: Path, key: bytes) -> Iterator[Outbox]:
    with Outbox(tmp_path / "outbox.db", key, FakeClock().epoch) as box:
        yield box


def test_the_key_is_created_once_privately_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "state" / "keys" / "outbox.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert load_or_create_key(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["outbox.key"]  # no temp file left
    assert load_or_create_key(tmp_path / "other.key") != key


@pytest.mark.parametrize("size", [0, 16, 33])
def test_a_key_file_of_the_wrong_size_is_a_clear_error(tmp_path: Path, size: int) -> None:
    path = tmp_path / "outbox.key"
    path.write_bytes(b"k" * size)
    with pytest.raises(KeyFileError, match=f"holds {size} bytes, expected 32"):
        load_or_create_key(path)
    assert path.read_bytes() == b"k" * size  # never overwritten


def test_a_payload_opens_only_for_its_own_row_and_destination() -> None:
    cipher = PayloadCipher(os.urandom(32))
    sealed = cipher.seal("sid-1", "council", b"hello")
    assert cipher.open("sid-1", "council", sealed) == b"hello"
    for sid, destination in (("sid-2", "council"), ("sid-1", "other"), ("sid-", "1council")):
        with pytest.raises(PayloadUnreadable):
            cipher.open(sid, destination, sealed)
    with pytest.raises(PayloadUnreadable):
        PayloadCipher(os.urandom(32)).open("sid-1", "council", sealed)
    flipped = bytearray(sealed)
    flipped[20] ^= 1
    with pytest.raises(PayloadUnreadable):
        cipher.open("sid-1", "council", bytes(flipped))


def test_every_encryption_uses_a_fresh_nonce() -> None:
    cipher = PayloadCipher(os.urandom(32))
    nonces = {cipher.seal("s", "d", b"same")[1:13] for _ in range(20_000)}
    assert len(nonces) == 20_000


def test_no_plaintext_reaches_the_disk_while_pending(outbox: Outbox) -> None:
    for _ in range(5):
        outbox.enqueue(make_submission(text=CANARY))
    files = _files(outbox.path)
    assert {"outbox.db", "outbox.db-wal"} <= set(files)
    assert _hits(outbox.path, _encodings(CANARY)) == []
    outbox.checkpoint()  # and once the pages have moved into the main file
    assert _hits(outbox.path, _encodings(CANARY)) == []


def _tamper(db: Path, sql: str, *params: object) -> None:
    conn = connect(db)
    try:
        conn.execute(sql, params)
    finally:
        conn.close()


def _payloads(db: Path) -> dict[str, bytes]:
    conn = connect(db)
    try:
        return dict(conn.execute("SELECT submission_id, payload FROM outbox").fetchall())
    finally:
        conn.close()


def _relay(outbox: Outbox, fake: Open311Fake, *names: str) -> Relay:
    sender = Open311Sender(fake.url, "key", timeout_seconds=5)
    return Relay(outbox, dict.fromkeys(names or ("council",), sender), FakeClock().epoch,
                 random.Random(1))


def test_a_flipped_ciphertext_byte_is_dead_lettered_and_never_sent(outbox: Outbox) -> None:
    submission = make_submission(text=CANARY)
    outbox.enqueue(submission)
    sealed = bytearray(_payloads(outbox.path)[submission.submission_id])
    sealed[40] ^= 0x01
    _tamper(outbox.path, "UPDATE outbox SET payload = ?", bytes(sealed))
    with Open311Fake() as fake:
        [outcome] = _relay(outbox, fake).deliver_due()
        assert (outcome.state, outcome.detail) == ("dead", "payload_unreadable")
        assert fake.received == []


def test_swapped_payloads_are_dead_lettered_and_never_sent(outbox: Outbox) -> None:
    first, second = make_submission(), make_submission()
    outbox.enqueue(first)
    outbox.enqueue(second)
    sealed = _payloads(outbox.path)
    for mine, theirs in ((first, second), (second, first)):
        _tamper(outbox.path, "UPDATE outbox SET payload = ? WHERE submission_id = ?",
                sealed[theirs.submission_id], mine.submission_id)
    with Open311Fake() as fake:
        outcomes = _relay(outbox, fake).deliver_due()
        assert {(o.state, o.detail) for o in outcomes} == {("dead", "payload_unreadable")}
        assert len(outcomes) == 2
        assert fake.received == []


def test_the_table_refuses_a_payload_that_is_not_a_blob(outbox: Outbox) -> None:
    outbox.enqueue(make_submission())
    with pytest.raises(sqlite3.IntegrityError):
        _tamper(outbox.path, "UPDATE outbox SET payload = 'plain text'")


def test_a_row_moved_to_another_destination_is_never_sent(outbox: Outbox) -> None:
    submission = make_submission(destination="council")
    outbox.enqueue(submission)
    _tamper(outbox.path, "UPDATE outbox SET destination = 'elsewhere'")
    with Open311Fake() as fake:
        [outcome] = _relay(outbox, fake, "council", "elsewhere").deliver_due()
        assert (outcome.state, outcome.detail) == ("dead", "payload_unreadable")
        assert fake.received == []


def test_after_delivery_only_metadata_remains(outbox: Outbox) -> None:
    submission = make_submission(text=CANARY)
    outbox.enqueue(submission)
    outbox.enqueue(make_submission())  # a neighbour on the same page stays pending
    conn = connect(outbox.path)
    try:
        (sealed,) = conn.execute("SELECT payload FROM outbox WHERE submission_id = ?",
                                 (submission.submission_id,)).fetchone()
    finally:
        conn.close()
    markers = [sealed[i : i + 24] for i in range(13, len(sealed) - 24, 97)]
    assert _hits(outbox.path, markers) != []  # the marker is findable while pending
    with Open311Fake() as fake:
        outcome = _relay(outbox, fake).deliver(submission.submission_id)
        assert outcome.delivered
        assert outcome.remote_id is not None
        assert fake.service_requests[outcome.remote_id].one("description") == CANARY
    row = outbox.get(submission.submission_id)
    assert row is not None
    assert (row.state, row.has_payload, row.remote_id, row.reference) == (
        "delivered", False, outcome.remote_id, submission.reference)
    assert _hits(outbox.path, markers) == []
    assert _hits(outbox.path, _encodings(CANARY)) == []
    with pytest.raises(PayloadUnreadable):
        outbox.open_payload(submission.submission_id)
