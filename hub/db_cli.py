"""`kiosk-hub db upgrade|current`: the hub's database schema, for IT and deploy scripts.

    kiosk-hub db upgrade     bring the database to this version's schema (safe to repeat;
                             two at once wait for each other); exit 0 when done
    kiosk-hub db current     print the database's revision and the one this code needs;
                             exit 0 if they match, 1 if an upgrade is needed

A SQLite hub upgrades itself when it starts; a PostgreSQL hub needs `db upgrade` first.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence

from sqlalchemy import Engine

from hub.cli_database import database_options, run_on_database
from hub.db import shown_url
from hub.migrate import current_revision, head_revision, upgrade


def _parser() -> argparse.ArgumentParser:
    common = database_options()
    parser = argparse.ArgumentParser(prog="kiosk-hub db",
                                     description="The hub's database schema (Alembic).")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("upgrade", parents=[common], help="bring the schema up to date")
    commands.add_parser("current", parents=[common], help="show the schema's revision")
    return parser


def main(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> int:
    """0 done (or up to date), 1 failed or an upgrade is needed, 2 bad arguments."""
    environ = os.environ if environ is None else environ
    options = _parser().parse_args(argv)

    def work(engine: Engine, url: str) -> int:
        head = head_revision()
        if options.command == "upgrade":
            done = upgrade(engine)
            if done.before == done.after:
                print(f"kiosk-hub db: {shown_url(url)} is up to date (revision {done.after})")
            else:
                print(f"kiosk-hub db: {shown_url(url)} upgraded from revision "
                      f"{done.before or '(empty)'} to {done.after}")
            return 0
        found = current_revision(engine)
        print(f"kiosk-hub db: {shown_url(url)} is at revision {found or '(none)'}; "
              f"this hub needs {head}")
        return 0 if found == head else 1

    return run_on_database("kiosk-hub db", options.database, options.state_dir, environ, work)
