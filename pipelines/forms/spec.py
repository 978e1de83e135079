"""The vocabulary in which a form is written down as data: its tables, their blocks, rows and columns,
and the shape facts the interpreter reads (which column is a total, how columns repeat in groups)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field


@dataclass(frozen=True)
class FormRow:
    """A row of a form block: the codes it gives its cells (`category`, `outcome`, `proceeding`) and the
    labels it goes by."""

    codes: tuple[tuple[str, str], ...]
    labels: tuple[str, ...]

    @functools.cached_property
    def code_map(self) -> dict[str, str]:
        return dict(self.codes)


@dataclass(frozen=True)
class FormColumn:
    """A column of a form block: the codes it gives its cells (`metric`, `applicant`, `result`), the
    labels it goes by and the unit its numbers are in (件, 万元)."""

    codes: tuple[tuple[str, str], ...]
    labels: tuple[str, ...]
    unit: str | None = None
    # The line of the printed header the column's label stands on (table B: 自然人 and 总计 merged over
    # both lines stand on the first, the five kinds of 法人或其他组织 on the second): a header flattened
    # line by line lists them in that order, while the numbers below keep the visual order.
    header_line: int = 0

    @functools.cached_property
    def code_map(self) -> dict[str, str]:
        return dict(self.codes)


@dataclass(frozen=True)
class Block:
    """A rectangle of the form: each row × each column is one fact cell.

    `anchors` are the block's own heading labels (第二十条第（一）项); `fixed` are the codes every cell
    of the block shares (the `item`); `groups` are labels over several rows or columns that hold no
    number (（三）不予公开, 行政诉讼's 未经复议直接起诉).

    Shape: `total_column` is the column that holds the sum of the others in every row (table B's and
    table C's 总计): the arithmetic that tells columns apart where a flattened header leaves their
    order in doubt, and places a row whose empty cells were dropped. `rows_as_column_groups`: the
    printed form lays the block's rows side by side as groups of columns under one header, with one
    line of numbers (table C: 行政复议 | 行政诉讼·未经复议直接起诉 | 复议后起诉, five results each);
    agencies also print it transposed, a row per proceeding, which reads as any labelled block.
    """

    anchors: tuple[str, ...]
    rows: tuple[FormRow, ...]
    columns: tuple[FormColumn, ...]
    fixed: tuple[tuple[str, str], ...] = ()
    groups: tuple[str, ...] = ()
    total_column: int | None = None
    rows_as_column_groups: bool = False

    def cell_count(self) -> int:
        return len(self.rows) * len(self.columns)

    def flattened_header_order(self) -> list[int]:
        """The columns in the order the printed header lists them when read line by line."""
        return sorted(range(len(self.columns)), key=lambda c: (self.columns[c].header_line, c))


@dataclass(frozen=True)
class FormTable:
    """One of the three statistical tables: its fact table, coordinates, blocks and furniture.

    `coordinates` are the fact table's coordinate columns in order; `value_kind` is 'amount'
    (DECIMAL, units) or 'count' (BIGINT). `starts` are labels that only this table has: where
    the first of them occurs, the table begins. `header_labels` open a block's header row (信息内容).
    `furniture` are labels that belong to the printed form (captions, group headings, notes) and hold
    no number.
    """

    name: str
    fact_table: str
    coordinates: tuple[str, ...]
    value_kind: str
    blocks: tuple[Block, ...]
    starts: tuple[str, ...]
    header_labels: tuple[str, ...] = ()
    furniture: tuple[str, ...] = ()

    def cell_count(self) -> int:
        return sum(block.cell_count() for block in self.blocks)


@dataclass(frozen=True)
class Form:
    """A State Council form version: its three tables and the labels that tell it from the others.

    `first_year` is the first report year it is in force for; a later form replaces it from its own
    first year. `evidence` are labels only this form prints."""

    version: str
    document: str
    first_year: int
    tables: tuple[FormTable, ...]
    evidence: tuple[str, ...] = field(default=())

    def table(self, name: str) -> FormTable:
        return next(t for t in self.tables if t.name == name)

    def cell_count(self) -> int:
        return sum(t.cell_count() for t in self.tables)
