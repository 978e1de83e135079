"""A PDF's pages as PDFium (pypdfium2) sees them, in the shape pdfplumber's algorithms take.

Why: pdfminer (under pdfplumber) parses a page's content stream in Python and spends some 80% of a
report's reading time there; PDFium parses it in C and gives every character with its box in a tenth of
the time. What pdfplumber adds on top — ruling lines merged into a grid, the grid into cells, characters
into words and lines — is kept as it is (its `TableFinder` and text utilities work on plain dicts), so a
table is built exactly the same way whichever library parsed the page.

A `Page` here holds:
* `chars` — every character PDFium's text page holds (the spaces and line breaks PDFium invents between
  words are left out, as pdfminer has none), with `text`, `x0`, `x1`, `top`, `bottom`, `upright`. A
  glyph whose font maps it to no Unicode reads `\\ufffd` (pdfminer's `(cid:NNN)`).
* `edges` — the straight, horizontal or vertical pieces of every painted path (lines, rectangles,
  polylines; curves are not rules), also inside Form XObjects.
* `images` — the box of every image object.

Coordinates are pdfplumber's: PDF points from the top-left corner of the page as displayed (its
/Rotate applied), x offset by the MediaBox's left edge. Positions stay comparable with what earlier
versions stored and what the review page draws.
"""

from __future__ import annotations

import ctypes
import re
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from pdfplumber.table import Table, TableFinder, TableSettings, cells_to_tables, edges_to_intersections
from pdfplumber.utils import chars_to_textmap, extract_text, extract_words
from pdfplumber.utils.text import LIGATURES

from pipelines.document.cells import CELL_MARGIN_PT, fills_cell

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
# Form XObjects nest; a report's never do more than a few levels (pdfminer's own limit is similar).
MAX_FORM_DEPTH = 8
# A segment is a rule when its ends differ by less than this in x (vertical) or y (horizontal).
AXIS_TOLERANCE = 0.01
REPLACEMENT = "\ufffd"

