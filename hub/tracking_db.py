"""The tables behind "Track my request": status updates staff set, and where requests went.

`request_updates` is the history of a request the hub received itself: each status staff set
on the requests page, with its public note (published over Open311 as mySociety's
`servicerequestupdates`, and shown on the status page). The staff member's name is kept for
the council's own audit and never published.

`tracked_references` holds one small record per request a kiosk delivered somewhere else (a
third-party Open311 server, a webhook, a mailbox): the kiosk reference, the destination's
name, the back office's own id or token, the service code and when it was delivered. It
holds no personal data by construction: the ingest refuses any other field.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime


class RequestUpdate(Base):
    __tablename__ = "request_updates"

    # `update_id` in Open311: 64 bits on PostgreSQL; SQLite's INTEGER rowid is 64 already.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    service_request_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("service_requests.service_request_id", ondelete="CASCADE"),
        index=True)
    # mySociety's extended status: open, in_progress or closed here.
    status: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, default="")
    updated_datetime: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    staff_name: Mapped[str] = mapped_column(String(64), default="")


class TrackedReference(Base):
    __tablename__ = "tracked_references"

    reference: Mapped[str] = mapped_column(String(64), primary_key=True)
    destination: Mapped[str] = mapped_column(String(64))
    remote_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    remote_token: Mapped[str | None] = mapped_column(String(255), nullable=True)
    service_code: Mapped[str] = mapped_column(String(100), default="")
    delivered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
