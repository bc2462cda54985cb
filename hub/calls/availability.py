"""Which advisors are available: set from the console, kept alive by its polls.

An advisor is available from the moment they say so until they say otherwise, or until 60 s
pass without their console asking for the queue: a closed tab or a sleeping laptop does not
count as someone waiting to answer. A lapse sticks: the next poll finds the advisor not
available, and the console shows that, until they choose to be available again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hub.calls.tables import AdvisorAvailability

LAPSE = timedelta(seconds=60)


def set_available(connection: Connection, account: str, available: bool, now: datetime) -> None:
    """One upsert, so two tabs of the same advisor cannot trip over each other's insert."""
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(AdvisorAvailability).values(
        account=account, available=available, last_seen=now)
    connection.execute(statement.on_conflict_do_update(
        index_elements=[AdvisorAvailability.account],
        set_={"available": available, "last_seen": now}))


def poll(connection: Connection, account: str, now: datetime) -> bool:
    """The console asked for the queue: whether this advisor is (still) available."""
    row = connection.execute(select(AdvisorAvailability.available, AdvisorAvailability.last_seen)
                             .where(AdvisorAvailability.account == account)).first()
    if row is None:
        return False
    available = bool(row.available) and row.last_seen >= now - LAPSE
    connection.execute(update(AdvisorAvailability)
                       .where(AdvisorAvailability.account == account)
                       .values(available=available, last_seen=now))
    return available


def available_count(connection: Connection, now: datetime) -> int:
    """Advisors available now (those in a call included: they are on duty)."""
    count = connection.execute(
        select(func.count()).select_from(AdvisorAvailability)
        .where(AdvisorAvailability.available.is_(True),
               AdvisorAvailability.last_seen >= now - LAPSE)).scalar_one()
    return int(count)
