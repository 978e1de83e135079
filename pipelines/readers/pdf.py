"""PDF files: ruled tables from the page's lines, prose around them, pages joined.

Pages are parsed by PDFium (pdf_pages: characters, rules and images in pdfplumber's shape) and tables
built by pdfplumber's grid algorithm over them; pdfminer, five times slower, is not used.

* Tables come from the ruling lines; a merged cell's text sits at its first grid position and the
  positions it covers are `merged`. Text that runs vertically or with spaces between characters
  stays as extracted (the interpreter's label matching ignores line breaks and spaces).
* A table continued on the next page is stitched back, its repeated heading rows dropped.
* Page headers, footers and page numbers (lines repeated at the top or bottom of most pages,
  `- 4 -`, `第 3 页`) are removed.
* A PDF with no ruled table has its tables rebuilt from the words' positions (pdf_unruled).
* Glyphs whose font maps them to no Unicode (no ToUnicode map, and none PDFium can derive from the
  embedded font) read `\ufffd`: past 5% of the first pages' text, or text without any Chinese, the
  file is quarantined `undecodable_pdf_text` (it needs OCR or a better copy).
* Pages without a text layer (a scan, or the scanned pages of a mixed PDF) are read by OCR (readers.ocr):
  their tables cell by cell from the ruling lines, their text line by line. The document's format is
  then `pdf_ocr` when its tables came from OCR. A user password: `encrypted_pdf`.
* A file PDFium cannot load, or a page it cannot load, is `corrupt_pdf`. Damage the libraries trip
  over later (pdfplumber's geometry on absurd coordinates…) is `corrupt_pdf` too; an exception raised
  in this project's own code stays a crash, to be fixed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import pypdfium2 as pdfium

from pipelines.document.model import Block, Cell, Document, Paragraph, ReadError, Table
from pipelines.readers import pdf_unruled
from pipelines.readers.lines import PAGE_NUMBER
from pipelines.readers.pdf_pages import REPLACEMENT, Page, read_page
from pipelines.readers.stitch import stitch_tables

FORMAT = "pdf"
OCR_FORMAT = "pdf_ocr"
# Share of a page's height at the top and bottom where running headers and footers live.
MARGIN_SHARE = 0.08
# A line is a running header/footer when it repeats on at least this share of pages.
REPEAT_SHARE = 0.5
# Past this share of glyphs PDFium could not map to Unicode (read U+FFFD), the text is not the report's.
MAX_UNMAPPED_SHARE = 0.05
CJK = re.compile(r"[\u4e00-\u9fff]")


def _table_rows(table, page: Page) -> list[list[Cell]]:
    """Given a pdfplumber table and its page, return its grid rows, each cell with its box."""
    rows = []
    page_no = page.page_number - 1
    for r, (texts, row) in enumerate(zip(page.table_texts(table), table.rows, strict=True)):
        rows.append([Cell("", r, c, merged=True) if text is None else Cell(text, r, c, box=(page_no, *box))
                     for c, (text, box) in enumerate(zip(texts, row.cells, strict=True))])
    return rows


# A line whose middle lies within this many points of a table's top and bottom is the table's text.
TABLE_MARGIN = 1


def _inside(line: dict, boxes: list[tuple]) -> bool:
    mid = (line["top"] + line["bottom"]) / 2
    return any(top - TABLE_MARGIN <= mid <= bottom + TABLE_MARGIN for _, top, _, bottom in boxes)


def _page_items(page: Page) -> list[tuple[float, Block | str]]:
    """Given a page, return (top, block-or-line) for its tables and the text lines outside them."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    page_no = page.page_number - 1
    items: list[tuple[float, Block | str]] = [
        (t.bbox[1], Table(rows=_table_rows(t, page), regions=[(page_no, tuple(t.bbox))])) for t in tables]
    spans = [(top - TABLE_MARGIN, bottom + TABLE_MARGIN) for _, top, _, bottom in boxes]
    for line in page.extract_text_lines(spans):
        if not _inside(line, boxes):
            items.append((line["top"], line["text"]))
    return sorted(items, key=lambda item: item[0])


