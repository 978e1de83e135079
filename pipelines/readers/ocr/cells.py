"""A table cell's text read from the page: its text lines found in its ink, each recognised, then checked.

Why lines from the ink and not the engine's detector: tools/scans/RESULTS.md measured recognition on
whole cell crops at 35–40 % exact (the engine drops a number's last digit with a score of 0.999), and
the detector run per cell 30–50× slower; lines found from the cell's own ink and recognised one by one
read 98 % of the numbers of degraded 300-dpi pages right, and their scores separate right from wrong.

The steps: the cell is cut on its rules; the rules found on the page are painted out (a rule left in a
number's crop reads as a `1`); what is left of them along the cut is dropped; specks are ignored; rows
of ink make lines (strokes of one character stacked with gaps, like 三, are joined back: a line is never
much taller than the page's characters); each line is cut with a small margin and recognised.

Then the read is doubted — its confidence lowered below any threshold — where RESULTS.md found the
engine wrong with a high score: a number-like cell whose read is no plain number after NFKC (`0` read
`福`, `3` read `B`), an empty read over ink (the commonest error), more separate strokes of ink than
digits read (a dropped edge digit: `43255` read `4325` at 0.99), red seal ink over the text (69–88 %
right there against 98 %), or a piece of rule left at the cut (a rule read as `1`: `408` → `4081`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from itertools import pairwise

import cv2
import numpy as np

from pipelines.document.cells import CELL_MARGIN_PT, fills_cell
from pipelines.readers.ocr.engine import Read

# Ink is at least this much darker than the cell's paper (grey levels of max(R, G, B)).
MIN_CONTRAST = 40
# A component is text when it is at least this large one way (a dash is wide and flat, a `1` thin and
# tall); specks and noise are smaller.
MIN_STROKE_PT = 2.2
MIN_SPECK_PX = 4
# Within this distance of the cut, ink running along the edge is left of a rule, not text.
EDGE_PT = 1.2
# Rows of ink this close are one piece (a stroke split by noise); pieces are joined into lines below.
LINE_GAP_PT = 0.25
# A line this many characters high is characters written one under another, touching: cut apart.
SPLIT_EM = 1.7
# Stacked pieces are joined into one line while the line stays within this many of the page's
# character heights (三 is three strokes; two characters stacked are two lines).
MAX_LINE_EM = 1.25
LINE_PAD_PT = 1.2
# Seal ink: red well above green and blue; over this share of a line's box, the line is under the seal.
SEAL_RED = 40
SEAL_SHARE = 0.01
# Seal ink alone keeps at least ~3/4 of the paper's light in max(R, G, B); print beneath it much less.
SEAL_PRINT_SHARE = 0.6
# How a doubted read's confidence is lowered: halved, so below any sensible threshold, yet still ordered
# by the engine's score; an empty read over ink has none at all.
DOUBT_FACTOR = 0.5
NUMBER = re.compile(r"^(?:\d+|\d{1,3}(?:,\d{3})+)(?:\.\d+)?$")
# Marks a form prints in a value cell that has nothing to count.
NOT_APPLICABLE = {"/", "-", "—", "——", "－", "―", "–", "无", "0.00", "／"}
DIGIT = re.compile(r"\d")
CJK = re.compile(r"[\u4e00-\u9fff]")
# A read this short on one line, with at most one hanzi, in a column of numbers, is a value (a misread
# number, if not one: `0` read `福`); a heading in that column (`总计`, `本年增/减`) is not.
MAX_VALUE_CHARS = 8


@dataclass
class CellInk:
    """What a cell holds before recognition: its text-line images, and what the cut tells about them."""

    lines: list[np.ndarray] = field(default_factory=list)
    runs: list[int] = field(default_factory=list)  # separate strokes of ink, left to right, per line
    spans: list[tuple[int, int]] = field(default_factory=list)  # each line's rows in the crop
    doubts: set[str] = field(default_factory=set)
    extents: list[tuple[int, int]] = field(default_factory=list)  # each line's ink, first and past last column
    width: int = 0  # the cell's width in pixels
    margin: float = 0.0  # a printed cell's margin in pixels (document.cells.CELL_MARGIN_PT)

    @property
    def has_ink(self) -> bool:
        return bool(self.lines)


def seal_red(rgb: np.ndarray) -> np.ndarray:
    """Given RGB pixels, return where red seal ink shows (red well above green and blue)."""
    r, g, b = cv2.split(rgb)
    return cv2.subtract(r, cv2.max(g, b)) > SEAL_RED


def seal_only(rgb: np.ndarray, grey: np.ndarray, paper: float) -> np.ndarray:
    """Given RGB pixels, their grey and the paper's grey level, return the seal ink with no print beneath
    (red, and lighter than print under a seal stays)."""
    return seal_red(rgb) & (grey >= paper * SEAL_PRINT_SHARE)


_LOOSE_SPACE = re.compile(r"(?<![A-Za-z0-9])\s+|\s+(?![A-Za-z0-9])")


def tidy(text: str) -> str:
    """Given a read, return it without the spaces the engine puts between hanzi or punctuation (it reads
    `5.属` as `5 属`, a gap in a heading as a space); a space between Latin letters or digits stays."""
    return _LOOSE_SPACE.sub("", text.strip())


def squeeze(text: str) -> str:
    """Given a read, return it NFKC-normalised without whitespace (fullwidth digits become digits)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """Given a 1-D boolean array, return its runs of True as (start, end) pairs."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    d = np.diff(padded)
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


def _ink(grey: np.ndarray, red: np.ndarray, paper: float) -> np.ndarray:
    """Given a cell's grey pixels (rules painted out), where seal red shows, and its paper level, return
    the ink mask (uint8 0/1). Dense seal ink stays a little dark even in max(R, G, B); print under it
    stays much darker, so a red pixel is ink only when it is that dark (no print lost beneath a seal)."""
    blurred = cv2.GaussianBlur(grey, (3, 3), 0)  # no median filter: it erases thin strokes
    _, ink = cv2.threshold(blurred, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    dark = (blurred < paper - MIN_CONTRAST) & (~red | (blurred < paper * SEAL_PRINT_SHARE))
    return ink & dark.astype(np.uint8)


def _clean(ink: np.ndarray, px_per_pt: float, doubts: set[str]) -> tuple[np.ndarray, np.ndarray]:
    """Given a cell's ink, return the components large enough to make a line of text (not specks, not
    rule left at the cut), and the slivers of rule left at the cut (dilated: painted out before reading)."""
    n, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    h, w = ink.shape
    edge = max(2, round(EDGE_PT * px_per_pt))
    stroke = MIN_STROKE_PT * px_per_pt
    keep = np.zeros(n, bool)
    sliver = np.zeros(n, bool)
    for k in range(1, n):
        x, y, bw, bh, area = stats[k]
        along_side = (x < edge or x + bw > w - edge) and bw <= edge  # a sliver of a vertical rule
        along_top = (y < edge or y + bh > h - edge) and bh <= edge  # of a horizontal one
        if along_side or along_top:
            sliver[k] = True
            if max(bw, bh) >= 3 * stroke:  # long enough to be read as a `1` or a dash had it stayed
                doubts.add("rule_fragment")
            continue
        keep[k] = area >= MIN_SPECK_PX and max(bw, bh) >= stroke
    dropped = cv2.dilate(sliver[labels].astype(np.uint8), np.ones((3, 3), np.uint8))
    return keep[labels].astype(np.uint8), dropped


def _raw_spans(ink: np.ndarray, px_per_pt: float) -> list[tuple[int, int]]:
    """Given a cell's clean ink, return its rows of ink as ranges (gaps inside a character closed)."""
    gap = max(1, round(LINE_GAP_PT * px_per_pt))
    spans: list[list[int]] = []
    for a, b in _runs(ink.any(axis=1)):
        if spans and a - spans[-1][1] <= gap:
            spans[-1][1] = b
        else:
            spans.append([a, b])
    return [(a, b) for a, b in spans]


