"""A table as a grid of placed cells (merged header cells, vertical labels, padding cells), and what a
report is made of: prose paragraphs, grids and page breaks, in document order.

Every renderer (layout.py, web.py) writes the same blocks, so one truth serves every format.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace


@dataclass(slots=True)
class Placed:
    row: int
    col: int
    text: str | None  # None: the source does not have this cell (a cut-off table)
    rowspan: int = 1
    colspan: int = 1
    vertical: bool = False
    key: tuple[str, str] | None = None  # the form cell it prints: (table, cell), None for labels


@dataclass
class Grid:
    n_cols: int
    cells: list[Placed] = field(default_factory=list)
    n_rows: int = 0
    header_rows: int = 0
    # A page ends inside this row, after its label (page_break_in_group): text layouts print the page
    # number between the label and its numbers.
    break_after_label: int | None = None

    def add(self, row: int, col: int, text: str | None, rowspan: int = 1, colspan: int = 1,
            vertical: bool = False, key: tuple[str, str] | None = None) -> None:
        self.cells.append(Placed(row, col, text, rowspan, colspan, vertical, key))
        if row + rowspan > self.n_rows:
            self.n_rows = row + rowspan

    def rows(self) -> dict[int, list[Placed]]:
        out: dict[int, list[Placed]] = {}
        for placed in self.cells:
            out.setdefault(placed.row, []).append(placed)
        return {r: sorted(cells, key=lambda p: p.col) for r, cells in sorted(out.items())}


@dataclass(frozen=True)
class PageBreak:
    """A page ends here; `page` is the number printed at its foot (`- 2 -`)."""

    page: int


Blocks = list  # list[str | Grid | PageBreak]


def relabel(grid: Grid, texts: dict[str, str]) -> None:
    """Replace label texts (an emptied header cell, a label written vertically one character a line)."""
    for placed in grid.cells:
        if placed.key is None and placed.text in texts:
            placed.text = texts[placed.text]


def insert_rows(grid: Grid, at: int, rows: list[Placed], height: int) -> None:
    """Insert `height` rows of cells (their rows counted from 0) before row `at`, moving the rest down;
    a cell merged across `at` ends there (the rows after the inserted ones have no such cell)."""
    for placed in grid.cells:
        if placed.row >= at:
            placed.row += height
        elif placed.row + placed.rowspan > at:
            placed.rowspan = at - placed.row
    for placed in rows:
        grid.cells.append(replace(placed, row=placed.row + at))
    grid.n_rows += height


def split_grid(grid: Grid, cuts: list[int], repeat_header: bool = False) -> list[Grid]:
    """The grid cut before each row of `cuts`: a cell merged across a cut stays in the part where it
    starts (the rows after the cut have no such cell, like a table continued on the next page)."""
    bounds = [0, *sorted(c for c in cuts if 0 < c < grid.n_rows), grid.n_rows]
    header = [p for p in grid.cells if p.row < grid.header_rows] if repeat_header else []
    parts = []
    for n, (start, end) in enumerate(itertools.pairwise(bounds)):
        offset = grid.header_rows if (repeat_header and n) else 0
        part = Grid(grid.n_cols, header_rows=grid.header_rows if (n == 0 or repeat_header) else 0)
        if offset:
            for p in header:
                part.add(p.row, p.col, p.text, p.rowspan, p.colspan, p.vertical, p.key)
        for p in grid.cells:
            if start <= p.row < end:
                part.add(p.row - start + offset, p.col, p.text, min(p.rowspan, end - p.row), p.colspan, p.vertical,
                         p.key)
        if grid.break_after_label is not None and start <= grid.break_after_label < end:
            part.break_after_label = grid.break_after_label - start + offset
        part.n_rows = end - start + offset
        parts.append(part)
    return parts


def flatten(grid: Grid) -> list[list[Placed]]:
    """The grid as Word exports it to text: a cell per position that starts a cell, an empty cell where
    a vertical merge continues, nothing for positions covered horizontally; a row ends at its last cell
    (or where a cut-off table stops)."""
    starts = {(p.row, p.col): p for p in grid.cells}
    vertical = {(r, c) for p in grid.cells for r in range(p.row + 1, p.row + p.rowspan)
                for c in range(p.col, p.col + 1)}
    rows: list[list[Placed]] = []
    for r in range(grid.n_rows):
        row: list[Placed] = []
        for c in range(grid.n_cols):
            placed = starts.get((r, c))
            if placed is not None:
                if placed.text is None:
                    break
                row.append(placed)
            elif (r, c) in vertical:
                row.append(Placed(r, c, ""))
        rows.append(row)
    return rows


def texts(row: list[Placed]) -> list[str]:
    return [p.text or "" for p in row]


def drop_empty_cells(blocks: Blocks) -> tuple[Blocks, set[tuple[str, str]]]:
    """The blocks with every empty form cell left out (a page that drops empty cells), and those cells."""
    out: Blocks = []
    dropped: set[tuple[str, str]] = set()
    for block in blocks:
        if isinstance(block, Grid):
            kept = [p for p in block.cells if p.key is None or p.text is None or p.text.strip()]
            dropped |= {p.key for p in block.cells if p.key is not None and p.text is not None and not p.text.strip()}
            block = replace(block, cells=kept)
        out.append(block)
    return out, dropped
