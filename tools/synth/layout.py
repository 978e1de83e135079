"""The State Council's forms laid out as agencies lay them out, rendered into every readable format.

A report is a list of blocks: prose paragraphs (str) and form tables as `Grid`s of placed cells
(merged header cells, vertical group labels, padding cells). The renderers write the same blocks
as .docx, HTML and each text layout, so one truth serves every format (tests, corpus generator).
"""

from __future__ import annotations

import html
import io
from collections.abc import Callable
from dataclasses import dataclass, field

from docx import Document as new_docx
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from pipelines.forms.catalog import APPLICANTS, PROCEEDINGS, RESULTS, form_by_version

Blocks = list  # list[str | Grid]


@dataclass
class Placed:
    row: int
    col: int
    text: str | None  # None: the source does not have this cell (a cut-off table)
    rowspan: int = 1
    colspan: int = 1
    vertical: bool = False


@dataclass
class Grid:
    n_cols: int
    cells: list[Placed] = field(default_factory=list)
    n_rows: int = 0
    header_rows: int = 0

    def add(self, row: int, col: int, text: str | None, rowspan: int = 1, colspan: int = 1,
            vertical: bool = False) -> None:
        self.cells.append(Placed(row, col, text, rowspan, colspan, vertical))
        self.n_rows = max(self.n_rows, row + rowspan)


def proactive_grid(version: str, truth: dict) -> Grid:
    table = form_by_version(version).table("proactive")
    grid = Grid(4)
    r = 0
    for block in table.blocks:
        item = dict(block.fixed)["item"]
        grid.add(r, 0, block.anchors[0], colspan=4)
        r += 1
        metrics = block.columns
        span = 3 if len(metrics) == 1 else 1
        grid.add(r, 0, "信息内容")
        for i, m in enumerate(metrics):
            grid.add(r, 1 + i, m.labels[0], colspan=span)
        if len(metrics) == 2:
            grid.add(r, 3, "")
        r += 1
        for row in block.rows:
            category = row.code_map["category"]
            grid.add(r, 0, row.labels[0])
            for i, m in enumerate(metrics):
                grid.add(r, 1 + i, truth[("fact_proactive", item, category, m.code_map["metric"])], colspan=span)
            if len(metrics) == 2 and truth[("fact_proactive", item, category, metrics[-1].code_map["metric"])] is not None:
                grid.add(r, 3, "")
            r += 1
    return grid


