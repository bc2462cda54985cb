"""What the council offers: sites, appointment types and their slot templates, as loaded.

Read from the tables for each question (a few rows), so every hub process answers from what
IT loaded last, with nothing to invalidate.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from hub.appointments.slots import Template
from hub.appointments.tables import AppointmentSite, AppointmentType, SlotTemplate

LANGUAGES = ("en", "cy", "pl", "ur", "ro")


@dataclass(frozen=True)
class LocalText:
    """One text per language; English is always there and stands in for a missing one."""

    texts: Mapping[str, str]

    def get(self, language: str) -> str:
        return self.texts.get(language) or self.texts.get("en", "")


@dataclass(frozen=True)
class Site:
    id: str
    names: LocalText
    address: str


@dataclass(frozen=True)
class AppointmentKind:
    id: str
    names: LocalText
    descriptions: LocalText
    bring: LocalText
    minutes: int


@dataclass(frozen=True)
class Catalog:
    sites: Mapping[str, Site]  # in the file's order
    types: Mapping[str, AppointmentKind]
    templates: tuple[Template, ...]

    def templates_for(self, site: str, type_id: str) -> tuple[Template, ...]:
        return tuple(t for t in self.templates if t.site == site and t.type == type_id)

    def current(self, template: Template, today: date) -> bool:
        return template.valid_to is None or template.valid_to >= today

    def types_offered(self, today: date) -> list[AppointmentKind]:
        offered = {t.type for t in self.templates if self.current(t, today)}
        return [kind for kind in self.types.values() if kind.id in offered]

    def sites_for(self, type_id: str, today: date) -> list[Site]:
        offering = {t.site for t in self.templates if t.type == type_id and self.current(t, today)}
        return [site for site in self.sites.values() if site.id in offering]


def _texts(raw: str) -> LocalText:
    loaded = json.loads(raw)
    return LocalText({str(k): str(v) for k, v in loaded.items()})


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def template_of(row: Any) -> Template:
    return Template(
        site=row.site_id, type=row.type_id,
        weekdays=frozenset(int(d) for d in row.weekdays.split(",") if d),
        opens=_minutes(row.opens), closes=_minutes(row.closes),
        slot_minutes=row.slot_minutes, capacity=row.capacity,
        breaks=tuple((_minutes(a), _minutes(b)) for a, b in json.loads(row.breaks)),
        valid_from=row.valid_from, valid_to=row.valid_to,
        closed=frozenset(date.fromisoformat(d) for d in json.loads(row.closed)))


def read_catalog(connection: Connection) -> Catalog:
    sites = {row.id: Site(row.id, _texts(row.names), row.address) for row in
             connection.execute(select(AppointmentSite).order_by(AppointmentSite.seq))}
    types = {row.id: AppointmentKind(row.id, _texts(row.names), _texts(row.descriptions),
                                     _texts(row.bring), row.minutes)
             for row in connection.execute(select(AppointmentType).order_by(AppointmentType.seq))}
    templates = tuple(template_of(row) for row in connection.execute(
        select(SlotTemplate).order_by(SlotTemplate.id)))
    return Catalog(sites, types, templates)
