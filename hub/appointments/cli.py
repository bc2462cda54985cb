"""`kiosk-hub appointments ...`: load the council's appointment templates, make a site's
calendar feed token, blank old bookings' personal data.

    kiosk-hub appointments load FILE.yaml             first load (no sites loaded yet)
    kiosk-hub appointments load FILE.yaml --replace   swap in a new file, in one go
    kiosk-hub appointments feed-token SITE            a new feed address for SITE's calendar
    kiosk-hub appointments purge [--days N]           blank personal data N days after

Loading is all or nothing: every problem is listed (the file, the entry, what was expected)
and nothing changes. Exit 0 done, 1 refused or failed, 2 bad arguments.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Engine

from hub.appointments.book import AppointmentBook
from hub.appointments.feed import UnknownSite, make_feed_token
from hub.appointments.loading import load_file
from hub.appointments.purge import DEFAULT_RETENTION_DAYS, purge
from hub.appointments.yaml_file import AppointmentFileError
from hub.cli_database import database_options, run_on_database
from hub.migrate import SchemaNotReady, ready_database
from hub.settings import DEFAULT_TIMEZONE

PROG = "kiosk-hub appointments"
RETENTION_ENV = "KIOSK_HUB_APPOINTMENT_RETENTION_DAYS"


def _parser() -> argparse.ArgumentParser:
    common = database_options()
    parser = argparse.ArgumentParser(prog=PROG, description="Appointments at local points.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    load = commands.add_parser("load", parents=[common],
                               help="load sites, appointment types and slot templates (YAML)")
    load.add_argument("file", type=Path, help="the appointments file")
    load.add_argument("--replace", action="store_true",
                      help="replace the sites, types and templates the hub holds (bookings "
                      "are kept)")
    token = commands.add_parser("feed-token", parents=[common],
                                help="make a new calendar feed token for a site (the old one "
                                "stops working)")
    token.add_argument("site", help="the site's id, e.g. central-library")
    purge_command = commands.add_parser("purge", parents=[common],
                                        help="blank the personal data of past bookings")
    purge_command.add_argument("--days", type=int, help=f"days after the appointment (default "
                               f"${RETENTION_ENV}, else {DEFAULT_RETENTION_DAYS})")
    return parser


def retention_days(flag: int | None, environ: Mapping[str, str]) -> int:
    if flag is not None:
        return flag
    text = environ.get(RETENTION_ENV, "")
    return int(text) if text.isdigit() else DEFAULT_RETENTION_DAYS


def _work(options: argparse.Namespace, environ: Mapping[str, str], engine: Engine) -> int:
    ready_database(engine)
    zone = ZoneInfo(environ.get("KIOSK_HUB_TIMEZONE") or DEFAULT_TIMEZONE)
    book = AppointmentBook(engine, zone)
    if options.command == "load":
        loaded = load_file(engine, options.file, book.now(), replace=options.replace)
        print(f"{PROG}: loaded {loaded.sites} sites, {loaded.types} appointment types and "
              f"{loaded.templates} slot templates from {options.file}")
        return 0
    if options.command == "feed-token":
        token = make_feed_token(engine, book.catalog(), options.site, book.now())
        base = environ.get("KIOSK_HUB_PUBLIC_URL", "").rstrip("/")
        print(f"{PROG}: the calendar feed of {options.site} (give it to the calendar that "
              "subscribes; any earlier address no longer works):")
        print(f"{base}/calendar/{options.site}.ics?token={token}")
        return 0
    days = retention_days(options.days, environ)
    if days < 1:
        print(f"{PROG}: --days must be 1 or more", file=sys.stderr)
        return 2
    done = purge(book, days)
    print(f"{PROG}: blanked the personal data of {done.blanked} bookings that ended more than "
          f"{days} days ago; deleted {done.holds} old holds")
    return 0


def main(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> int:
    environ = os.environ if environ is None else environ
    options = _parser().parse_args(argv)
    if options.command == "load" and not options.file.is_file():
        print(f"{PROG}: {options.file}: no such file", file=sys.stderr)
        return 1

    def work(engine: Engine, url: str) -> int:
        try:
            return _work(options, environ, engine)
        except AppointmentFileError as exc:
            print(f"{PROG}: nothing was loaded (the hub's appointments are unchanged):",
                  file=sys.stderr)
            for problem in exc.problems:
                print(f"  {problem}", file=sys.stderr)
            return 1

    return run_on_database(PROG, options.database, options.state_dir, environ, work,
                           (SchemaNotReady, UnknownSite))
