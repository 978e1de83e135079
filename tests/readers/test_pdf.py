"""PDF: ruled tables, tables continued over pages, running headers, and the PDFs that cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.extract.metadata import extract
from pipelines.readers import ReadError, read_document
from pipelines.readers import pdf as pdf_reader
from tests.conftest import SAMPLE_STEMS
from tests.readers.formats import facts, truth

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


def test_cid_text_decoded_by_the_second_backend(monkeypatch):
    decoded = (PDF_DIR.parent.parent.parent / "data" / "raw" / "003_4a81d0f783bbd2ce.txt").read_text(encoding="utf-8")
    from tests import layouts

    text = layouts.pdf_like(read_document(decoded.encode()))
    monkeypatch.setattr(pdf_reader, "_pdfium_text", lambda data: text)
    got = facts(pdf_bytes("no_unicode_map"), with_raw=False)
    assert got == truth("003_4a81d0f783bbd2ce", with_raw=False)


def test_fixture_pdfs_are_all_present():
    assert {p.stem for p in PDF_DIR.glob("*.pdf")} >= {*SAMPLE_STEMS, "encrypted", "scanned", "no_unicode_map"}


def test_tables_drawn_without_rules_are_rebuilt_from_word_positions():
    """003 printed without table rules: labels wrapped over many lines, vertical group labels, a row
    broken by a page; every cell comes back."""
    data = pdf_bytes("unruled")
    doc = read_document(data)
    assert "pdf_tables_without_rules" in doc.notes
    assert facts(data, with_raw=False) == truth("003_4a81d0f783bbd2ce", with_raw=False)
