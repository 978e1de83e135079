"""How the text layouts build their tables: cells gathered into rows (or one stream of cells, where a
layout marks no rows) until something that is not a cell ends the table."""

from __future__ import annotations

from pipelines.document.model import Cell, Document, Paragraph, Table


class TableBuilder:
    """Gathers the cells of the table being read and adds it to the document when it ends.

    With `has_rows`, cells go into the current row until `end_row`; without, every cell goes into one
    stream (a table whose rows the layout does not mark)."""

    def __init__(self, doc: Document, has_rows: bool = True, keeps_empty_cells: bool = True) -> None:
        self.doc = doc
        self.has_rows = has_rows
        self.keeps_empty_cells = keeps_empty_cells
        self.rows: list[list[Cell]] = []
        self.row: list[Cell] = []

    def add_cell(self, cell: Cell) -> None:
        self.row.append(cell)

    def add_row(self, cells: list[Cell]) -> None:
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
