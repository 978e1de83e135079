"""The neutral document model every reader produces and the form interpreter consumes.

A reader knows the layout of its source (tabs, pipes, Word tables…) but nothing of the forms; the
interpreter knows the forms but nothing of layouts. This module is the only thing they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell, its text exactly as the source holds it (inner line breaks kept).

    `row`/`col` are the cell's grid position where the layout has one (docx, html), else None.
    `merged` marks a grid position covered by another cell's span: its text belongs to the first
    position, so it is kept only to hold the place.
    """

    text: str
    row: int | None = None
    col: int | None = None
    merged: bool = False


@dataclass(slots=True)
class Table:
    """A table as rows of cells where the layout marks rows, or as one cell stream where it does not.

    `has_rows` is False for layouts that give no row boundaries (one cell per line with no row
    marker); `rows` then holds a single row: the stream.
    """

    rows: list[list[Cell]]
    has_rows: bool = True
    index: int = 0

    @property
    def cells(self) -> list[Cell]:
        return [cell for row in self.rows for cell in row]


@dataclass(slots=True)
class Paragraph:
    text: str


Block = Paragraph | Table


@dataclass(slots=True)
class Document:
    """Paragraphs and tables in document order, with the layout they were read from."""

    source_format: str
    blocks: list[Block] = field(default_factory=list)
    # Conditions of the reading an analyst should know of (e.g. tables rebuilt from word positions).
    notes: list[str] = field(default_factory=list)

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if isinstance(b, Paragraph)]

    def renumber_tables(self) -> None:
        """Give tables their ordinal in document order, the `src_table` of every fact."""
        for i, table in enumerate(self.tables):
            table.index = i


class ReadError(Exception):
    """A file that cannot become a document; `code` is the ledger's stable error_code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
