"""Put a checked appointments file into the tables: all of it, in one transaction, or none.

A first load needs empty tables; `replace` swaps the sites, types and templates in the same
transaction, so kiosks go on answering from the old ones until the new ones are committed.
Bookings are kept, and a replacement that would drop a site or type someone is booked at
(from today on) is refused, saying which: close it with `valid_to` instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.exc import IntegrityError

from hub.appointments.catalog import Catalog
from hub.appointments.slots import clock
from hub.appointments.tables import AppointmentSite, AppointmentType, Booking, SlotTemplate
from hub.appointments.transactions import writing
from hub.appointments.yaml_file import AppointmentFileError, read_file

DEMO_APPOINTMENTS = Path(__file__).resolve().parent / "demo_appointments.yaml"


@dataclass(frozen=True)
class Loaded:
    sites: int
    types: int
    templates: int


def site_count(connection: Connection) -> int:
    return connection.execute(select(func.count()).select_from(AppointmentSite)).scalar_one()


def _hhmm(minutes: int) -> str:
    return "24:00" if minutes == 24 * 60 else clock(minutes).strftime("%H:%M")


def _still_booked(connection: Connection, catalog: Catalog, now: datetime) -> list[str]:
    rows = connection.execute(
        select(Booking.site_id, Booking.type_id, func.count())
        .where(Booking.status == "confirmed", Booking.end > now)
        .group_by(Booking.site_id, Booking.type_id)).all()
    return [f"{count} booking(s) from now on are for {type_id} at {site_id}, which the new "
            "file does not offer: keep it in the file (valid_to ends it) or cancel them first"
            for site_id, type_id, count in rows
            if site_id not in catalog.sites or type_id not in catalog.types]


def _write(connection: Connection, catalog: Catalog) -> None:
    connection.execute(insert(AppointmentSite), [
        {"id": s.id, "names": json.dumps(dict(s.names.texts), ensure_ascii=False),
         "address": s.address, "seq": i} for i, s in enumerate(catalog.sites.values())])
    connection.execute(insert(AppointmentType), [
        {"id": t.id, "names": json.dumps(dict(t.names.texts), ensure_ascii=False),
         "descriptions": json.dumps(dict(t.descriptions.texts), ensure_ascii=False),
         "bring": json.dumps(dict(t.bring.texts), ensure_ascii=False), "minutes": t.minutes,
         "seq": i} for i, t in enumerate(catalog.types.values())])
    connection.execute(insert(SlotTemplate), [
        {"site_id": t.site, "type_id": t.type,
         "weekdays": ",".join(str(d) for d in sorted(t.weekdays)),
         "opens": _hhmm(t.opens), "closes": _hhmm(t.closes), "slot_minutes": t.slot_minutes,
         "capacity": t.capacity,
         "breaks": json.dumps([[_hhmm(a), _hhmm(b)] for a, b in t.breaks]),
         "valid_from": t.valid_from, "valid_to": t.valid_to,
         "closed": json.dumps(sorted(d.isoformat() for d in t.closed))}
        for t in catalog.templates])


def store_catalog(engine: Engine, catalog: Catalog, now: datetime, *, replace: bool = False,
                  source: str = "the file") -> Loaded:
    """Raises AppointmentFileError when the tables hold a catalogue and `replace` was not
    asked for, or when replacing would orphan bookings."""
    with writing(engine) as connection:
        held = site_count(connection)
        if held and not replace:
            raise AppointmentFileError([
                f"{source}: the hub already holds {held} appointment sites: use --replace to "
                "load this file in their place"])
        if replace:
            problems = _still_booked(connection, catalog, now)
            if problems:
                raise AppointmentFileError([f"{source}: {p}" for p in problems])
            for table in (SlotTemplate, AppointmentType, AppointmentSite):
                connection.execute(delete(table))
        _write(connection, catalog)
    return Loaded(len(catalog.sites), len(catalog.types), len(catalog.templates))


def load_file(engine: Engine, path: Path, now: datetime, *, replace: bool = False) -> Loaded:
    return store_catalog(engine, read_file(path), now, replace=replace, source=str(path))


def load_if_empty(engine: Engine, path: Path, now: datetime) -> Loaded | None:
    """The demo hub's start: its appointments when there are none. Several processes may
    start together on one database: the one that loses the race finds the tables full."""
    with engine.connect() as connection:
        if site_count(connection):
            return None
    try:
        return store_catalog(engine, read_file(path), now, source=str(path))
    except (AppointmentFileError, IntegrityError):
        with engine.connect() as connection:
            if site_count(connection):
                return None
        raise
