"""PDF files (pdfplumber): ruled tables from the page's lines, prose around them, pages joined.

* Tables come from the ruling lines; a merged cell's text sits at its first grid position and the
  positions it covers are `merged`. Text that runs vertically or with spaces between characters
  stays as extracted (the interpreter's label matching ignores line breaks and spaces).
* A table continued on the next page is stitched back, its repeated heading rows dropped.
* Page headers, footers and page numbers (lines repeated at the top or bottom of most pages,
  `- 4 -`, `第 3 页`) are removed.
* A PDF with no ruled table has its tables rebuilt from the words' positions (pdf_unruled).
* Fonts without a Unicode map extract as `(cid:NNN)`: the text is then taken from PDFium
  (pypdfium2); when that cannot decode it either, the file is quarantined `undecodable_pdf_text`.
* Pages without a text layer (a scan, or the scanned pages of a mixed PDF) are read by OCR (readers.ocr):
  their tables cell by cell from the ruling lines, their text line by line. The document's format is
  then `pdf_ocr` when its tables came from OCR. A user password: `encrypted_pdf`.
* Damage the PDF libraries trip over (pdfminer, pdfplumber and PDFium parse the file's objects lazily,
  page by page, and raise whatever their code meets: TypeError, IndexError, PdfiumError…) is
  `corrupt_pdf`; an exception raised in this project's own code stays a crash, to be fixed.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections import Counter

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfparser import PDFSyntaxError
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from pipelines.document.model import Block, Cell, Document, Paragraph, ReadError, Table
from pipelines.readers import pdf_text, pdf_unruled
from pipelines.readers.lines import PAGE_NUMBER
from pipelines.readers.stitch import stitch_tables

FORMAT = "pdf"
OCR_FORMAT = "pdf_ocr"
CID = re.compile(r"\(cid:\d+\)")
# Share of a page's height at the top and bottom where running headers and footers live.
MARGIN_SHARE = 0.08
# A line is a running header/footer when it repeats on at least this share of pages.
REPEAT_SHARE = 0.5
MAX_CID_SHARE = 0.05
CJK = re.compile(r"[\u4e00-\u9fff]")


def _table_rows(table, page_no: int) -> list[list[Cell]]:
    """Given a pdfplumber table and its page (0-based), return its grid rows, each cell with its box."""
    rows = []
    # extract() walks table.rows cell by cell: a None text where the row has no cell (a merged position)
    for r, (texts, row) in enumerate(zip(table.extract(), table.rows, strict=True)):
        rows.append([Cell("", r, c, merged=True) if text is None else Cell(text, r, c, box=(page_no, *box))
                     for c, (text, box) in enumerate(zip(texts, row.cells, strict=True))])
    return rows


def _inside(line: dict, boxes: list[tuple]) -> bool:
    mid = (line["top"] + line["bottom"]) / 2
    return any(top - 1 <= mid <= bottom + 1 for _, top, _, bottom in boxes)


def _page_items(page) -> list[tuple[float, Block | str]]:
    """Given a page, return (top, block-or-line) for its tables and the text lines outside them."""
    tables = page.find_tables()
    boxes = [t.bbox for t in tables]
    page_no = page.page_number - 1
    items: list[tuple[float, Block | str]] = [
        (t.bbox[1], Table(rows=_table_rows(t, page_no), regions=[(page_no, tuple(t.bbox))])) for t in tables]
    for line in page.extract_text_lines():
        if not _inside(line, boxes):
            items.append((line["top"], line["text"]))
    return sorted(items, key=lambda item: item[0])


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


def _open(data: bytes):
    try:
        return pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args else exc
        if isinstance(cause, PDFPasswordIncorrect | PDFEncryptionError):
            raise ReadError("encrypted_pdf", "The PDF is protected by a password; ask the publisher for an "
                            "open copy or add the decrypted file.") from exc
        raise ReadError("corrupt_pdf", f"The PDF is damaged or truncated ({type(cause).__name__}); "
                        "re-download it.") from exc
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ReadError("encrypted_pdf", "The PDF is protected by a password; ask the publisher for an open "
                        "copy or add the decrypted file.") from exc
    except (PDFSyntaxError, PSException) as exc:
        raise ReadError("corrupt_pdf", f"The PDF is damaged or truncated ({type(exc).__name__}); "
                        "re-download it.") from exc
    except Exception as exc:
        if not _raised_by_pdf_library(exc):
            raise
        raise ReadError("corrupt_pdf", f"The PDF is damaged or truncated ({type(exc).__name__}); "
                        "re-download it.") from exc


def _pdfium_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise ReadError("corrupt_pdf", f"The PDF is damaged ({exc}); re-download it.") from exc
    try:
        return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    except pdfium.PdfiumError as exc:  # a page PDFium cannot load
        raise ReadError("corrupt_pdf", f"The PDF is damaged ({exc}); re-download it.") from exc
    finally:
        pdf.close()


def _decodes(text: str) -> bool:
    """Text that reads as Chinese: CJK characters present, no cid placeholders or replacement marks."""
    if not text.strip():
        return False
    bad = len(CID.findall(text)) + text.count("\ufffd")
    return bool(CJK.search(text)) and bad / max(1, len(text)) < MAX_CID_SHARE


def _from_text(text: str) -> Document:
    doc = pdf_text.read(text)
    doc.source_format = FORMAT
    return doc


# Where an exception comes from decides what it means: raised inside these libraries while they parse
# the file's objects, the file is damaged; raised in this project's code, it is a bug.
_PDF_LIBRARIES = ("pdfminer", "pdfplumber", "pypdfium2", "pypdfium2_raw")


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


def _close(pdf) -> None:
    """pdfplumber's close() walks the pages again: on a damaged page tree it raises what reading raised
    (and would replace the ReadError already said); the file's bytes are in memory, nothing leaks."""
    with contextlib.suppress(Exception):
        pdf.close()