_SEGMENT_LINE = raw.FPDF_SEGMENT_LINETO
_SEGMENT_MOVE = raw.FPDF_SEGMENT_MOVETO
_PATH = raw.FPDF_PAGEOBJ_PATH
_IMAGE = raw.FPDF_PAGEOBJ_IMAGE
_FORM = raw.FPDF_PAGEOBJ_FORM


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """m then n (row vectors, as PDF writes them)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _display_matrix(mediabox: tuple[float, float, float, float], rotation: int) -> Matrix:
    """PDF user space to the displayed page with its origin at the bottom-left, as pdfminer sets it."""
    x0, y0, x1, y1 = mediabox
    return {90: (0.0, -1.0, 1.0, 0.0, -y0, x1), 180: (-1.0, 0.0, 0.0, -1.0, x1, y1),
            270: (0.0, 1.0, -1.0, 0.0, y1, -x0)}.get(rotation, (1.0, 0.0, 0.0, 1.0, -x0, -y0))


# pdfplumber's defaults for words and lines (utils.text DEFAULT_X_TOLERANCE, DEFAULT_Y_TOLERANCE)
X_TOLERANCE = 3.0
Y_TOLERANCE = 3.0


@dataclass
class Page:
    """One page: what pdfplumber's `Page` offers the readers, filled by PDFium."""

    page_number: int  # 1-based, as pdfplumber counts
    width: float
    height: float
    chars: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    images: list[dict] = field(default_factory=list)
    left: float = 0.0  # the MediaBox's left edge: pdfplumber's x coordinates start there
    top_offset: float = 0.0
    turned: bool = False  # read turned the way its text stands, not as displayed (read_page)
    glyphs: int = 0  # characters but white space
    _index: list | None = field(default=None, repr=False)

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        return (self.left, self.top_offset, self.left + self.width, self.top_offset + self.height)

    def find_tables(self) -> list:
        """Ruled tables, by pdfplumber's own grid building over these edges (default settings): its
        `TableFinder` step by step, with `_cells` in place of its `intersections_to_cells`."""
        finder = object.__new__(TableFinder)  # get_edges reads only .page and .settings
        finder.page, finder.settings = self, TableSettings.resolve(None)
        settings = finder.settings
        points = edges_to_intersections(finder.get_edges(), settings.intersection_x_tolerance,
                                        settings.intersection_y_tolerance)
        return [Table(self, group) for group in cells_to_tables(_cells(points))]

    def table_texts(self, table, unwrap_numbers: bool = True) -> list[list[str | None]]:
        """pdfplumber's `Table.extract()`: a character belongs to the cell holding its centre, None where a
        row has no cell (a merged position). The same rule, with the characters sorted by their vertical
        centre once: pdfplumber tests every character of the page against every row, most of a table's cost.
        One difference, `unwrap_numbers`: a number the cell was too narrow for is one number again."""
        index = self._by_middle()
        middles = [m for m, _, _, _ in index]
        rows = []
        for row in table.rows:
            x0, top, x1, bottom = row.bbox
            # in the page's order, as pdfplumber filters them
            in_row = sorted((i, h, v, ch) for v, h, i, ch in index[bisect_left(middles, top):bisect_left(middles, bottom)]
                            if x0 <= h < x1)
            texts: list[str | None] = []
            for cell in row.cells:
                if cell is None:
                    texts.append(None)
                    continue
                cx0, ctop, cx1, cbottom = cell
                chars = [ch for _, h, v, ch in in_row if cx0 <= h < cx1 and ctop <= v < cbottom]
                text = _cell_text(chars) if chars else ""
                if unwrap_numbers and _WRAPPED_NUMBER.match(text):
                    text = _unwrapped_number(chars, cx1 - cx0, text)
                texts.append(text)
            rows.append(texts)
        return rows

    def _by_middle(self) -> list[tuple[float, float, int, dict]]:
        if self._index is None:
            self._index = sorted(((ch["top"] + ch["bottom"]) / 2, (ch["x0"] + ch["x1"]) / 2, i, ch)
                                 for i, ch in enumerate(self.chars))
        return self._index

    def extract_text_lines(self) -> list[dict]:
        """pdfplumber's `extract_text_lines()`: each line's text, top and bottom."""
        if all(ch["upright"] for ch in self.chars):
            return [{"text": text, "top": top, "bottom": bottom}
                    for text, top, bottom in _lines(self.chars, preserve_order=True) if text]
        return chars_to_textmap(self.chars, layout_bbox=self.bbox, layout_width=self.width,
                                layout_height=self.height).extract_text_lines(strip=True, return_chars=False)

    def extract_words(self, x_tolerance: float = X_TOLERANCE, y_tolerance: float = Y_TOLERANCE,
                      keep_blank_chars: bool = False) -> list[dict]:
        """pdfplumber's `extract_words` (its own code where a character is rotated or blanks are kept)."""
        if not keep_blank_chars and all(ch["upright"] for ch in self.chars):
            return _fast_words(self.chars, x_tolerance, y_tolerance)
        return extract_words(self.chars, x_tolerance=x_tolerance, y_tolerance=y_tolerance,
                             keep_blank_chars=keep_blank_chars)




def _clusters(values: list[float], tolerance: float) -> dict[float, int]:
    """pdfplumber's cluster_list: sorted distinct values, a new cluster where the gap passes tolerance."""
    ids: dict[float, int] = {}
    last, k = None, -1
    for v in sorted(set(values)):
        if last is None or v > last + tolerance:
            k += 1
        ids[v] = k
        last = v
    return ids


