"""The source side of the review page: a report's file read again, each table shown as the file has it.

The file is read by the product's own readers (`read_document`), so `Table.index` is the facts'
`src_table` and a cell's place in its row is their `src_row`/`src_cell`. How a table is shown follows
the file:

* PDF: a picture of the page region the table was printed in (`Table.regions`, rendered by PDFium),
  one per page it spans, with the cells under review outlined (`Cell.box`);
* Word, web pages, legacy Word: the table as an HTML table (merged positions shaded);
* text layouts: the file's lines the table was read from, the cells under review marked in them;
* anything else (a PDF whose text came from PDFium's text backend): the cells as read, as a grid.

Every string from the file is escaped; images are PNG `data:` URIs, so the page stays one offline file.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
from dataclasses import dataclass, field
from pathlib import Path

from pipelines.document.model import Document, ReadError, Table
from pipelines.readers import read_document
from pipelines.readers.detect import sniff_container
from pipelines.readers.encoding import decode_text

# PDFium renders at this many pixels per PDF point: 144 dpi, sharp enough to read small table text.
RENDER_SCALE = 2.0
# Points of margin kept around a table's region.
REGION_MARGIN = 6.0
# A text excerpt keeps at most this many characters of a line before the table's first cell and after
# its last (a text copy that collapsed its whitespace holds the whole report in one line).
TEXT_CONTEXT_CHARS = 160
# Between two cells of one table a text file holds their delimiters and labels: a cell found further on
# than this is another occurrence of its text, not the cell.
TEXT_CELL_GAP_CHARS = 800
OUTLINE_WIDTH = 3

# The kinds of mark a source cell can carry, most serious first, with the outline colour in pictures.
MARK_COLOURS = {"error": (220, 30, 30), "warn": (230, 140, 0), "uncertain": (150, 60, 200)}
MARK_ORDER = tuple(MARK_COLOURS)

# (table index, row, cell ordinal): a source cell, as facts name it (row 0 in a table without rows).
CellKey = tuple[int, int, int]


@dataclass
class CellNote:
    """What the review says about one source cell: the fact cells it backs and the worst mark on them."""

    facts: list[str] = field(default_factory=list)
    mark: str | None = None
    why: list[str] = field(default_factory=list)

    def add(self, fact: str, mark: str | None, why: list[str]) -> None:
        self.facts.append(fact)
        self.why.extend(w for w in why if w not in self.why)
        if mark is not None and (self.mark is None or MARK_ORDER.index(mark) < MARK_ORDER.index(self.mark)):
            self.mark = mark

    def title(self) -> str:
        return "; ".join([", ".join(self.facts), *self.why])


@dataclass
class Source:
    """A report's file read again: its document and how to show it, or why it cannot be shown."""

    path: Path
    data: bytes = b""
    document: Document | None = None
    kind: str = "grid"  # pdf | grid | text
    text: str = ""
    problem: str | None = None
    _offsets: dict[int, dict[tuple[int, int], tuple[int, int]]] = field(default_factory=dict)

    def table(self, index: int) -> Table | None:
        if self.document is None:
            return None
        return next((t for t in self.document.tables if t.index == index), None)


def open_source(raw_dir: Path, source_path: str, sha256: str | None) -> Source:
    """Given the raw folder and a report's file, return it read again (or the reason it cannot be)."""
    root = raw_dir.resolve()
    path = raw_dir / source_path
    source = Source(path)
    if path.is_symlink():
        source.problem = "the file is a symbolic link; links are never followed"
        return source
    if not path.resolve().is_relative_to(root):
        source.problem = "the file's path leads outside the raw folder"
        return source
    if not path.is_file():
        source.problem = f"the file is no longer in the raw folder ({raw_dir})"
        return source
    data = path.read_bytes()
    if sha256 and hashlib.sha256(data).hexdigest() != sha256:
        source.problem = ("the file has changed since this report was loaded: its cells' positions may no longer "
                          "hold (the next run loads the new version)")
        return source
    source.data = data
    try:
        source.document = read_document(data, folder=path.parent, raw_root=raw_dir)
    except ReadError as exc:
        source.problem = f"the file cannot be read again ({exc.code}: {exc.message})"
        return source
    except Exception as exc:  # a review page must list every report, even one a reader now trips over
        source.problem = f"reading the file again failed ({type(exc).__name__}: {exc})"
        return source
    container = sniff_container(data)
    if container == "pdf" and any(t.regions for t in source.document.tables):
        source.kind = "pdf"
    elif container is None:
        source.kind = "text"
        source.text = decode_text(data)[0].replace("\r\n", "\n").replace("\r", "\n")
    return source


def render_table(source: Source, index: int, notes: dict[CellKey, CellNote]) -> str:
    """Given a source, a table index and the notes on its cells, return the table's source view (HTML)."""
    table = source.table(index)
    if table is None:
        return f'<p class="problem">The file has no table {index} when read again.</p>'
    mine = {(r, c): note for (t, r, c), note in notes.items() if t == index}
    if source.kind == "pdf" and table.regions:
        return _pdf_view(source, table, mine) + _details_grid(table, mine)
    if source.kind == "text":
        excerpt = _text_view(source, table, mine)
        if excerpt is not None:
            return excerpt + _details_grid(table, mine)
    return _grid(table, mine)


