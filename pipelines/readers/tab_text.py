"""Tab-indented text exports (samples 000, 002, 003, 004).

Each cell is a line behind a tab; rows are separated by a blank line; a line without a tab right
after a cell line continues that cell (Word's vertical or wrapped header text: `自` / `然` / `人`).
A line without a tab after a blank line is a paragraph and ends the table.
"""

from __future__ import annotations

from pipelines.document.model import Cell, Document
from pipelines.readers.builder import TableBuilder
from pipelines.readers.lines import is_blank, paragraph_text, split_lines

# The delimiter this layout cannot do without.
MARKER = "\t"
FORMAT = "tab_text"


def _cell_texts(line: str) -> list[str] | None:
    """Given a line, return its cell texts when it is a cell line (only whitespace before a tab)."""
    head, sep, rest = line.partition("\t")
    if not sep or head.strip(" "):
        return None
    return rest.split("\t")


def read(text: str) -> Document:
    """Given tab-indented text, return paragraphs and tables (rows known, columns not)."""
    doc = Document(FORMAT)
    table = TableBuilder(doc)
    after_cell = False
    for line in split_lines(text):
        cells = _cell_texts(line)
        if cells is not None:
            for t in cells:
                table.add_cell(Cell(t))
            after_cell = True
        elif is_blank(line):
            table.end_row()
            after_cell = False
        elif after_cell and table.row:
            last = table.row[-1]
            table.row[-1] = Cell(last.text + "\n" + line)
        else:
            table.paragraph(paragraph_text(line))
            after_cell = False
    table.close()
    doc.renumber_tables()
    return doc


def score(lines: list[str]) -> float:
    """Share of non-blank lines that are tab cells: how much this text looks like the layout."""
    content = [ln for ln in lines if ln.strip() or "\t" in ln]
    if not content:
        return 0.0
    return sum(1 for ln in content if _cell_texts(ln) is not None) / len(content)
