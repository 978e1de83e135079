"""Which cells of a row whose numbers run together can be told apart (fujian-pingtan-*-txt: `规章000`,
`行政许可1-10`, `政府集中采购1973601627.4元`).

A careful reader knows how many cells the row has and what a number looks like (no leading zeros, a
sign only in front, a decimal point inside, a unit at the end); a space is a boundary it can trust. A
cell is *ambiguous* when the run can be split into the row's cells in ways that give it different texts:
there a reader is right only if it says it cannot read the cell.
"""

from __future__ import annotations

import re
import unicodedata

NUMBER = re.compile(r"/|[-—−]?(?:0|[1-9]\d*)(?:\.\d+)?(?:元|万元|万|\(万元\))?")


def _next(s: str, j: int) -> int:
    """The position after a token ending at j: one space after it is a boundary, skipped."""
    return j + 1 if j < len(s) and s[j] == " " else j


def cell_texts(run: str, n: int) -> list[set[str]]:
    """Given a row's run of numbers and its number of cells, return the texts each cell can have
    (empty sets when the run cannot be split into `n` numbers at all)."""
    s = unicodedata.normalize("NFKC", run).strip()
    length = len(s)
    edges: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    reach: list[set[int]] = [{0}] + [set() for _ in range(n)]
    for k in range(n):
        for i in sorted(reach[k]):
            for j in range(i + 1, length + 1):
                if s[j - 1] == " ":
                    break
                if NUMBER.fullmatch(s, i, j):
                    edges[k].append((i, j))
                    reach[k + 1].add(_next(s, j))
    back: list[set[int]] = [set() for _ in range(n)] + [{length}]
    for k in range(n - 1, -1, -1):
        back[k] = {i for i, j in edges[k] if i in reach[k] and _next(s, j) in back[k + 1]}
    return [{s[i:j] for i, j in edges[k] if i in reach[k] and i in back[k] and _next(s, j) in back[k + 1]}
            for k in range(n)]


def ambiguous(run: str, n: int) -> list[bool]:
    """Given a row's run and its number of cells, return for each cell whether a reader cannot tell
    its number."""
    return [len(options) != 1 for options in cell_texts(run, n)]