# --- grids -----------------------------------------------------------------------------------------


def _cell_html(text: str) -> str:
    return "<br>".join(html.escape(line) for line in text.split("\n"))


def _spans(table: Table) -> tuple[dict[tuple[int, int], tuple[int, int]], set[tuple[int, int]]]:
    """Given a table, return the cells that span others, (row, cell) → (rowspan, colspan), and the merged
    positions they cover. A merged position belongs to its left neighbour when that one is a cell or a
    position merged sideways (Word's gridSpan), else to the position above it (vMerge); a cell whose
    positions make no rectangle spans nothing (its positions are shown shaded)."""
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    sideways: set[tuple[int, int]] = set()
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row):
            if not cell.merged:
                continue
            if c > 0 and (not row[c - 1].merged or (r, c - 1) in sideways):
                owner[(r, c)] = owner.get((r, c - 1), (r, c - 1))
                sideways.add((r, c))
            elif r > 0 and c < len(table.rows[r - 1]):
                owner[(r, c)] = owner.get((r - 1, c), (r - 1, c))
    covered: dict[tuple[int, int], set[tuple[int, int]]] = {}
    for pos, first in owner.items():
        covered.setdefault(first, set()).add(pos)
    spans, hidden = {}, set()
    for (r0, c0), positions in covered.items():
        rows = [r for r, _ in positions] + [r0]
        cols = [c for _, c in positions] + [c0]
        box = {(r, c) for r in range(r0, max(rows) + 1) for c in range(c0, max(cols) + 1)} - {(r0, c0)}
        if box == positions and min(rows) == r0 and min(cols) == c0:
            spans[(r0, c0)] = (max(rows) - r0 + 1, max(cols) - c0 + 1)
            hidden |= positions
    return spans, hidden


def _grid(table: Table, notes: dict[tuple[int, int], CellNote]) -> str:
    """Given a document table and notes by (row, cell), return it as an HTML table, row and cell numbers
    (the facts' src_row, src_cell) aside; merged cells span the positions they cover."""
    width = max((len(row) for row in table.rows), default=0)
    spans, hidden = _spans(table)
    out = ['<table class="src"><thead><tr><th class="ix"></th>']
    out.extend(f'<th class="ix">{c}</th>' for c in range(width))
    out.append("</tr></thead><tbody>")
    for r, row in enumerate(table.rows):
        out.append(f'<tr><th class="ix">{r}</th>')
        for c, cell in enumerate(row):
            if (r, c) in hidden:
                continue
            note = notes.get((r, c))
            classes = ["merged"] if cell.merged else []
            if note is not None:
                classes.append("backs")
                if note.mark:
                    classes.append(f"mark-{note.mark}")
            attrs = f' class="{" ".join(classes)}"' if classes else ""
            if note is not None:
                attrs += f' title="{html.escape(note.title())}"'
            rowspan, colspan = spans.get((r, c), (1, 1))
            attrs += f' rowspan="{rowspan}"' if rowspan > 1 else ""
            attrs += f' colspan="{colspan}"' if colspan > 1 else ""
            out.append(f"<td{attrs}>{_cell_html(cell.text)}</td>")
        out.extend('<td class="absent"></td>' for _ in range(width - len(row)))
        out.append("</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _details_grid(table: Table, notes: dict[tuple[int, int], CellNote]) -> str:
    return f'<details class="cells"><summary>cells as the reader read them</summary>{_grid(table, notes)}</details>'


# --- text layouts ----------------------------------------------------------------------------------


def _locate(source: Source, table: Table) -> dict[tuple[int, int], tuple[int, int]]:
    """Given a text source and one of its tables, return where each cell's text is in the file:
    (row, cell) → (start, end) offsets. Cells are found in document order, each after the one before;
    a cell not found nearby (its text normalized by the reader) is left out."""
    if table.index in source._offsets:
        return source._offsets[table.index]
    earlier = [end for i, found in source._offsets.items() if i < table.index for _, end in found.values()]
    pos = max(earlier, default=0)
    found: dict[tuple[int, int], tuple[int, int]] = {}
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row):
            needle = cell.text.strip()
            if not needle or cell.merged:
                continue
            for candidate in dict.fromkeys((needle, needle.split("\n")[0].strip())):
                at = source.text.find(candidate, pos)
                if at >= 0 and (not found or at - pos <= TEXT_CELL_GAP_CHARS):
                    found[(r, c)] = (at, at + len(candidate))
                    pos = at + len(candidate)
                    break
    source._offsets[table.index] = found
    return found


