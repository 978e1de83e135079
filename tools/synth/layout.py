"""A report's blocks rendered into the formats agencies and copies of their pages come in: Word (.docx),
a government web page (HTML), and the text layouts of Word exports, web copies and PDF text.

A report is a list of blocks (grid.py): prose paragraphs, tables as `Grid`s of placed cells (merged
header cells, vertical group labels, padding cells) and page breaks. Every renderer writes the same
blocks, so one truth serves every format (tests, corpus generator). The web renderers of real pages and
their copies (fragments, Word-pasted HTML, the pages store, crawler text) are in web.py.
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable

from docx import Document as new_docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from tools.synth import tables
from tools.synth.grid import Blocks, Grid, PageBreak, Placed, flatten, relabel, texts
from tools.synth.labels import form_wording

__all__ = ["Blocks", "Grid", "PageBreak", "Placed", "flatten", "form_grids", "relabel", "render_docx",
           "render_html", "render_line_text", "render_markdown", "render_pdf_text", "render_pipe_text",
           "render_separator", "render_tab_text"]

HTML_TABLE_ATTRS = 'border="1" class="MsoNormalTable"'
FACT_TABLES = {"fact_proactive": "proactive", "fact_applications": "applications", "fact_appeals": "appeals"}


def form_grids(version: str, truth: dict) -> tuple[Grid, Grid, Grid]:
    """Tables A, B and C of a form in the form's own wording, filled with the raw texts of `truth`
    ((fact table, *coordinates) → text; None: the cell is absent), as the printed form lays them out."""
    raw = {(FACT_TABLES.get(key[0], key[0]), "/".join(key[1:])): text for key, text in truth.items()}
    labels = form_wording(dict.fromkeys(("proactive", "applications", "appeals"), version))
    shape = tables.Shape()
    return (tables.proactive(version, raw, labels, shape), tables.applications(version, raw, labels, shape)[0],
            tables.appeals(raw, labels, shape)[0])


# --- .docx -----------------------------------------------------------------------------------

def _set_text(cell, text: str) -> None:
    lines = text.split("\n")
    cell.paragraphs[0].text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def _vertical(cell) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    direction = OxmlElement("w:textDirection")
    direction.set(qn("w:val"), "tbRlV")
    tc_pr.append(direction)


def _mark_header(row) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    tr_pr.append(OxmlElement("w:tblHeader"))


def _docx_table(document, grid: Grid, rows: range | None = None, header_rows: int = 0, ruled: bool = True) -> None:
    """Add `grid` (or the rows `rows` of it, with its heading rows repeated first) to the document."""
    rows = rows or range(grid.n_rows)
    wanted = list(range(header_rows)) + [r for r in rows if r >= header_rows or not header_rows]
    index = {r: i for i, r in enumerate(wanted)}
    table = document.add_table(rows=len(wanted), cols=grid.n_cols)
    if ruled:
        table.style = "Table Grid"
    missing: list[tuple[int, int]] = []
    for placed in grid.cells:
        if placed.row not in index:
            continue
        r = index[placed.row]
        last = min(placed.row + placed.rowspan - 1, wanted[-1])
        r_end = index.get(last, r)
        cell = table.cell(r, placed.col)
        if placed.rowspan > 1 or placed.colspan > 1:
            cell = cell.merge(table.cell(r_end, placed.col + placed.colspan - 1))
        if placed.text is None:
            missing.append((r, placed.col))
            continue
        _set_text(cell, placed.text)
        if placed.vertical:
            _vertical(cell)
    for r in range(min(header_rows, len(wanted))):
        _mark_header(table.rows[r])
    for r, col in sorted(missing, reverse=True):  # a cut-off table: the row simply ends early
        tr = table.rows[r]._tr
        tcs = tr.findall(qn("w:tc"))
        for tc in tcs[col:]:
            tr.remove(tc)


def render_docx(blocks: Blocks, split: tuple[int, int] | None = None, ruled: bool = True,
                running_header: str | None = None, repeat_headers: bool = False) -> bytes:
    """Blocks as a Word document; `split` = (table ordinal, row) breaks that table in two with a page
    break and its heading rows repeated; `repeat_headers` marks heading rows to repeat on every page
    (Word's 'repeat as header row'), as a table that runs over pages looks in a PDF."""
    document = new_docx()
    ordinal = 0
    for block in blocks:
        if isinstance(block, PageBreak):
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            continue
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        if split is not None and split[0] == ordinal:
            _docx_table(document, block, range(0, split[1]), ruled=ruled)
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            _docx_table(document, block, range(split[1], block.n_rows), header_rows=block.header_rows, ruled=ruled)
        else:
            _docx_table(document, block, ruled=ruled, header_rows=block.header_rows if repeat_headers else 0)
        ordinal += 1
    if running_header:
        section = document.sections[0]
        section.header.paragraphs[0].text = running_header
        section.footer.paragraphs[0].text = "第 1 页"
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


# --- HTML --------------------------------------------------------------------------------------

def html_table(grid: Grid, cell_html: Callable[[str], str] | None = None, table_attrs: str = 'border="1"') -> str:
    """A grid as an HTML table (rowspan/colspan kept); `cell_html` writes a cell's body."""
    body = cell_html or (lambda text: "<br>".join(html.escape(line) for line in text.split("\n")))
    rows, by_row = [], grid.rows()
    for r in range(grid.n_rows):
        tds = []
        for placed in by_row.get(r, []):
            if placed.text is None:
                break
            attrs = (f' rowspan="{placed.rowspan}"' if placed.rowspan > 1 else "") + (
                f' colspan="{placed.colspan}"' if placed.colspan > 1 else "")
            tds.append(f"<td{attrs}>{body(placed.text)}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return f"<table {table_attrs}>\n" + "\n".join(rows) + "\n</table>"


def render_html(blocks: Blocks, charset: str = "utf-8") -> bytes:
    """Blocks as a government web page: navigation, scripts, a layout table around the content."""
    parts = [f"<p>{html.escape(b)}</p>" if isinstance(b, str) else html_table(b, table_attrs=HTML_TABLE_ATTRS)
             for b in blocks if not isinstance(b, PageBreak)]
    page = f"""<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>政府信息公开工作年度报告</title>
<script>var nav = "<table><tr><td>首页</td></tr></table>"; document.title = "x";</script>
<style>td {{ border: 1px solid #000; }}</style></head>
<body>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/xxgk">信息公开</a></li></ul></div>
<table class="layout" width="100%"><tr><td class="content">
{chr(10).join(parts)}
</td></tr></table>
<div class="footer">主办单位：某某人民政府办公室 网站标识码 1234567890</div>
</body></html>"""
    return page.encode(charset, errors="xmlcharrefreplace")  # GBK pages write &#160; for no-break spaces


# --- text layouts ------------------------------------------------------------------------------

def render_tab_text(blocks: Blocks, debris: bool = False) -> str:
    """Word's text export: a cell per line behind a tab (continuation lines without), rows between blank lines."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, PageBreak):
            continue
        if isinstance(block, str):
            lines.append(("[bookmark: _GoBack]" if debris and not lines else "") + block)
            continue
        lines.append("")
        for row in flatten(block):
            for cell in texts(row):
                first, *rest = cell.split("\n")
                lines.append("\t" + first)
                lines.extend(rest)
            lines.append("")
        lines.append("")
    return "\n".join(lines) + "\n"


def render_pipe_text(blocks: Blocks) -> str:
    """A web copy with a cell per line ending in ` |`, `|` for an empty cell, runs of pipes padding rows."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, PageBreak):
            continue
        if isinstance(block, str):
            lines.append(block)
            continue
        for row in flatten(block):
            for cell in texts(row):
                if cell:
                    *head, last = cell.split("\n")
                    lines.extend(head)
                    lines.append(f"{last} |")
                else:
                    lines.append("|")
            if block.n_cols - len(row) >= 2:
                lines.append("|" * (block.n_cols - len(row)))
    return "\n".join(lines) + "\n"


def _placeholder_rows(width: int) -> list[str]:
    """The header another tool's PDF conversion writes over a table: 数据1 … 数据N, then the rule."""
    return ["| " + " | ".join(f"数据{i}" for i in range(1, width + 1)) + " |", "|" + " --- |" * width]


def render_markdown(blocks: Blocks, placeholders: bool = False, spurious: bool = False) -> str:
    """One table row per line between pipes (a multi-line cell's lines joined); `placeholders`: each
    table under a 数据1…数据N header row, `spurious`: such a header row again in the middle of table B."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, PageBreak):
            continue
        if isinstance(block, str):
            lines += [block, ""]
            continue
        rows = ["| " + " | ".join(c.replace("\n", "") for c in texts(row)) + " |" for row in flatten(block)]
        width = max((len(row) for row in flatten(block)), default=1)
        if spurious and any(p.key and p.key[0] == "applications" for p in block.cells):
            middle = len(rows) // 2
            rows[middle:middle] = _placeholder_rows(width)
        lines += (_placeholder_rows(width) if placeholders else []) + rows
        lines.append("")
    return "\n".join(lines)


def _cell_by_cell(blocks: Blocks, paragraph: Callable[[str], list[str]], cell: Callable[[str], list[str]],
                  page: Callable[[int], list[str]] = lambda n: []) -> str:
    """Lines for layouts that write every cell on its own: each paragraph's lines, then each cell's; a
    page number where a page ends (after a row's label when the page ends inside that row)."""
    lines: list[str] = []
    pages = 1
    for block in blocks:
        if isinstance(block, PageBreak):
            lines += page(block.page)
            pages = block.page
        elif isinstance(block, str):
            lines += paragraph(block)
        else:
            for r, row in enumerate(flatten(block)):
                for c, text in enumerate(texts(row)):
                    lines += cell(text)
                    if r == block.break_after_label and c == _label_end(row):
                        pages += 1
                        lines += page(pages)
    return "\n".join(lines)


def _label_end(row: list[Placed]) -> int:
    """The index of a row's last label cell (the cell before its first form cell)."""
    first = next((i for i, p in enumerate(row) if p.key is not None), len(row))
    return max(0, first - 1)


def render_separator(blocks: Blocks) -> str:
    """Each cell on its own line(s), followed by a line holding only `|`."""
    return _cell_by_cell(blocks, lambda p: [p], lambda c: [*(c.split("\n") if c else []), "|"]) + "\n"


def render_line_text(blocks: Blocks) -> str:
    """A cell per line with blank lines between (empty cells written as a no-break space); page numbers
    where the copied page ended."""
    return _cell_by_cell(blocks, lambda p: [p, ""], lambda c: [c or "\xa0", ""], lambda n: [f"- {n} -", ""])


def render_pdf_text(blocks: Blocks, page_every: int = 30) -> str:
    """Text as taken from a PDF: a row per line, label then numbers, page numbers in between (also
    where a page ended inside a table, even between a row's label and its numbers)."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, PageBreak):
            lines.append(f"\x0c{block.page}")
        elif isinstance(block, str):
            lines.append(block)
        else:
            for r, row in enumerate(flatten(block)):
                cells = [c.replace("\n", "").strip() for c in texts(row)]
                if r == block.break_after_label:
                    end = _label_end(row) + 1
                    head, tail = [t for t in cells[:end] if t], [t for t in cells[end:] if t]
                    lines += ["  ".join(head), "\x0cbreak", "  ".join(tail)]
                    continue
                cells = [t for t in cells if t]
                if cells:
                    lines.append("  ".join(cells))
    out: list[str] = []
    page = written = 0
    for line in lines:
        if line.startswith("\x0c"):
            page, written = page + 1, 0
            out.append(f"- {page} -")
            continue
        out.append(line)
        written += 1
        if written % page_every == 0:
            page += 1
            out.append(f"- {page} -")
    return "\n".join(out) + "\n"
