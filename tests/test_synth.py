"""Synthetic corpora: deterministic, and read back at 100% in every format and form."""

from __future__ import annotations

import shutil
import subprocess

import polars as pl
import pytest

from pipelines.readers import legacy
from tests.conftest import run_pipeline
from tools.accuracy.synthetic import evaluate
from tools.synth.corpus import ALL_FORMATS, write_corpus


def _can_make_pdfs() -> bool:
    """LibreOffice and a CJK font (without one, converted PDFs carry no Chinese text)."""
    if legacy.find_soffice() is None or shutil.which("fc-list") is None:
        return False
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    return bool(fonts.strip())


FORMATS = [f for f in ALL_FORMATS if f != "pdf" or _can_make_pdfs()]


def test_same_seed_same_corpus(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_corpus(a, 12, seed=7, formats=["tab_text", "pipe_text", "html"])
    write_corpus(b, 12, seed=7, formats=["tab_text", "pipe_text", "html"])
    for path in sorted((a / "raw").rglob("*.*")):
        assert path.read_bytes() == (b / "raw" / path.relative_to(a / "raw")).read_bytes()
    assert pl.read_parquet(a / "truth_cells.parquet").equals(pl.read_parquet(b / "truth_cells.parquet"))
    write_corpus(tmp_path / "c", 12, seed=8, formats=["tab_text", "pipe_text", "html"])
    assert not pl.read_parquet(a / "truth_cells.parquet").equals(pl.read_parquet(tmp_path / "c" / "truth_cells.parquet"))


@pytest.mark.slow
def test_every_format_and_quirk_reads_back_exactly(tmp_path):
    corpus, db = tmp_path / "corpus", tmp_path / "wh.duckdb"
    write_corpus(corpus, 6 * len(FORMATS), seed=11, formats=FORMATS, break_share=0.2, quirk_share=0.5)
    truth = pl.read_parquet(corpus / "truth_reports.parquet")
    used = {q for quirks in truth["quirks"] for q in quirks}
    assert {"zeros_blank", "nbsp", "na_slash", "units", "yuan", "vertical_headers", "empty_header", "truncated",
            "table_missing", "breaks_arithmetic"} <= used
    assert set(pl.read_parquet(corpus / "truth_cells.parquet")["template_version"]) == {"2019", "2021"}
    run_pipeline(corpus / "raw", db)
    cells, reports = evaluate(db, corpus)
    assert set(cells["format"]) == set(FORMATS)
    assert cells.filter((pl.col("value_precision") < 1) | (pl.col("value_recall") < 1)
                        | (pl.col("state_accuracy") < 1) | (pl.col("reports_not_loaded") > 0)).is_empty(), cells
    for column in ("loaded", "metadata_right", "county_right", "checks_right"):
        assert (reports[column] == reports["reports"]).all(), reports
