"""The fleet's tables: registered terminals, what each last reported, and refused beats.

`devices` is IT's register (only `kiosk-hub device ...` writes it); `heartbeat_latest` and
`heartbeat_history` hold what registered terminals signed; `heartbeat_refusals` counts
beats turned away, by reason only: a stranger's made-up device ids are never stored, so
refusals cannot fill the database.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime

# Recent beats kept per terminal for its page (an hour at the default interval); the
# latest is kept apart, so the fleet page reads one row per terminal.
HISTORY = 60


class Device(Base):
    __tablename__ = "devices"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    site: Mapped[str] = mapped_column(String(64), index=True)
    council: Mapped[str] = mapped_column(String(200), default="")
    signing_public: Mapped[bytes] = mapped_column(LargeBinary(32))
    sealing_public: Mapped[bytes] = mapped_column(LargeBinary(32))
    registered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class HeartbeatLatest(Base):
    """One row per registered terminal, made at registration with `seq` 0."""

    __tablename__ = "heartbeat_latest"

    device_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("devices.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    beats: Mapped[int] = mapped_column(BigInteger, default=0)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The last of this terminal's own signed beats that was refused (a wrong clock, a
    # replay), so IT can see why a terminal that is sending still looks silent.
    last_refusal: Mapped[str | None] = mapped_column(String(32), nullable=True)
    last_refusal_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class HeartbeatHistory(Base):
    __tablename__ = "heartbeat_history"

    # 64 bits: ten thousand terminals fill 32 in months. SQLite's rowid is 64 bits already,
    # and only a column declared INTEGER is that rowid (and numbered by itself).
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=True)
    device_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("devices.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    body: Mapped[str] = mapped_column(Text)


class HeartbeatRefusal(Base):
    __tablename__ = "heartbeat_refusals"

    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
