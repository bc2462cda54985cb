"""Bring the hub's database to the schema this code needs, with Alembic, on SQLite or PostgreSQL.

A SQLite hub (one box, the demo) upgrades itself at start-up. A PostgreSQL hub does not:
several processes share that database and may be running different versions during an
upgrade, so IT runs `kiosk-hub db upgrade` once, and each hub refuses to start (saying so)
until the database is at the revision it needs.

An upgrade is one transaction: on PostgreSQL it also holds an advisory lock, so two
upgrades started together run one after the other; on SQLite it is `BEGIN IMMEDIATE`, which
also makes SQLite's DDL part of the transaction. A database made before the hub had
migrations (tables, no `alembic_version`) is recognised and stamped with the revision its
tables match, then upgraded from there.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, inspect, text
from sqlalchemy.orm import Session, sessionmaker

from hub.db import Base

SCRIPT_LOCATION = "hub:migrations"
# pg_advisory_xact_lock key: "kioskhub" as a 64-bit number, unlikely to meet anyone else's.
LOCK_KEY = int.from_bytes(b"kioskhub", "big") & 0x7FFF_FFFF_FFFF_FFFF
# What an unversioned database (made by create_all before migrations) had, newest first.
_BEFORE_MIGRATIONS = (
    ("0002", {"service_requests", "staff_accounts", "staff_sessions", "account_events"}),
    ("0001", {"service_requests"}),
)


# Every module that defines tables on hub.db.Base: the migrations are checked against all.
TABLE_MODULES = ("hub.db", "hub.fleet_db", "hub.tracking_db", "hub.gazetteer_db",
                 "hub.collections_db", "hub.appointments.tables", "hub.calls.tables",
                 "hub.saved.tables", "hub.usage.tables")


def all_tables() -> MetaData:
    for name in TABLE_MODULES:
        importlib.import_module(name)
    return Base.metadata


class SchemaNotReady(Exception):
    """The database is not at the revision this hub needs; the message says what to run."""


@dataclass(frozen=True)
class Upgraded:
    before: str | None
    after: str


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The newest revision in hub/migrations (the files do not change while we run)."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def current_revision(engine: Engine) -> str | None:
    """The database's revision; None for an empty (or unversioned) database."""
    with engine.connect() as connection:
        return _current(connection)


@contextmanager
def _migrating(engine: Engine) -> Iterator[Connection]:
    """A connection inside one transaction that no other upgrade can share."""
    if engine.dialect.name == "sqlite":
        # pysqlite would run DDL outside any transaction: take control of BEGIN/COMMIT.
        with engine.connect() as plain:
            connection = plain.execution_options(isolation_level="AUTOCOMMIT")
            with connection.begin():  # tells Alembic a transaction is already open
                connection.exec_driver_sql("BEGIN IMMEDIATE")
                try:
                    yield connection
                except BaseException:
                    connection.exec_driver_sql("ROLLBACK")
                    raise
                connection.exec_driver_sql("COMMIT")
        return
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        yield connection


def _adopt_unversioned(connection: Connection, config: Config) -> None:
    if _current(connection) is not None:
        return
    tables = set(inspect(connection).get_table_names())
    for revision, needed in _BEFORE_MIGRATIONS:
        if needed <= tables:
            command.stamp(config, revision)
            return


def upgrade(engine: Engine, target: str = "head") -> Upgraded:
    with _migrating(engine) as connection:
        config = alembic_config(connection)
        _adopt_unversioned(connection, config)
        before = _current(connection)
        command.upgrade(config, target)
        after = _current(connection)
    assert after is not None
    return Upgraded(before, after)


def downgrade(engine: Engine, target: str) -> None:
    """For tests of the migrations themselves; the hub never goes back on its own."""
    with _migrating(engine) as connection:
        command.downgrade(alembic_config(connection), target)


def check_current(engine: Engine) -> None:
    """Raise SchemaNotReady unless the database is at this code's head revision."""
    head = head_revision()
    found = current_revision(engine)
    if found == head:
        return
    where = engine.url.render_as_string(hide_password=True)
    state = f"is at revision {found}" if found else "has not been set up by `kiosk-hub db upgrade`"
    raise SchemaNotReady(f"the database {where} {state}; this hub needs revision {head}: "
                         "run `kiosk-hub db upgrade` once, then start the hub again")


def ready_database(engine: Engine) -> sessionmaker[Session]:
    """Sessions on a database at the head revision: SQLite is upgraded, others checked."""
    if engine.dialect.name == "sqlite":
        if current_revision(engine) != head_revision():  # no write lock taken when current
            upgrade(engine)
    else:
        check_current(engine)
    return sessionmaker(engine, expire_on_commit=False)
