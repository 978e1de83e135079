"""Ruled tables on an upright page image: ruling lines by morphology, then the grid and its merged cells.

Measured in tools/scans/RESULTS.md (structure table): every one of 27 tables of rasterized real reports
came out exact (rows × columns, every cell within 2 pt) at 200 and 300 dpi, clean, scanned or
photographed. The steps:

1. Horizontal rules are ink that survives an opening with a 20 pt long, 1 px thin kernel; vertical ones
   with an 11 pt kernel (a row is at least 13 pt high, a character's stroke at most ~10.5 pt).
2. A short vertical piece must meet horizontal rules at both ends, else it is a character's stroke (one
   in a row just taller than its text stops ~1.5 pt short of the rule).
3. Small gaps along a rule (JPEG blocks, noise) are bridged; each connected set of rules is a table.
4. Rule positions, clustered, are the grid's lines; two neighbouring grid units are one cell when the
   rule between them is mostly missing (a merged cell draws no rule inside itself).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

HORIZONTAL_KERNEL_PT = 20.0
VERTICAL_KERNEL_PT = 11.0
# A vertical piece this long is a rule whatever its ends.
LONG_RULE_PT = 40.0
END_TOLERANCE_PT = 0.8
GAP_BRIDGE_PT = 3.0
MIN_TABLE_WIDTH_PT, MIN_TABLE_HEIGHT_PT = 60.0, 25.0
# Rows of the table's horizontal rules (and columns of its vertical ones) hold at least this much rule.
MIN_ROW_RULE_PT, MIN_COLUMN_RULE_PT = 15.0, 8.0
LINE_CLUSTER_PT = 2.5
# Between two grid units, a rule drawn along less than this share of their border is missing: merged.
MIN_RULE_SHARE = 0.5
RULE_BAND_PT = 1.2


@dataclass(frozen=True, slots=True)
class GridCell:
    """A cell of a grid: its first row and column, its spans, and its box (upright px, on the rules)."""

    row: int
    col: int
    rows: int
    cols: int
    box: tuple[float, float, float, float]


@dataclass
class Grid:
    """A ruled table: its box (upright px), its row and column lines, its cells in reading order."""

    box: tuple[float, float, float, float]
    ys: list[float]
    xs: list[float]
    cells: list[GridCell] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1


def _cluster(values: np.ndarray, tol: float) -> list[float]:
    """Given sorted positions, return the means of runs whose neighbours lie within `tol`."""
    out: list[list[float]] = []
    for v in values.tolist():
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [float(np.mean(g)) for g in out]


def _rules(ink: np.ndarray, px_per_pt: float) -> tuple[np.ndarray, np.ndarray]:
    """Given an ink mask, return its horizontal and vertical rules (masks, gaps bridged)."""
    pt = px_per_pt
    horiz = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                             cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(HORIZONTAL_KERNEL_PT * pt)), 1)))
    vert = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, int(VERTICAL_KERNEL_PT * pt)))))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(vert)
    near = cv2.dilate(horiz, np.ones((3, 3), np.uint8))
    b = max(2, round(END_TOLERANCE_PT * pt))
    height = horiz.shape[0]
    drop = np.zeros(n, bool)
    for k in range(1, n):
        x, y, w, h, _ = stats[k]
        if h >= LONG_RULE_PT * pt:
            continue
        top = near[max(0, y - b):y + b, max(0, x - b):x + w + b].any()
        bottom = near[max(0, y + h - b):min(height, y + h + b), max(0, x - b):x + w + b].any()
        drop[k] = not (top and bottom)
    if drop.any():
        vert[drop[labels]] = 0
    bridge = max(1, int(GAP_BRIDGE_PT * pt))
    horiz = cv2.dilate(horiz, cv2.getStructuringElement(cv2.MORPH_RECT, (bridge, 1)))
    vert = cv2.dilate(vert, cv2.getStructuringElement(cv2.MORPH_RECT, (1, bridge)))
    return horiz, vert


def _merge_units(hz: np.ndarray, vt: np.ndarray, ys: list[float], xs: list[float], band: int) -> list[list[int]]:
    """Given a table's rule masks and lines, return each grid unit's cell id (units joined where the
    rule between them is missing)."""
    nr, nc = len(ys) - 1, len(xs) - 1
    parent = list(range(nr * nc))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(nr):
        y0, y1 = int(ys[i]), int(ys[i + 1])
        for j in range(nc):
            x0, x1 = int(xs[j]), int(xs[j + 1])
            if j + 1 < nc:  # the rule between (i, j) and (i, j+1)
                xb = int(xs[j + 1])
                seg = vt[y0 + band:y1 - band, max(0, xb - band):xb + band + 1].any(axis=1)
                if seg.size == 0 or seg.mean() < MIN_RULE_SHARE:
                    parent[find(i * nc + j + 1)] = find(i * nc + j)
            if i + 1 < nr:  # the rule between (i, j) and (i+1, j)
                yb = int(ys[i + 1])
                seg = hz[max(0, yb - band):yb + band + 1, x0 + band:x1 - band].any(axis=0)
                if seg.size == 0 or seg.mean() < MIN_RULE_SHARE:
                    parent[find((i + 1) * nc + j)] = find(i * nc + j)
    return [[find(i * nc + j) for j in range(nc)] for i in range(nr)]


def _grid(hz: np.ndarray, vt: np.ndarray, origin: tuple[int, int], px_per_pt: float) -> Grid | None:
    """Given one table's rule masks (cut to its box) and the box's corner, return its grid, or None when
    its rules make no grid (fewer than two lines either way)."""
    pt = px_per_pt
    tol = LINE_CLUSTER_PT * pt
    ys = _cluster(np.flatnonzero(hz.sum(axis=1) > MIN_ROW_RULE_PT * pt * 255), tol)
    xs = _cluster(np.flatnonzero(vt.sum(axis=0) > MIN_COLUMN_RULE_PT * pt * 255), tol)
    if len(ys) < 2 or len(xs) < 2:
        return None
    ids = _merge_units(hz, vt, ys, xs, max(1, int(RULE_BAND_PT * pt)))
    ox, oy = origin
    units: dict[int, list[tuple[int, int]]] = {}
    for i, row in enumerate(ids):
        for j, cid in enumerate(row):
            units.setdefault(cid, []).append((i, j))
    cells = []
    for members in units.values():
        i0, i1 = min(m[0] for m in members), max(m[0] for m in members)
        j0, j1 = min(m[1] for m in members), max(m[1] for m in members)
        cells.append(GridCell(i0, j0, i1 - i0 + 1, j1 - j0 + 1,
                              (ox + xs[j0], oy + ys[i0], ox + xs[j1 + 1], oy + ys[i1 + 1])))
    cells.sort(key=lambda c: (c.row, c.col))
    return Grid((ox + xs[0], oy + ys[0], ox + xs[-1], oy + ys[-1]), [oy + y for y in ys], [ox + x for x in xs], cells)


def find_grids(ink: np.ndarray, px_per_pt: float) -> tuple[list[Grid], np.ndarray]:
    """Given an upright page's ink mask, return its ruled tables (top to bottom) and the mask of every
    rule found (to be removed from the cells' ink before their text is read)."""
    horiz, vert = _rules(ink, px_per_pt)
    rules = cv2.bitwise_or(horiz, vert)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(rules, np.ones((3, 3), np.uint8)))
    grids = []
    for k in range(1, n):
        x, y, w, h, _ = stats[k]
        if w < MIN_TABLE_WIDTH_PT * px_per_pt or h < MIN_TABLE_HEIGHT_PT * px_per_pt:
            continue
        region = labels[y:y + h, x:x + w] == k
        hz = np.where(region, horiz[y:y + h, x:x + w], 0)
        vt = np.where(region, vert[y:y + h, x:x + w], 0)
        grid = _grid(hz, vt, (x, y), px_per_pt)
        if grid is not None and grid.cells:
            grids.append(grid)
    grids.sort(key=lambda g: (g.box[1], g.box[0]))
    return grids, rules
