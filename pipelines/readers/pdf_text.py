"""Text extracted from PDFs (pdftotext-like): a row is its label followed by numbers separated by
spaces; long labels wrap onto the next line, which carries the numbers; page numbers interrupt.

Empty cells leave no trace in such text, so rows may carry fewer numbers than the form has
columns; placing them is the interpreter's job (the form's arithmetic), not the reader's.
"""

from __future__ import annotations

import re

from pipelines.document.cells import is_value_like, squeeze
from pipelines.document.model import Cell, Document
from pipelines.readers.builder import TableBuilder
from pipelines.readers.lines import PAGE_NUMBER, is_blank, paragraph_text, split_lines

FORMAT = "pdf_text"
MAX_LABEL_CHARS = 30
MAX_HEADER_TOKEN_CHARS = 20
SENTENCE_END = ("。", "；", ";")
BARE_NUMBERING = re.compile(r"^[（(]?(?:\d+|[一二三四五六七八九十]+)[）)]?[、.．]?$")
MIN_NUMERIC_ROWS = 4
# Text-only lines belong to a table only this close to a line of numbers (headers above, labels between).
TABLE_REACH_BEFORE, TABLE_REACH_AFTER = 3, 8
NUMBERING_START = ("(", "（", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十")


def _split(line: str) -> tuple[list[str], list[str]]:
    """Given a line, return (label tokens, trailing value tokens)."""
    tokens = line.split()
    cut = len(tokens)
    while cut > 0 and is_value_like(tokens[cut - 1]):
        cut -= 1
    return tokens[:cut], tokens[cut:]


def _label_cells(tokens: list[str]) -> list[str]:
    """Spaced-out text (`三 、 本 年 度`) is one cell; otherwise each token is its own cell, except that
    bare numbering (`5、`, `（三）`) belongs to the words after it."""
    if tokens and all(len(t) <= 2 for t in tokens):
        return [" ".join(tokens)]
    cells: list[str] = []
    for token in tokens:
        if cells and BARE_NUMBERING.match(cells[-1]):
            cells[-1] = cells[-1] + " " + token
        else:
            cells.append(token)
    return cells


def _starts_numbered(token: str) -> bool:
    s = squeeze(token)
    return s[:1].isdigit() or s.startswith(NUMBERING_START)


def _row_of(line: str) -> list[str] | None:
    """Given a line, return its cells when it belongs to a table, None when it is prose."""
    labels, values = _split(line)
    if values:
        return [*_label_cells(labels), *values]
    if line.rstrip().endswith(SENTENCE_END):
        return None
    if len(labels) > 1 and all(len(t) <= MAX_HEADER_TOKEN_CHARS for t in labels):
        return _label_cells(labels)
    if len(labels) == 1 and len(labels[0]) <= MAX_LABEL_CHARS:
        return labels
    return None


def read(text: str) -> Document:
    doc = Document(FORMAT)
    table = TableBuilder(doc, keeps_empty_cells=False)  # numbers between spaces: an empty cell leaves no trace
    lines = [ln for ln in split_lines(text) if not PAGE_NUMBER.match(ln) and not is_blank(ln)]
    split = [_split(ln) for ln in lines]
    numeric = [bool(values) and bool(labels or len(values) > 1) for labels, values in split]
    pending_label: str | None = None
    for i, line in enumerate(lines):
        row = _row_of(line)
        labels, values = split[i]
        if row is not None and not values and not any(numeric[max(0, i - TABLE_REACH_BEFORE): i + TABLE_REACH_AFTER]):
            row = None  # a short line far from any numbers is prose (a title, a signature), not a table row
        if row is None:
            if pending_label is not None:
                table.add_row([Cell(pending_label)])
                pending_label = None
            table.paragraph(paragraph_text(line))
            continue
        if pending_label is not None:
            if values and len(labels) == 1 and not _starts_numbered(labels[0]):
                row = [pending_label + labels[0], *values]
            else:
                table.add_row([Cell(pending_label)])
            pending_label = None
        if not values and len(labels) == 1 and _starts_numbered(labels[0]) and len(labels[0]) >= 6:
            pending_label = labels[0]
            continue
        table.add_row([Cell(t) for t in row])
    if pending_label is not None:
        table.add_row([Cell(pending_label)])
    table.close()
    doc.renumber_tables()
    return doc


def score(lines: list[str]) -> float:
    content = [ln for ln in lines if not is_blank(ln)]
    if not content:
        return 0.0
    numeric_rows = 0
    for ln in content:
        if len(ln.split(None, 2)) < 3:
            continue  # a row needs a label and at least two numbers
        labels, values = _split(ln)
        if labels and len(values) >= 2:
            numeric_rows += 1
    if numeric_rows < MIN_NUMERIC_ROWS:
        return 0.0
    return min(1.0, numeric_rows / len(content) * 3)
