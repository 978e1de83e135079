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
TRAILING = re.compile(r"^(.*[^ \t|]) \|[ \t|]*$")  # pipes after the first pad the row (`第二十条第（一）项 | |||`)
PIPE_RUN = re.compile(r"^\s*\|{2,}\s*$")
BARE = re.compile(r"^\s*\|\s*$")
# A markdown rule's cell (`---`, `:--:`); a rule line is such cells between pipes (see _is_rule).
RULE_CELL = re.compile(r":?-{2,}:?")


def _is_rule(line: str) -> bool:
    """A markdown rule row (`|---|:--:|`, `--- | ---`): cells of dashes between pipes, the outer pipes
    optional. Told by splitting, not by one regex: optional spaces around an optional pipe backtrack
    quadratically on a long line of spaces (a fuzzed copy spent minutes on one line)."""
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") else body
    return all(RULE_CELL.fullmatch(cell.strip()) for cell in body.split("|"))


# Rows between pipes it takes to call a text a pipe table (a copy cut short may hold only a few).
MIN_ROWS = 3


def _shape(lines: list[str]) -> str | None:
    trailing = sum(1 for ln in lines if TRAILING.match(ln) and ln.rstrip(" \t|").count("|") == 0)
    bare = sum(1 for ln in lines if BARE.match(ln))
    # A row: two pipes or more (so a cell between them or before them), and not a run of pipes alone.
    rows = sum(1 for ln in lines if ln.count("|") >= 2 and not PIPE_RUN.match(ln))
    if rows >= MIN_ROWS and rows >= trailing:
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
    if pending:  # the text stops inside a cell, before its ` |` (a copy cut short)
        stream.add_cell(Cell("\n".join(pending)))
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
        elif PIPE_RUN.match(line):
            continue  # a run of pipes pads the table; it is no cell
        elif line.strip(" \t"):  # a line of no-break spaces is an (empty-looking) cell, kept as written
            run.append(line)
    paragraphs(run)
    stream.close()


# A row's padding: pipes after the `| ` that closes its last cell (`… | 0 | ||`, `总计 | |||||||`).
PADDING = re.compile(r"(?<=\|) (\|+)\s*$")


def _split_row(line: str) -> list[Cell]:
    """A row's cells. A page store writes a row's filled cells, then pads it to the table's width with
    one pipe per empty or merged cell after a space (`一、本年新收… | 0 | … | 0 | ||`, `行政许可 | ||||`):
    those cells were somewhere in the row, not necessarily at its end, so they are marked padding."""
    body = line.rstrip()
    padding = 0
    if m := PADDING.search(body):
        padding = len(m.group(1))
        body = body[:m.start()]
    body = body.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|"):
        body = body[:-1]
    cells = [Cell(part.strip(" ")) for part in body.split("|")]
    return cells + [Cell("", padding=True) for _ in range(padding)]


def _read_rows(lines: list[str], doc: Document) -> None:
    table = TableBuilder(doc)
    for line in lines:
        if "-" in line and _is_rule(line):
            continue
        if "|" in line and not PIPE_RUN.match(line):
            table.add_row(_split_row(line))
        elif is_blank(line) or PIPE_RUN.match(line):
            continue
        else:
            table.paragraph(paragraph_text(line))
    table.close()


def read(text: str) -> Document:
    """Given pipe-delimited text, return paragraphs and tables (streams or rows, by shape)."""
    lines = split_lines(text)
    if lines and not text.endswith(("\n", "\r")) and set(lines[-1].strip()) == {"|"}:
        # A copy cut off inside its last line, on pipes: an empty cell, or the start of a row's padding
        # (`||||`)? Nothing can be told from it, so it is no cell.
        lines = lines[:-1]
    doc = Document(FORMAT)
    shape = _shape(lines) or "trailing"
    {"trailing": _read_trailing, "separator": _read_separator, "rows": _read_rows}[shape](lines, doc)
    doc.renumber_tables()
    return doc
