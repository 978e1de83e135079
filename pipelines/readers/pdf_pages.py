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
import functools
import itertools
import operator
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pypdfium2 as pdfium
import pypdfium2.raw as raw
from pdfplumber.table import Table, TableFinder, TableSettings, edges_to_intersections
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
    _index: tuple | None = field(default=None, repr=False)

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
        return [_Table(self, group) for group in _cells_to_tables(_cells(points))]

    def table_texts(self, table, unwrap_numbers: bool = True) -> list[list[str | None]]:
        """pdfplumber's `Table.extract()`: a character belongs to the cell holding its centre, None where a
        row has no cell (a merged position). The same rule, with the characters sorted by their vertical
        centre once: pdfplumber tests every character of the page against every row, most of a table's cost.
        One difference, `unwrap_numbers`: a number the cell was too narrow for is one number again."""
        index, middles = self._by_middle()
        rows = []
        for row in table.rows:
            x0, top, x1, bottom = row.bbox
            # in the page's order, as pdfplumber filters them
            in_row = sorted((i, h, v, ch) for v, h, i, ch in index[bisect_left(middles, top):bisect_left(middles, bottom)]
                            if x0 <= h < x1)
            cell_chars = _chars_by_cell(in_row, row.cells)
            texts: list[str | None] = []
            for cell, chars in zip(row.cells, cell_chars, strict=True):
                if cell is None:
                    texts.append(None)
                    continue
                text = _cell_text(chars) if chars else ""
                if unwrap_numbers and _WRAPPED_NUMBER.match(text):
                    text = _unwrapped_number(chars, cell[2] - cell[0], text)
                texts.append(text)
            rows.append(texts)
        return rows

    def _by_middle(self) -> tuple[list[tuple[float, float, int, dict]], list[float]]:
        """The characters as (vertical centre, horizontal centre, page order, character), sorted, and
        their vertical centres."""
        if self._index is None:
            index = sorted(((ch["top"] + ch["bottom"]) / 2, (ch["x0"] + ch["x1"]) / 2, i, ch)
                           for i, ch in enumerate(self.chars))
            self._index = (index, [m for m, _, _, _ in index])
        return self._index

    def extract_text_lines(self, spans: Sequence[tuple[float, float]] = ()) -> list[dict]:
        """pdfplumber's `extract_text_lines()`: each line's text, top and bottom. With `spans`, (top,
        bottom) pairs, lines that lie within one of them (their middle too, then) may be left out: those
        whose characters' lines, as pdfplumber first groups them, do — every line is cut from one of those
        (a table's text, read cell by cell, need not be read again as lines)."""
        if all(ch["upright"] for ch in self.chars):
            chars = _outside(self.chars, spans) if spans else self.chars
            return [{"text": text, "top": top, "bottom": bottom}
                    for text, top, bottom in (_lines(chars, preserve_order=True) if chars else ()) if text]
        return chars_to_textmap(self.chars, layout_bbox=self.bbox, layout_width=self.width,
                                layout_height=self.height).extract_text_lines(strip=True, return_chars=False)

    def extract_words(self, x_tolerance: float = X_TOLERANCE, y_tolerance: float = Y_TOLERANCE,
                      keep_blank_chars: bool = False) -> list[dict]:
        """pdfplumber's `extract_words` (its own code where a character is rotated or blanks are kept)."""
        if not keep_blank_chars and all(ch["upright"] for ch in self.chars):
            return _fast_words(self.chars, x_tolerance, y_tolerance)
        return extract_words(self.chars, x_tolerance=x_tolerance, y_tolerance=y_tolerance,
                             keep_blank_chars=keep_blank_chars)




_X0 = operator.itemgetter("x0")


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
    last = None  # current[-1]
    for ch in line:
        if ch["text"].isspace():
            if current:
                words.append(current)
            current, last = [], None
            continue
        x0 = ch["x0"]
        if last is not None and (x0 < last["x0"] or x0 > last["x1"] + x_tolerance
                                 or abs(ch["top"] - last["top"]) > y_tolerance):
            words.append(current)
            current = [ch]
        else:
            current.append(ch)
        last = ch
    if current:
        words.append(current)
    return words