def _unplaced(items: list[tuple[float, Block | str]]) -> list[tuple[float, Block | str]]:
    """A turned page's tables without positions: they were measured on the page turned the way its text
    stands, not on the page a viewer shows (the review page would draw them in the wrong place)."""
    for _, item in items:
        if isinstance(item, Table):
            item.regions = []
            item.rows = [[replace(cell, box=None) for cell in row] for row in item.rows]
    return items


def _items(page: Page) -> list[tuple[float, Block | str]]:
    items = _page_items(page)
    return _unplaced(items) if page.turned else items


def _unruled_items(words: list[dict], page_no: int, turned: bool) -> list[tuple[float, Block | str]]:
    items = pdf_unruled.items_from_words(words, page_no)
    return _unplaced(items) if turned else items


def _running_lines(pages_lines: list[list[tuple[float, float, str]]]) -> set[str]:
    """Texts that appear in the top or bottom margin of most pages: running headers and footers."""
    if len(pages_lines) < 2:
        return set()
    counts: Counter[str] = Counter()
    for lines in pages_lines:
        counts.update({text for _, _, text in lines})
    return {text for text, n in counts.items() if n >= max(2, REPEAT_SHARE * len(pages_lines))}


# Reports run to a few dozen pages; pdfminer's cost grows with pages, so a compilation is refused.
MAX_PAGES = 300


# PDFium's load errors (FPDF_GetLastError)
_PASSWORD_ERROR = 4


