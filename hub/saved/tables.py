"""The saved applications table: one row per application a resident has paused.

Nothing in a row is readable without the hub's key file: the journey snapshot is sealed with
AES-256-GCM (the reference bound in as associated data, so a row's ciphertext cannot be
moved to another reference), and the memorable word is kept only as a salted scrypt hash.
A row is deleted, never blanked: on submission, after the fifth wrong word, and at expiry.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base, UTCDateTime


class SavedApplication(Base):
    __tablename__ = "saved_applications"

    reference: Mapped[str] = mapped_column(String(16), primary_key=True)
    word_salt: Mapped[bytes] = mapped_column(LargeBinary(32))
    word_hash: Mapped[bytes] = mapped_column(LargeBinary(64))
    nonce: Mapped[bytes] = mapped_column(LargeBinary(12))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    wrong_tries: Mapped[int] = mapped_column(Integer, default=0)
    # sha256 of the token the last resume handed out: only that kiosk can delete on submit.
    token_digest: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
