"""The gazetteer table: answering the address finder from it, and loading an extract into it.

An import is one transaction: every row is checked, rows are inserted in batches as they
pass, and if any row is malformed the transaction is rolled back, so the table holds either
the whole new extract or what it held before, never part of one. `replace` empties the table
in the same transaction, so the kiosks keep their answers until the new extract is committed.
"""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from hub.gazetteer_db import GazetteerAddress
from hub.lookup_sources.gazetteer import Address
from hub.lookup_sources.gazetteer_csv import (
    GazetteerFileError,
    ImportResult,
    checked_addresses,
    read_rows,
)
from hub.lookup_sources.grid import GridToWgs84


def postcode_key(postcode: str) -> str:
    """The indexed form of a normalised postcode: `DE99 1AB` -> `DE991AB`."""
    return postcode.replace(" ", "")


def _address(row: GazetteerAddress) -> Address:
    return Address(uprn=row.uprn, paon=row.paon, street=row.street, town=row.town,
                   postcode=row.postcode, lat=row.lat, long=row.long, saon=row.saon,
                   locality=row.locality, organisation=row.organisation)


class TableGazetteer:
    """The AddressBook the hub's lookups use: one indexed query per question."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def at_postcode(self, postcode: str) -> tuple[Address, ...]:
        query = select(GazetteerAddress).where(
            GazetteerAddress.postcode_key == postcode_key(postcode)).order_by(GazetteerAddress.seq)
        with self._sessions() as session:
            return tuple(_address(row) for row in session.scalars(query))

    def by_uprn(self, uprn: str) -> Address | None:
        with self._sessions() as session:
            row = session.get(GazetteerAddress, uprn)
            return None if row is None else _address(row)


def address_count(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(GazetteerAddress)).scalar_one()


class _Refused(Exception):
    """Rolls the transaction back when any row was malformed."""


def _values(seq: int, address: Address) -> dict[str, object]:
    return {"uprn": address.uprn, "seq": seq, "postcode_key": postcode_key(address.postcode),
            "postcode": address.postcode, "organisation": address.organisation,
            "saon": address.saon, "paon": address.paon, "street": address.street,
            "locality": address.locality, "town": address.town, "lat": address.lat,
            "long": address.long}


def import_csv(engine: Engine, path: Path, *, replace: bool = False) -> ImportResult:
    """Load the extract at `path`. Raises GazetteerFileError when the file cannot be read or
    the table already holds addresses and `replace` was not asked for."""
    started = time.perf_counter()
    result = ImportResult()
    grid = GridToWgs84()
    try:
        stream = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise GazetteerFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        with stream, engine.begin() as connection:
            if replace:
                connection.execute(delete(GazetteerAddress))
            else:
                held = address_count(connection)
                if held:
                    raise GazetteerFileError(
                        f"the gazetteer already holds {held} addresses: use --replace to load "
                        "a new extract in their place")
            seq = 0
            for batch in checked_addresses(read_rows(stream, path), result, grid):
                if result.problems:
                    continue  # nothing will be kept: just go on reading, to report every row
                connection.execute(insert(GazetteerAddress),
                                   [_values(seq + i, a) for i, a in enumerate(batch)])
                seq += len(batch)
            if result.problems:
                raise _Refused
            result.imported = seq
    except _Refused:
        result.imported = 0
    result.seconds = time.perf_counter() - started
    return result


def load_if_empty(engine: Engine, path: Path) -> ImportResult | None:
    """The demo hub's start: load its fictional extract when the table is empty."""
    with engine.connect() as connection:
        if address_count(connection):
            return None
    return import_csv(engine, path)
