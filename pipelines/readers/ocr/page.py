"""One page image to blocks: its ruled tables cell by cell, and the text around them line by line.

The page is made upright (raster), its ruled tables found (grid), each cell's text read from its own
ink (cells). Text outside the tables — the title with the agency and the year, headings, prose — is
found by the engine's detector on the page with its tables painted out, and recognised box by box: the
metadata extractor and the interpreter's headings need it. Those boxes are also kept as words, so that
a page whose tables have no rules can have them rebuilt from where the words sit (pdf_unruled), as a
text PDF's are.

Positions are given in points on the page as the file shows it (the original image, before it was made
upright), through the `Placement` of the image on its page: the review page draws them.

A page scanned on its side (a landscape table) reads its hanzi badly when turned a quarter clockwise:
such a page is read turned each way and the better reading kept. Turned the other way, the engine
reads each hanzi of the sideways text well (one per line) and the table comes out transposed; that is
not detected (its labels then match no form row: the tables come out missing, visibly).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from itertools import pairwise

import cv2
import numpy as np

from pipelines.document.model import Block, Cell, Table
from pipelines.readers import pdf_unruled
from pipelines.readers.ocr import cells, engine, grid, raster

log = logging.getLogger(__name__)

# The detector looks for text outside tables on the page scaled to this resolution: 10.5 pt text is
# then ~20 px high, which it finds well, at a quarter of the cost of 300 dpi.
DETECT_DPI = 150
# The engine's own floor for a detected line (RapidOCR's `text_score`): below it a box is a seal's
# strokes, a shadow or noise, not text.
MIN_LINE_SCORE = 0.5
# A numeric column: at least this many of its cells, and this share of its filled ones, read as numbers.
MIN_NUMBERS, MIN_NUMBER_SHARE = 3, 0.5
# A line of characters, when too few lines on the page say otherwise (10.5 pt text).
DEFAULT_EM_PT = 9.5
MIN_SPAN_PT = 3.0
# Margin around a table painted out before text is detected (its rules' thickness and a little more).
TABLE_MARGIN_PT = 0.8
# Two boxes are on one line when their middles lie within this share of the smaller one's height (the
# lines of neighbouring columns are often offset by less than a line).
SAME_LINE = 0.3
# A page whose hanzi read this badly on average may lie on its side: it is read turned a quarter each
# way too, and a turn kept when it reads this much better. (The hanzi of upright pages of degraded scans
# score 0.97–1.0 on average; of the same pages turned a quarter clockwise, 0.28–0.39.)
SIDEWAYS_QUALITY = 0.85
MIN_TURN_GAIN = 0.1
# Left edges of detected boxes this close are one alignment (a text layer's would be equal).
LEFT_EDGE_PT = 5.0
# The detector reads at most this much of the page's height at once, chunks overlapping by more than
# the tallest line (a title in 22 pt type): every line lies whole in the chunk that owns its middle.
DET_CHUNK_PT, DET_OVERLAP_PT = 260.0, 40.0
# Rows between or around tables lower than this hold no line of text: not searched.
MIN_BAND_PT = 6.0


@dataclass(frozen=True, slots=True)
class Placement:
    """Where an image lies on its page: points per pixel and the point offset of its top-left corner."""

    pt_per_px: float
    x0: float = 0.0
    top: float = 0.0

    def box(self, px: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        return (round(self.x0 + px[0] * self.pt_per_px, 2), round(self.top + px[1] * self.pt_per_px, 2),
                round(self.x0 + px[2] * self.pt_per_px, 2), round(self.top + px[3] * self.pt_per_px, 2))


@dataclass
class PageRead:
    """A page read by OCR: its ruled tables and the text lines outside them, as (top, block or line);
    and the words outside ruled tables, pdfplumber-style dicts, for tables without rules. Tops and words
    are in points on the upright page (rows level, as the table rebuilders need them); the boxes of
    cells and tables are on the page as the file shows it (`to_page` maps the first to the second)."""

    page_no: int
    items: list[tuple[float, Block | str]] = field(default_factory=list)
    words: list[dict] = field(default_factory=list)
    to_page: Callable[[tuple[float, float, float, float]], tuple[float, float, float, float]] = field(
        default=lambda box: box, repr=False)
    # The engine's scores of the lines it read that hold a hanzi (cells' and the detector's).
    scores: list[float] = field(default_factory=list, repr=False)

    @property
    def quality(self) -> float:
        """How well the page read: its lines' mean score (1.0 for a page with nothing to read)."""
        return float(np.mean(self.scores)) if self.scores else 1.0

    @property
    def has_tables(self) -> bool:
        return any(isinstance(item, Table) for _, item in self.items)

    def unruled_items(self) -> list[tuple[float, Block | str]]:
        """The page's items with tables rebuilt from its words (pdf_unruled), boxes placed on the page."""
        items = pdf_unruled.items_from_words(_snap_left(self.words), self.page_no)
        for _, item in items:
            if isinstance(item, Table):
                item.regions = [(p, self.to_page(box)) for p, box in item.regions]
                item.rows = [[_placed_word_cell(c, self.to_page) for c in row] for row in item.rows]
        return items