def _words(line: list[dict], x_tolerance: float = X_TOLERANCE, y_tolerance: float = Y_TOLERANCE) -> list[list[dict]]:
    """pdfplumber's WordExtractor on one line of upright characters sorted left to right: a blank ends a
    word; a character left of the previous one's start, past its end by more than x_tolerance, or off its
    top by more than y_tolerance begins one."""
    words: list[list[dict]] = []
    current: list[dict] = []
    for ch in line:
        if ch["text"].isspace():
            if current:
                words.append(current)
            current = []
        elif current and (ch["x0"] < current[-1]["x0"] or ch["x0"] > current[-1]["x1"] + x_tolerance
                          or abs(ch["top"] - current[-1]["top"]) > y_tolerance):
            words.append(current)
            current = [ch]
        else:
            current.append(ch)
    if current:
        words.append(current)
    return words


def _char_lines(chars: list[dict], y_tolerance: float) -> list[list[dict]]:
    """pdfplumber's lines of upright characters: clustered by top, each sorted by x0."""
    ids = _clusters([ch["top"] for ch in chars], y_tolerance)
    by_line: dict[int, list[dict]] = {}
    for ch in chars:
        by_line.setdefault(ids[ch["top"]], []).append(ch)
    return [sorted(by_line[k], key=lambda c: c["x0"]) for k in sorted(by_line)]


_LIGATURE = re.compile("|".join(map(re.escape, LIGATURES)))


def _text(word: list[dict]) -> str:
    """The word's characters joined, ligatures expanded (`ﬁ` → `fi`) as pdfplumber does."""
    text = "".join([c["text"] for c in word])
    return _LIGATURE.sub(lambda m: LIGATURES[m.group()], text) if _LIGATURE.search(text) else text


def _fast_words(chars: list[dict], x_tolerance: float, y_tolerance: float) -> list[dict]:
    """pdfplumber's `extract_words` of upright characters (without blanks kept): what tables without
    rules are rebuilt from."""
    out = []
    for line in _char_lines(chars, y_tolerance):
        for word in _words(line, x_tolerance, y_tolerance):
            x0, x1 = min(c["x0"] for c in word), max(c["x1"] for c in word)
            top, bottom = min(c["top"] for c in word), max(c["bottom"] for c in word)
            out.append({"text": _text(word), "x0": x0, "x1": x1, "top": top, "doctop": top, "bottom": bottom,
                        "upright": True, "height": bottom - top, "width": x1 - x0, "direction": "ltr"})
    return out


def _lines(chars: list[dict], preserve_order: bool) -> list[tuple[str, float, float]]:
    """pdfplumber's text of upright characters as (text, top, bottom) lines: characters clustered into
    lines by their top, sorted by x0 in each, cut into words; the words clustered again by their top
    (`preserve_order`: consecutive runs only, as its text map does; else every word of a cluster together,
    as `extract_text` does), joined by one space. The same rules, written for one direction only: the
    general code spends most of a page's reading time on them."""
    if max(ch["top"] for ch in chars) - min(ch["top"] for ch in chars) <= Y_TOLERANCE:
        # one line (a cell's usual text): one cluster of characters, and of words, whatever the order
        words = _words(sorted(chars, key=lambda c: c["x0"]))
        if not words:
            return []
        return [(" ".join(_text(word) for word in words), min(c["top"] for word in words for c in word),
                 max(c["bottom"] for word in words for c in word))]
    words = [word for line in _char_lines(chars, Y_TOLERANCE) for word in _words(line)]
    tops = [min(c["top"] for c in word) for word in words]
    word_ids = _clusters(tops, Y_TOLERANCE)
    groups: list[tuple[int, list[int]]] = []
    if preserve_order:
        for i, top in enumerate(tops):
            if groups and groups[-1][0] == word_ids[top]:
                groups[-1][1].append(i)
            else:
                groups.append((word_ids[top], [i]))
    else:
        grouped: dict[int, list[int]] = {}
        for i, top in enumerate(tops):
            grouped.setdefault(word_ids[top], []).append(i)
        groups = sorted(grouped.items())
    out = []
    for _, members in groups:
        text = " ".join(_text(words[i]) for i in members)
        out.append((text, min(tops[i] for i in members), max(c["bottom"] for i in members for c in words[i])))
    return out


