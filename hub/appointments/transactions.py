"""One writing transaction that no other writer can interleave with, on either database.

SQLite: `BEGIN IMMEDIATE` takes the write lock before the first read, so a transaction never
decides on rows another writer is about to change (a deferred one would read, then fail to
upgrade its lock). PostgreSQL: an ordinary read-committed transaction; rows that decide
something are locked (`FOR UPDATE`) and the unique seat constraint settles any race between
processes, the loser retrying (`hub.appointments.holds`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            yield connection
        return
    with engine.connect() as plain:
        # pysqlite would open its own deferred transaction: take control of BEGIN/COMMIT.
        connection = plain.execution_options(isolation_level="AUTOCOMMIT")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield connection
        except BaseException:
            connection.exec_driver_sql("ROLLBACK")
            raise
        connection.exec_driver_sql("COMMIT")
