"""How a result page words what a lookup found: one row format per kind of answer.

A result page shows each looked-up item as a row (a label and a detail). By default the row
is the item's own `label` and `hint`, as the council's hub worded them. A page may instead
name a format (`result: {show: collections}`), registered here once, which words the rows
from the items' data in the resident's language: the same catalogue works for any council,
and no code asks which service it is in.

`collections` (the `bin-collections` lookup, docs/lookups.md): each bin with its colour
named in words (never only shown), how often it is collected, and the next two collection
days as the resident's language writes dates, a collection moved by a bank holiday called
out with the day it would have been.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import cache
from types import MappingProxyType

from babel.core import Locale, UnknownLocaleError
from babel.dates import format_date

from kiosk.journey.pages import ResultRow
from kiosk.lookups.base import LookupItem
from kiosk.texts import Texts

RowFormat = Callable[[Sequence[LookupItem], Texts], tuple[ResultRow, ...]]
"""Items found, in the resident's language -> the rows a result page shows (and prints)."""

COLOURS = frozenset(("black", "blue", "brown", "green", "grey", "orange", "pink", "purple",
                     "red", "white", "yellow"))
"""Bin colours the app names in every language (`colour.*`); others are shown as given."""


def plain_rows(items: Sequence[LookupItem], texts: Texts) -> tuple[ResultRow, ...]:
    """Each item's label and hint, as the council worded them."""
    return tuple(ResultRow(item.label, item.hint) for item in items)


def day_text(day: date, language: str) -> str:
    """A date as the language writes it with its weekday: "Tuesday 6 January",
    "dydd Mawrth 6 Ionawr", "wtorek 6 stycznia"."""
    try:
        locale = Locale.parse(language)
    except (UnknownLocaleError, ValueError):
        locale = Locale.parse("en")
    return format_date(day, "EEEE d MMMM", locale=locale)


def _day(data: Mapping[str, str], key: str) -> date | None:
    try:
        return date.fromisoformat(data.get(key, ""))
    except ValueError:
        return None


def _collection(data: Mapping[str, str], key: str, wording: str, texts: Texts) -> list[str]:
    """"Next collection: Thursday 24 December", then why it moved, if it did."""
    day = _day(data, key)
    if day is None:
        return []
    lines = [texts(wording, day=day_text(day, texts.language))]
    usual = _day(data, f"{key}_usual")
    if data.get(f"{key}_moved") == "true" and usual is not None and usual != day:
        lines.append(texts("bins.moved", usual=day_text(usual, texts.language)))
    return lines


def collection_rows(items: Sequence[LookupItem], texts: Texts) -> tuple[ResultRow, ...]:
    """One row per bin: its name, then its colour in words, how often, and the next two
    collection days (each moved one said so). An item without dates keeps its hint."""
    rows = []
    for item in items:
        data = item.data
        lines: list[str] = []
        colour = data.get("colour", "").strip()
        if colour:
            named = texts(f"colour.{colour.lower()}") if colour.lower() in COLOURS else colour
            lines.append(texts("bins.colour", colour=named))
        weeks = data.get("every_weeks", "")
        if weeks == "1":
            lines.append(texts("bins.every_week"))
        elif weeks.isdigit():
            lines.append(texts("bins.every_weeks", weeks=weeks))
        dates = [*_collection(data, "next", "bins.next", texts),
                 *_collection(data, "then", "bins.then", texts)]
        if not dates and item.hint:
            dates = [item.hint]
        rows.append(ResultRow(item.label, "\n".join([*lines, *dates]) or None))
    return tuple(rows)


@cache
def builtin_row_formats() -> Mapping[str, RowFormat]:
    """The formats a result page may name with `show:` (plain rows when it names none)."""
    return MappingProxyType({"collections": collection_rows})


def row_format(name: str | None) -> RowFormat:
    return plain_rows if name is None else builtin_row_formats()[name]