_WRAPPED_NUMBER = re.compile(r"^\d+(?:\n\d+)+$")


def _unwrapped_number(chars: list[dict], cell_width: float, text: str) -> str:
    """A number its cell was too narrow for, wrapped onto further lines (`9587` over `0`), as one number
    again: when every line but the last fills the cell (document.cells.fills_cell)."""
    lines = _char_lines([ch for ch in chars if not ch["text"].isspace()], Y_TOLERANCE)
    for line in lines[:-1]:
        width = line[-1]["x1"] - line[0]["x0"]
        digit = max(ch["x1"] - ch["x0"] for ch in line)
        if not fills_cell(width, digit, cell_width, CELL_MARGIN_PT):
            return text
    return text.replace("\n", "")


def _cell_text(chars: list[dict]) -> str:
    """pdfplumber's `extract_text` of a cell's characters (its general code where any is rotated)."""
    if len(chars) == 1:
        return "" if chars[0]["text"].isspace() else _text(chars)
    if all(ch["upright"] for ch in chars):
        return "\n".join(text for text, _, _ in _lines(chars, preserve_order=False))
    return extract_text(chars)


def _cells(intersections: dict) -> list[tuple[float, float, float, float]]:
    """pdfplumber's `intersections_to_cells`, the same search in the same order: from each point, the
    nearest point below and to the right joined to it by a rule, closed by a fourth. Each point's rules
    become a set once, and the points below and right are looked up by x and by y (pdfplumber rebuilds
    both sets for every pair it tests and scans every later point: most of a page's table time)."""
    vertical = {p: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d["v"]} for p, d in intersections.items()}
    horizontal = {p: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d["h"]}
                  for p, d in intersections.items()}

    def connects(p: tuple, q: tuple) -> bool:
        return ((p[0] == q[0] and not vertical[p].isdisjoint(vertical[q]))
                or (p[1] == q[1] and not horizontal[p].isdisjoint(horizontal[q])))

    points = sorted(intersections)
    same_x: dict[float, list[tuple]] = {}
    same_y: dict[float, list[tuple]] = {}
    for p in points:  # in sorted order: below = later in same_x, right = later in same_y
        same_x.setdefault(p[0], []).append(p)
        same_y.setdefault(p[1], []).append(p)
    cells = []
    for pt in points:
        column, row = same_x[pt[0]], same_y[pt[1]]
        right = [r for r in row[row.index(pt) + 1:] if connects(pt, r)]
        if not right:
            continue
        below = column[column.index(pt) + 1:]
        cell = next(((pt[0], pt[1], r[0], b[1]) for b in below if connects(pt, b) for r in right
                     if (r[0], b[1]) in intersections and connects((r[0], b[1]), r)
                     and connects((r[0], b[1]), b)), None)
        if cell is not None:
            cells.append(cell)
    return cells


class _Placer:
    """Maps PDF user space to pdfplumber's coordinates for one page."""

    def __init__(self, mediabox: tuple[float, float, float, float], rotation: int) -> None:
        x0, x1 = sorted((mediabox[0], mediabox[2]))
        y0, y1 = sorted((mediabox[1], mediabox[3]))
        self.display = _display_matrix((x0, y0, x1, y1), rotation)
        nx0, ny0, nx1, ny1 = (y0, x0, y1, x1) if rotation in (90, 270) else (x0, y0, x1, y1)
        self.left = nx0
        self.height = ny1 - ny0
        self.width = nx1 - nx0
        self.top_offset = self.height - ny1  # pdfplumber's mediabox top after inverting
        # user space to (x, top): the display matrix, then y flipped and both offset
        a, b, c, d, e, f = self.display
        self.to_page: Matrix = (a, -b, c, -d, e + self.left, self.height + self.top_offset - f)

    def point(self, m: Matrix, x: float, y: float) -> tuple[float, float]:
        """A point of a space that matrix m maps to user space, as pdfplumber's (x, top)."""
        a, b, c, d, e, f = _multiply(m, self.to_page)
        return (a * x + c * y + e, b * x + d * y + f)


