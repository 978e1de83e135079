"""How the text layouts build their tables: cells gathered into rows (or one stream of cells, where a
layout marks no rows) until something that is not a cell ends the table."""

from __future__ import annotations

from pipelines.document.model import Cell, Document, Paragraph, ReadError, Table
from pipelines.readers.spans import MAX_GRID_CELLS


class CellBudget:
    """The cells a text reader may still build for one document (the bound the HTML and Word readers put
    on grid positions, readers.spans): a text of tabs or pipes makes a cell of every few bytes, and a 4 MB
    one built four million cells, and gigabytes downstream, before the worker's memory ceiling stopped it."""

    def __init__(self, limit: int = MAX_GRID_CELLS) -> None:
        self.limit, self.left = limit, limit

    def take(self, cells: int) -> None:
        self.left -= cells
        if self.left < 0:
            raise ReadError("malformed", f"The text would make tables of more than {self.limit:,} cells (a report's "
                            "hold a few hundred): it is a data dump or a damaged copy, not a report's text. "
                            "Check that it is a report.")


class TableBuilder:
    """Gathers the cells of the table being read and adds it to the document when it ends.

    With `has_rows`, cells go into the current row until `end_row`; without, every cell goes into one
    stream (a table whose rows the layout does not mark). Every cell is counted against `budget` (one
    per document: builders of the same document share it)."""

    def __init__(self, doc: Document, has_rows: bool = True, keeps_empty_cells: bool = True,
                 budget: CellBudget | None = None) -> None:
        self.doc = doc
        self.has_rows = has_rows
        self.keeps_empty_cells = keeps_empty_cells
        self.budget = budget if budget is not None else CellBudget()
        self.rows: list[list[Cell]] = []
        self.row: list[Cell] = []

    def add_cell(self, cell: Cell) -> None:
        self.budget.take(1)
        self.row.append(cell)

    def add_row(self, cells: list[Cell]) -> None:
        self.budget.take(len(cells))
        self.end_row()
        self.row = list(cells)
        self.end_row()

    def end_row(self) -> None:
        if self.has_rows and self.row:
            self.rows.append(self.row)
            self.row = []

    def close(self) -> None:
        """End the table (if any cell was gathered) and add it to the document."""
        self.end_row()
        rows = self.rows if self.has_rows else ([self.row] if self.row else [])
        if rows:
            self.doc.blocks.append(Table(rows=rows, has_rows=self.has_rows, keeps_empty_cells=self.keeps_empty_cells))
        self.rows, self.row = [], []

    def paragraph(self, text: str) -> None:
        """Prose: it ends the table being read and follows it in the document."""
        self.close()
        self.doc.blocks.append(Paragraph(text))

    @property
    def empty(self) -> bool:
        return not self.rows and not self.row
