"""Small-cell suppression: no figure shown, and no difference between two figures shown for
any filters of one period, counts 1 to 4 visits."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Hashable

from hypothesis import given, settings
from hypothesis import strategies as st

from hub.usage.figures import COUNCIL, Figures, Period, build
from hub.usage.report import Filter, build_report
from hub.usage.report_page import csv_text
from hub.usage.suppression import Table, small, suppress

PERIOD = Period("2026-03", "2026-03")


def _check_lines(table: Table, hidden: set[Hashable]) -> None:
    """What a reader can work out from the shown cells of each line is never small."""
    cells = table._cells
    for line in table.lines:
        total, parts = cells[line[0]], [cells[i] for i in line[1:]]
        hidden_parts = [p for p in parts if p in hidden]
        count = len(hidden_parts) + (total in hidden)
        assert count != 1, f"{total}: exactly one hidden cell in its line can be worked out"
        if total not in hidden:
            assert not small(sum(table.values[p] for p in hidden_parts)), total


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 30), min_size=2, max_size=6), min_size=2, max_size=6))
def test_every_line_of_a_table_with_margins_is_safe(grid: list[list[int]]) -> None:
    """Rows and columns with their totals, as sites by services are."""
    values: dict[Hashable, int] = {}
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            values[(r, c)] = value
    for r, row in enumerate(grid):
        values[(r, "all")] = sum(row)
    for c in range(len(grid[0]) if all(len(row) == len(grid[0]) for row in grid) else 0):
        values[("all", c)] = sum(row[c] for row in grid)
    table = Table({k: v for k, v in values.items() if v})
    for r, row in enumerate(grid):
        table.add_line((r, "all"), [(r, c) for c in range(len(row))])
    if ("all", 0) in values:
        for c in range(len(grid[0])):
            table.add_line(("all", c), [(r, c) for r in range(len(grid))])
    hidden = suppress(table)
    assert all(cell in hidden for cell, value in table.values.items() if small(value))
    _check_lines(table, hidden)


def _rows(counts: dict[tuple[str, str, str, str, str], int]
          ) -> list[tuple[str, str, str, str, str, int]]:
    return [(*key, n) for key, n in counts.items()]


def crafted() -> Figures:
    """Two sites: the library's 3 read-aloud visits would show as the council's 23 minus the
    town hall's 20; 2 street-problem journeys as all journeys minus missed bins."""
    counts: dict[tuple[str, str, str, str, str], int] = {}
    for site, device, visits, read in (("library", "kiosk-l", 40, 3), ("town-hall", "kiosk-t", 60, 20)):
        counts[(site, device, "", "visits", "")] = visits
        counts[(site, device, "", "read_aloud", "yes")] = read
        counts[(site, device, "", "read_aloud", "no")] = visits - read
    counts[("library", "", "missed-bin", "visits", "")] = 30
    counts[("library", "", "missed-bin", "journeys", "started")] = 30
    counts[("library", "", "street-problem", "visits", "")] = 2
    counts[("library", "", "street-problem", "journeys", "started")] = 2
    counts[("library", "kiosk-l", "", "journeys", "started")] = 32
    counts[("town-hall", "", "missed-bin", "visits", "")] = 50
    counts[("town-hall", "", "missed-bin", "journeys", "started")] = 50
    counts[("town-hall", "kiosk-t", "", "journeys", "started")] = 50
    return build(_rows(counts), PERIOD)


def test_a_small_site_cannot_be_found_by_subtracting_the_others() -> None:
    figures = crafted()
    library, town = ("site", "library"), ("site", "town-hall")
    assert figures.get(library, "", "read_aloud", "yes") is None  # 3: primary
    council = figures.get(COUNCIL, "", "read_aloud", "yes")
    town_hall = figures.get(town, "", "read_aloud", "yes")
    assert council is None or town_hall is None, "23 - 20 would give the library's 3"
    # The terminal is its site: hidden with it.
    assert figures.get(("terminal", "kiosk-l"), "", "read_aloud", "yes") is None


def test_a_small_service_cannot_be_found_from_all_services() -> None:
    figures = crafted()
    library = ("site", "library")
    assert figures.get(library, "street-problem", "journeys", "started") is None
    total = figures.get(library, "", "journeys", "started")
    missed = figures.get(library, "missed-bin", "journeys", "started")
    assert total is None or missed is None, "32 - 30 would give street problems' 2"
    # The same holds for visits, whose "all services" line also has a residual.
    assert figures.get(library, "street-problem", "visits") is None


def test_no_two_figures_exported_for_any_filters_differ_by_a_small_number() -> None:
    """Every CSV a manager can download for this period, taken together: wherever one
    figure's population contains another's (a site in the council, a service in all
    services), their difference is 0 or at least 5."""
    figures = crafted()
    shown: dict[tuple[str, str, str, str], int] = {}
    places = [COUNCIL, ("site", "library"), ("site", "town-hall"), ("terminal", "kiosk-l"),
              ("terminal", "kiosk-t")]
    for place, service in itertools.product(places, ["", "missed-bin", "street-problem"]):
        report = build_report(figures, Filter(place, service), {}, {})
        for row in csv.reader(io.StringIO(csv_text(report))):
            if len(row) == 4 and row[3].isdigit() and row[0] != "section":
                shown[(f"{place}|{service}", row[0], row[1], row[2])] = int(row[3])
        assert "hidden" in csv_text(report) or place[0] == "council"
    nested = [("council|", "site|library"), ("council|", "site|town-hall"),
              ("site|library", "terminal|kiosk-l"), ("site|town-hall", "terminal|kiosk-t")]
    nested += [(f"{place}|", f"{place}|{service}") for place in ("council", "site|library")
               for service in ("missed-bin", "street-problem")]
    compared = 0
    for outer, inner in nested:
        outer_name = next(n for n in {k[0] for k in shown} if _same(n, outer))
        inner_name = next((n for n in {k[0] for k in shown} if _same(n, inner)), None)
        if inner_name is None:
            continue
        for (name, section, row, column), value in shown.items():
            other = shown.get((inner_name, section, row, column))
            if name == outer_name and other is not None and section != "By site and terminal":
                compared += 1
                assert not small(value - other), (outer, inner, section, row, value, other)
    assert compared > 10
    visits = {k: v for k, v in shown.items() if k[1] == "By site and terminal" and k[3] == "Visits"}
    assert visits, "the site table is exported"


def _same(name: str, wanted: str) -> bool:
    """"('site', 'library')|missed-bin" is "site|library|missed-bin"."""
    place, service = name.rsplit("|", 1)
    kind, _, ident = place.strip("()").replace("'", "").partition(", ")
    spelled = ("council" if kind == "council" else f"{kind}|{ident}") + "|" + service
    return spelled == (wanted if wanted.count("|") >= 2 or wanted.startswith("council")
                       else wanted + "|")
