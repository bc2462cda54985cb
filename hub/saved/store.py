"""Saved applications in the hub's database: sealed on the way in, opened by reference and
memorable word, deleted on submission, after five wrong words, or at expiry.

Sealing: the snapshot (JSON) is encrypted with AES-256-GCM under the hub's key file, with a
fresh 96-bit nonce per row and the reference as associated data. The word is normalised
(spaces trimmed and collapsed, case folded: "Blue  Sky" and "blue sky" are one word), then
hashed with scrypt under a 16-byte salt of the row's own, and compared in constant time.

Deleting: SQLite runs with `secure_delete` on (hub.db), so a deleted row's bytes are
overwritten in the page that held it; the write-ahead log is then checkpointed and truncated
so no older copy of the page stays in it (docs/hub.md says what a disk may still hold).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Connection, Engine, Table, delete, insert, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from hub.appointments.transactions import writing
from hub.db import normalise_reference
from hub.periodic import PeriodicJob
from hub.saved.tables import SavedApplication
from kiosk.reference import is_reference, new_reference

log = logging.getLogger("hub.saved")

MAX_TRIES = 5
WORD_MIN, WORD_MAX = 4, 40
MAX_SNAPSHOT_BYTES = 48 * 1024
PURGE_EVERY = timedelta(hours=1)
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1, "dklen": 32}
_AAD = b"civic-kiosk saved application v1\x00"
_TABLE = cast(Table, SavedApplication.__table__)


def normalise_word(word: str) -> str:
    return " ".join(word.split()).casefold()


def word_ok(word: str) -> bool:
    return WORD_MIN <= len(normalise_word(word)) <= WORD_MAX


def _hash(word: str, salt: bytes) -> bytes:
    return hashlib.scrypt(normalise_word(word).encode("utf-8"), salt=salt, **_SCRYPT)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Saved:
    reference: str
    expires_at: datetime


@dataclass(frozen=True)
class Opened:
    """The right word: the snapshot, and the token that lets this kiosk delete it on submit."""

    snapshot: dict[str, Any]
    token: str
    expires_at: datetime

    def __repr__(self) -> str:
        return "Opened(<hidden>)"


@dataclass(frozen=True)
class WrongWord:
    tries_left: int


@dataclass(frozen=True)
class Gone:
    """No such saved application (never saved, expired, submitted), or `locked`: that was
    the fifth wrong word and it has just been deleted."""

    locked: bool = False


class SavedStore:
    def __init__(self, engine: Engine, key: bytes, days: int,
                 clock: Callable[[], datetime]) -> None:
        self._engine = engine
        self._aead = AESGCM(key)
        self._days = days
        self.now = clock

    # ----- the three calls a kiosk makes ---------------------------------------------------

    def save(self, snapshot: dict[str, Any], word: str) -> Saved:
        plain = json.dumps(snapshot, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        if len(plain) > MAX_SNAPSHOT_BYTES:
            raise ValueError(f"the snapshot may be at most {MAX_SNAPSHOT_BYTES} bytes")
        salt = secrets.token_bytes(16)
        word_hash = _hash(word, salt)
        now = self.now()
        expires = now + timedelta(days=self._days)
        for _ in range(5):  # 22^6 * 8^2 references: a clash is rare, and retried
            reference = new_reference()
            nonce = secrets.token_bytes(12)
            sealed = self._aead.encrypt(nonce, plain, _AAD + reference.encode("ascii"))
            try:
                with writing(self._engine) as connection:
                    connection.execute(insert(_TABLE).values(
                        reference=reference, word_salt=salt, word_hash=word_hash, nonce=nonce,
                        sealed=sealed, wrong_tries=0, token_digest=None, created_at=now,
                        expires_at=expires))
            except IntegrityError:
                continue
            return Saved(reference, expires)
        raise RuntimeError("could not find a free reference")

    def resume(self, reference: str, word: str) -> Opened | WrongWord | Gone:
        reference = normalise_reference(reference)
        if not is_reference(reference):
            return Gone()
        deleted = False
        try:
            with writing(self._engine) as connection:
                row = connection.execute(
                    select(_TABLE).where(_TABLE.c.reference == reference).with_for_update()
                ).first()
                if row is None:
                    return Gone()
                if row.expires_at <= self.now():
                    self._delete(connection, reference)
                    deleted = True
                    return Gone()
                if not hmac.compare_digest(_hash(word, row.word_salt), row.word_hash):
                    tries = row.wrong_tries + 1
                    if tries >= MAX_TRIES:
                        self._delete(connection, reference)
                        deleted = True
                        return Gone(locked=True)
                    connection.execute(update(_TABLE).where(_TABLE.c.reference == reference)
                                       .values(wrong_tries=tries))
                    return WrongWord(MAX_TRIES - tries)
                try:
                    plain = self._aead.decrypt(row.nonce, row.sealed,
                                               _AAD + reference.encode("ascii"))
                except InvalidTag:
                    # Another key file than the one it was sealed with (a misconfigured hub):
                    # kept, for the right key to open, until it expires.
                    log.error("saved application could not be opened: wrong key file?")
                    return Gone()
                token = secrets.token_urlsafe(24)
                connection.execute(update(_TABLE).where(_TABLE.c.reference == reference)
                                   .values(wrong_tries=0, token_digest=_digest(token)))
                return Opened(json.loads(plain), token, row.expires_at)
        finally:
            if deleted:
                self._scrub()

    def delete(self, reference: str, token: str) -> bool:
        """On submission of a resumed application: only the kiosk that opened it can."""
        reference = normalise_reference(reference)
        with writing(self._engine) as connection:
            row = connection.execute(select(_TABLE.c.token_digest).where(
                _TABLE.c.reference == reference).with_for_update()).first()
            if row is None or row.token_digest is None or not hmac.compare_digest(
                    row.token_digest, _digest(token)):
                return False
            self._delete(connection, reference)
        self._scrub()
        return True

    # ----- expiry ---------------------------------------------------------------------------

    def purge(self, now: datetime | None = None) -> int:
        with writing(self._engine) as connection:
            count = connection.execute(delete(_TABLE).where(
                _TABLE.c.expires_at <= (now or self.now()))).rowcount
        if count:
            self._scrub()
        return int(count)

    def count(self) -> int:
        with self._engine.connect() as connection:
            return len(connection.execute(select(_TABLE.c.reference)).all())

    # ----- deleting for good ----------------------------------------------------------------

    @staticmethod
    def _delete(connection: Connection, reference: str) -> None:
        connection.execute(delete(_TABLE).where(_TABLE.c.reference == reference))

    def _scrub(self) -> None:
        """SQLite: fold the write-ahead log into the database (where secure_delete has zeroed
        the deleted row) and truncate it, so no earlier copy of the row's page survives in
        the log. Best effort: a reader holding the log open lets it truncate next time."""
        if self._engine.dialect.name != "sqlite":
            return
        try:
            with self._engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        except SQLAlchemyError as exc:
            log.warning("saved applications: checkpoint failed: %s", type(exc).__name__)


class SavedPurgeTimer(PeriodicJob):
    """Deletes expired saved applications now and then every hour, until closed."""

    name = "saved-purge"

    def __init__(self, store: SavedStore, every: timedelta = PURGE_EVERY) -> None:
        super().__init__(every, log)
        self._store = store

    def once(self) -> str:
        return f"saved applications purge deleted={self._store.purge()}"
