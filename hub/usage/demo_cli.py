"""`kiosk-hub demo-events`: fill the hub with a year of the demo council's usage events, so
the report page (/report) has something to show. script/demo runs it when the hub has none.

    kiosk-hub demo-events [--days 365] [--seed 14] [--if-empty] [--database URL]
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select

from hub.cli_database import database_options, run_on_database
from hub.db import utcnow
from hub.migrate import ready_database
from hub.settings import DEFAULT_TIMEZONE, demo_catalogue_dir
from hub.usage.demo import DEMO_TERMINALS, batches, journeys_from_catalogue
from hub.usage.intake import store_rows
from hub.usage.tables import UsageBatch
from kiosk.catalogue.loader import load_catalogue


def load_demo(engine: Engine, days: int, seed: int, end: date, zone: ZoneInfo) -> int:
    """Store `days` of demo events ending yesterday; the number of events stored."""
    journeys = journeys_from_catalogue(list(load_catalogue(demo_catalogue_dir())))
    first = end - timedelta(days=days)
    stored = 0
    now = utcnow()
    for terminal in DEMO_TERMINALS:
        with engine.connect() as conn:
            for batch in batches(terminal, first, days, seed, journeys=journeys):
                conn.execute(insert(UsageBatch).values(batch_id=batch.batch_id,
                                                       device_id=terminal.device_id,
                                                       received_at=now, events=len(batch.events)))
                store_rows(conn, terminal.device_id, terminal.site, batch, zone)
                stored += len(batch.events)
            conn.commit()
    return stored


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="kiosk-hub demo-events", parents=[database_options()],
                                     description="Generate a year of the demo council's usage "
                                     "events for the report page (/report).")
    parser.add_argument("--days", type=int, default=365, help="how many days, ending yesterday")
    parser.add_argument("--seed", type=int, default=14, help="the same seed makes the same year")
    parser.add_argument("--if-empty", action="store_true",
                        help="do nothing if the hub already has usage events")
    args = parser.parse_args(argv)
    if not 1 <= args.days <= 800:
        parser.error("--days: expected a number from 1 to 800")

    def work(engine: Engine, url: str) -> int:
        ready_database(engine)
        if args.if_empty:
            with engine.connect() as conn:
                if conn.execute(select(UsageBatch.batch_id).limit(1)).first() is not None:
                    print("kiosk-hub demo-events: the hub has usage events already; left as they are")
                    return 0
        zone = ZoneInfo(os.environ.get("KIOSK_HUB_TIMEZONE") or DEFAULT_TIMEZONE)
        count = load_demo(engine, args.days, args.seed, utcnow().astimezone(zone).date(), zone)
        print(f"kiosk-hub demo-events: stored {count:,} events of {len(DEMO_TERMINALS)} demo "
              f"terminals over {args.days} days; see /report")
        return 0

    return run_on_database("kiosk-hub demo-events", args.database, args.state_dir, os.environ,
                           work)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
