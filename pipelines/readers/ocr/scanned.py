"""Pages of a PDF that carry no text layer (a scan), as images for OCR, one page at a time.

A scanner's PDF holds one image per page, drawn over the whole page: when that image's resolution is at
least MIN_DPI it is taken as it is (no resampling, and no time spent rendering); otherwise — a lower
resolution, several images, vector content — the page is rendered by PDFium at RENDER_DPI.
tools/scans/RESULTS.md: structure is exact for every table at 200 and 300 dpi but not at 150, and digits
on degraded pages are read right 93.6 % at 200 dpi and 98.1 % at 300.

A page whose image would exceed MAX_PIXELS even at MIN_DPI is refused `too_large` (a decompression bomb,
or a poster, not a report): rendering it would take gigabytes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import numpy as np

from pipelines.document.model import ReadError
from pipelines.readers.ocr.page import PageRead, Placement, read_page

RENDER_DPI = 300
MIN_DPI = 200
# An embedded image finer than this is rendered at RENDER_DPI instead (finer costs time, reads no better).
MAX_NATIVE_DPI = 600
MAX_PIXELS = 50_000_000
# The page's image must cover this share of the page to be the page.
FULL_PAGE_SHARE = 0.9


def _too_large(what: str, pixels: float) -> ReadError:
    return ReadError("too_large", f"{what} would be {pixels / 1e6:,.0f} megapixels (limit "
                     f"{MAX_PIXELS // 1_000_000} MP at {MIN_DPI} dpi); a report's page is under 20. Check that "
                     "it is a report.")


def _native_image(page, width: float, height: float) -> tuple[np.ndarray, float, Placement] | None:
    """The page's single full-page image at its own resolution, when it has one fine enough, upright and
    unflipped; else None (the page is rendered)."""
    import pypdfium2 as pdfium

    images = [o for o in page.get_objects(max_depth=1) if isinstance(o, pdfium.PdfImage)]
    if len(images) != 1 or page.get_rotation() != 0:
        return None
    image = images[0]
    m = image.get_matrix()
    if m.b != 0 or m.c != 0 or m.a <= 0 or m.d <= 0:  # rotated, sheared or flipped: PDFium renders it right
        return None
    left, bottom, right, top = image.get_bounds()
    if (right - left) * (top - bottom) < FULL_PAGE_SHARE * width * height:
        return None
    w_px, h_px = image.get_px_size()
    px_per_pt = w_px / (right - left)
    if not MIN_DPI / 72 <= px_per_pt <= MAX_NATIVE_DPI / 72 or abs(h_px / (top - bottom) - px_per_pt) > 0.05 * px_per_pt:
        return None
    if w_px * h_px > MAX_PIXELS:
        raise _too_large("The page's image", w_px * h_px)
    try:
        rgb = np.asarray(image.get_bitmap(render=False).to_pil().convert("RGB"))
    except (pdfium.PdfiumError, OSError, ValueError):  # a filter or colour space PDFium will not hand out raw
        return None
    return rgb, px_per_pt, Placement(1 / px_per_pt, left, height - top)


def _rendered(page, width: float, height: float) -> tuple[np.ndarray, float, Placement]:
    """The page rendered at RENDER_DPI (less, down to MIN_DPI, for a page too large for MAX_PIXELS)."""
    scale = RENDER_DPI / 72
    if width * height * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / (width * height)) ** 0.5
        if scale < MIN_DPI / 72:
            raise _too_large(f"The page ({width:.0f} × {height:.0f} pt) at {MIN_DPI} dpi",
                             width * height * (MIN_DPI / 72) ** 2)
    rgb = np.asarray(page.render(scale=scale).to_pil().convert("RGB"))
    return rgb, scale, Placement(1 / scale)


def page_images(data: bytes, indices: list[int]) -> Iterator[tuple[int, np.ndarray, float, Placement]]:
    """Given PDF bytes and page numbers (0-based), yield each page's image, its px per pt and placement,
    one at a time (a page's pixels are freed before the next is made)."""
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ReadError("corrupt_pdf", f"The PDF is damaged ({exc}); re-download it.") from exc
    try:
        for i in indices:
            try:
                page = pdf[i]
                width, height = page.get_size()
            except pdfium.PdfiumError as exc:
                raise ReadError("corrupt_pdf", f"Page {i + 1} of the PDF cannot be loaded ({exc}); "
                                "re-download it.") from exc
            try:
                got = _native_image(page, width, height) or _rendered(page, width, height)
            except pdfium.PdfiumError as exc:
                raise ReadError("corrupt_pdf", f"Page {i + 1} of the PDF cannot be drawn ({exc}); "
                                "re-download it.") from exc
            finally:
                with contextlib.suppress(Exception):
                    page.close()
            yield (i, *got)
            del got
    finally:
        pdf.close()


def read_pages(data: bytes, indices: list[int]) -> dict[int, PageRead]:
    """Given PDF bytes and the pages without text (0-based), return what OCR reads on each."""
    out = {}
    for i, rgb, px_per_pt, place in page_images(data, indices):
        out[i] = read_page(rgb, px_per_pt, i, place)
        del rgb
    return out
