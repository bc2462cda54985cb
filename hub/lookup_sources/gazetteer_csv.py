"""Read a council's gazetteer extract (CSV) into checked rows, naming every malformed one.

Councils hold their addresses as an OS AddressBase extract or a local LLPG export. Both
come as CSV with a header; the column names differ a little, so each field accepts the
usual spellings (case, spaces and hyphens do not matter). Coordinates are either eastings
and northings on the British National Grid or latitude and longitude (WGS84/ETRS89); when a
row has both, its latitude and longitude are used.

Reading never stops at a bad row: each is reported as a `RowProblem` (its line in the file,
the column, what was expected) and reading goes on, so IT sees every problem in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from hub.lookup_sources.csv_file import (
    Columns,
    CsvFileError,
    CsvRow,
    RowProblem,
    data_rows,
    open_text,
)
from hub.lookup_sources.gazetteer import Address, Gazetteer, normalise_postcode
from hub.lookup_sources.grid import GridToWgs84

# Field -> the header spellings accepted (after lower-casing and turning spaces/hyphens to _).
COLUMNS: dict[str, tuple[str, ...]] = {
    "uprn": ("uprn",),
    "organisation": ("organisation", "organisation_name"),
    "sub_building": ("sub_building", "sub_building_name", "saon"),
    "building_name": ("building_name",),
    "building_number": ("building_number",),
    "street": ("street", "street_name", "thoroughfare", "street_description"),
    "locality": ("locality", "dependent_locality"),
    "town": ("town", "post_town", "town_name"),
    "postcode": ("postcode", "postcode_locator"),
    "easting": ("easting", "x_coordinate"),
    "northing": ("northing", "y_coordinate"),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "long", "lon", "lng"),
}
REQUIRED = ("uprn", "street", "town", "postcode")
# Great Britain's extent on the National Grid, and roughly in degrees (with the islands).
EASTING_RANGE = (0.0, 700_000.0)
NORTHING_RANGE = (0.0, 1_300_000.0)
LATITUDE_RANGE = (49.0, 61.5)
LONGITUDE_RANGE = (-9.0, 2.5)
_UPRN = re.compile(r"^[0-9]{1,12}$")
BATCH = 5000  # rows converted (and inserted) together


class GazetteerFileError(CsvFileError):
    """The file as a whole cannot be read (missing, not UTF-8, header without a needed column)."""


@dataclass(frozen=True)
class GridRow:
    """A checked row whose coordinates are still on the National Grid (converted in batches)."""

    line: int
    address: Address  # lat/long 0.0 until converted
    easting: float
    northing: float


def _missing(columns: Columns) -> list[str]:
    missing = [f for f in REQUIRED if f not in columns]
    has_grid = "easting" in columns and "northing" in columns
    has_degrees = "latitude" in columns and "longitude" in columns
    if not (has_grid or has_degrees):
        missing.append("easting and northing, or latitude and longitude")
    return missing


class _Row(CsvRow):
    def number(self, field: str, low: float, high: float, what: str) -> float | None:
        value = self.text(field)
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not low <= number <= high:  # NaN fails too
            self.problem(field, f"{what} between {low:g} and {high:g}")
            return None
        return number


def _address(row: _Row, uprn: str, postcode: str, lat: float, long: float) -> Address:
    """AddressBase's parts as the list shows them: a building number is the PAON (it joins
    the street); a building name with a number moves in front, like a flat's name."""
    sub, name, number = row.text("sub_building"), row.text("building_name"), \
        row.text("building_number")
    if number:
        saon, paon = ", ".join(p for p in (sub, name) if p), number
    else:
        saon, paon = sub, name
    return Address(uprn=uprn, paon=paon, saon=saon, street=row.text("street"),
                   locality=row.text("locality"), town=row.text("town"), postcode=postcode,
                   lat=lat, long=long, organisation=row.text("organisation"))


