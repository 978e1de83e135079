"""Pipe-delimited text exports, in the three shapes seen in the wild.

* trailing: one cell per line ending in ` |` (sample 001); a bare `|` is an empty cell; a run of
  pipes (`|||`) pads a row to the table's width and is no cell; rows are not marked (a stream).
* separator: each cell on its own line(s) followed by a line holding only `|`; here the bare `|`
  separates cells, so two in a row enclose an empty cell (a stream).
* rows: one table row per line, cells between pipes (markdown-like, leading/trailing pipes
  optional, `|---|` rules skipped).
The shape is recognised for the whole file, since a bare `|` means different things in each.
"""

from __future__ import annotations

import re

from pipelines.document.model import Cell, Document, Paragraph
from pipelines.readers.builder import TableBuilder
from pipelines.readers.lines import is_blank, is_fragment, paragraph_text, split_lines

# The delimiter this layout cannot do without.
MARKER = "|"
FORMAT = "pipe_text"

# A cell ending in ` |`; its text may be no-break spaces only (a blank cell as the export wrote it).
TRAILING = re.compile(r"^(.*[^ \t|]) \|[ \t]*$")
PIPE_RUN = re.compile(r"^\s*\|{2,}\s*$")
BARE = re.compile(r"^\s*\|\s*$")
ROW = re.compile(r"^\s*\|?[^|]*\S[^|]*(\|[^|]*){1,}\|?\s*$")
RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")


def _shape(lines: list[str]) -> str | None:
    trailing = sum(1 for ln in lines if TRAILING.match(ln) and ln.count("|") == 1)
    bare = sum(1 for ln in lines if BARE.match(ln))
    rows = sum(1 for ln in lines if ln.count("|") >= 2 and not PIPE_RUN.match(ln) and ROW.match(ln))
    if rows >= 5 and rows >= trailing:
        return "rows"
    if trailing >= 5:
        return "trailing"
    if bare >= 5:
        return "separator"
    return None


def score(lines: list[str]) -> float:
    content = [ln for ln in lines if not is_blank(ln)]
    if not content or _shape(lines) is None:
        return 0.0
    return sum(1 for ln in content if "|" in ln) / len(content)


def _read_trailing(lines: list[str], doc: Document) -> None:
    stream = TableBuilder(doc, has_rows=False)
    pending: list[str] = []
    for line in lines:
        if m := TRAILING.match(line):
            stream.add_cell(Cell("\n".join([*pending, m.group(1)])))
            pending = []
        elif BARE.match(line):
            stream.add_cell(Cell("\n".join(pending)))
            pending = []
        elif PIPE_RUN.match(line) or is_blank(line):
            continue
        elif not stream.empty and is_fragment(line):
            pending.append(line.strip())
        else:
            for frag in pending:
                doc.blocks.append(Paragraph(frag))
            pending = []
            stream.paragraph(paragraph_text(line))
    stream.close()


def _read_separator(lines: list[str], doc: Document) -> None:
    stream = TableBuilder(doc, has_rows=False)
    run: list[str] = []

    def paragraphs(texts: list[str]) -> None:
        for t in texts:
            stream.paragraph(paragraph_text(t))

    for line in lines:
        if BARE.match(line):
            # The lines before a separator are one cell when they are pieces of a vertically written
            # cell; otherwise the cell is the last line and the lines before it are prose (a heading
            # between tables).
            start = len(run)
            while start > 0 and is_fragment(run[start - 1]):
                start -= 1
            if start == len(run):
                start = max(0, len(run) - 1)
            paragraphs(run[:start])
            stream.add_cell(Cell("\n".join(run[start:])))
            run = []
        elif line.strip(" \t"):  # a line of no-break spaces is an (empty-looking) cell, kept as written
            run.append(line)
    paragraphs(run)
    stream.close()


def _split_row(line: str) -> list[str]:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    return [part.strip(" ") for part in body.split("|")]


def _read_rows(lines: list[str], doc: Document) -> None:
    table = TableBuilder(doc)
    for line in lines:
        if RULE.match(line) and "-" in line:
            continue
        if "|" in line and not PIPE_RUN.match(line):
            table.add_row([Cell(t) for t in _split_row(line)])
        elif is_blank(line) or PIPE_RUN.match(line):
            continue
        else:
            table.paragraph(paragraph_text(line))
    table.close()


def read(text: str) -> Document:
    """Given pipe-delimited text, return paragraphs and tables (streams or rows, by shape)."""
    lines = split_lines(text)
    doc = Document(FORMAT)
    shape = _shape(lines) or "trailing"
    {"trailing": _read_trailing, "separator": _read_separator, "rows": _read_rows}[shape](lines, doc)
    doc.renumber_tables()
    return doc