class _Table(Table):
    """pdfplumber's table, its rows and box worked out once (its properties build them on every read)."""

    @functools.cached_property
    def rows(self) -> list:
        return super().rows

    @functools.cached_property
    def bbox(self) -> tuple[float, float, float, float]:
        return super().bbox


def _cells_to_tables(cells: list[tuple[float, float, float, float]]) -> list[list[tuple]]:
    """pdfplumber's `cells_to_tables`, the same passes in the same order: a table grows by every cell
    that shares a corner with it, pass after pass over the cells left, until a pass adds none. The cells
    left are kept as a list rebuilt once a pass (pdfplumber removes each cell it takes from the list)."""

    def corners(cell: tuple) -> tuple:
        x0, top, x1, bottom = cell
        return ((x0, top), (x0, bottom), (x1, top), (x1, bottom))

    remaining = list(cells)
    current_corners: set[tuple[float, float]] = set()
    current: list[tuple] = []
    tables = []
    while remaining:
        before = len(current)
        left = []
        for cell in remaining:
            cell_corners = corners(cell)
            if not current or not current_corners.isdisjoint(cell_corners):
                current_corners.update(cell_corners)
                current.append(cell)
            else:
                left.append(cell)
        remaining = left
        if len(current) == before:
            tables.append(current)
            current_corners, current = set(), []
    if current:
        tables.append(current)
    tables.sort(key=lambda t: min((c[1], c[0]) for c in t))
    return [t for t in tables if len(t) > 1]


def _chars_by_cell(in_row: list[tuple[float, float, int, dict]], cells: list) -> list[list[dict]]:
    """Each cell's characters, in page order: those whose centre (h, v) it holds (x0 <= h < x1, top <= v
    < bottom). Where the row's cells do not overlap side by side, a character is looked up by its h
    among the cells' left edges, instead of every cell testing every character of the row."""
    out: list[list[dict]] = [[] for _ in cells]
    placed = sorted((cell[0], k) for k, cell in enumerate(cells) if cell is not None)
    if any(cells[k][2] > x0 for (_, k), (x0, _) in itertools.pairwise(placed)):
        for k, cell in enumerate(cells):
            if cell is not None:
                cx0, ctop, cx1, cbottom = cell
                out[k] = [ch for _, h, v, ch in in_row if cx0 <= h < cx1 and ctop <= v < cbottom]
        return out
    lefts = [x0 for x0, _ in placed]
    for _, h, v, ch in in_row:
        j = bisect_right(lefts, h) - 1
        if j >= 0:
            k = placed[j][1]
            _, ctop, cx1, cbottom = cells[k]
            if h < cx1 and ctop <= v < cbottom:
                out[k].append(ch)
    return out


def _outside(chars: list[dict], spans: Sequence[tuple[float, float]]) -> list[dict]:
    """The characters but those of the lines (clustered by top, as `_char_lines`) that lie wholly within
    one of the spans. Lines end where the tops part by more than the tolerance, so no later grouping
    joins what is left to what is dropped."""
    ids = _clusters([ch["top"] for ch in chars], Y_TOLERANCE)
    extent: dict[int, list[float]] = {}
    for ch in chars:
        k = ids[ch["top"]]
        span = extent.get(k)
        if span is None:
            extent[k] = [ch["top"], ch["bottom"]]
        else:
            span[0], span[1] = min(span[0], ch["top"]), max(span[1], ch["bottom"])
    dropped = {k for k, (top, bottom) in extent.items() if any(a <= top and bottom <= b for a, b in spans)}
    return [ch for ch in chars if ids[ch["top"]] not in dropped] if dropped else chars


