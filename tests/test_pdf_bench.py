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


def test_timed_passes_are_taken_in_turn(tmp_path):
    """Each round times every contender once, the order turned by one each round; a contender's failure on
    a file is that file's outcome; the untimed first pass keeps every output for scoring."""
    from pathlib import Path

    from tools.pdf_bench import Contender, time_contenders

    calls: list[str] = []

    def contender(key: str, fails: bool = False) -> Contender:
        def extract(path: Path, data: bytes) -> str:
            calls.append(key)
            if fails:
                raise ValueError(key)
            return key + data.decode()
        return Contender(key, key, extract)

    chosen = [contender("a"), contender("b"), contender("c", fails=True)]
    files = [(tmp_path / "1.pdf", b"1"), (tmp_path / "2.pdf", b"2")]
    timings = time_contenders(chosen, files, passes=3)
    assert calls[:6] == ["a", "a", "b", "b", "c", "c"]  # the untimed pass
    rounds = [calls[6 + 6 * r: 12 + 6 * r: 2] for r in range(3)]
    assert rounds == [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]]
    assert all(len(t.pass_seconds) == 3 for t in timings.values())
    assert sorted(timings["a"].outputs.values()) == ["a1", "a2"]
    assert timings["c"].errors == {"ValueError": 2} and timings["a"].errors == {}
    assert time_contenders([], files, passes=3) == {}  # none chosen (BENCH_PDF_ONLY naming none there)