def _matrix_of(obj: int) -> Matrix:
    m = raw.FS_MATRIX()
    if not _OBJ_MATRIX(obj, ctypes.addressof(m)):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _walk(container: int, count, get, ctm: Matrix, depth: int) -> Iterator[tuple[int, int, Matrix]]:
    """Every path and image object with the matrix from its own space to the page's user space (its own
    matrix, then those of the Form XObjects it lies in). Objects are addresses: a page holds thousands of
    text objects, each asked its type."""
    for i in range(count(container)):
        obj = get(container, i)
        if not obj:
            continue
        kind = _OBJ_TYPE(obj)
        if kind == _FORM:
            if depth < MAX_FORM_DEPTH:
                yield from _walk(obj, _FORM_COUNT, _FORM_GET, _multiply(_matrix_of(obj), ctm), depth + 1)
        elif kind in (_PATH, _IMAGE):
            yield kind, obj, _multiply(_matrix_of(obj), ctm)


def _painted(path: int) -> bool:
    """Filled or stroked: a path used only to clip draws nothing (pdfminer leaves it out too)."""
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not _DRAW_MODE(path, ctypes.addressof(fill), ctypes.addressof(stroke)):
        return False
    return bool(fill.value) or bool(stroke.value)


def _path_edges(path: int, m: Matrix, place: _Placer, out: list[dict]) -> None:
    """Axis-aligned straight segments of a painted path as pdfplumber edges."""
    x, y = ctypes.c_float(), ctypes.c_float()
    x_at, y_at = ctypes.addressof(x), ctypes.addressof(y)
    a, b, c, d, e, f = _multiply(m, place.to_page)  # the path's space to (x, top), once per path
    start = prev = None
    for i in range(_SEG_COUNT(path)):
        seg = _SEG_GET(path, i)
        _SEG_POINT(seg, x_at, y_at)
        px, py = x.value, y.value
        point = (a * px + c * py + e, b * px + d * py + f)
        kind = _SEG_TYPE(seg)
        if kind == _SEGMENT_MOVE:
            start = prev = point
            continue
        if kind == _SEGMENT_LINE and prev is not None:
            _add_edge(prev, point, out)
        prev = point  # a Bézier segment moves the pen without drawing a rule
        if _SEG_CLOSE(seg) and start is not None:
            _add_edge(point, start, out)
            prev = start


def _add_edge(p: tuple[float, float], q: tuple[float, float], out: list[dict]) -> None:
    x0, x1 = sorted((p[0], q[0]))
    top, bottom = sorted((p[1], q[1]))
    if x1 - x0 < AXIS_TOLERANCE:
        orientation, x1 = "v", x0
    elif bottom - top < AXIS_TOLERANCE:
        orientation, bottom = "h", top
    else:
        return
    out.append({"object_type": "line_edge", "x0": x0, "x1": x1, "top": top, "bottom": bottom,
                "doctop": top, "width": x1 - x0, "height": bottom - top, "orientation": orientation})


def _image_box(m: Matrix, place: _Placer) -> dict:
    """An image fills the unit square of its own matrix."""
    corners = [place.point(m, x, y) for x, y in ((0, 0), (1, 0), (0, 1), (1, 1))]
    xs, tops = [c[0] for c in corners], [c[1] for c in corners]
    return {"x0": min(xs), "x1": max(xs), "top": min(tops), "bottom": max(tops)}


def _plain(function, restype, *argtypes):
    """The same PDFium function with plain argument types: called once per character, pypdfium2's typed
    prototypes spend more time checking their arguments than PDFium spends answering."""
    return ctypes.CFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


