"""Tables split by a page break (or with their heading rows repeated on the next page) made whole."""

from __future__ import annotations

import re
from dataclasses import replace

from pipelines.document.cells import is_value_like
from pipelines.document.model import Block, Cell, Paragraph, Table

_NUMBERED = re.compile(r"^\s*(?:[（(]?[一二三四五六七八九十\d]+[）)]|[一二三四五六七八九十\d]+\s*[、.．])")


def _width(table: Table) -> int:
    return max((len(row) for row in table.rows), default=0)


def _texts(row: list[Cell]) -> list[str]:
    return ["".join(c.text.split()) for c in row]


def repeated_header_rows(first: list[list[Cell]], second: list[list[Cell]]) -> int:
    """How many leading rows of `second` repeat the leading rows of `first` (a repeated heading)."""
    k = 0
    while k < min(len(first), len(second) - 1) and _texts(first[k]) == _texts(second[k]) and any(_texts(second[k])):
        k += 1
    return k


def continues_previous_row(row: list[Cell], upper: list[Cell] | None = None) -> bool:
    """A row broken across pages: its second half holds no number and its text starts no new row.

    With the row above it given, the text must also fall under that row's words, never under its
    numbers: a heading that opens the next table (`行政诉讼（…）` above a split table C) is no label's
    tail, and joining it to a number would make the number unreadable and the heading lost.
    """
    texts = [c.text for c in row if not c.merged and c.text.strip()]
    if not texts or any(is_value_like(t) for t in texts):
        return False
    if upper is not None:
        below = [i for i, c in enumerate(row) if not c.merged and c.text.strip()]
        if any(i >= len(upper) or (upper[i].text.strip() and is_value_like(upper[i].text)) for i in below):
            return False
        if not any(c.text.strip() and not is_value_like(c.text) for c in upper):
            return False
    return not _NUMBERED.match(texts[0])


def _join_rows(upper: list[Cell], lower: list[Cell]) -> list[Cell]:
    joined = []
    for i, cell in enumerate(upper):
        extra = lower[i].text if i < len(lower) and not lower[i].merged else ""
        joined.append(replace(cell, text=cell.text + ("\n" + extra if cell.text and extra else extra)))
    return joined


def stitch_tables(blocks: list[Block]) -> list[Block]:
    """Given blocks in order, return them with each table joined to a previous one of the same width
    when only empty paragraphs (page breaks) stand between them; repeated heading rows are dropped."""
    out: list[Block] = []
    for block in blocks:
        if isinstance(block, Table) and out:
            j = len(out) - 1
            while j >= 0 and isinstance(out[j], Paragraph) and not out[j].text.strip():
                j -= 1
            prev = out[j] if j >= 0 else None
            if isinstance(prev, Table) and prev.has_rows and block.has_rows and _width(prev) == _width(block):
                skip = repeated_header_rows(prev.rows, block.rows)
                rest = block.rows[skip:]
                if rest and prev.rows and continues_previous_row(rest[0], prev.rows[-1]):
                    prev.rows[-1] = _join_rows(prev.rows[-1], rest[0])
                    rest = rest[1:]
                base = len(prev.rows)
                for r, row in enumerate(rest):
                    prev.rows.append([replace(c, row=base + r) if c.row is not None else c for c in row])
                prev.regions.extend(block.regions)  # a PDF table's part on the next page
                del out[j + 1:]
                continue
        out.append(block)
    return out
