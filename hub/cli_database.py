"""What every `kiosk-hub` command that works on the database shares: find the database the
hub would use, open it, run the command, and turn every refusal into one line on stderr with
exit 1 (never a traceback), closing the engine whatever happens."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Mapping

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from hub.db import database_error, make_engine, shown_url
from hub.settings import database_url


def database_options() -> argparse.ArgumentParser:
    """The options every database command takes, as a parent parser for its subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--database", "--database-url", dest="database",
                        help="SQLAlchemy database URL (default: as the hub finds it)")
    common.add_argument("--state-dir", help="folder of the default SQLite database")
    return common


def run_on_database(prog: str, database: str | None, state_dir: str | None,
                    environ: Mapping[str, str], work: Callable[[Engine, str], int],
                    refusals: tuple[type[Exception], ...] = ()) -> int:
    """`work(engine, url)` returns the exit code; an exception in `refusals` (the command's
    own "cannot do that") or a database error is reported as `prog: why` and exits 1."""
    url = database_url(database, state_dir, environ)
    try:
        engine = make_engine(url)
    except (OSError, SQLAlchemyError) as exc:
        print(f"{prog}: cannot use the database {shown_url(url)}: {exc}", file=sys.stderr)
        return 1
    try:
        return work(engine, url)
    except refusals as exc:
        print(f"{prog}: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(f"{prog}: {database_error(url, exc)}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
