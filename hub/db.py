"""Where service requests are kept: SQLite on one box, PostgreSQL for a fleet, same models.

The tables are made and changed only by the Alembic migrations in `hub/migrations`
(`hub.migrate`); a model changed here needs a migration, or tests/hub/test_migrations.py fails.

SQLite runs in WAL mode with synchronous=FULL: a kiosk deletes its outbox row once the hub
has answered, so an answer must never be given for a row a power cut could still lose.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    DateTime,
    Engine,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

_SPACES = re.compile(r"\s+")


def normalise_reference(reference: str) -> str:
    """Receipts are read aloud and retyped, so case and spacing must not matter."""
    return _SPACES.sub("", reference).upper()


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, whatever the database does with zones."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: give a timezone")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# Every constraint and index gets a name the migrations can refer to, the same on SQLite and
# PostgreSQL (left to themselves they name them differently, or not at all).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ServiceRequest(Base):
    """One Open311 service request as received, plus the kiosk's own reference.

    A "tell us once" submission is one reference with several parts (the kiosk's delivery
    ids), one request each: the reference is unique per part. A single-destination report's
    part is "". (The server default lets an older hub insert during a PostgreSQL upgrade.)"""

    __tablename__ = "service_requests"
    __table_args__ = (UniqueConstraint("kiosk_reference", "kiosk_part",
                                       name="uq_service_requests_kiosk_reference_part"),)

    service_request_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    service_code: Mapped[str] = mapped_column(String(100), index=True)
    service_name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)
    status_notes: Mapped[str] = mapped_column(Text, default="")
    service_notice: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")
    address_string: Mapped[str] = mapped_column(Text, default="")
    address_id: Mapped[str] = mapped_column(String(255), default="")
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    long: Mapped[float | None] = mapped_column(Float, nullable=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(64), default="")
    first_name: Mapped[str] = mapped_column(String(255), default="")
    last_name: Mapped[str] = mapped_column(String(255), default="")
    device_id: Mapped[str] = mapped_column(String(255), default="")
    account_id: Mapped[str] = mapped_column(String(255), default="")
    media_url: Mapped[str] = mapped_column(Text, default="")
    attributes: Mapped[str] = mapped_column(Text, default="{}")
    kiosk_reference: Mapped[str | None] = mapped_column(String(64), nullable=True)
    kiosk_part: Mapped[str] = mapped_column(String(64), default="", server_default="")
    idempotency_key: Mapped[str | None] = mapped_column(String(255), unique=True, nullable=True)
    requested_datetime: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_datetime: Mapped[datetime] = mapped_column(UTCDateTime)
    expected_datetime: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    agency_responsible: Mapped[str] = mapped_column(String(255), default="")


class StaffAccount(Base):
    """Someone who signs in to the hub's staff pages. Names are kept lower-case."""

    __tablename__ = "staff_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StaffSession(Base):
    """A signed-in browser. Only a digest of the cookie's token is kept, so a copy of the
    database cannot be used to sign in; every hub process sharing the database sees it."""

    __tablename__ = "staff_sessions"

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("staff_accounts.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class AccountEvent(Base):
    """The audit: sign-ins, failures, lock-outs, sign-outs and account changes. Never a
    password, and never a name typed for an account that does not exist (it may be one)."""

    __tablename__ = "account_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    event: Mapped[str] = mapped_column(String(32))
    account_name: Mapped[str] = mapped_column(String(64), default="", index=True)
    client: Mapped[str] = mapped_column(String(64), default="", index=True)
    detail: Mapped[str] = mapped_column(String(200), default="")


def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows are overwritten, not just unlinked: a saved application deleted on
        # submission or expiry must not stay readable in free pages (hub/saved/store.py).
        cursor.execute("PRAGMA secure_delete=ON")
    finally:
        cursor.close()


def shown_url(database_url: str) -> str:
    """The URL with any password masked, for messages and logs."""
    try:
        return make_url(database_url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(an unreadable database URL)"


def database_error(database_url: str, exc: SQLAlchemyError) -> str:
    """One line for whoever runs the hub: which database, and the driver's first line."""
    origin = getattr(exc, "orig", None) or exc
    reason = (str(origin).strip().splitlines() or [type(origin).__name__])[0]
    return f"cannot use the database {shown_url(database_url)}: {reason}"


def make_engine(database_url: str) -> Engine:
    """An engine for `database_url`, creating the SQLite file's folder when it is missing.
    `postgresql://...` means psycopg 3 (the one PostgreSQL driver the hub installs)."""
    url = make_url(database_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")  # psycopg 3, whatever the default
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    database = url.database or ""
    in_memory = database in ("", ":memory:") or "mode=memory" in database
    if not in_memory and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        # A writer waits up to 30 s for another (the sqlite3 default is 5): a second host's
        # `db upgrade` waits out the first one's whole upgrade, which grows with every
        # migration and, on a loaded machine, passed 5 s (a CI run failed so).
        connect_args={"check_same_thread": False, "timeout": 30},
        poolclass=StaticPool if in_memory else None,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine
