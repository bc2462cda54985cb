"""The appointment tables: what IT loads (sites, types, templates) and what kiosks write.

Texts a resident reads (names, descriptions, what to bring) are kept as JSON objects of one
text per language (`{"en": ..., "cy": ...}`), as the YAML file gives them.

A booking row is a hold until it is confirmed. While it holds a place its `seat` is a number
from 1 to the template's capacity, and unique (site, type, start, seat) means no two rows can
ever hold the same place, whatever processes race for it; a cancelled booking gives its seat
back (NULL, which no unique constraint counts). An expired hold keeps its seat until the next
claim on that slot deletes it, in the claim's own transaction.

Personal data (name, email, phone, postcode) is in `appointment_bookings` only, and
`hub.appointments.purge` blanks it a number of days after the appointment.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime


class AppointmentSite(Base):
    __tablename__ = "appointment_sites"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    names: Mapped[str] = mapped_column(Text)  # JSON: language -> name
    address: Mapped[str] = mapped_column(String(300))
    seq: Mapped[int] = mapped_column(Integer)  # the file's order, the order kiosks list


class AppointmentType(Base):
    __tablename__ = "appointment_types"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    names: Mapped[str] = mapped_column(Text)
    descriptions: Mapped[str] = mapped_column(Text)
    bring: Mapped[str] = mapped_column(Text)
    minutes: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)


class SlotTemplate(Base):
    """When one site offers one type: weekdays, opening hours, slot length, capacity."""

    __tablename__ = "appointment_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    site_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("appointment_sites.id", ondelete="CASCADE"), index=True)
    type_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("appointment_types.id", ondelete="CASCADE"), index=True)
    weekdays: Mapped[str] = mapped_column(String(20))  # "0,1,2,3,4": Monday is 0
    opens: Mapped[str] = mapped_column(String(5))  # wall-clock "09:30" in the hub's zone
    closes: Mapped[str] = mapped_column(String(5))
    slot_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)
    breaks: Mapped[str] = mapped_column(Text)  # JSON: [["12:30", "13:30"], ...]
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    closed: Mapped[str] = mapped_column(Text)  # JSON: ["2026-12-25", ...]


class Booking(Base):
    """A hold, then a confirmed (or cancelled) booking. `id` is the hold id kiosks use."""

    __tablename__ = "appointment_bookings"
    __table_args__ = (
        UniqueConstraint("site_id", "type_id", "start", "seat", name="uq_appointment_seat"),
        CheckConstraint("seat >= 1", name="seat_from_one"),
        CheckConstraint("status IN ('held', 'confirmed', 'cancelled')", name="status_known"),
        Index("ix_appointment_bookings_site_start", "site_id", "start"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    reference: Mapped[str | None] = mapped_column(String(12), unique=True, nullable=True)
    status: Mapped[str] = mapped_column(String(10))
    site_id: Mapped[str] = mapped_column(String(64))
    type_id: Mapped[str] = mapped_column(String(64))
    start: Mapped[datetime] = mapped_column(UTCDateTime)
    end: Mapped[datetime] = mapped_column(UTCDateTime)
    seat: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # sha256 of the kiosk's per-journey token: proves a confirm comes from the journey
    # that held the slot, without keeping the token itself.
    holder_digest: Mapped[str] = mapped_column(String(64), index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revision: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE
    # The hold that last moved this booking to another slot: a retried change is answered
    # with the booking it made, not "hold expired".
    moved_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    assisted: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str] = mapped_column(String(3), default="en")
    terminal: Mapped[str] = mapped_column(String(64), default="")
    # The resident: blanked by the purge (`purged`) some days after the appointment.
    name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    postcode: Mapped[str] = mapped_column(String(8), default="")
    purged: Mapped[bool] = mapped_column(Boolean, default=False)


class FeedToken(Base):
    """The secret a council calendar subscribes to a site's feed with; only its digest."""

    __tablename__ = "appointment_feed_tokens"

    site_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    token_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FindFailure(Base):
    """A wrong postcode given with a reference (a digest of it): five in an hour and that
    reference answers `too_many_tries`, on every hub process."""

    __tablename__ = "appointment_find_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    reference_digest: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
