"""PDF: ruled tables, tables continued over pages, running headers, and the PDFs that cannot be read."""

from __future__ import annotations

import io
from pathlib import Path

import pdfplumber
import pypdfium2 as pdfium
import pytest

from pipelines.extract.metadata import extract
from pipelines.readers import ReadError, pdf_pages, read_document
from tests.conftest import SAMPLE_STEMS
from tests.readers.formats import facts, truth
from tests.readers.minimal_pdf import report_page

PDF_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "pdf"


def pdf_bytes(name: str) -> bytes:
    return (PDF_DIR / f"{name}.pdf").read_bytes()


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_pdf_gives_the_same_cells_as_the_text(stem):
    """Value and state, cell for cell; no-break spaces do not survive a PDF, so raw text may differ."""
    assert facts(pdf_bytes(stem), with_raw=False) == truth(stem, with_raw=False)


def test_pdf_metadata_and_running_headers():
    doc = read_document(pdf_bytes("000_957511648368b9cb"))
    meta = extract(doc)
    assert (meta.title, meta.agency_name, meta.year, str(meta.published_on)) == (
        "新碶街道办事处2020年度政府信息公开工作年度报告", "新碶街道办事处", 2020, "2021-01-20")
    assert not any("页眉" in p or p == "第 1 页" for p in doc.paragraphs)
    assert len(doc.tables) == 3  # table B ran over three pages and is one table again


@pytest.mark.parametrize("name,code", [
    ("encrypted", "encrypted_pdf"),
    ("no_unicode_map", "undecodable_pdf_text"),
])
def test_unreadable_pdfs_get_a_stable_code(name, code):
    with pytest.raises(ReadError) as err:
        read_document(pdf_bytes(name))
    assert err.value.code == code and err.value.source_format == "pdf"


