"""`make bench-pdf` (tools/pdf_bench.py) on two small PDFs: every contender has its row, and the accuracy
columns add up. Not its speed: that is measured by `make bench`, not held by a test."""

from __future__ import annotations

import pytest

from tools.pdf_bench import CONTENDER_KEYS, camelot_available, markdown_table, ratios, run
from tools.synth.corpus import can_make_pdfs

pytestmark = pytest.mark.slow

# A real report of the corpus that tools/scans/realpdf.py lays out (it is not held out).
REAL_SLUG = "fujian-pingtan-czj-2021-txt"


@pytest.mark.skipif(not can_make_pdfs(), reason="LibreOffice (and fontconfig) make the PDFs")
def test_pdf_bench_rows(tmp_path):
    rows, lines = run(real=[REAL_SLUG], variants=["real"], synth=1, passes=1, work=tmp_path)
    expected = [k for k in CONTENDER_KEYS if k != "camelot" or camelot_available()]
    for corpus in ("real", "synthetic"):
        mine = [r for r in rows if r["corpus"] == corpus]
        assert len(mine) == len(expected), mine
        assert all(r["PDFs"] == 1 and r["pages"] >= 1 and r["reports/s"] > 0 for r in mine)
        for row in mine:
            if row["contender"].startswith("PDFium"):  # the floor: speed only
                assert row["cells"] is None and row["right %"] == "n/a"
                continue
            assert "scoring failed" not in row["files failed"]
            assert row["cells"] > 0
            assert row["right"] + row["unread (missed)"] + row["flagged"] + row["silently wrong"] == row["cells"]
        ours = next(r for r in mine if r["contender"].startswith("ours"))
        assert ours["files failed"] == "0"
        assert ours["right"] > 0  # the contender's documents reached the warehouse (the harness works)
    assert sum("pdfplumber" in line for line in lines) == 2
    assert sum("PDFium" in line for line in lines) == 2
    table = markdown_table(rows)
    assert table.count("\n") == len(rows) + 2
    assert ratios([]) == []