_HANDLE, _INT, _ADDRESS = ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p
_TEXT_OBJECT = _plain(raw.FPDFText_GetTextObject, _ADDRESS, _HANDLE, _INT)  # its address: a dictionary key
_IS_GENERATED = _plain(raw.FPDFText_IsGenerated, _INT, _HANDLE, _INT)
_MAP_ERROR = _plain(raw.FPDFText_HasUnicodeMapError, _INT, _HANDLE, _INT)
_LOOSE_BOX = _plain(raw.FPDFText_GetLooseCharBox, _INT, _HANDLE, _INT, _ADDRESS)
_ORIGIN = _plain(raw.FPDFText_GetCharOrigin, _INT, _HANDLE, _INT, _ADDRESS, _ADDRESS)
# The page's objects and their paths' segments, as addresses (_walk, _path_edges).
_PAGE_COUNT = _plain(raw.FPDFPage_CountObjects, _INT, _HANDLE)
_PAGE_GET = _plain(raw.FPDFPage_GetObject, _ADDRESS, _HANDLE, _INT)
_FORM_COUNT = _plain(raw.FPDFFormObj_CountObjects, _INT, _HANDLE)
_FORM_GET = _plain(raw.FPDFFormObj_GetObject, _ADDRESS, _HANDLE, ctypes.c_ulong)
_OBJ_TYPE = _plain(raw.FPDFPageObj_GetType, _INT, _HANDLE)
_OBJ_MATRIX = _plain(raw.FPDFPageObj_GetMatrix, _INT, _HANDLE, _ADDRESS)
_DRAW_MODE = _plain(raw.FPDFPath_GetDrawMode, _INT, _HANDLE, _ADDRESS, _ADDRESS)
_SEG_COUNT = _plain(raw.FPDFPath_CountSegments, _INT, _HANDLE)
_SEG_GET = _plain(raw.FPDFPath_GetPathSegment, _ADDRESS, _HANDLE, _INT)
_SEG_POINT = _plain(raw.FPDFPathSegment_GetPoint, _INT, _HANDLE, _ADDRESS, _ADDRESS)
_SEG_TYPE = _plain(raw.FPDFPathSegment_GetType, _INT, _HANDLE)
_SEG_CLOSE = _plain(raw.FPDFPathSegment_GetClose, _INT, _HANDLE)


# Loose boxes of one font and size differ by up to ~0.3 pt from glyph to glyph; a glyph of another line
# lies a line away.
SAME_BASELINE = 1.0


