"""The neutral document model every reader produces and the form interpreter consumes.

A reader knows the layout of its source (tabs, pipes, Word tables…) but nothing of the forms; the
interpreter knows the forms but nothing of layouts. This module is the only thing they share.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell, its text exactly as the source holds it (inner line breaks kept).

    `row`/`col` are the cell's grid position where the layout has one (docx, html, pdf), else None.
    `merged` marks a grid position covered by another cell's span: its text belongs to the first
    position, so it is kept only to hold the place. `joined` marks text in which the source may have
    run several cells together with no separator (a text copy that collapsed whitespace: `规章000`):
    the reader cannot tell where one cell ends, so it says so and leaves that to the form.
    `padding` marks an empty cell the source moved to the row's end (a page store writes a row's
    filled cells, then one pipe per empty or merged cell): the row had empty cells, but not there.
    `box` is where a PDF printed the cell, `(page, x0, top, x1, bottom)`: page 0-based, PDF points from
    the page's top-left corner as pdfplumber measures them (the page as displayed); for an image file,
    page k is its k-th frame, in points of its declared resolution (pixels when it declares none). None
    for other layouts and for a position a reader cannot place (an empty cell of a table rebuilt from
    words, a PDF page read turned the way its text stands, a picture inside a .docx). Only the review page reads it
    (to mark a cell on the picture of its page); it takes no part in comparing cells.
    `confidence` is the OCR engine's recognition confidence (0–1) for a cell whose text was read from
    an image (a scanned page, a picture of a table), the lowest over the cell's text lines, lowered by
    the reader where it doubts the crop; None for text that was in the file. The warehouse keeps it as
    `ocr_confidence`, and a report with a cell below the threshold needs review.
    """

    text: str
    row: int | None = None
    col: int | None = None
    merged: bool = False
    joined: bool = False
    padding: bool = False
    box: tuple[int, float, float, float, float] | None = field(default=None, compare=False, repr=False)
    confidence: float | None = None


@dataclass(slots=True)
class Table:
    """A table as rows of cells where the layout marks rows, or as one cell stream where it does not.

    `has_rows` is False for layouts that give no row boundaries (one cell per line with no row
    marker); `rows` then holds a single row: the stream. `keeps_empty_cells` is False for layouts in
    which an empty cell leaves no trace (numbers separated by spaces, a cell per line with empty lines
    dropped): there a row with fewer numbers than columns may have lost empty cells anywhere, while
    elsewhere it was cut short.

    `regions` is where a PDF printed the table, `(page, (x0, top, x1, bottom))` per page it spans, in
    page order (a table stitched over a page break has one region per page): page 0-based, PDF points
    from the page's top-left corner as pdfplumber measures them (a ruled table's `bbox`; for a table
    rebuilt from words, the extent of its words). Empty for other layouts; the review page draws it.
    """

    rows: list[list[Cell]]
    has_rows: bool = True
    index: int = 0
    keeps_empty_cells: bool = True
    regions: list[tuple[int, tuple[float, float, float, float]]] = field(default_factory=list, compare=False)

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
