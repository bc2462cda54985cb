"""Small-cell suppression: which figures may be shown so that none, alone or by subtracting
one shown figure from another, counts fewer than `THRESHOLD` visits (docs/measures.md).

The figures are cells linked by *lines*: a line says its first cell (a total) is the sum of
the others (the whole council is the sum of its sites; a site, of its terminals; a measure's
base, of its keys; "all services", of the services plus a residual nobody is shown). A
reader who sees every cell of a line but one can work that one out; who sees the total and
all but a few, can work out their sum. So:

1. primary: a cell counting 1 to 4 is hidden (0 is shown: it singles nobody out);
2. a residual (the part of a total no shown cell accounts for) counts as shown when it is 0
   or at least 5, and as a hidden small cell otherwise;
3. secondary, until every line keeps both rules: no line has exactly one hidden cell, and
   where a line's total is shown the hidden cells of the line add up to 0 or at least 5.
   A line that breaks one hides its smallest shown cell greater than 0 (the total last).

Each step only hides more, so it ends; the cells hidden are usually the few that must be.
This is the heuristic statistical offices use for tables with margins (it does not find the
fewest cells to hide, which is NP-hard, and needs not to).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable

THRESHOLD = 5


def small(value: int) -> bool:
    return 0 < abs(value) < THRESHOLD


class Table:
    """Cells (any hashable key) with values, and the lines among them (kept as numbers, so
    a year of a large council's figures is suppressed in a fraction of a second)."""

    def __init__(self, values: dict[Hashable, int]) -> None:
        self.values = values
        self._ids: dict[Hashable, int] = {}
        self._cells: list[Hashable] = []
        self._numbers: list[int] = []
        self._residual: list[bool] = []
        self.lines: list[list[int]] = []  # [total, *parts]

    def _id(self, cell: Hashable, residual: bool = False) -> int:
        found = self._ids.get(cell)
        if found is None:
            found = self._ids[cell] = len(self._cells)
            self._cells.append(cell)
            self._numbers.append(self.values.get(cell, 0))
            self._residual.append(residual)
        return found

    def add_line(self, total: Hashable, parts: Iterable[Hashable], exact: bool = True) -> None:
        """`total` = sum of `parts` (+ a residual cell if not `exact`). Cells not in
        `values` count 0 and are left out, since a shown 0 tells nothing."""
        values = self.values
        present = [p for p in parts if values.get(p, 0) != 0]
        whole = values.get(total, 0)
        line = [self._id(total), *(self._id(p) for p in present)]
        if not exact:
            rest = whole - sum(values[p] for p in present)
            if rest != 0:
                residual = ("residual", total)
                values[residual] = rest
                line.append(self._id(residual, residual=True))
        if len(line) > 1 or whole != 0:
            self.lines.append(line)


def suppress(table: Table) -> set[Hashable]:
    """The cells to hide (residuals included when they must stay unknown)."""
    numbers = table._numbers
    residual = table._residual
    hidden = [small(v) for v in numbers]
    lines = table.lines
    member: list[list[int]] = [[] for _ in numbers]
    for index, line in enumerate(lines):
        for cell in line:
            member[cell].append(index)
    queue = deque(index for index, line in enumerate(lines) if any(hidden[c] for c in line))
    queued = [False] * len(lines)
    for index in queue:
        queued[index] = True
    while queue:
        index = queue.popleft()
        queued[index] = False
        found = _violation(numbers, hidden, residual, lines[index])
        if found is None:
            continue
        hidden[found] = True
        for again in (*member[found], index):
            if not queued[again]:
                queued[again] = True
                queue.append(again)
    cells = table._cells
    hidden_cells = {cells[i] for i, h in enumerate(hidden) if h}
    hidden_cells.update(c for c, v in table.values.items() if small(v) and c not in table._ids)
    return hidden_cells


def _violation(numbers: list[int], hidden: list[bool], residual: list[bool], line: list[int]
               ) -> int | None:
    """The next cell this line needs hidden, or None when it keeps both rules."""
    total = line[0]
    total_hidden = hidden[total]
    hidden_sum = 0
    count = int(total_hidden)
    for part in line[1:]:
        if hidden[part]:
            count += 1
            hidden_sum += numbers[part]
    if count == 0:
        return None
    if not (count == 1 or (not total_hidden and small(hidden_sum))):
        return None
    best = None
    for part in line[1:]:
        value = numbers[part]
        if (not hidden[part] and not residual[part] and value > 0
                and (best is None or value < numbers[best])):
            best = part
    if best is not None:
        return best
    if not total_hidden and numbers[total] != 0:
        return total
    return None