def applications_grid(version: str, truth: dict) -> Grid:
    block = form_by_version(version).table("applications").blocks[0]
    grid = Grid(10, header_rows=3)
    grid.add(0, 0, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", rowspan=3, colspan=3)
    grid.add(0, 3, "申请人情况", colspan=7)
    grid.add(1, 3, "自\n然\n人", rowspan=2)
    grid.add(1, 4, "法人或其他组织", colspan=5)
    grid.add(1, 9, "总计", rowspan=2)
    for i, applicant in enumerate(APPLICANTS[1:6]):
        grid.add(2, 4 + i, applicant.labels[0])
    groups = {"denied": "（三）不予公开", "unable": "（四）无法提供", "rejected": "（五）不予处理"}
    if version == "2021":
        groups["other"] = "（六）其他处理"
    outcomes = [row.code_map["outcome"] for row in block.rows]
    handled = outcomes[outcomes.index("granted"): outcomes.index("total_handled") + 1]
    r = 3
    for row in block.rows:
        outcome = row.code_map["outcome"]
        prefix = outcome.split("_")[0]
        if outcome == "granted":
            grid.add(r, 0, "三、本年度办理结果", rowspan=len(handled), vertical=True)
        if outcome in ("new_received", "carried_over", "carried_forward"):
            grid.add(r, 0, row.labels[0], colspan=3)
        elif prefix in groups and outcome != "other":
            members = [o for o in outcomes if o.split("_")[0] == prefix and o != "other"]
            if outcome == members[0]:
                grid.add(r, 1, groups[prefix], rowspan=len(members), vertical=True)
            grid.add(r, 2, row.labels[0])
        else:
            grid.add(r, 1, row.labels[0], colspan=2)
        for i, applicant in enumerate(APPLICANTS):
            grid.add(r, 3 + i, truth[("fact_applications", outcome, applicant.code_map["applicant"])])
        r += 1
    return grid


def appeals_grid(truth: dict) -> Grid:
    grid = Grid(15, header_rows=3)
    grid.add(0, 0, "行政复议", colspan=5)
    grid.add(0, 5, "行政诉讼", colspan=10)
    for i, (_, labels) in enumerate(RESULTS):
        grid.add(1, i, labels[0], rowspan=2, vertical=True)
    grid.add(1, 5, PROCEEDINGS[1][1][0], colspan=5)
    grid.add(1, 10, PROCEEDINGS[2][1][0], colspan=5)
    for p in range(2):
        for i, (_, labels) in enumerate(RESULTS):
            grid.add(2, 5 + p * 5 + i, labels[0])
    for p, (proceeding, _) in enumerate(PROCEEDINGS):
        for i, (result, _) in enumerate(RESULTS):
            grid.add(3, p * 5 + i, truth[("fact_appeals", proceeding, result)])
    return grid


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


# --- HTML --------------------------------------------------------------------------------------

def _html_table(grid: Grid) -> str:
    by_row: dict[int, list[Placed]] = {}
    for placed in grid.cells:
        by_row.setdefault(placed.row, []).append(placed)
    rows = []
    for r in range(grid.n_rows):
        tds = []
        for placed in sorted(by_row.get(r, []), key=lambda p: p.col):
            if placed.text is None:
                break
            attrs = (f' rowspan="{placed.rowspan}"' if placed.rowspan > 1 else "") + (
                f' colspan="{placed.colspan}"' if placed.colspan > 1 else "")
            body = "<br>".join(html.escape(line) for line in placed.text.split("\n"))
            tds.append(f"<td{attrs}>{body}</td>")
        rows.append("<tr>" + "".join(tds) + "</tr>")
    return '<table border="1" class="MsoNormalTable">\n' + "\n".join(rows) + "\n</table>"




def form_grids(version: str, truth: dict) -> tuple[Grid, Grid, Grid]:
    """Tables A, B and C of a form, filled with the raw texts of `truth` (None: the cell is absent)."""
    return proactive_grid(version, truth), applications_grid(version, truth), appeals_grid(truth)


def relabel(grid: Grid, texts: dict[str, str]) -> None:
    """Replace header texts (an emptied header cell, a label written vertically one character a line)."""
    for placed in grid.cells:
        if placed.text in texts:
            placed.text = texts[placed.text]


def render_docx(blocks: Blocks, split: tuple[int, int] | None = None, ruled: bool = True,
                running_header: str | None = None, repeat_headers: bool = False) -> bytes:
    """Blocks as a Word document; `split` = (table ordinal, row) breaks that table in two with a page
    break and its heading rows repeated; `repeat_headers` marks heading rows to repeat on every page
    (Word's 'repeat as header row'), as a table that runs over pages looks in a PDF."""
    document = new_docx()
    ordinal = 0
    for block in blocks:
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


def render_html(blocks: Blocks, charset: str = "utf-8") -> bytes:
    """Blocks as a government web page: navigation, scripts, a layout table around the content."""
    parts = [f"<p>{html.escape(b)}</p>" if isinstance(b, str) else _html_table(b) for b in blocks]
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


def flatten(grid: Grid) -> list[list[str]]:
    """The grid as Word exports it to text: a cell per position that starts a cell, an empty cell where
    a vertical merge continues, nothing for positions covered horizontally; a row ends at its last cell."""
    starts = {(p.row, p.col): p for p in grid.cells}
    vertical = {(r, p.col) for p in grid.cells for r in range(p.row + 1, p.row + p.rowspan)}
    rows: list[list[str]] = []
    for r in range(grid.n_rows):
        row: list[str] = []
        for c in range(grid.n_cols):
            placed = starts.get((r, c))
            if placed is not None:
                if placed.text is None:  # a cut-off table: the row ends here
                    break
                row.append(placed.text)
            elif (r, c) in vertical:
                row.append("")
        rows.append(row)
    return rows


def render_tab_text(blocks: Blocks, debris: bool = False) -> str:
    """Word's text export: a cell per line behind a tab (continuation lines without), rows between blank lines."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            lines.append(("[bookmark: _GoBack]" if debris and not lines else "") + block)
            continue
        lines.append("")
        for row in flatten(block):
            for cell in row:
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
        if isinstance(block, str):
            lines.append(block)
            continue
        for row in flatten(block):
            for cell in row:
                if cell:
                    *head, last = cell.split("\n")
                    lines.extend(head)
                    lines.append(f"{last} |")
                else:
                    lines.append("|")
            if block.n_cols - len(row) >= 2:
                lines.append("|" * (block.n_cols - len(row)))
    return "\n".join(lines) + "\n"


def render_markdown(blocks: Blocks) -> str:
    """One table row per line between pipes (a multi-line cell's lines joined)."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            lines += [block, ""]
        else:
            lines += ["| " + " | ".join(c.replace("\n", "") for c in row) + " |" for row in flatten(block)]
            lines.append("")
    return "\n".join(lines)


def _cell_by_cell(blocks: Blocks, paragraph: Callable[[str], list[str]], cell: Callable[[str], list[str]]) -> str:
    """Lines for layouts that write every cell on its own: each paragraph's lines, then each cell's."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            lines += paragraph(block)
        else:
            for row in flatten(block):
                for text in row:
                    lines += cell(text)
    return "\n".join(lines)


def render_separator(blocks: Blocks) -> str:
    """Each cell on its own line(s), followed by a line holding only `|`."""
    return _cell_by_cell(blocks, lambda p: [p], lambda c: [*(c.split("\n") if c else []), "|"]) + "\n"


def render_line_text(blocks: Blocks) -> str:
    """A cell per line with blank lines between (empty cells written as a no-break space)."""
    return _cell_by_cell(blocks, lambda p: [p, ""], lambda c: [c or "\xa0", ""])


def render_pdf_text(blocks: Blocks, page_every: int = 30) -> str:
    """Text as taken from a PDF: a row per line, label then numbers, page numbers in between."""
    lines: list[str] = []
    for block in blocks:
        if isinstance(block, str):
            lines.append(block)
        else:
            for row in flatten(block):
                texts = [c.replace("\n", "").strip() for c in row if c.strip()]
                if texts:
                    lines.append("  ".join(texts))
    out: list[str] = []
    for i, line in enumerate(lines, 1):
        out.append(line)
        if i % page_every == 0:
            out.append(f"- {i // page_every} -")
    return "\n".join(out) + "\n"
