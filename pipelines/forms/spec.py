"""The vocabulary in which a form is written down as data."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Line:
    """A row or a column of a form: the codes it contributes to a cell and the labels it goes by."""

    codes: tuple[tuple[str, str], ...]
    labels: tuple[str, ...]
    unit: str | None = None

    @functools.cached_property
    def code_map(self) -> dict[str, str]:
        return dict(self.codes)


@dataclass(frozen=True)
class Block:
    """A rectangle of the form: each row × each column is one fact cell.

    `anchors` are the block's own heading labels (第二十条第（一）项); `fixed` are the codes every cell
    of the block shares (the `item`). A block with one unlabeled row (table C) has `rows` of one
    Line without labels.
    """

    anchors: tuple[str, ...]
    rows: tuple[Line, ...]
    columns: tuple[Line, ...]
    fixed: tuple[tuple[str, str], ...] = ()
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormTable:
    """One of the three statistical tables: its fact table, coordinates, blocks and furniture.

    `coordinates` are the fact table's coordinate columns in order; `value_kind` is 'amount'
    (DECIMAL, units) or 'count' (BIGINT). `starts` are labels that only this table has: where
    the first of them occurs, the table begins. `furniture` are labels that belong to the printed
    form (captions, group headings, notes) and hold no number.
    """

    name: str
    fact_table: str
    coordinates: tuple[str, ...]
    value_kind: str
    blocks: tuple[Block, ...]
    starts: tuple[str, ...]
    furniture: tuple[str, ...] = ()


@dataclass(frozen=True)
class Form:
    """A State Council form version: its three tables and the labels that tell it from the others."""

    version: str
    document: str
    first_year: int
    last_year: int | None
    tables: tuple[FormTable, ...]
    evidence: tuple[str, ...] = field(default=())

    def table(self, name: str) -> FormTable:
        return next(t for t in self.tables if t.name == name)

    def cell_count(self) -> int:
        return sum(len(b.rows) * len(b.columns) for t in self.tables for b in t.blocks)