def _split(ink: np.ndarray, a: int, b: int, em_px: float) -> list[tuple[int, int]]:
    """Given rows a..b of ink taller than two characters' height less a little (characters written one
    under another and set so tight that they touch), return them cut where the ink is thinnest near
    each expected boundary between characters."""
    count = round((b - a) / em_px)
    if count < 2:
        return [(a, b)]
    profile = ink[a:b].sum(axis=1)
    step, reach = (b - a) / count, max(1, int(0.3 * em_px))
    cuts = [a]
    for k in range(1, count):
        mid = int(k * step)
        lo, hi = max(1, mid - reach), min(b - a - 1, mid + reach)
        cuts.append(a + lo + int(np.argmin(profile[lo:hi + 1])))
    cuts.append(b)
    return [(x, y) for x, y in pairwise(cuts) if y > x]


def _line_spans(ink: np.ndarray, spans: list[tuple[int, int]], em_px: float) -> list[tuple[int, int]]:
    """Given rows of ink, return text lines: stacked pieces joined while the line stays one character
    high, runs of touching characters one under another cut apart."""
    joined: list[list[int]] = []
    for a, b in spans:
        if joined and b - joined[-1][0] <= MAX_LINE_EM * em_px:
            joined[-1][1] = b
        else:
            joined.append([a, b])
    out: list[tuple[int, int]] = []
    for a, b in joined:
        out.extend(_split(ink, a, b, em_px) if b - a > SPLIT_EM * em_px else [(a, b)])
    return out


@dataclass
class CellCut:
    """A cell cut from the page: its grey pixels with rules and specks painted out, its ink, its seal ink."""

    painted: np.ndarray | None = None
    ink: np.ndarray | None = None
    seal: np.ndarray | None = None
    spans: list[tuple[int, int]] = field(default_factory=list)
    doubts: set[str] = field(default_factory=set)


