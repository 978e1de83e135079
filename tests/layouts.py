"""Render a document read from a sample into the other text layouts seen in the wild, with the
corpus generator's renderers, to test each layout's reader on known truth."""

from __future__ import annotations

from pipelines.document.model import Document, Paragraph
from tools.synth import layout
from tools.synth.layout import Blocks, Grid


def _blocks(doc: Document) -> Blocks:
    """The document's paragraphs and tables, each table a grid of single cells as read."""
    out: Blocks = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
            continue
        grid = Grid(max((len(row) for row in block.rows), default=0))
        for r, row in enumerate(block.rows):
            for c, cell in enumerate(row):
                grid.add(r, c, cell.text)
        out.append(grid)
    return out


def markdown_rows(doc: Document) -> str:
    return layout.render_markdown(_blocks(doc))


def separator_cells(doc: Document) -> str:
    return layout.render_separator(_blocks(doc))


def line_per_cell(doc: Document) -> str:
    return layout.render_line_text(_blocks(doc))


def pdf_like(doc: Document, page_every: int = 25) -> str:
    return layout.render_pdf_text(_blocks(doc), page_every)
