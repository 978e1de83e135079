"""What the warehouse does with OCR's confidence, whatever reader supplied it: every OCR'd cell keeps
its confidence (fact tables' ocr_confidence), and a report with a cell below the threshold needs review.

The readers' own accuracy on scans is tests/readers/test_ocr.py's; here a sample's document is given
confidences by hand, so the rule is tested on its own.
"""

from __future__ import annotations

from dataclasses import replace

import duckdb

from pipelines.document.model import Document, Table
from pipelines.forms.interpreter import interpret
from pipelines.ingest.parse import OCR_MIN_CONFIDENCE, fact_frames, ocr_flags
from pipelines.ingest.workers import Limits
from pipelines.readers import read_document
from pipelines.warehouse.load import sql_text
from tests.conftest import expected_cells, query, run_pipeline, sample_path

STEM = "000_957511648368b9cb"


def _as_if_ocrd(doc: Document, low: set[tuple[int, int, int]]) -> Document:
    """The document with every non-empty table cell given a confidence: 0.99, or 0.5 at `low`."""
    blocks = []
    for block in doc.blocks:
        if isinstance(block, Table):
            rows = [[replace(cell, confidence=(0.5 if (block.index, r, c) in low else 0.99) if cell.text.strip()
                             else None) for c, cell in enumerate(row)] for r, row in enumerate(block.rows)]
            block = Table(rows, has_rows=block.has_rows, index=block.index, keeps_empty_cells=block.keeps_empty_cells)
        blocks.append(block)
    return Document(doc.source_format, blocks, list(doc.notes))


def test_confidence_reaches_the_fact_rows_and_the_flags():
    doc = read_document(sample_path(STEM).read_bytes())
    plain = interpret(doc, 2020)
    assert ocr_flags(plain) == []  # text that was in the file: no OCR, no flag
    # the cell that holds 一、本年新收 总计, made doubtful
    target = next(c for c in plain.cells if c.coords == {"outcome": "new_received", "applicant": "total"})
    ocr = interpret(_as_if_ocrd(doc, {(target.src.table, target.src.row, target.src.cell)}), 2020)
    flags = ocr_flags(ocr)
    assert flags[0].startswith("ocr_read:") and int(flags[0].split(":")[1]) > 100
    assert flags[1:] == ["ocr_low_confidence:applications:1"]
    frames = fact_frames([(ocr, "r_test", 2020)])
    apps = frames["fact_applications"]
    row = apps.filter((apps["outcome"] == "new_received") & (apps["applicant"] == "total"))
    assert row["ocr_confidence"].to_list() == [0.5]
    assert row["value"].to_list() == [expected_cells(STEM)[("fact_applications", "new_received", "total")][0]]
    read = apps.filter(apps["raw_text"].is_not_null() & (apps["raw_text"].str.strip_chars() != ""))
    assert read["ocr_confidence"].min() == 0.5 and read["ocr_confidence"].null_count() == 0
    assert fact_frames([(plain, "r_test", 2020)])["fact_applications"]["ocr_confidence"].null_count() == apps.height
    assert 0.5 < OCR_MIN_CONFIDENCE <= 0.99


def test_a_low_confidence_report_needs_review(raw_dir, db_path):
    run_pipeline(raw_dir, db_path)
    path = f"{STEM}.txt"
    assert query(db_path, "select needs_review from reports where source_path = $p", {"p": path}) == [(False,)]
    con = duckdb.connect(str(db_path))
    try:
        con.execute("update reports set flags = list_append(flags, 'ocr_low_confidence:applications:1') "
                    "where source_path = $p", {"p": path})
        con.execute(sql_text("load/update_review.sql"))
    finally:
        con.close()
    assert query(db_path, "select needs_review, review_reasons from reports where source_path = $p", {"p": path}) == [
        (True, ["ocr_low_confidence:applications:1"])]


def test_files_that_may_need_ocr_get_their_own_time():
    limits = Limits(seconds_per_file=2.0, ocr_seconds_per_file=300.0)
    assert limits.seconds_for("a/report.txt") == 2.0 and limits.seconds_for("a/report.docx") == 2.0
    assert limits.seconds_for("a/scan.PDF") == 300.0 and limits.seconds_for("b/table.jpg") == 300.0
    assert Limits(seconds_per_file=900.0, ocr_seconds_per_file=300.0).seconds_for("x.tif") == 900.0