def _text_view(source: Source, table: Table, notes: dict[tuple[int, int], CellNote]) -> str | None:
    """The lines of the file the table was read from, its cells under review marked; None when the
    table's cells cannot be found in the text."""
    found = _locate(source, table)
    if not found:
        return None
    text = source.text
    first = min(start for start, _ in found.values())
    last = max(end for _, end in found.values())
    line_start = text.rfind("\n", 0, first) + 1
    line_end = text.find("\n", last)
    line_end = len(text) if line_end < 0 else line_end
    start = max(line_start, first - TEXT_CONTEXT_CHARS)
    end = min(line_end, last + TEXT_CONTEXT_CHARS)
    spans = sorted((s, e, notes[key]) for key, (s, e) in found.items() if key in notes and s >= start and e <= end)
    out, pos = [], start
    for s, e, note in spans:
        if s < pos:  # a cell inside one already marked (a glued run cut into pieces): the outer mark stands
            continue
        out.append(html.escape(text[pos:s]))
        cls = f"backs mark-{note.mark}" if note.mark else "backs"
        out.append(f'<span class="{cls}" title="{html.escape(note.title())}">{html.escape(text[s:e])}</span>')
        pos = e
    out.append(html.escape(text[pos:end]))
    first_line = text.count("\n", 0, start) + 1
    last_line = text.count("\n", 0, end) + 1
    head = "…" if start > line_start else ""
    tail = "…" if end < line_end else ""
    lines = f"line {first_line}" if first_line == last_line else f"lines {first_line}–{last_line}"
    return (f'<p class="where">{lines} of the file</p>'
            f'<pre class="text">{head}{"".join(out)}{tail}</pre>')


# --- PDFs ------------------------------------------------------------------------------------------


def _pdf_view(source: Source, table: Table, notes: dict[tuple[int, int], CellNote]) -> str:
    """One picture per page region of the table, the boxes of its cells under review outlined."""
    marks: dict[int, list[tuple[tuple[float, float, float, float], str]]] = {}
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row):
            note = notes.get((r, c))
            if note is not None and note.mark and cell.box is not None:
                marks.setdefault(cell.box[0], []).append((cell.box[1:], note.mark))
    out = []
    for page_no, bbox in table.regions:
        try:
            png = region_png(source.data, page_no, bbox, marks.get(page_no, []))
        except Exception as exc:  # PDFium could read the file when it was loaded; a picture is a courtesy
            out.append(f'<p class="problem">page {page_no + 1} could not be rendered '
                       f'({html.escape(type(exc).__name__)}: {html.escape(str(exc))})</p>')
            continue
        alt = f"page {page_no + 1}, table region {bbox[0]:.0f},{bbox[1]:.0f}–{bbox[2]:.0f},{bbox[3]:.0f} pt"
        out.append(f'<figure class="region"><img class="pdf-region" alt="{html.escape(alt)}" '
                   f'src="data:image/png;base64,{base64.b64encode(png).decode("ascii")}">'
                   f"<figcaption>{html.escape(alt)}</figcaption></figure>")
    return "".join(out)


def region_png(data: bytes, page_no: int, bbox: tuple[float, float, float, float],
               marks: list[tuple[tuple[float, float, float, float], str]] = (), scale: float = RENDER_SCALE) -> bytes:
    """Given PDF bytes, a page (0-based) and a region in pdfplumber's coordinates (points from the top-left
    of the media box), return a PNG of that region with the given boxes outlined in their mark's colour.

    PDFium renders the crop box; a region is moved by the crop box's offset the way pdfplumber's own page
    images are. A rotated page is shown whole (its coordinates are the unrotated page's)."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw

    pdf = pdfium.PdfDocument(data)
    try:
        page = pdf[page_no]
        image = page.render(scale=scale).to_pil().convert("RGB")
        rotated = page.get_rotation() % 360 != 0
        _, mb_bottom, _, mb_top = page.get_mediabox()
        cb_left, _, _, cb_top = page.get_cropbox()
    finally:
        pdf.close()
    if rotated:
        return _png(image)
    # pdfplumber's coordinates of the crop box's corner (its page images are placed the same way)
    dx, dy = cb_left, (mb_top - mb_bottom) - cb_top

    def pixels(box: tuple[float, float, float, float], margin: float = 0.0) -> tuple[int, int, int, int]:
        x0, top, x1, bottom = box
        return (max(0, round((x0 - dx - margin) * scale)), max(0, round((top - dy - margin) * scale)),
                min(image.width, round((x1 - dx + margin) * scale)),
                min(image.height, round((bottom - dy + margin) * scale)))

    draw = ImageDraw.Draw(image)
    for box, mark in marks:
        draw.rectangle(pixels(box), outline=MARK_COLOURS[mark], width=OUTLINE_WIDTH)
    crop = pixels(bbox, REGION_MARGIN)
    if crop[2] - crop[0] < 2 or crop[3] - crop[1] < 2:  # a region off the rendered page: show the page
        crop = (0, 0, image.width, image.height)
    return _png(image.crop(crop))


def _png(image) -> bytes:
    """A page picture as a small PNG: 256 colours hold black text, grey rules and the marks' colours."""
    out = io.BytesIO()
    image.quantize(colors=256).save(out, format="PNG", optimize=True)
    return out.getvalue()