def _placed_word_cell(cell: Cell, to_page) -> Cell:
    """A cell of a table rebuilt from OCR'd words, placed on the page and with its confidence: the lowest
    of its words' (halved for a value that is no number, as cells.judge does). An empty value cell is
    doubted too: no word was found there, and the detector does miss a lone digit (a `0`) now and then;
    with no rules there is no cell to look into for ink."""
    confidence = 1.0 if cell.confidence is None else cell.confidence
    text = cells.squeeze(cell.text)
    if cell.col and not cells.is_number(text) and text not in cells.NOT_APPLICABLE:
        confidence *= cells.DOUBT_FACTOR
    box = None if cell.box is None else (cell.box[0], *to_page(cell.box[1:]))
    return replace(cell, box=box, confidence=round(confidence, 4))


def _snap_left(words: list[dict]) -> list[dict]:
    """Given words, return them with left edges that differ by less than LEFT_EDGE_PT made equal: the
    detector's boxes of lines set flush left start a point or two apart, where a text layer's start
    together (and the table rebuilder orders a label's lines by their left edge first)."""
    order = sorted(range(len(words)), key=lambda i: words[i]["x0"])
    out = [dict(w) for w in words]
    start = None
    for i in order:
        x0 = words[i]["x0"]
        if start is None or x0 - start > LEFT_EDGE_PT:
            start = x0
        out[i]["x0"] = start
    return out


def _scores_of_text(reads: list[engine.Read]) -> list[float]:
    """The scores of the reads that say whether a page lies on its side: those holding a hanzi (a `0`
    reads as `0` on its side too; a hanzi turned a quarter clockwise reads badly)."""
    return [r.score for r in reads if cells.CJK.search(r.text)]


def _em(cuts: list[cells.CellCut], px_per_pt: float) -> float:
    """The height of a line of characters on this page (px): most rows of ink in cells are whole lines."""
    heights = [b - a for c in cuts for a, b in c.spans if b - a >= MIN_SPAN_PT * px_per_pt]
    if len(heights) < 5:
        return DEFAULT_EM_PT * px_per_pt
    return float(np.percentile(heights, 90))


def _numeric_columns(g: grid.Grid, texts: dict[tuple[int, int], str]) -> set[int]:
    """The grid columns most of whose filled single-column cells read as numbers."""
    out = set()
    for j in range(g.n_cols):
        filled = [t for (r, c), t in texts.items() if c == j and t]
        numbers = sum(cells.is_number(t) for t in filled)
        if numbers >= MIN_NUMBERS and numbers >= MIN_NUMBER_SHARE * len(filled):
            out.add(j)
    return out


def _tables(up: raster.Upright, grids: list[grid.Grid], rules: np.ndarray, px_per_pt: float, page_no: int,
            place: Placement, scores: list[float]) -> list[tuple[float, Table]]:
    """Given the upright page and its grids, return its tables with every cell read, by top (upright pt)."""
    cuts = [[cells.cut(up.rgb, up.grey, rules, c.box, px_per_pt) for c in g.cells] for g in grids]
    em = _em([c for per in cuts for c in per], px_per_pt)
    inks = [[cells.cell_ink(c, px_per_pt, em) for c in per] for per in cuts]
    del cuts
    lines = [line for per in inks for ink in per for line in ink.lines]
    recognised = engine.recognize(lines)
    scores.extend(_scores_of_text(recognised))
    reads = iter(recognised)
    del lines
    out = []
    for g, per in zip(grids, inks, strict=True):
        got = [[next(reads) for _ in ink.lines] for ink in per]
        first = {(c.row, c.col): " ".join(r.text for r in rs) for c, rs in zip(g.cells, got, strict=True)
                 if c.cols == 1}
        numeric = _numeric_columns(g, first)
        placed: dict[tuple[int, int], Cell] = {}
        for c, ink, rs in zip(g.cells, per, got, strict=True):
            text, confidence, doubts = cells.judge(ink, rs, c.col in numeric and c.cols == 1)
            if doubts:
                log.debug("page %d table cell (%d, %d) %r doubted: %s", page_no, c.row, c.col, text, sorted(doubts))
            box = place.box(up.to_original(c.box))
            placed[(c.row, c.col)] = Cell(text, c.row, c.col, box=(page_no, *box), confidence=confidence)
            for i in range(c.row, c.row + c.rows):
                for j in range(c.col, c.col + c.cols):
                    if (i, j) != (c.row, c.col):
                        placed[(i, j)] = Cell("", i, j, merged=True)
        rows = [[placed.get((i, j), Cell("", i, j, merged=True)) for j in range(g.n_cols)] for i in range(g.n_rows)]
        region = place.box(up.to_original(g.box))
        out.append((g.box[1] / px_per_pt, Table(rows=rows, regions=[(page_no, region)])))
    return out


