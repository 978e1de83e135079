"""Render a document into the other text layouts seen in the wild, to test their readers on known truth."""

from __future__ import annotations

from pipelines.readers.model import Document, Paragraph


def markdown_rows(doc: Document) -> str:
    """One table row per line, cells between pipes (a multi-line cell's lines joined)."""
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            lines += [block.text, ""]
        else:
            lines += ["| " + " | ".join(c.text.replace("\n", "") for c in row) + " |" for row in block.rows]
            lines.append("")
    return "\n".join(lines)


def separator_cells(doc: Document) -> str:
    """Each cell on its own line(s), followed by a line holding only `|`."""
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            for cell in block.cells:
                if cell.text:
                    lines += cell.text.split("\n")
                lines.append("|")
    return "\n".join(lines)


def line_per_cell(doc: Document) -> str:
    """One cell per line with blank lines between, no marker (text copied from a web page)."""
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            lines += [block.text, ""]
        else:
            for cell in block.cells:
                lines += [cell.text, ""]
    return "\n".join(lines)


def pdf_like(doc: Document, page_every: int = 25) -> str:
    """A row per line, label then numbers separated by spaces, page numbers in between."""
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            lines.append(block.text)
        else:
            for row in block.rows:
                texts = [c.text.replace("\n", "").strip() for c in row if c.text.strip()]
                if texts:
                    lines.append("  ".join(texts))
    out: list[str] = []
    for i, line in enumerate(lines, 1):
        out.append(line)
        if i % page_every == 0:
            out.append(f"- {i // page_every} -")
    return "\n".join(out)
