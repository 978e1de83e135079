"""A raw folder with every format of every sample: one current report per agency-year, the rest superseded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from pipelines.readers import legacy
from tests.conftest import SAMPLE_STEMS, expected_cells, query, run_pipeline
from tests.fixtures.layout import build_docx, build_html

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def mixed_dir(raw_dir: Path) -> Path:
    for stem in SAMPLE_STEMS:
        (raw_dir / f"{stem}.docx").write_bytes(build_docx(stem))
        (raw_dir / f"{stem}.html").write_bytes(build_html(stem, "gbk" if stem.startswith("002") else "utf-8"))
        shutil.copy2(FIXTURES / "pdf" / f"{stem}.pdf", raw_dir / f"{stem}.pdf")
    if legacy.find_soffice():
        shutil.copy2(FIXTURES / "legacy" / "003_4a81d0f783bbd2ce.doc", raw_dir / "003_4a81d0f783bbd2ce.doc")
    return raw_dir


@pytest.mark.slow
def test_mixed_folder_holds_one_current_report_per_agency_year(mixed_dir, db_path):
    run_pipeline(mixed_dir, db_path)
    files = sorted(p.name for p in mixed_dir.iterdir())
    ledger = dict(query(db_path, "select path, status from source_files"))
    assert sorted(ledger) == files
    assert query(db_path, "select source_format, status, count(*) from source_files group by all order by all") == sorted(
        [("docx", "loaded", 5), ("html", "superseded", 5), ("pdf", "superseded", 5), ("tab_text", "superseded", 4),
         ("pipe_text", "superseded", 1)] + ([("doc", "superseded", 1)] if legacy.find_soffice() else []))
    assert query(db_path, "select count(*), count(distinct (agency_id, year)) from reports where is_current") == [(5, 5)]
    # every format of a sample resolved to the same agency and year
    assert query(db_path, "select count(distinct (agency_id, year)) from reports") == [(5,)]
    current = query(db_path, "select r.source_path, f.outcome, f.applicant, f.value, f.cell_state "
                             "from fact_applications f join reports r using (report_id) where r.is_current")
    for stem in SAMPLE_STEMS:
        want = {k[1:]: v[:2] for k, v in expected_cells(stem).items() if k[0] == "fact_applications"}
        got = {(o, a): (None if v is None else float(v), s) for p, o, a, v, s in current if p == f"{stem}.docx"}
        assert got == want, stem
    assert query(db_path, "select count(*) from dq_results where check_name = 'duplicate_report'") == [(0,)]