def _open(data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == _PASSWORD_ERROR:
            raise ReadError("encrypted_pdf", "The PDF is protected by a password; ask the publisher for an "
                            "open copy or add the decrypted file.") from exc
        raise ReadError("corrupt_pdf", f"The PDF is damaged or truncated ({exc}); re-download it.") from exc


def _decodes(text: str) -> bool:
    """Text that reads as Chinese: CJK characters present, and few glyphs PDFium could not map."""
    if not text.strip():
        return False
    return bool(CJK.search(text)) and text.count(REPLACEMENT) / max(1, len(text)) < MAX_UNMAPPED_SHARE


# Where an exception comes from decides what it means: raised inside these libraries while they parse
# the file's objects, the file is damaged; raised in this project's code, it is a bug.
_PDF_LIBRARIES = ("pdfplumber", "pypdfium2", "pypdfium2_raw")


def _raised_by_pdf_library(exc: BaseException) -> bool:
    """The innermost frame that belongs to a PDF library or to this project is a PDF library's (frames of
    the standard library in between, a `statistics` or `decimal` a library called, do not count)."""
    tb, owner = exc.__traceback__, None
    while tb is not None:
        top = tb.tb_frame.f_globals.get("__name__", "").split(".")[0]
        if top in _PDF_LIBRARIES or top == "pipelines":
            owner = top
        tb = tb.tb_next
    return owner in _PDF_LIBRARIES


def read(data: bytes) -> Document:
    """Given PDF bytes, return its document; raise ReadError with a ledger code when impossible."""
    pdf = _open(data)
    try:
        return _read(pdf, data)
    except (ReadError, MemoryError):
        raise
    except pdfium.PdfiumError as exc:  # a page PDFium cannot load
        raise ReadError("corrupt_pdf", f"The PDF is damaged ({exc}); re-download it.") from exc
    except Exception as exc:
        if not _raised_by_pdf_library(exc):
            raise
        raise ReadError("corrupt_pdf", f"The PDF is damaged or truncated ({type(exc).__name__}: "
                        f"{str(exc)[:200]}); re-download it.") from exc
    finally:
        pdf.close()


# A page with fewer characters than this, drawn over a picture covering most of it, is a scan with a
# stamped page number or a note added as text: its content is in the picture.
MIN_TEXT_CHARS = 20
SCAN_IMAGE_SHARE = 0.5


def _has_text(page: Page) -> bool:
    """A page with a text layer: characters that are not white space (a scan has none, or a few over a
    picture of the whole page)."""
    if page.glyphs >= MIN_TEXT_CHARS or not page.glyphs:
        return page.glyphs > 0
    area = float(page.width) * float(page.height)
    return not any((img["x1"] - img["x0"]) * (img["bottom"] - img["top"]) >= SCAN_IMAGE_SHARE * area
                   for img in page.images)


def _ocr_pages(data: bytes, indices: list[int]) -> dict:
    """What OCR reads on the pages without text (none: no OCR, not even its engine loaded)."""
    if not indices:
        return {}
    from pipelines.readers.ocr import load

    try:
        return load("scanned").read_pages(data, indices)
    except ReadError as exc:
        exc.source_format = OCR_FORMAT
        raise


# Decodability is judged on the text of the first pages that have text.
SAMPLE_PAGES = 3


def _undecodable() -> ReadError:
    return ReadError("undecodable_pdf_text", "The PDF's fonts carry no Unicode map and PDFium could not "
                     "derive one from the embedded fonts; the file needs OCR or a better copy.")


def _read(pdf: pdfium.PdfDocument, data: bytes) -> Document:
    n_pages = len(pdf)
    if n_pages > MAX_PAGES:
        raise ReadError("too_large", f"The PDF has {n_pages:,} pages; a yearly report has a few dozen "
                        f"(limit {MAX_PAGES}). Check that it is a report, not a compilation.")
    # One page at a time: its characters are dropped once its items are built.
    heights: list[float] = []
    page_items: list[list[tuple[float, Block | str]]] = []
    scanned: list[int] = []
    sample: list[str] = []
    # each text page's words (and whether it was turned) while no page has shown a ruled table: what the
    # fallback for tables drawn without rules rebuilds them from, without reading the pages again
    words: dict[int, tuple[list[dict], bool]] | None = {}
    for i in range(n_pages):
        page = read_page(pdf, i)
        heights.append(page.height)
        if not _has_text(page):
            scanned.append(i)
            page_items.append([])
            continue
        if len(sample) < SAMPLE_PAGES:
            sample.append("".join(ch["text"] for ch in page.chars))
            if len(sample) == SAMPLE_PAGES and not _decodes("".join(sample)):
                raise _undecodable()
        page_items.append(_items(page))
        if words is not None and any(isinstance(item, Table) for _, item in page_items[-1]):
            words = None
        elif words is not None:
            words[i] = (pdf_unruled.page_words(page), page.turned)
    if sample and not _decodes("".join(sample)):
        raise _undecodable()
    ocr = _ocr_pages(data, scanned)
    for i in scanned:
        page_items[i] = ocr[i].items
    unruled = not any(isinstance(item, Table) for items in page_items for _, item in items)
    if unruled:  # tables drawn without rules: rebuild them from the words' positions
        assert words is not None  # a ruled table on a text page would have made `unruled` false
        page_items = [ocr[i].unruled_items() if i in ocr else _unruled_items(words[i][0], i, turned=words[i][1])
                      for i in range(n_pages)]
    return _document(page_items, heights, scanned, unruled)


def _document(page_items: list[list[tuple[float, Block | str]]], heights: list[float], scanned: list[int],
              unruled: bool) -> Document:
    """The pages' items joined: running headers and page numbers out, tables stitched over pages."""
    from_ocr = any(isinstance(item, Table) for i in scanned for _, item in page_items[i])
    from_text = any(isinstance(item, Table) for i, items in enumerate(page_items) if i not in scanned
                    for _, item in items)
    margins = [[(top, 0.0, item) for top, item in items if isinstance(item, str)
                and (top < height * MARGIN_SHARE or top > height * (1 - MARGIN_SHARE))]
               for height, items in zip(heights, page_items, strict=True)]
    running = _running_lines(margins)
    blocks: list[Block] = []
    for items in page_items:
        for _, item in items:
            if isinstance(item, Table):
                blocks.append(item)
            elif item not in running and not PAGE_NUMBER.match(item):
                blocks.append(Paragraph(item.strip()))
    ocr_format = from_ocr or (scanned and not from_text)
    doc = Document(OCR_FORMAT if ocr_format else FORMAT, stitch_tables(blocks))
    if unruled:
        doc.notes.append("pdf_tables_without_rules")
    doc.renumber_tables()
    return doc
