"""The usage tables: batches received (for idempotency), raw events (kept 13 months by
default, `hub.usage.retention`), and the aggregates the report reads.

`usage_counts` holds, for each local month, site, terminal and service, how many visits (or
journeys) fell under each measure's key (`hub.usage.measures`): the hour of the week is one
of those measures (`slot`), so the busiest-hours heat map reads the aggregates as every
other figure does. Aggregates are changed only in the transaction that stores the events
they count, and are kept when raw events are purged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime


class UsageBatch(Base):
    """One batch a terminal sent; its id's uniqueness is what makes a retry count once."""

    __tablename__ = "usage_batches"

    batch_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    events: Mapped[int] = mapped_column(Integer)


class UsageEventRow(Base):
    """One event as received: codes only (`kiosk.usage_events.UsageEvent`), the hour coarse."""

    __tablename__ = "usage_events"
    __table_args__ = (Index("ix_usage_events_device_visit", "device_id", "visit"),)

    # 64 bits on PostgreSQL; only a column declared INTEGER is SQLite's (64-bit) rowid.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    batch_id: Mapped[str] = mapped_column(String(32))
    device_id: Mapped[str] = mapped_column(String(64))
    site: Mapped[str] = mapped_column(String(64))
    visit: Mapped[str] = mapped_column(String(16))
    seq: Mapped[int] = mapped_column(Integer)
    hour: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    kind: Mapped[str] = mapped_column(String(20))
    service: Mapped[str | None] = mapped_column(String(64), nullable=True)
    page: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reason: Mapped[str | None] = mapped_column(String(12), nullable=True)
    duration: Mapped[str | None] = mapped_column(String(8), nullable=True)
    choice: Mapped[str | None] = mapped_column(String(12), nullable=True)
    value: Mapped[str | None] = mapped_column(String(32), nullable=True)


class UsageCount(Base):
    """How many visits (or journeys) of one month had one measure's key: per terminal for all
    services together (`service` ""), per site for each service (`device_id` ""). The report
    shows terminals only for all services, so finer rows would only be read to be added up."""

    __tablename__ = "usage_counts"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # local "YYYY-MM"
    site: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    service: Mapped[str] = mapped_column(String(64), primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(72), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
