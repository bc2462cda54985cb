"""The council's gazetteer as a table: one row per addressable property, keyed by UPRN.

Loaded by `kiosk-hub gazetteer import` (hub/gazetteer_import.py) from the council's
AddressBase or LLPG extract. `postcode_key` is the postcode without its space, upper case
(`DE991AB`), so a lookup is one indexed equality whatever the resident typed. Coordinates
are stored as WGS84, converted from British National Grid on import when the extract has
eastings and northings. `seq` keeps the extract's order, which is the order the list shows.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.db import Base


class GazetteerAddress(Base):
    __tablename__ = "gazetteer_addresses"

    # UPRNs are up to 12 digits; kept as text so leading zeros and our demo's 99… survive.
    uprn: Mapped[str] = mapped_column(String(12), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    postcode_key: Mapped[str] = mapped_column(String(8), index=True)
    postcode: Mapped[str] = mapped_column(String(8))
    organisation: Mapped[str] = mapped_column(String(100), default="")
    saon: Mapped[str] = mapped_column(String(100), default="")
    paon: Mapped[str] = mapped_column(String(100), default="")
    street: Mapped[str] = mapped_column(String(100), default="")
    locality: Mapped[str] = mapped_column(String(100), default="")
    town: Mapped[str] = mapped_column(String(100), default="")
    lat: Mapped[float] = mapped_column(Float)
    long: Mapped[float] = mapped_column(Float)
