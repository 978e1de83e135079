"""Web pages and the copies made of them, as real reports come: an article body saved alone (an HTML
fragment), a page whose article was pasted from Word, the pages store's text of a page
(tests/real/*/document.md) and a crawler's text copy with its whitespace collapsed
(tests/real/fujian-pingtan-*-txt).

Renderers return the file's text; the copies also say which cells the copy lost (cut off by the store)
or made unreadable (numbers run together), for the truth.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, field

from tools.synth.grid import Blocks, Grid, PageBreak, Placed
from tools.synth.runs import ambiguous
from tools.synth.tables import LINE_SPLITS

Key = tuple[str, str]
CELL_STYLE = "; ".join(f"BORDER-{side}: #000 1px solid" for side in ("TOP", "RIGHT", "BOTTOM", "LEFT"))
WORD_TD = "border:solid windowtext 1.0pt;mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt"
WORD_TEXT = "font-size:10.5pt;font-family:宋体;mso-bidi-font-family:宋体"
# Word splits a label over spans or paragraphs at random places; labels at least this long.
SPLIT_LABEL = 6
NBSP_RUN = "&nbsp;&nbsp;&nbsp;&nbsp;"
STORE_STYLES = ("rows", "rows_open", "cells", "cells_open", "cells_split", "mixed")


def _starting_cells(grid: Grid) -> list[list[Placed]]:
    """Each row's cells as a web page holds them: the cells that start in it, left to right (a cut-off
    row ends at its first absent cell)."""
    out = []
    by_row = grid.rows()
    for r in range(grid.n_rows):
        row = []
        for placed in by_row.get(r, []):
            if placed.text is None:
                break
            row.append(placed)
        out.append(row)
    return out


def _td_attrs(placed: Placed) -> str:
    return (f' rowspan="{placed.rowspan}"' if placed.rowspan > 1 else "") + (
        f' colspan="{placed.colspan}"' if placed.colspan > 1 else "")


# --- an article body saved alone -------------------------------------------------------------------

def render_html_fragment(blocks: Blocks) -> bytes:
    """The article body of a page (a CMS's TRS_Editor div): <p> and <table>, no <html>, <head> or <body>."""
    parts = ['<div class="TRS_Editor">']
    for block in blocks:
        if isinstance(block, PageBreak):
            continue
        if isinstance(block, str):
            parts.append(f'<p style="TEXT-ALIGN: left; TEXT-INDENT: 2em">{html.escape(block)}</p>')
            continue
        rows = []
        for row in _starting_cells(block):
            tds = "".join(f'<td style="{CELL_STYLE}" valign="middle"{_td_attrs(p)}><p>'
                          + "<br/>".join(html.escape(line) for line in p.text.split("\n")) + "</p></td>"
                          for p in row)
            rows.append(f"<tr>{tds}</tr>")
        parts.append('<table style="BORDER-COLLAPSE: collapse" cellspacing="0" align="center" border="0"><tbody>'
                     + "".join(rows) + "</tbody></table>")
    parts.append("</div>")
    return "".join(parts).encode("utf-8")


# --- Word-pasted HTML ------------------------------------------------------------------------------

def _word_run(text: str) -> str:
    return f"<span style='{WORD_TEXT}'>{html.escape(text)}</span>"


def _word_paragraph(inner: str, center: bool = True) -> str:
    align = " align=center style='text-align:center'" if center else ""
    return f"<p class=MsoNormal{align}>{inner}<span lang=EN-US><o:p></o:p></span></p>"


def _word_cell(rng: random.Random, placed: Placed) -> str:
    """A cell as Word pastes it: a paragraph per line, a label split over spans or paragraphs, runs of
    &nbsp;; an empty cell holds only <o:p>&nbsp;</o:p> (blank, not 0)."""
    text = placed.text or ""
    if not text.strip():
        return "<p class=MsoNormal align=center style='text-align:center'><span lang=EN-US><o:p>&nbsp;</o:p></span></p>"
    if placed.key is not None:
        pad = NBSP_RUN if rng.random() < 0.3 else ""
        return _word_paragraph(f"<span lang=EN-US style='{WORD_TEXT}'>{pad}{html.escape(text)}</span>")
    if text in LINE_SPLITS and rng.random() < 0.5:  # header words in separate paragraphs: 商业 / 企业
        text = LINE_SPLITS[text]
    lines = text.split("\n")
    if len(lines) == 1 and len(text) >= SPLIT_LABEL:
        cut = rng.randint(2, len(text) - 2)
        head, tail = text[:cut], text[cut:]
        roll = rng.random()
        if roll < 0.4:  # one label over two spans, a run of &nbsp; between the words' halves
            return _word_paragraph(_word_run(head) + "<span lang=EN-US>" + ("&nbsp;" * rng.randint(0, 3)) + "</span>"
                                   + _word_run(tail))
        if roll < 0.55:  # …or over two paragraphs
            return _word_paragraph(_word_run(head)) + _word_paragraph(_word_run(tail))
    pad = NBSP_RUN if rng.random() < 0.2 else ""
    return "".join(_word_paragraph(pad + _word_run(line)) for line in lines)


def _word_table(rng: random.Random, grid: Grid) -> str:
    rows = []
    for r, row in enumerate(_starting_cells(grid)):
        tds = "".join(f"<td valign=top{_td_attrs(p).replace(chr(34), '')} style='{WORD_TD}'>{_word_cell(rng, p)}</td>"
                      for p in row)
        rows.append(f"<tr style='mso-yfti-irow:{r};height:20.0pt'>{tds}</tr>")
    return ("<table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 style='border-collapse:collapse;"
            "border:none;mso-border-alt:solid windowtext .5pt'>\n" + "\n".join(rows) + "\n</table>")


def render_word_html(blocks: Blocks, rng: random.Random, charset: str = "utf-8") -> bytes:
    """A government page whose article was pasted from Word (MsoNormal paragraphs, spans, <o:p>)."""
    body = []
    for block in blocks:
        if isinstance(block, PageBreak):
            continue
        if isinstance(block, str):
            body.append(_word_paragraph(_word_run(block), center=False))
        else:
            body.append(_word_table(rng, block))
    page = f"""<!DOCTYPE html>
<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}">
<title>政府信息公开工作年度报告</title></head>
<body>
<div class="TRS_Editor"><div class=WordSection1 style='layout-grid:15.6pt'>
{chr(10).join(body)}
</div></div>
</body></html>"""
    return page.encode(charset, errors="xmlcharrefreplace")


# --- copies of pages: the pages store and a crawler ------------------------------------------------

@dataclass
class Copy:
    """A text copy of a page and what it did to the cells."""

    text: str
    lost: set[Key] = field(default_factory=set)          # cut off: not in the copy (missing)
    run_together: set[Key] = field(default_factory=set)  # digits that cannot be told apart


@dataclass
class _Segments:
    """Text written in order, with where each form cell's text lies (for cutting a copy short)."""

    parts: list[str] = field(default_factory=list)
    spans: list[tuple[Key, int, int]] = field(default_factory=list)
    size: int = 0
    tables_from: int | None = None

    def write(self, text: str, key: Key | None = None) -> None:
        if key is not None:
            self.spans.append((key, self.size, self.size + len(text)))
        self.parts.append(text)
        self.size += len(text)

    def text(self) -> str:
        return "".join(self.parts)


def _store_table(seg: _Segments, grid: Grid, style: str) -> None:
    """A table as the store writes it: a row per line (`a | b | ||`), a cell per line (`a |`), rows opened
    by a bare `|`, a cell's text then `|` on a line of its own, or row lines for spanning rows and cell
    lines for the rest; the padding pipes stand for the grid positions no cell of the row starts at."""
    for row in _starting_cells(grid):
        cells = row
        pad = max(0, grid.n_cols - len(row))
        as_row = style in ("rows", "rows_open") or (style == "mixed" and len(cells) == 1)
        if as_row:
            if style == "rows_open":
                seg.write("| ")
            for i, p in enumerate(cells):
                text = " ".join((p.text or "").split("\n")).strip()
                seg.write("" if i == 0 else " ")
                seg.write(text, p.key)
                seg.write(" |" if text else "|")
            seg.write((" " + "|" * pad if pad else "") + "\n")
            continue
        if style == "cells_open":
            seg.write("|\n")
        for p in cells:
            text = " ".join((p.text or "").split("\n")).strip()
            seg.write(text, p.key)
            if style == "cells_split":
                seg.write("\n|\n" if text else "|\n")
            else:
                seg.write(" |\n" if text else "|\n")
        if style == "cells_split":
            seg.write("|" * (pad + 1) + "\n")
        elif pad and style != "mixed":
            seg.write("|" * pad + "\n")


def render_store_markdown(blocks: Blocks, rng: random.Random, cut: bool = False) -> Copy:
    """A page as the pages store keeps its text: a line per paragraph, tables as `a | b |` rows padded
    with `| ||`, or a cell per line ending ` |` (rows opened by a bare `|`, padding lines `|||`), or both
    in one table; a cell's lines joined by a space. `cut`: the excerpt stops inside the tables."""
    seg = _Segments()
    blank_lines = rng.random() < 0.5
    style = rng.choice(STORE_STYLES)
    for block in blocks:
        if isinstance(block, PageBreak):
            continue
        if isinstance(block, str):
            seg.write(block + ("\n\n" if blank_lines else "\n"))
            continue
        if seg.tables_from is None and block.cells and any(p.key for p in block.cells):
            seg.tables_from = seg.size
        _store_table(seg, block, style)
    text = seg.text()
    copy = Copy(text)
    if cut and seg.tables_from is not None and seg.spans:
        end = seg.spans[-1][2]
        at = rng.randint(seg.tables_from, end)
        for _key, start, stop in seg.spans:
            if start < at < stop:
                at = start  # a number is never cut in half: the store stops before it
        copy.text = text[:at]
        copy.lost = {key for key, start, _ in seg.spans if start >= at}
    return copy


def _collapse(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def render_page_text(blocks: Blocks, header: list[str], rng: random.Random) -> Copy:
    """A crawler's copy (fujian-pingtan-*-txt): its header block, then the article on one line with its
    whitespace collapsed, so a row's cells run together (`规章000`) or are spaced unevenly (`0 0 0 0 0 00`)."""
    spacing = rng.choice(("tight", "spaced", "mixed"))
    out: list[str] = []
    size = 0
    run_together: set[Key] = set()

    def write(text: str) -> tuple[int, int]:
        nonlocal size
        text = _collapse(text)
        if out and out[-1].endswith(" ") and text.startswith(" "):
            text = text[1:]
        out.append(text)
        size += len(text)
        return size - len(text), size

    def gap(value: bool) -> str:
        if spacing == "spaced":
            return " "
        if spacing == "mixed" and value:
            return " " if rng.random() < 0.7 else ""
        return ""

    for block in blocks:
        if isinstance(block, PageBreak):
            continue
        if isinstance(block, str):
            write(block + rng.choice(("", " ")))
            continue
        for row in _starting_cells(block):
            values = [p for p in row if p.key is not None]
            start = end = None
            for p in row:
                joiner = rng.choice(("", " "))
                s, e = write(joiner.join((p.text or "").split("\n")))
                if p.key is not None:
                    start = s if start is None else start
                    end = e
                write(gap(p.key is not None))
            if not values or start is None:
                continue
            whole = "".join(out)
            run = whole[start:end]
            absent = len(values) < sum(1 for p in block.cells if p.row == row[0].row and p.key is not None)
            if absent or any(not (p.text or "").strip() for p in values):
                if any((p.text or "").strip() for p in values):
                    run_together |= {p.key for p in values}
                continue
            run_together |= {p.key for p, unsure in zip(values, ambiguous(run, len(values)), strict=True) if unsure}
    body = "".join(out).strip()
    return Copy("\n".join([*header, body]) + "\n", run_together=run_together)