def _crop_box(grey: np.ndarray, quad: np.ndarray) -> np.ndarray | None:
    """Given a grey page and a detected box's corners, return the box cut as a line image (a box much
    taller than wide is turned a quarter, as the engine does)."""
    h, w = grey.shape
    x0, y0 = max(0, int(quad[:, 0].min())), max(0, int(quad[:, 1].min()))
    x1, y1 = min(w, int(np.ceil(quad[:, 0].max()))), min(h, int(np.ceil(quad[:, 1].max())))
    if x1 - x0 < 3 or y1 - y0 < 3:
        return None
    line = grey[y0:y1, x0:x1]
    if line.shape[0] >= 1.5 * line.shape[1]:
        line = np.rot90(line)
    return np.ascontiguousarray(np.repeat(line[..., None], 3, axis=2))


def _bands(height: int, covered: list[tuple[int, int]], min_px: int) -> list[tuple[int, int]]:
    """Given a page's height and the rows its tables cover, return the bands of rows outside them that
    could hold a line of text (at least `min_px` high)."""
    bands, y = [], 0
    for a, b in sorted(covered):
        if a - y >= min_px:
            bands.append((y, a))
        y = max(y, b)
    if height - y >= min_px:
        bands.append((y, height))
    return bands


def _chunks(a: int, b: int, height: int, overlap: int) -> list[tuple[int, int, int, int]]:
    """Given rows a..b, return chunks of at most `height` rows overlapping by `overlap`, each with the
    rows it owns (a box belongs to the chunk that owns its middle: found once, and whole)."""
    if b - a <= height:
        return [(a, b, a, b)]
    step = height - overlap
    starts = list(range(a, b - overlap, step))
    out = []
    for k, start in enumerate(starts):
        end = min(b, start + height)
        own_top = a if k == 0 else start + overlap // 2
        own_bottom = b if k == len(starts) - 1 else start + step + overlap // 2
        out.append((start, end, own_top, own_bottom))
    return out


def _detect(grey: np.ndarray, bands: list[tuple[int, int]], scale: float, px_per_pt: float) -> list[np.ndarray]:
    """Given the grey page (tables painted out), bands of rows, the detection scale and the resolution,
    return the text boxes found in the bands (page px). The detector runs on the bands only, in chunks of
    DET_CHUNK_PT: its cost is that of the text around the tables, and its memory (the model's feature
    maps grow with the image: some 300 MB for a whole page) that of a third of a page."""
    quads = []
    height, overlap = int(DET_CHUNK_PT * px_per_pt), int(DET_OVERLAP_PT * px_per_pt)
    for a, b in bands:
        for start, end, own_top, own_bottom in _chunks(a, b, height, overlap):
            band = grey[start:end]
            small = cv2.resize(band, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else band
            for q in engine.detect(np.ascontiguousarray(np.repeat(small[..., None], 3, axis=2))):
                q = q / scale + np.array([0.0, start])
                if own_top <= (q[:, 1].min() + q[:, 1].max()) / 2 < own_bottom:
                    quads.append(q)
    return quads


def _words(up: raster.Upright, grids: list[grid.Grid], px_per_pt: float, scores: list[float]) -> list[dict]:
    """Given the upright page and its ruled tables, return the text outside them as words (upright pt)."""
    grey = up.grey.copy()
    # seal ink (red, not darkened by print beneath) out: its strokes otherwise read as text (`中中`)
    grey[cells.seal_only(up.rgb, grey, float(np.percentile(grey, 90)))] = 255
    margin = int(TABLE_MARGIN_PT * px_per_pt)
    covered = []
    for g in grids:
        x0, y0, x1, y1 = (int(v) for v in g.box)
        grey[max(0, y0 - margin):y1 + margin, max(0, x0 - margin):x1 + margin] = 255
        covered.append((max(0, y0 - margin), y1 + margin))
    scale = min(1.0, DETECT_DPI / (72 * px_per_pt), engine.DET_MAX_SIDE / max(grey.shape))
    quads = _detect(grey, _bands(grey.shape[0], covered, int(MIN_BAND_PT * px_per_pt)), scale, px_per_pt)
    crops, kept = [], []
    for q in quads:
        line = _crop_box(grey, q)
        if line is not None:
            crops.append(line)
            kept.append(q)
    words = []
    recognised = engine.recognize(crops)
    scores.extend(_scores_of_text(recognised))
    for q, read in zip(kept, recognised, strict=True):
        text = cells.tidy(read.text)
        if not text or read.score < MIN_LINE_SCORE:
            continue
        x0, top, x1, bottom = (float(v) / px_per_pt for v in (q[:, 0].min(), q[:, 1].min(), q[:, 0].max(), q[:, 1].max()))
        words.append({"text": text, "x0": x0, "x1": x1, "top": top, "bottom": bottom, "score": read.score})
    return _snap_lines(words)


def _snap_lines(words: list[dict]) -> list[dict]:
    """Given words, return them with the words of one line sharing its top and bottom (a detector's boxes
    of one line differ by a point or two; the readers group words into lines by equal tops)."""
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (w["top"] + w["bottom"]) / 2):
        mid, height = (w["top"] + w["bottom"]) / 2, w["bottom"] - w["top"]
        if lines:
            first = lines[-1][0]
            if abs(mid - (first["top"] + first["bottom"]) / 2) <= SAME_LINE * min(height, first["bottom"] - first["top"]):
                lines[-1].append(w)
                continue
        lines.append([w])
    out = []
    for line in lines:
        top, bottom = min(x["top"] for x in line), max(x["bottom"] for x in line)
        out.extend({**w, "top": top, "bottom": bottom} for w in sorted(line, key=lambda w: w["x0"]))
    return out


