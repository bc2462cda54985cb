"""Alembic's entry point, run by Alembic for every command (a script, so it acts when run).

`hub.migrate` always hands over an open connection in `config.attributes["connection"]`,
already inside the transaction (and, on PostgreSQL, holding the migration lock), so every
migration of one upgrade commits together or not at all.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from hub.migrate import all_tables


def run() -> None:
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run migrations through hub.migrate (kiosk-hub db upgrade)")
    context.configure(connection=connection, target_metadata=all_tables(),
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
