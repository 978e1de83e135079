"""Image files (JPEG, PNG, TIFF — every page of a multi-page TIFF) and pictures embedded in .docx and
HTML, read by OCR into the neutral document model.

An image's resolution decides how its pixels compare with the sizes every step measures in points
(a rule's length, a character's height). A scanner writes it into the file; a screenshot or a picture
pasted into a web page carries none or a meaningless one (72, 96). So the declared resolution is used
only when the text in the image agrees with it (its characters measure 6–20 pt); otherwise it is
estimated from the characters themselves. An image coarser than MIN_DPI is enlarged to WORK_DPI before
it is read (a table read at 150 dpi or less loses rules and strokes: tools/scans/RESULTS.md), a much
finer one reduced to it (finer reads no better and costs more).

Positions (`Cell.box`, `Table.regions`) of an image file are given on page 0 (the frame, for a TIFF),
in points of its declared resolution — pixels × 72 / dpi — or in pixels where it declares none (as if
72 dpi). Pictures inside .docx and HTML have no page to be drawn on: their cells carry no box.

Decompression bombs: an image (a TIFF frame) of more than MAX_PIXELS, or a TIFF of more than MAX_FRAMES
pages, is refused `too_large` before its pixels are decoded; a file Pillow cannot decode is
`corrupt_image`.
"""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from dataclasses import replace

import cv2
import numpy as np

from pipelines.document.model import Block, Document, Paragraph, ReadError, Table
from pipelines.readers.lines import PAGE_NUMBER
from pipelines.readers.ocr.page import PageRead, Placement, read_page
from pipelines.readers.stitch import stitch_tables

FORMAT = "image"
SIGNATURES: tuple[bytes, ...] = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")
MAX_PIXELS = 50_000_000
MAX_FRAMES = 300
MIN_DPI, WORK_DPI, MAX_DPI = 200, 300, 600
# A line of table text measures about this many points from the top of its tallest glyph to the foot
# of its lowest (10.5–12 pt type, the forms' own).
TEXT_HEIGHT_PT = 9.5
# A declared resolution is believed when the image's text then measures between these (pt).
PLAUSIBLE_TEXT_PT = (6.0, 20.0)
# Screen pictures (a web page's) are 96 px per inch when nothing says otherwise.
SCREEN_DPI = 96.0


def is_image(data: bytes) -> bool:
    return data.startswith(SIGNATURES)


def _too_large(what: str, size: tuple[int, int]) -> ReadError:
    return ReadError("too_large", f"{what} is {size[0]:,} × {size[1]:,} pixels ({size[0] * size[1] / 1e6:,.0f} MP; "
                     f"limit {MAX_PIXELS // 1_000_000} MP): a decompression bomb or no report page.")


def frames(data: bytes) -> Iterator[tuple[np.ndarray, float | None]]:
    """Given image bytes, yield each page (RGB pixels) with its declared dpi (None: none declared), one
    at a time; raise ReadError `too_large` past the pixel or page bounds, `corrupt_image` when undecodable."""
    from PIL import Image, ImageSequence, UnidentifiedImageError

    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            n = getattr(image, "n_frames", 1)
            if n > MAX_FRAMES:
                raise ReadError("too_large", f"The image holds {n:,} pages (limit {MAX_FRAMES}); a report has a "
                                "few dozen.")
            for k, frame in enumerate(ImageSequence.Iterator(image)):
                if frame.size[0] * frame.size[1] > MAX_PIXELS:
                    raise _too_large(f"Page {k + 1} of the image", frame.size)
                dpi = frame.info.get("dpi")
                declared = float(dpi[0]) if isinstance(dpi, tuple) and dpi and float(dpi[0]) > 1 else None
                yield np.asarray(frame.convert("RGB")), declared
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise ReadError("too_large", f"The image is too large to decode safely ({exc}).") from exc
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as exc:
            raise ReadError("corrupt_image", f"The image cannot be decoded ({type(exc).__name__}: {exc}); "
                            "re-download it.") from exc