def _one_line(chars: list[dict]) -> bool:
    """The characters' tops lie within the tolerance: they make one line however they are clustered."""
    tops = [ch["top"] for ch in chars]
    return max(tops) - min(tops) <= Y_TOLERANCE


def _one_line_words(chars: list[dict]) -> list[list[dict]]:
    """The words of characters that make one line (their tops within the tolerance), left to right."""
    return _words(sorted(chars, key=_X0))


def _char_lines(chars: list[dict], y_tolerance: float) -> list[list[dict]]:
    """pdfplumber's lines of upright characters: clustered by top, each sorted by x0."""
    ids = _clusters([ch["top"] for ch in chars], y_tolerance)
    by_line: dict[int, list[dict]] = {}
    for ch in chars:
        by_line.setdefault(ids[ch["top"]], []).append(ch)
    return [sorted(by_line[k], key=_X0) for k in sorted(by_line)]


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
    if _one_line(chars):
        # one line (a cell's usual text): one cluster of characters, and of words, whatever the order
        words = _one_line_words(chars)
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
        if _one_line(chars):  # `_lines`' first case (most cells)
            return " ".join([_text(word) for word in _one_line_words(chars)])
        return _lines_text(chars)
    return extract_text(chars)


def _lines_text(chars: list[dict]) -> str:
    """`_lines`' text (not preserving order) of upright characters on several lines. Its words are
    clustered by top again, but never across two lines of characters (their tops part by more than the
    tolerance): where each line's words lie within the tolerance, each line is one line of text, in
    order, and that is what is returned without clustering again."""
    texts = []
    for line in _char_lines(chars, Y_TOLERANCE):
        words = _words(line)
        if not words:
            continue
        tops = [min([c["top"] for c in word]) for word in words]
        if max(tops) - min(tops) > Y_TOLERANCE:
            return "\n".join(text for text, _, _ in _lines(chars, preserve_order=False))
        texts.append(" ".join([_text(word) for word in words]))
    return "\n".join(texts)


def _cells(intersections: dict) -> list[tuple[float, float, float, float]]:
    """pdfplumber's `intersections_to_cells`, the same search in the same order: from each point, the
    nearest point below and to the right joined to it by a rule, closed by a fourth. Each point's rules
    become a set once, the points below and right are looked up by x and by y, and the points right are
    tested only as far as the search needs them (pdfplumber rebuilds both sets for every pair it tests
    and scans every later point: most of a page's table time). Points of one column are joined only by
    a vertical rule, points of one row only by a horizontal one."""
    vertical = {p: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d["v"]} for p, d in intersections.items()}
    horizontal = {p: {(e["x0"], e["top"], e["x1"], e["bottom"]) for e in d["h"]}
                  for p, d in intersections.items()}
    points = sorted(intersections)
    same_x: dict[float, list[tuple]] = {}
    same_y: dict[float, list[tuple]] = {}
    for p in points:  # in sorted order: below = later in same_x, right = later in same_y
        same_x.setdefault(p[0], []).append(p)
        same_y.setdefault(p[1], []).append(p)
    at_x = {p: k for column in same_x.values() for k, p in enumerate(column)}
    at_y = {p: k for row in same_y.values() for k, p in enumerate(row)}
    cells = []
    for pt in points:
        pt_rules, pt_down = horizontal[pt], vertical[pt]
        row = same_y[pt[1]]
        # the points right joined to pt, drawn from `later` as the search first needs each
        later = (r for r in row[at_y[pt] + 1:] if not pt_rules.isdisjoint(horizontal[r]))
        right = list(itertools.islice(later, 1))
        if not right:
            continue
        cell = None
        for b in same_x[pt[0]][at_x[pt] + 1:]:
            b_rules = horizontal[b]
            if pt_down.isdisjoint(vertical[b]):
                continue
            k = 0
            while True:  # pdfplumber's order: for each point below, every point right in turn
                if k == len(right):
                    right.extend(itertools.islice(later, 1))
                    if k == len(right):
                        break
                r = right[k]
                k += 1
                corner = (r[0], b[1])
                if corner in intersections and not vertical[corner].isdisjoint(vertical[r]) \
                        and not horizontal[corner].isdisjoint(b_rules):
                    cell = (pt[0], pt[1], r[0], b[1])
                    break
            if cell is not None:
                cells.append(cell)
                break
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
    """The same PDFium function with plain argument types, called holding the GIL: called once per page
    object, pypdfium2's typed prototypes spend more time checking their arguments than PDFium spends
    answering, and releasing the GIL and taking it back costs more than the answer."""
    return ctypes.PYFUNCTYPE(restype, *argtypes)(ctypes.cast(function, ctypes.c_void_p).value)


