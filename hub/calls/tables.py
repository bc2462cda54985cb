"""The call tables: the queue and its outcomes, advisors' availability, interpreter invites,
and the peers connected to each call's signalling.

No personal data: a call row says where (terminal, site), about what (service code), in
which languages, when, who answered (the advisor's account name) and how it ended. The
resident's journey summary never reaches the database. Outcome rows are the service's
statistics and are kept. Tokens are kept only as SHA-256 digests.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime


class Call(Base):
    __tablename__ = "calls"
    __table_args__ = (
        CheckConstraint("state IN ('queued', 'answered', 'ended')", name="state_known"),
        # The queue is read oldest first: (state, queued_at) answers it from the index.
        Index("ix_calls_state_queued_at", "state", "queued_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    terminal: Mapped[str] = mapped_column(String(64))
    site: Mapped[str] = mapped_column(String(64))
    service_code: Mapped[str | None] = mapped_column(String(100), nullable=True)
    language: Mapped[str] = mapped_column(String(3))
    interpreter: Mapped[str | None] = mapped_column(String(3), nullable=True)
    state: Mapped[str] = mapped_column(String(10))
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The kiosk's last status poll while queued: a kiosk that stops asking has gone away.
    kiosk_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)
    advisor: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    end_reason: Mapped[str | None] = mapped_column(String(32), nullable=True)
    ended_by: Mapped[str | None] = mapped_column(String(10), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    kiosk_token_digest: Mapped[str] = mapped_column(String(64))
    advisor_token_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)


class AdvisorAvailability(Base):
    """One row per advisor account that has ever said whether it is available."""

    __tablename__ = "advisor_availability"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    available: Mapped[bool] = mapped_column(Boolean, default=False)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)


class InterpreterInvite(Base):
    """A link an advisor made for an interpreter; good while its call is answered."""

    __tablename__ = "interpreter_invites"

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    call_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CallPeer(Base):
    """A socket joined to a call's signalling, on whichever hub process holds it.

    The newcomer's `welcome` lists the call's peers from here, so every process sees the
    same room. The process holding a socket renews `seen_at`; a row nobody renews (its
    process died) is swept as a peer that disconnected.
    """

    __tablename__ = "call_peers"

    peer_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    call_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(12))
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