def text_height_px(rgb: np.ndarray) -> float | None:
    """Given a picture, return the height (px) of its text's characters, or None without text: long
    rules removed, connected pieces of ink of text size measured, the taller ones (whole characters
    rather than their parts) taken."""
    grey = rgb.max(axis=2)
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    h, w = ink.shape
    for kernel in ((max(15, w // 25), 1), (1, max(15, h // 25))):
        lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        ink[lines > 0] = 0
    _n, _labels, stats, _ = cv2.connectedComponentsWithStats(ink)
    heights = [int(s[3]) for s in stats[1:] if 4 <= s[3] <= h / 8 and s[2] <= 3 * s[3] and s[4] >= 8]
    if len(heights) < 10:
        return None
    return float(np.percentile(heights, 85))


def working_resolution(rgb: np.ndarray, declared: float | None, hint: float | None = None) -> float:
    """Given a picture, its declared dpi and another hint (a display size's, or a screen's), return its
    px per pt: the first that makes its text plausible, else what its text measures."""
    text = text_height_px(rgb)
    for dpi in (declared, hint):
        if dpi and (text is None or PLAUSIBLE_TEXT_PT[0] <= text / (dpi / 72) <= PLAUSIBLE_TEXT_PT[1]):
            return dpi / 72
    return text / TEXT_HEIGHT_PT if text else (hint or SCREEN_DPI) / 72


def _resized(rgb: np.ndarray, px_per_pt: float) -> tuple[np.ndarray, float]:
    """Given a picture and its px per pt, return it at WORK_DPI when coarser than MIN_DPI or finer than
    MAX_DPI, and the factor applied."""
    dpi = px_per_pt * 72
    if MIN_DPI <= dpi <= MAX_DPI:
        return rgb, 1.0
    factor = WORK_DPI / dpi
    h, w = rgb.shape[:2]
    if h * w * factor * factor > MAX_PIXELS:
        factor = (MAX_PIXELS / (h * w)) ** 0.5
    interpolation = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return cv2.resize(rgb, None, fx=factor, fy=factor, interpolation=interpolation), factor


def read_picture(rgb: np.ndarray, px_per_pt: float, page_no: int, pt_per_px: float) -> PageRead:
    """Given a picture, its px per pt, its page number and the points per pixel its positions are given
    in, return what OCR reads on it."""
    work, factor = _resized(rgb, px_per_pt)
    return read_page(work, px_per_pt * factor, page_no, Placement(pt_per_px / factor))


def blocks(reads: list[PageRead], placed: bool = True) -> tuple[list[Block], bool]:
    """Given OCR reads of pages (or pictures), return their blocks in order (without positions unless
    `placed`) and whether their tables had to be rebuilt from the words (no ruled table anywhere)."""
    unruled = not any(read.has_tables for read in reads)
    out: list[Block] = []
    for read in reads:
        for _, item in read.unruled_items() if unruled else read.items:
            if not isinstance(item, Table):
                if not PAGE_NUMBER.match(str(item)):
                    out.append(Paragraph(str(item).strip()))
                continue
            if not placed:
                item.regions = []
                item.rows = [[replace(c, box=None) for c in row] for row in item.rows]
            out.append(item)
    return out, unruled and any(isinstance(b, Table) for b in out)


def read(data: bytes) -> Document:
    """Given an image file's bytes, return its document (every page of a TIFF); raise ReadError."""
    reads = []
    for k, (rgb, declared) in enumerate(frames(data)):
        px_per_pt = working_resolution(rgb, declared)
        reads.append(read_picture(rgb, px_per_pt, k, 72 / declared if declared else 1.0))
        del rgb
    found, unruled = blocks(reads)
    doc = Document(FORMAT, stitch_tables(found))
    if unruled:
        doc.notes.append("pdf_tables_without_rules")
    doc.renumber_tables()
    return doc


def read_embedded(data: bytes, display_inches: float | None = None) -> list[Block]:
    """Given a picture's bytes from inside a document (and the width it is shown at, in inches, when the
    document says), return its blocks; its cells carry no box (there is no page to draw them on)."""
    reads = []
    for k, (rgb, declared) in enumerate(frames(data)):
        shown = rgb.shape[1] / display_inches if display_inches else None
        px_per_pt = working_resolution(rgb, declared, shown or SCREEN_DPI)
        reads.append(read_picture(rgb, px_per_pt, k, 1 / px_per_pt))
        del rgb
    found, _unruled = blocks(reads, placed=False)
    return found