def read(data: bytes) -> Document:
    """Given PDF bytes, return its document; raise ReadError with a ledger code when impossible."""
    pdf = _open(data)
    try:
        return _read(pdf, data)
    except (ReadError, MemoryError):
        raise
    except Exception as exc:
        if not _raised_by_pdf_library(exc):
            raise
        raise ReadError("corrupt_pdf", f"The PDF is damaged or truncated ({type(exc).__name__}: "
                        f"{str(exc)[:200]}); re-download it.") from exc
    finally:
        _close(pdf)


# A page with fewer characters than this, drawn over a picture covering most of it, is a scan with a
# stamped page number or a note added as text: its content is in the picture.
MIN_TEXT_CHARS = 20
SCAN_IMAGE_SHARE = 0.5


def _has_text(page) -> bool:
    """A page with a text layer: characters that are not white space (a scan has none, or a few over a
    picture of the whole page)."""
    chars = sum(1 for ch in page.chars if ch["text"].strip())
    if chars >= MIN_TEXT_CHARS or not chars:
        return chars > 0
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


def _read(pdf, data: bytes) -> Document:
    pages = list(pdf.pages)
    if len(pages) > MAX_PAGES:
        raise ReadError("too_large", f"The PDF has {len(pages):,} pages; a yearly report has a few dozen "
                        f"(limit {MAX_PAGES}). Check that it is a report, not a compilation.")
    texts = [_has_text(page) for page in pages]
    scanned = [i for i, has in enumerate(texts) if not has]
    # pdfminer gives a glyph without a Unicode mapping the text "(cid:NNN)".
    sample = "".join(ch["text"] for page in [p for p, has in zip(pages, texts, strict=True) if has][:3]
                     for ch in page.chars)
    if sample and ("(cid:" in sample or not _decodes(sample)):
        text = _pdfium_text(data)
        if not _decodes(text):
            raise ReadError("undecodable_pdf_text", "The PDF's fonts carry no Unicode map and no text "
                            "backend could decode them; the file needs OCR or a better copy.")
        return _from_text(text)
    ocr = _ocr_pages(data, scanned)
    page_items = [_page_items(page) if has else ocr[i].items for i, (page, has) in enumerate(zip(pages, texts, strict=True))]
    unruled = not any(isinstance(item, Table) for items in page_items for _, item in items)
    if unruled:  # tables drawn without rules: rebuild them from the words' positions
        page_items = [pdf_unruled.page_items(page) if has else ocr[i].unruled_items()
                      for i, (page, has) in enumerate(zip(pages, texts, strict=True))]
    from_ocr = any(isinstance(item, Table) for i in scanned for _, item in page_items[i])
    from_text = any(isinstance(item, Table) for i, has in enumerate(texts) if has for _, item in page_items[i])
    margins = [[(top, 0.0, item) for top, item in items if isinstance(item, str)
                and (top < page.height * MARGIN_SHARE or top > page.height * (1 - MARGIN_SHARE))]
               for page, items in zip(pages, page_items, strict=True)]
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