def cut(rgb: np.ndarray, grey: np.ndarray, rules: np.ndarray, box: tuple[float, float, float, float],
        px_per_pt: float) -> CellCut:
    """Given the upright page (RGB, grey), its rules mask and a cell's box (px), return the cell's cut."""
    h, w = grey.shape
    x0, y0 = max(0, int(np.floor(box[0]))), max(0, int(np.floor(box[1])))
    x1, y1 = min(w, int(np.ceil(box[2]))), min(h, int(np.ceil(box[3])))
    out = CellCut()
    if x1 - x0 < 3 or y1 - y0 < 3:
        return out
    crop = grey[y0:y1, x0:x1].copy()
    rule = cv2.dilate(rules[y0:y1, x0:x1], np.ones((3, 3), np.uint8)) > 0
    paper = float(np.percentile(crop[~rule], 90)) if (~rule).any() else 255.0
    crop[rule] = int(paper)
    seal = seal_red(rgb[y0:y1, x0:x1])
    if seal.mean() > SEAL_SHARE:
        out.doubts.add("seal")  # seal over the cell: print beneath may be lost (empty reads are common there)
    if paper - float(crop.min()) < MIN_CONTRAST:
        return out
    ink, dropped = _clean(_ink(crop, seal, paper), px_per_pt, out.doubts)
    if not ink.any():
        return out
    # seal ink and rule slivers out of what is recognised (small marks stay: a `.`, a `、` are text)
    crop[(seal & (ink == 0)) | (dropped > 0)] = int(paper)
    out.painted, out.ink, out.seal = crop, ink, seal
    out.spans = _raw_spans(ink, px_per_pt)
    return out


def cell_ink(c: CellCut, px_per_pt: float, em_px: float) -> CellInk:
    """Given a cell's cut and the page's character height (px), return its text lines for recognition."""
    out = CellInk(doubts=set(c.doubts))
    if c.ink is None:
        return out
    pad = max(3, round(LINE_PAD_PT * px_per_pt))
    ch, cw = c.ink.shape
    out.width, out.margin = cw, CELL_MARGIN_PT * px_per_pt
    for a, b in _line_spans(c.ink, c.spans, em_px):
        cols = np.flatnonzero(c.ink[a:b].any(axis=0))
        lx0, lx1 = max(0, cols[0] - pad), min(cw, cols[-1] + 1 + pad)
        ly0, ly1 = max(0, a - pad), min(ch, b + pad)
        line = c.painted[ly0:ly1, lx0:lx1]
        out.lines.append(np.ascontiguousarray(np.repeat(line[..., None], 3, axis=2)))
        out.runs.append(len(_runs(c.ink[a:b].any(axis=0))))
        out.spans.append((a, b))
        out.extents.append((int(cols[0]), int(cols[-1]) + 1))
    return out


def _wrapped(ink: CellInk, texts: list[str]) -> bool:
    """Lines of digits of which every one but the last fills the cell: one number the cell was too narrow
    for (document.cells.fills_cell), as a printed layout wraps `93660` into `9366` over `0`."""
    if len(texts) < 2 or len(texts) != len(ink.extents) or not all(t.isdigit() and t.isascii() for t in texts):
        return False
    return all(fills_cell(x1 - x0, (x1 - x0) / len(t), ink.width, ink.margin)
               for (x0, x1), t in zip(ink.extents[:-1], texts[:-1], strict=True))


def is_number(text: str) -> bool:
    return bool(NUMBER.match(squeeze(text)))


def judge(ink: CellInk, reads: list[Read], numeric_column: bool) -> tuple[str, float | None, set[str]]:
    """Given a cell's ink, its lines' reads and whether its column holds numbers, return its text, its
    confidence (1.0 for a cell without ink: no text to misread) and the reasons it was doubted."""
    doubts = set(ink.doubts)
    if not ink.has_ink:  # a blank cell: sure of it, unless a seal lies over it
        return "", (DOUBT_FACTOR if doubts else 1.0), doubts
    texts = [tidy(r.text) for r in reads]
    text = "\n".join(t for t in texts if t)
    score = min(r.score for r in reads)
    if not text:
        return "", 0.0, doubts | {"empty_read"}
    flat = squeeze(text)
    number_like = (bool(DIGIT.search(flat)) and not CJK.search(flat)) or (
        numeric_column and len(ink.lines) == 1 and len(flat) <= MAX_VALUE_CHARS and len(CJK.findall(flat)) <= 1)
    if number_like and not NUMBER.match(flat) and flat not in NOT_APPLICABLE:
        doubts.add("not_a_number")
    if NUMBER.match(flat):
        digits = sum(ch.isdigit() for ch in flat)
        if sum(ink.runs) > digits:
            doubts.add("ink_beyond_read")
    if any(not t for t in texts):
        doubts.add("empty_read")
    if NUMBER.match(flat):
        lines = ["".join(t.split()) for t in texts if t]  # `1 234` read with a space is one number
        text = "".join(lines) if _wrapped(ink, lines) else "\n".join(lines)
    if doubts:
        score *= DOUBT_FACTOR
    return text, round(score, 4), doubts
