"""`kiosk-hub gazetteer import CSV [--replace]`: load the council's addresses into the hub.

    kiosk-hub gazetteer import extract.csv             first load (the table must be empty)
    kiosk-hub gazetteer import extract.csv --replace   swap in a new extract, in one go
    kiosk-hub gazetteer count                          how many addresses the hub holds

All or nothing: if any row is malformed, every problem is listed (line, column, what was
expected) and nothing is kept; the table still holds what it held before. Exit 0 imported,
1 refused or failed, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from sqlalchemy import Engine

from hub.cli_database import database_options, run_on_database
from hub.db import shown_url
from hub.gazetteer_table import address_count, import_csv
from hub.lookup_sources.gazetteer_csv import GazetteerFileError, ImportResult
from hub.migrate import SchemaNotReady, ready_database

PROG = "kiosk-hub gazetteer"
SHOWN_PROBLEMS = 50  # a broken export can have a problem on every row: the first ones say why


def _parser() -> argparse.ArgumentParser:
    common = database_options()
    parser = argparse.ArgumentParser(prog=PROG, description="The council's address gazetteer.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    load = commands.add_parser("import", parents=[common],
                               help="load an AddressBase/LLPG extract (CSV)")
    load.add_argument("csv", type=Path, help="the extract, a CSV file with a header line")
    load.add_argument("--replace", action="store_true",
                      help="replace the addresses the hub holds (in one transaction)")
    commands.add_parser("count", parents=[common], help="print how many addresses are held")
    return parser


def _report(path: Path, result: ImportResult) -> int:
    if not result.problems:
        print(f"{PROG}: imported {result.imported} addresses from {path} in "
              f"{result.seconds:.1f} s ({result.rate:,.0f} rows/s)")
        return 0
    print(f"{PROG}: {path}: {result.refused_rows} of {result.rows_read} rows are malformed; "
          "nothing was imported (the gazetteer is unchanged):", file=sys.stderr)
    for problem in result.problems[:SHOWN_PROBLEMS]:
        print(f"  {problem}", file=sys.stderr)
    if len(result.problems) > SHOWN_PROBLEMS:
        print(f"  ... and {len(result.problems) - SHOWN_PROBLEMS} more problems", file=sys.stderr)
    return 1


def main(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    options = _parser().parse_args(argv)

    def work(engine: Engine, url: str) -> int:
        ready_database(engine)
        if options.command == "count":
            with engine.connect() as connection:
                print(f"{PROG}: {shown_url(url)} holds {address_count(connection)} addresses")
            return 0
        return _report(options.csv, import_csv(engine, options.csv, replace=options.replace))

    return run_on_database(PROG, options.database, options.state_dir, environ, work,
                           (GazetteerFileError, SchemaNotReady))
