"""Text copied from web pages: one cell per line, blank lines between, no marker at all.

Without markers, cells are told from prose by their shape: a table is a long run of short
blocks among which some are numbers; everything else is a paragraph. A block of several very
short lines is one cell written vertically.
"""

from __future__ import annotations

from pipelines.document.cells import is_value_like
from pipelines.document.model import Cell, Document, Paragraph
from pipelines.readers.builder import CellBudget, TableBuilder
from pipelines.readers.lines import PAGE_NUMBER, is_blank, is_fragment, paragraph_text, split_lines

FORMAT = "line_text"
MAX_CELL_CHARS = 40
MIN_TABLE_CELLS = 6
MIN_TABLE_VALUES = 3
# A run of this many short cells is a table even without numbers (a copy that lost them): prose does
# not come in twenty short lines in a row.
MIN_BARE_TABLE_CELLS = 20
SENTENCE_END = ("。", "；", ";", "：", ":")
# Fewer blank lines than this share of the text lines: the copy dropped them, every line is a block.
MIN_SEPARATOR_SHARE = 0.2


def _separates(line: str) -> bool:
    return is_blank(line) and "\xa0" not in line and "\u3000" not in line


def _groups(lines: list[str]) -> list[list[str]]:
    """Blocks of lines between blank lines. A text with hardly any blank lines (a copy that dropped
    them) has a block per line."""
    separators = sum(1 for line in lines if _separates(line))
    if separators < MIN_SEPARATOR_SHARE * (len(lines) - separators):
        return [[line] for line in lines if not _separates(line) and not PAGE_NUMBER.match(line)]
    groups: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if _separates(line):
            if current:
                groups.append(current)
                current = []
        elif not PAGE_NUMBER.match(line):
            current.append(line)
    if current:
        groups.append(current)
    return groups


def _as_cell(group: list[str]) -> str | None:
    """Given a block of lines, return its cell text when it looks like one cell, else None."""
    text = "\n".join(ln.strip(" ") for ln in group)
    if len(group) > 1 and not all(is_fragment(ln) for ln in group):
        return None
    flat = text.replace("\n", "")
    if len(flat) > MAX_CELL_CHARS or flat.rstrip().endswith(SENTENCE_END):
        return None
    return text


def read(text: str) -> Document:
    """Given cell-per-line text, return paragraphs and the runs of cells as stream tables."""
    doc = Document(FORMAT)
    run: list[tuple[list[str], str]] = []
    budget = CellBudget()

    def close() -> None:
        cells = [c for _, c in run]
        values = sum(1 for c in cells if c.strip() and is_value_like(c))
        if (len(cells) >= MIN_TABLE_CELLS and values >= MIN_TABLE_VALUES) or len(cells) >= MIN_BARE_TABLE_CELLS:
            stream = TableBuilder(doc, has_rows=False, keeps_empty_cells=False, budget=budget)  # empty lines: no trace
            for c in cells:
                stream.add_cell(Cell(c))
            stream.close()
        else:
            for group, _ in run:
                doc.blocks.extend(Paragraph(paragraph_text(ln)) for ln in group)
        run.clear()

    for group in _groups(split_lines(text)):
        cell = _as_cell(group)
        if cell is None:
            close()
            doc.blocks.extend(Paragraph(paragraph_text(ln)) for ln in group)
        else:
            run.append((group, cell))
    close()
    doc.renumber_tables()
    return doc


def score(lines: list[str]) -> float:
    groups = _groups(lines)
    if not groups:
        return 0.0
    cells = [g for g in groups if _as_cell(g) is not None]
    values = sum(1 for g in cells if is_value_like("".join(g)))
    if values < MIN_TABLE_VALUES * 5:
        return 0.0
    return len(cells) / len(groups) * 0.9