def line_items(words: list[dict]) -> list[tuple[float, str]]:
    """Given snapped words, return one (top, text) per line: words left to right, a space between two
    that stand apart by more than a character where both sides are Latin letters or digits (hanzi take
    none: a running header the detector cut in two places reads the same on every page)."""
    items: list[tuple[float, str]] = []
    current: list[dict] = []
    for w in [*words, None]:
        if current and (w is None or w["top"] != current[0]["top"]):
            height = current[0]["bottom"] - current[0]["top"]
            text = current[0]["text"]
            for a, b in pairwise(current):
                apart = b["x0"] - a["x1"] > height and text[-1:].isascii() and b["text"][:1].isascii()
                text += (" " if apart else "") + b["text"]
            items.append((current[0]["top"], text))
            current = []
        if w is not None:
            current.append(w)
    return items


def read_page(rgb: np.ndarray, px_per_pt: float, page_no: int, place: Placement) -> PageRead:
    """Given a page image (H×W×3 uint8), its resolution (px per pt), its page number (0-based) and where
    it lies on the page, return what OCR reads on it."""
    try:
        return _read_page(rgb, px_per_pt, page_no, place)
    except cv2.error as exc:  # OpenCV's failed allocation (the worker's memory limit) is no bug
        if engine.out_of_memory(exc):
            raise MemoryError(f"OpenCV ran out of memory ({str(exc)[:200]})") from exc
        raise


def _read_page(rgb: np.ndarray, px_per_pt: float, page_no: int, place: Placement) -> PageRead:
    """The page as it comes; turned a quarter either way when what it reads looks like text read
    sideways (a landscape table scanned on its side), whichever turn reads best."""
    best = _read_turned(rgb, px_per_pt, page_no, place, 0)
    if best.quality >= SIDEWAYS_QUALITY:
        return best
    for turns in (1, 3):
        turned = _read_turned(rgb, px_per_pt, page_no, place, turns)
        if turned.quality > best.quality + MIN_TURN_GAIN:
            best = turned
    return best


def _read_turned(rgb: np.ndarray, px_per_pt: float, page_no: int, place: Placement, turns: int) -> PageRead:
    up = raster.upright(rgb, px_per_pt, turns)
    ink = raster.ink_of(up.grey, px_per_pt)
    grids, rules = grid.find_grids(ink, px_per_pt)
    del ink
    out = PageRead(page_no, to_page=lambda box: place.box(up.to_original(tuple(v * px_per_pt for v in box))))
    out.items.extend(_tables(up, grids, rules, px_per_pt, page_no, place, out.scores))
    del rules
    out.words = _words(up, grids, px_per_pt, out.scores)
    out.items.extend(line_items(out.words))
    out.items.sort(key=lambda item: item[0])
    return out