def _chars(textpage, place: _Placer) -> tuple[list[dict], int, float]:
    """The page's characters. An upright glyph's box spans its font size up from its baseline, as
    pdfminer draws it: PDFium's own boxes follow each font's ascent and descent, so a digit in a Latin font
    would sit a few points off the Chinese text of its line and break the line grouping. With them, the
    number of glyphs (characters but white space) and the share of them that stand as text (upright and
    not upside down; 1.0 for a page of few glyphs)."""
    handle = ctypes.cast(textpage.raw, ctypes.c_void_p).value
    count = raw.FPDFText_CountChars(textpage.raw)
    if count <= 0:
        return [], 0, 1.0
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    raw.FPDFText_GetText(textpage.raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: count * 2].decode("utf-16-le", errors="replace")
    rect, matrix = raw.FS_RECTF(), raw.FS_MATRIX()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    rect_at, ox_at, oy_at = ctypes.addressof(rect), ctypes.addressof(ox), ctypes.addressof(oy)
    is_generated, map_error, loose_box, origin, text_object = (
        _IS_GENERATED, _MAP_ERROR, _LOOSE_BOX, _ORIGIN, _TEXT_OBJECT)
    A, B, C, D, E, F = place.to_page  # the matrix entries, as PDF names them
    da, db, dc, dd = place.display[:4]
    # The glyphs of one text object share its matrix and font size: [upright, font size on the page,
    # standing, its baseline (the bottom of its upright glyphs), (loose bottom, x1) of its last glyph]
    styles: dict[int, list] = {}
    standing = glyphs = 0
    chars = []
    for i, ch in enumerate(text):
        if ch in "\r\n" or (ch == " " and is_generated(handle, i)):
            continue
        if map_error(handle, i):
            ch = REPLACEMENT
        key = text_object(handle, i)
        style = styles.get(key)
        if style is None:
            raw.FPDFText_GetMatrix(textpage.raw, i, matrix)
            ma, mb, mc, md = matrix.a, matrix.b, matrix.c, matrix.d
            # pdfminer's test on the glyph's matrix as displayed: x stays along x, y along y
            ga = ma * da + mb * dc
            upright = ga * (mc * db + md * dd) > 0 and (ma * db + mb * dd) * (mc * da + md * dc) <= 0
            style = styles[key] = [upright, raw.FPDFText_GetFontSize(textpage.raw, i) * abs(ma * md - mb * mc) ** 0.5,
                                   upright and ga > 0, None, None]  # standing: upright and not upside down
        upright, size, stands, baseline, at = style
        if not ch.isspace():
            glyphs += 1
            standing += stands
        loose_box(handle, i, rect_at)
        left, right, high, low = rect.left, rect.right, rect.top, rect.bottom
        x0, x1 = A * left + C * high + E, A * right + C * low + E
        if x1 < x0:
            x0, x1 = x1, x0
        top, bottom = B * left + D * high + F, B * right + D * low + F
        if bottom < top:
            top, bottom = bottom, top
        if upright:  # the loose box's bottom varies a little with the glyph: the baseline does not
            if baseline is None or abs(bottom - at[0]) > SAME_BASELINE or x0 < at[1] - SAME_BASELINE:
                # The glyphs a text object sets one after another share its baseline: read once. One that
                # does not follow the previous glyph, or whose loose box sits elsewhere, is read itself
                # (a cell's text stacked one glyph a line in a single object).
                origin(handle, i, ox_at, oy_at)
                baseline = style[3] = B * ox.value + D * oy.value + F
            style[4] = (bottom, x1)
            bottom = baseline
            top = bottom - size
        chars.append({"text": ch, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "doctop": top,
                      "upright": upright})
    return chars, glyphs, (standing / glyphs if glyphs >= MIN_GLYPHS_TO_TURN else 1.0)


# A page whose text mostly runs sideways or upside down as displayed (at least this many glyphs, fewer
# than half standing) is read turned the way its text stands.
MIN_GLYPHS_TO_TURN = 20
STANDING_SHARE = 0.5


def read_page(pdf: pdfium.PdfDocument, index: int) -> Page:
    """Page `index` (0-based) with its characters, rules and images, placed as displayed (its /Rotate
    applied). A page whose text then runs sideways or upside down — drawn upright, but turned by a
    /Rotate a viewer or a scanner added — is placed the way its text stands instead, and marked
    `turned`: its positions are not those of the displayed page."""
    page = pdf[index]
    try:
        rotation = page.get_rotation() % 360
        mediabox = tuple(page.get_mediabox())
        place = _Placer(mediabox, rotation)
        # the text page and the objects are in user space; the placer maps them as pdfminer would
        textpage = page.get_textpage()
        try:
            chars, glyphs, share = _chars(textpage, place)
            turned = False
            if share < STANDING_SHARE:
                for other in (r for r in (0, 90, 180, 270) if r != rotation):
                    candidate = _Placer(mediabox, other)
                    candidate_chars, glyphs, candidate_share = _chars(textpage, candidate)
                    if candidate_share >= STANDING_SHARE:
                        place, chars, turned = candidate, candidate_chars, True
                        break
        finally:
            textpage.close()
        out = Page(index + 1, place.width, place.height, chars=chars, glyphs=glyphs, left=place.left,
                   top_offset=place.top_offset, turned=turned)
        for kind, obj, m in _walk(ctypes.cast(page.raw, ctypes.c_void_p).value, _PAGE_COUNT, _PAGE_GET, IDENTITY, 0):
            if kind == _IMAGE:
                out.images.append(_image_box(m, place))
            elif _painted(obj):
                _path_edges(obj, m, place, out.edges)
        return out
    finally:
        page.close()
