"""`kiosk-hub collections`: load the council's bin collection calendar into the hub.

    kiosk-hub collections import rounds.csv --bins bins.yaml --exceptions exceptions.csv
    kiosk-hub collections import rounds.csv --replace        a new export in place of the old
    kiosk-hub collections import --exceptions 2027.csv       add next year's bank holidays
    kiosk-hub collections count                              what the hub holds

All or nothing: if any row is malformed, every problem is listed (file, line, column, what
was expected) and nothing is kept. Exit 0 imported, 1 refused or failed, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from hub.cli_database import database_options, run_on_database
from hub.collections_import import CollectionsImport, calendar_counts, import_calendar
from hub.db import shown_url
from hub.lookup_sources.bin_types import CollectionsFileError
from hub.lookup_sources.collections_csv import DATE_EXPECTED, parse_date
from hub.migrate import SchemaNotReady, ready_database

PROG = "kiosk-hub collections"
SHOWN_PROBLEMS = 50  # per file: a broken export can have a problem on every row


def _day(text: str) -> date:
    found = parse_date(text)
    if found is None:
        raise argparse.ArgumentTypeError(f"expected {DATE_EXPECTED}")
    return found


def _parser() -> argparse.ArgumentParser:
    common = database_options()
    parser = argparse.ArgumentParser(prog=PROG, description="The council's bin collection "
                                     "calendar: bin types, rounds and their exceptions.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    load = commands.add_parser("import", parents=[common],
                               help="load rounds (CSV), exceptions (CSV) and bin types (YAML)")
    load.add_argument("rounds", type=Path, nargs="?",
                      help="the rounds: a CSV file with a header line, one row per UPRN and bin")
    load.add_argument("--exceptions", type=Path, metavar="CSV",
                      help="collection days moved or cancelled (bank holidays)")
    load.add_argument("--bins", type=Path, metavar="YAML",
                      help="the bin types: ids, colours and names in each language")
    load.add_argument("--replace", action="store_true",
                      help="each file given replaces what the hub holds of its kind")
    load.add_argument("--week-1", dest="week_one", type=_day, metavar="DATE",
                      help="a day in a week 1 (week A), for rounds given as a day and a week")
    commands.add_parser("count", parents=[common], help="print what the hub holds")
    return parser


def _report(outcome: CollectionsImport) -> int:
    if outcome.unknown_uprns:
        kept = "were not" if outcome.refused else "are"
        if outcome.gazetteer_empty:
            print(f"{PROG}: warning: the gazetteer holds no addresses, so the UPRNs of "
                  f"{outcome.unknown_uprns} rounds could not be checked (they {kept} loaded; "
                  "load it with `kiosk-hub gazetteer import`)", file=sys.stderr)
        else:
            lines = ", ".join(str(n) for n in outcome.unknown_lines)
            more = ", ..." if outcome.unknown_uprns > len(outcome.unknown_lines) else ""
            many = outcome.unknown_uprns > 1
            print(f"{PROG}: warning: {outcome.unknown_uprns} {'rounds are' if many else 'round is'}"
                  f" for UPRNs the gazetteer does not have (line {lines}{more}); "
                  f"{'they' if many else 'it'} {kept} loaded", file=sys.stderr)
    if not outcome.refused:
        for result in outcome.files:
            updated = f" ({result.updated} of them updated)" if result.updated else ""
            print(f"{PROG}: imported {result.loaded} {result.kind} from {result.path}{updated}")
        print(f"{PROG}: done in {outcome.seconds:.1f} s ({outcome.rate:,.0f} rows/s)")
        return 0
    for result in outcome.files:
        if not result.problems:
            continue
        print(f"{PROG}: {result.path}: {result.refused_rows} of {result.rows_read} rows are "
              "malformed:", file=sys.stderr)
        for problem in result.problems[:SHOWN_PROBLEMS]:
            print(f"  {problem}", file=sys.stderr)
        if len(result.problems) > SHOWN_PROBLEMS:
            print(f"  ... and {len(result.problems) - SHOWN_PROBLEMS} more problems",
                  file=sys.stderr)
    print(f"{PROG}: nothing was imported (the collection calendar is unchanged)",
          file=sys.stderr)
    return 1


def main(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    parser = _parser()
    options = parser.parse_args(argv)
    if options.command == "import" and not (options.rounds or options.exceptions
                                            or options.bins):
        parser.error("give a rounds file, --exceptions CSV or --bins YAML (or several)")

    def work(engine: Engine, url: str) -> int:
        ready_database(engine)
        if options.command == "count":
            with engine.connect() as connection:
                bins, rounds, exceptions = calendar_counts(connection)
            print(f"{PROG}: {shown_url(url)} holds {bins} bin types, {rounds} rounds and "
                  f"{exceptions} exceptions")
            return 0
        return _report(import_calendar(engine, rounds=options.rounds,
                                       exceptions=options.exceptions, bins=options.bins,
                                       replace=options.replace, week_one=options.week_one))

    return run_on_database(PROG, options.database, options.state_dir, environ, work,
                           (CollectionsFileError, SchemaNotReady))