def test_truncated_pdf_is_corrupt():
    data = pdf_bytes("003_4a81d0f783bbd2ce")
    with pytest.raises(ReadError) as err:
        read_document(data[: len(data) // 3])
    assert err.value.code in ("corrupt_pdf", "scanned_pdf")


def test_cid_font_without_unicode_map_reads_through_its_predefined_cmap():
    """STSong-Light with UniGB-UCS2-H, neither embedded nor mapped by a ToUnicode: PDFium decodes it from
    the CMap, as older Chinese PDF tools wrote them (pdfminer could too; nothing falls back to it)."""
    doc = read_document(report_page())
    assert doc.paragraphs[0] == "平潭综合实验区财政金融局2021年政府信息公开工作年度报告"
    assert [[c.text for c in row] for row in doc.tables[0].rows] == [
        ["项目", "本年新收", "上年结转"], ["收到申请数", "12", "3"], ["予以公开", "7", "0"]]


def _plumber_tables(page) -> list:
    return [(t.extract(), tuple(round(v, 2) for v in t.bbox)) for t in page.find_tables()]


def _our_tables(page: pdf_pages.Page) -> list:
    return [(page.table_texts(t, unwrap_numbers=False), tuple(round(v, 2) for v in t.bbox)) for t in page.find_tables()]


@pytest.mark.parametrize("rotate", [0, 90, 180, 270])
@pytest.mark.parametrize("mediabox", [(0, 0, 595, 842), (20, -30, 615, 812)])
def test_rotated_and_offset_pages_place_tables_where_pdfplumber_does(rotate, mediabox):
    """The PDFium pages keep pdfplumber's coordinates (the page as displayed, /Rotate applied; x from the
    MediaBox's left edge): stored cell boxes and the review page's regions mean the same as before."""
    data = report_page(rotate, mediabox)
    ours = pdf_pages.read_page(pdfium.PdfDocument(data), 0)
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        theirs = plumber.pages[0]
        assert _our_tables(ours) == _plumber_tables(theirs)
        assert [line["text"] for line in ours.extract_text_lines()] == [
            line["text"] for line in theirs.extract_text_lines()]
    assert read_document(data).tables[0].rows[1][1].text == "12"


def test_a_number_wrapped_in_a_narrow_cell_is_one_number_again():
    """A cell too narrow for its number wraps it (`9587` over `0`, seen in LibreOffice prints of the real
    reports with 5-digit numbers): read as 95870. Two short lines of digits in a wide cell leave room on
    the first line: not a wrap, they stay apart (and read unreadable, never a guess)."""
    from tests.readers.minimal_pdf import one_page, text

    body = b"0.5 w 60 700 m 260 700 l S 60 660 m 260 660 l S 60 700 m 60 660 l S 110 700 m 110 660 l S "
    body += b"260 700 m 260 660 l S\n"  # one row: a cell 50 pt wide, then one 150 pt wide
    body += text(64, 686, "9587") + text(64, 672, "0") + text(114, 686, "12") + text(114, 672, "5")
    page = pdf_pages.read_page(pdfium.PdfDocument(one_page(body)), 0)
    (table,) = page.find_tables()
    assert page.table_texts(table) == [["95870", "12\n5"]]
    assert page.table_texts(table, unwrap_numbers=False) == [["9587\n0", "12\n5"]]


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_a_page_turned_sideways_by_its_rotate_is_read_the_way_its_text_stands(rotate):
    """Text drawn upright but shown sideways (a /Rotate added in a viewer or by a scanner): pdfplumber
    read it as displayed, a transposed table; it is read turned back, without positions."""
    doc = read_document(report_page(rotate, sideways=True))
    assert doc.paragraphs[0] == "平潭综合实验区财政金融局2021年政府信息公开工作年度报告"
    table = doc.tables[0]
    assert [[c.text for c in row] for row in table.rows][1] == ["收到申请数", "12", "3"]
    assert table.regions == [] and all(c.box is None for c in table.cells)


@pytest.mark.parametrize("name", ["003_4a81d0f783bbd2ce", "unruled"])
def test_a_report_whose_pages_were_all_turned_reads_whole(name):
    """Every page of a report turned by /Rotate 90 (its content untouched): every cell comes back, for
    ruled tables and for tables rebuilt from the words' positions. pdfplumber's reading found no table."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(PDF_DIR / f"{name}.pdf"))
    for page in writer.pages:
        page.rotate(90)
    out = io.BytesIO()
    writer.write(out)
    assert facts(out.getvalue(), with_raw=False) == truth("003_4a81d0f783bbd2ce", with_raw=False)


@pytest.mark.parametrize("name", [*SAMPLE_STEMS, "unruled"])
def test_pdfium_pages_give_pdfplumbers_tables(name):
    """Every table of every fixture page, its cells' text and its box, every text line and every word,
    equal what pdfplumber (pdfminer) finds: only the parser changed, not the table building."""
    data = pdf_bytes(name)
    doc = pdfium.PdfDocument(data)
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        for i, page in enumerate(plumber.pages):
            ours = pdf_pages.read_page(doc, i)
            assert _our_tables(ours) == _plumber_tables(page), f"page {i + 1}"
            assert _lines(ours) == _lines(page), f"page {i + 1}"
            assert _words(ours) == _words(page), f"page {i + 1}"


def _lines(page) -> list:
    return [(line["text"], round(line["top"], 1)) for line in page.extract_text_lines()]


def _words(page) -> list:
    """The words tables without rules are rebuilt from (pdf_unruled's tolerances)."""
    return [(w["text"], round(w["x0"], 1), round(w["top"], 1), round(w["x1"], 1), round(w["bottom"], 1))
            for w in page.extract_words(x_tolerance=1.5, y_tolerance=2.0, keep_blank_chars=False)]


def test_fixture_pdfs_are_all_present():
    assert {p.stem for p in PDF_DIR.glob("*.pdf")} >= {*SAMPLE_STEMS, "encrypted", "scanned", "no_unicode_map"}


def test_tables_drawn_without_rules_are_rebuilt_from_word_positions():
    """003 printed without table rules: labels wrapped over many lines, vertical group labels, a row
    broken by a page; every cell comes back."""
    data = pdf_bytes("unruled")
    doc = read_document(data)
    assert "pdf_tables_without_rules" in doc.notes
    # each table placed on the pages it is printed on (the review page draws it there); one runs over five
    assert [[page for page, _ in t.regions] for t in doc.tables] == [[0], [0], [0], [0], [1], [1, 2, 3, 4, 5], [5]]
    assert all(c.box is not None for t in doc.tables for c in t.cells if c.text.strip())
    assert facts(data, with_raw=False) == truth("003_4a81d0f783bbd2ce", with_raw=False)