def _check(row: _Row, seen: dict[int, int]) -> Address | GridRow | None:
    uprn = row.text("uprn")
    if not _UPRN.match(uprn):
        row.problem("uprn", "a UPRN of up to 12 digits")
    elif int(uprn) in seen:
        row.problem("uprn", f"a UPRN not already on line {seen[int(uprn)]}")
    else:
        seen[int(uprn)] = row.line
    postcode = normalise_postcode(row.text("postcode"))
    if postcode is None:
        row.problem("postcode", "a full UK postcode, like DE99 1AB")
    for name in ("street", "town"):
        if not row.text(name):
            row.problem(name, "a name (it is empty)")
    if not any(row.text(f) for f in ("organisation", "sub_building", "building_name",
                                     "building_number")):
        row.problem("building_number", "a building number or name, a sub-building or an "
                    "organisation")
    use_degrees = bool(row.text("latitude") or row.text("longitude")) or "easting" not in row.columns
    if use_degrees:
        lat = row.number("latitude", *LATITUDE_RANGE, "a latitude in degrees")
        long = row.number("longitude", *LONGITUDE_RANGE, "a longitude in degrees")
    else:
        easting = row.number("easting", *EASTING_RANGE, "an easting in metres")
        northing = row.number("northing", *NORTHING_RANGE, "a northing in metres")
    if row.problems:
        return None
    assert postcode is not None
    if use_degrees:
        assert lat is not None
        assert long is not None
        return _address(row, uprn, postcode, lat, long)
    assert easting is not None
    assert northing is not None
    return GridRow(row.line, _address(row, uprn, postcode, 0.0, 0.0), easting, northing)


def read_rows(stream: TextIO, path: Path) -> Iterator[Address | GridRow | list[RowProblem]]:
    """Each data row in order: an Address (degrees given), a GridRow (to convert), or the
    row's problems. Raises GazetteerFileError for a header that cannot be used."""
    seen: dict[int, int] = {}
    for row in data_rows(stream, path, COLUMNS, _missing, GazetteerFileError):
        gazetteer_row = _Row(row.line, row.cells, row.columns)
        checked = _check(gazetteer_row, seen)
        yield gazetteer_row.problems if checked is None else checked


@dataclass
class ImportResult:
    """`imported` rows are in the table (0 when any row was refused: nothing was kept)."""

    imported: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    rows_read: int = 0
    refused_rows: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        """Rows read (checked, converted and, when all were good, written) per second."""
        return self.rows_read / self.seconds if self.seconds > 0 else 0.0


def _converted(grid: GridToWgs84, pending: list[Address | GridRow]) -> list[Address]:
    on_grid = [r for r in pending if isinstance(r, GridRow)]
    degrees = iter(grid.convert([r.easting for r in on_grid], [r.northing for r in on_grid]))
    done: list[Address] = []
    for row in pending:
        if isinstance(row, GridRow):
            lat, long = next(degrees)
            done.append(replace(row.address, lat=lat, long=long))
        else:
            done.append(row)
    return done


def checked_addresses(rows: Iterable[Address | GridRow | list[RowProblem]],
                      result: ImportResult, grid: GridToWgs84) -> Iterable[list[Address]]:
    """Batches of good addresses, converted to degrees; problems gathered into `result`."""
    pending: list[Address | GridRow] = []
    for row in rows:
        result.rows_read += 1
        if isinstance(row, list):
            result.problems.extend(row)
            result.refused_rows += 1
            continue
        pending.append(row)
        if len(pending) >= BATCH:
            yield _converted(grid, pending)
            pending = []
    if pending:
        yield _converted(grid, pending)


def read_gazetteer(path: Path) -> tuple[Gazetteer, ImportResult]:
    """The whole extract in memory (tests, and the demo sources without a database)."""
    result = ImportResult()
    with open_text(path, GazetteerFileError) as stream:
        addresses = [a for batch in checked_addresses(read_rows(stream, path), result,
                                                      GridToWgs84()) for a in batch]
    result.imported = 0 if result.problems else len(addresses)
    return Gazetteer.of(addresses if not result.problems else []), result
