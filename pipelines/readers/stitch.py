"""Tables split by a page break (or with their heading rows repeated on the next page) made whole."""

from __future__ import annotations

from dataclasses import replace

from pipelines.readers.model import Block, Cell, Paragraph, Table


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
                base = len(prev.rows)
                for r, row in enumerate(block.rows[skip:]):
                    prev.rows.append([replace(c, row=base + r) if c.row is not None else c for c in row])
                del out[j + 1:]
                continue
        out.append(block)
    return out