def _bare(function, restype):
    """The same PDFium function with no argument types at all, for the calls made once per character
    (half the cost of `_plain`'s): every argument must then be a ctypes object (`ctypes.c_void_p` for a
    handle or an address) or a small int, which ctypes passes as a C int — an address passed as a plain
    int would be cut to 32 bits without a word. Called holding the GIL, as `_plain`."""
    return ctypes.PYFUNCTYPE(restype)(ctypes.cast(function, ctypes.c_void_p).value)


_HANDLE, _INT, _ADDRESS = ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p
# Per character, called with (text page handle as c_void_p, index[, c_void_p addresses])
_TEXT_OBJECT = _bare(raw.FPDFText_GetTextObject, _ADDRESS)  # its address: a dictionary key
_IS_GENERATED = _bare(raw.FPDFText_IsGenerated, _INT)
_MAP_ERROR = _bare(raw.FPDFText_HasUnicodeMapError, _INT)
_LOOSE_BOX = _bare(raw.FPDFText_GetLooseCharBox, _INT)
_ORIGIN = _bare(raw.FPDFText_GetCharOrigin, _INT)
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


# The page's text is read into a buffer of whole blocks of this many bytes.
TEXT_BLOCK = 4096
# Loose boxes of one font and size differ by up to ~0.3 pt from glyph to glyph; a glyph of another line
# lies a line away.
SAME_BASELINE = 1.0


def _chars(textpage, place: _Placer) -> tuple[list[dict], int, float]:
    """The page's characters. An upright glyph's box spans its font size up from its baseline, as
    pdfminer draws it: PDFium's own boxes follow each font's ascent and descent, so a digit in a Latin font
    would sit a few points off the Chinese text of its line and break the line grouping. With them, the
    number of glyphs (characters but white space) and the share of them that stand as text (upright and
    not upside down; 1.0 for a page of few glyphs)."""
    handle = ctypes.c_void_p(ctypes.cast(textpage.raw, ctypes.c_void_p).value)
    count = raw.FPDFText_CountChars(textpage.raw)
    if count <= 0:
        return [], 0, 1.0
    # sized in whole blocks: ctypes makes a new array type for every length it is asked for
    buffer = ctypes.create_string_buffer(-(-(count + 1) * 2 // TEXT_BLOCK) * TEXT_BLOCK)
    raw.FPDFText_GetText(textpage.raw, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: count * 2].decode("utf-16-le", errors="replace")
    # The answers are read through memoryviews: a ctypes field looks its type up on every read.
    rect, origin_xy, matrix = (ctypes.c_float * 4)(), (ctypes.c_double * 2)(), raw.FS_MATRIX()
    box, xy = (memoryview(v).cast("B").cast(code) for v, code in ((rect, "f"), (origin_xy, "d")))
    rect_at, ox_at = ctypes.c_void_p(ctypes.addressof(rect)), ctypes.c_void_p(ctypes.addressof(origin_xy))
    oy_at = ctypes.c_void_p(ctypes.addressof(origin_xy) + ctypes.sizeof(ctypes.c_double))
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
        left, high, right, low = box  # FS_RECTF: left, top, right, bottom
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
                ox, oy = xy
                baseline = style[3] = B * ox + D * oy + F
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
