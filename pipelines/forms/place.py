"""Placing a row's numbers into the form's cells, only where the placement is proven.

A row may carry fewer numbers than the form has cells (an export dropped the empty ones), its header
may leave the column order in doubt (a flattened header, an unreadable or empty header cell), and a
text copy may run several cells' digits together (`3336` for three cells). Every way the numbers could
lie is enumerated; the form's arithmetic (a total column = the sum of the others) removes the ways it
rules out; a cell is placed only when every remaining way gives it the same reading. The others are
uncertain — the caller stores them `unreadable` and marks the report — so a number is never moved
into a neighbour's cell on a guess.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from pipelines.document.cells import BLANK, NOT_APPLICABLE_STATE, VALUE, read_cell

# Past this many ways to lay a row out, nothing is placed (the row is flagged instead).
MAX_CANDIDATES = 4000
# A digit run is not split into more parts than this (a text copy's row has at most 15 cells).
MAX_RUN_PARTS = 15
# One number as agencies print it inside a run: no leading zeros, a sign starts it, decimals and a
# unit stay with it.
_RUN_PART = re.compile(r"^[+\-−]?(?:0|[1-9]\d*)(?:\.\d+)?(?:元|万元)?$")

Cell = Hashable  # a form cell's id, e.g. (block, row, column)
DROPPED, ABSENT, UNCERTAIN = "dropped", "absent", "uncertain"


class ValueToken(Protocol):
    text: str
    joined: bool


@dataclass(frozen=True, slots=True)
class Piece:
    """A value as placed: the document token it came from and its text (a part of the token's text
    when the source ran cells together)."""

    token: ValueToken
    text: str


@dataclass(frozen=True, slots=True)
class SumRule:
    """total = the sum of the addends (blank and not-applicable addends count as 0)."""

    total: Cell
    addends: tuple[Cell, ...]


@dataclass
class Placement:
    """Per cell: the `Piece` placed there, DROPPED (the cell is there but empty), ABSENT (not in the
    source: the row was cut off) or UNCERTAIN; `extras` are numbers in no form column (an agency's
    own column); `reason` says why, when something is uncertain."""

    cells: dict[Cell, object]
    extras: tuple[Piece, ...] = ()
    reason: str | None = None
    layouts: int = 1

    @property
    def uncertain(self) -> list[Cell]:
        return [c for c, v in self.cells.items() if v == UNCERTAIN]


@dataclass
class _Layout:
    cells: dict[Cell, Piece] = field(default_factory=dict)
    extras: list[Piece] = field(default_factory=list)


class RunTooLong(Exception):
    """A digit run with more ways to cut it than are worth trying: nothing in its row is proven."""


def split_run(text: str, parts: int) -> list[list[str]]:
    """Given a digit run a source printed without separators (`3336`, `1-10`, `1973601627.4元`), return
    every way to read it as `parts` numbers as agencies print them."""
    s = "".join(text.split())
    if not 1 <= parts <= min(len(s), MAX_RUN_PARTS):
        return []
    if math.comb(len(s) - 1, parts - 1) > MAX_CANDIDATES:
        raise RunTooLong(text)
    out = []
    for cuts in itertools.combinations(range(1, len(s)), parts - 1):
        pieces = [s[a:b] for a, b in itertools.pairwise((0, *cuts, len(s)))]
        if all(_RUN_PART.match(p) for p in pieces):
            out.append(pieces)
    return out


def _expansions(tokens: Sequence[ValueToken], width: int) -> list[list[Piece]]:
    """Every sequence of pieces the row's tokens can be. A joined run becomes as many numbers as it can
    while the row still fits (a copy that runs cells together prints its zeros, so a run that can fill
    the row does), else fewer."""
    options: list[list[list[Piece]]] = []
    for i, tok in enumerate(tokens):
        if not tok.joined:
            options.append([[Piece(tok, tok.text)]])
            continue
        room = width - sum(1 for t in tokens[:i] + tokens[i + 1:] if not t.joined)
        ways: list[list[Piece]] = []
        for parts in range(min(max(room, 1), MAX_RUN_PARTS), 0, -1):
            ways = [[Piece(tok, p) for p in split] for split in split_run(tok.text, parts)]
            if ways:
                break
        options.append(ways or [[Piece(tok, tok.text)]])
    out: list[list[Piece]] = []
    for combo in itertools.product(*options):
        out.append([p for part in combo for p in part])
        if len(out) > MAX_CANDIDATES:
            break
    return out


def _state(piece: object, kind: str) -> tuple:
    if isinstance(piece, Piece):
        r = read_cell(piece.text, kind)
        return (r.state, r.value)
    return (piece, None)


_ZERO = Decimal(0)
# An addend in one of these states counts as 0 (any other state but a value: unreadable, checks nothing).
_COUNTS_AS_ZERO = frozenset((BLANK, NOT_APPLICABLE_STATE, DROPPED, ABSENT))


def _adds_up(layout: _Layout, rules: Sequence[SumRule], kind: str) -> bool:
    """The layout breaks none of the rules; a total not printed, blank or unreadable, an unreadable
    addend, or addends all empty (the breakdown not filled in) check nothing."""
    for rule in rules:
        if rule.total not in layout.cells and not any(a in layout.cells for a in rule.addends):
            continue  # nothing of this rule's row is placed
        total = layout.cells.get(rule.total)
        if total is None:
            continue  # the total is not printed in this layout: nothing to check
        state, expected = _state(total, kind)
        if state != VALUE:
            continue
        states = [_state(layout.cells.get(a, DROPPED), kind) for a in rule.addends]
        if not all(s == VALUE or s in _COUNTS_AS_ZERO for s, _ in states):
            continue
        if all(s != VALUE for s, _ in states):
            continue  # the breakdown was not filled in: nothing to check (the contract's rule)
        if sum((v for s, v in states if s == VALUE), _ZERO) != expected:
            return False
    return True


def _total_cut_off(layout: _Layout, rules: Sequence[SumRule]) -> bool:
    """Some rule's addends are placed but its total is not: the row stops before its total."""
    return any(rule.total not in layout.cells and any(a in layout.cells for a in rule.addends) for rule in rules)


