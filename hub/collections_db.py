"""The council's collection calendar as tables: bin types, rounds, and exceptions.

`collection_rounds` has one row per property and bin type, keyed (uprn, bin), so the
rounds at a property are one index range read. The round repeats every `every_weeks` weeks
from `reference_date`, any one of its collection days. `collection_exceptions` holds the
usual collection days that move or are cancelled (`moved_to` NULL), for every round or only
one bin type (`bin`) and/or one round (`round_name`); empty text means "every". It is small
(a few dozen rows a year) and read by date. Bin types are a table too, not a file, so every
hub process names them alike and they change in the same transaction as the rounds
(hub/lookup_sources/bin_types.py says why they are written as YAML).

No foreign keys: the import checks that each round's bin type exists, and replacing the
bin types while rounds still use a removed one is refused there, by name.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Date, Integer, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base


class CollectionBin(Base):
    __tablename__ = "collection_bins"

    bin: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)  # the order a property's bins are listed in
    colour: Mapped[str] = mapped_column(String(40))
    names: Mapped[dict[str, str]] = mapped_column(JSON)  # language code -> name


class CollectionRound(Base):
    __tablename__ = "collection_rounds"

    uprn: Mapped[str] = mapped_column(String(12), primary_key=True)
    bin: Mapped[str] = mapped_column(String(40), primary_key=True)
    every_weeks: Mapped[int] = mapped_column(SmallInteger)
    reference_date: Mapped[date] = mapped_column(Date)
    round_name: Mapped[str] = mapped_column(String(40), default="")


class CollectionException(Base):
    __tablename__ = "collection_exceptions"
    __table_args__ = (UniqueConstraint("usual_date", "bin", "round_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    usual_date: Mapped[date] = mapped_column(Date, index=True)
    moved_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    bin: Mapped[str] = mapped_column(String(40), default="")
    round_name: Mapped[str] = mapped_column(String(40), default="")
