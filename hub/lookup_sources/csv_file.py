"""What reading any council CSV export shares: header names matched loosely, `#` notes
before the header, line numbers that are the file's own, and each malformed cell named.

Councils' exports (AddressBase, LLPG, waste rounds) spell the same column a few ways, so a
field is found by any of its usual spellings, ignoring case, spaces and hyphens. Reading
never stops at a bad row: each problem is a `RowProblem` (line, column as the file spells
it, what was expected), so IT sees every problem of a file in one pass.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

LONGEST_TEXT = 100


class CsvFileError(Exception):
    """The file as a whole cannot be used (missing, not UTF-8, a needed column absent)."""


@dataclass(frozen=True)
class RowProblem:
    line: int
    column: str
    expected: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: expected {self.expected}"


def header_key(header: str) -> str:
    """`Post Town`, `post-town` and `POST_TOWN` are one column: `post_town`."""
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


Columns = dict[str, tuple[int, str]]  # field -> (index, the header as written)


def find_columns(header: list[str], spellings: Mapping[str, tuple[str, ...]]) -> Columns:
    """Each field the header has, by the first column spelt one of its ways."""
    keys = [header_key(h) for h in header]
    found: Columns = {}
    for name, accepted in spellings.items():
        for index, key in enumerate(keys):
            if key in accepted:
                found[name] = (index, header[index].strip())
                break
    return found


class CsvRow:
    """One data row: its cells by field, and the problems found in it so far."""

    def __init__(self, line: int, cells: list[str], columns: Columns) -> None:
        self.line = line
        self.cells = cells
        self.columns = columns
        self.problems: list[RowProblem] = []

    def name(self, field: str) -> str:
        return self.columns[field][1] if field in self.columns else field.upper()

    def text(self, field: str, longest: int = LONGEST_TEXT) -> str:
        if field not in self.columns:
            return ""
        index = self.columns[field][0]
        value = self.cells[index].strip() if index < len(self.cells) else ""
        if len(value) > longest:
            self.problem(field, f"at most {longest} characters")
            return ""
        return value

    def problem(self, field: str, expected: str) -> None:
        self.problems.append(RowProblem(self.line, self.name(field), expected))


def _without_leading_comments(stream: TextIO) -> Iterator[str]:
    """Lines starting `#` before the header (a note on where the export came from) read as
    blank lines, so line numbers still match the file."""
    in_preamble = True
    for text in stream:
        if in_preamble and text.startswith("#"):
            yield "\n"
            continue
        if text.strip():
            in_preamble = False
        yield text


def data_rows(stream: TextIO, path: Path, spellings: Mapping[str, tuple[str, ...]],
              missing: Callable[[Columns], list[str]], error: type[CsvFileError]
              ) -> Iterator[CsvRow]:
    """Each non-blank data row, with the header's columns. Raises `error` for an empty file,
    a header lacking what `missing(columns)` names, text that is not UTF-8 or broken CSV
    quoting."""
    reader = csv.reader(_without_leading_comments(stream))
    try:
        header = next((cells for cells in reader if cells), None)
        if header is None:
            raise error(f"{path}: the file is empty (expected a header line)")
        columns = find_columns(header, spellings)
        lacking = missing(columns)
        if lacking:
            raise error(f"{path}: line {reader.line_num} (the header) has no column for "
                        f"{', '.join(lacking)}")
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                yield CsvRow(line, cells, columns)
            line = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise error(f"{path}: line {reader.line_num + 1}: expected UTF-8 text "
                    f"({exc.reason})") from None
    except csv.Error as exc:
        raise error(f"{path}: line {reader.line_num}: {exc}") from None


def open_text(path: Path, error: type[CsvFileError]) -> TextIO:
    """The file for reading as UTF-8 (a byte-order mark, as Excel writes, is skipped)."""
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise error(f"{path}: cannot be read ({exc.strerror or exc})") from None