def place(tokens: Sequence[ValueToken], orderings: Sequence[Sequence[Cell | None]], cells: Sequence[Cell],
          rules: Sequence[SumRule], kind: str, cut_off: bool = False, ends_copy: bool = False,
          empties_known: bool = False) -> Placement:
    """Given a row's value tokens, the candidate orders of its slots (a form cell per slot, None for a
    column the form does not have), the row's form cells and its sum rules, return what is proven
    about each cell.

    A cut-off row (the copy stops inside it, or the layout keeps empty cells) fills its slots from the
    left; otherwise empty cells an export dropped may have been anywhere among the slots. The row the
    copy ends in (`ends_copy`) may be followed by the first characters of whatever came next: numbers
    past its last cell are no cells of it. Where the source says the row's other cells were there and
    empty (`empties_known`: it moved them to the row's end), a cell given no number is blank, not missing."""
    width = max((len(o) for o in orderings), default=len(cells))
    layouts: list[_Layout] = []
    try:
        expansions = _expansions(tokens, width)
    except RunTooLong as exc:
        return Placement({c: UNCERTAIN for c in cells}, reason=f"digits run together too long to split ({str(exc)[:20]}…)",
                         layouts=0)
    for pieces in expansions:
        for order in orderings:
            row_pieces, spill = pieces, []
            if len(pieces) > len(order):
                if not ends_copy:
                    continue
                # A copy cut off just after the row: what follows is the start of the next text, not a cell.
                row_pieces, spill = pieces[: len(order)], pieces[len(order):]
            k = len(row_pieces)
            spots = [tuple(range(k))] if cut_off or k == len(order) else itertools.combinations(range(len(order)), k)
            for positions in spots:
                layout = _Layout(extras=list(spill))
                for p, piece in zip(positions, row_pieces, strict=True):
                    if order[p] is None:
                        if piece.text.strip():
                            layout.extras.append(piece)
                    else:
                        layout.cells[order[p]] = piece
                layouts.append(layout)
                if len(layouts) > MAX_CANDIDATES:
                    return Placement({c: UNCERTAIN for c in cells}, reason="too many ways to lay the row out",
                                     layouts=len(layouts))
    if not layouts:
        return Placement({c: UNCERTAIN for c in cells}, reason=f"{len(tokens)} values, more than the row's "
                         f"{width} cells", layouts=0)
    checked = [lay for lay in layouts if _adds_up(lay, rules, kind)]
    if cut_off and not checked and any(isinstance(lay.cells.get(r.total), Piece) for lay in layouts for r in rules):
        # A row read as cut short whose own total then fails: its empty cells were dropped instead.
        return place(tokens, orderings, cells, rules, kind, cut_off=False, ends_copy=ends_copy,
                     empties_known=empties_known)
    if cut_off and not ends_copy and any(_total_cut_off(lay, rules) for lay in checked):
        # A row short of its total inside the table: cut short, or its empty cells dropped? Its total
        # would tell, and it is not there; only what holds either way is placed.
        return place(tokens, orderings, cells, rules, kind, cut_off=False)
    # A source whose own arithmetic fails in every layout says nothing about the layout: keep them all.
    survivors = checked or layouts
    # A cell no layout gives a number: not printed. Where the layout shows empty cells, an empty one
    # would be a piece; where it does not, the source simply does not have the cell: missing.
    rest = DROPPED if empties_known else ABSENT
    if len(survivors) == 1:  # one way: every cell reads as it lies (most rows)
        only = survivors[0]
        return Placement({cell: only.cells.get(cell, rest) for cell in cells}, tuple(only.extras), layouts=1)
    out: dict[Cell, object] = {}
    for cell in cells:
        readings = {_state(lay.cells.get(cell, rest), kind) for lay in survivors}
        out[cell] = survivors[0].cells.get(cell, rest) if len(readings) == 1 else UNCERTAIN
    extra_sets = {tuple(p.text for p in lay.extras) for lay in survivors}
    extras = tuple(survivors[0].extras) if len(extra_sets) == 1 else ()
    placement = Placement(out, extras, layouts=len(survivors))
    if placement.uncertain or len(extra_sets) > 1:
        placement.reason = (f"{len(tokens)} values for {len(cells)} cells: {len(survivors)} layouts fit the "
                            f"form, {len(placement.uncertain)} cells differ between them")
    return placement
