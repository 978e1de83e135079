"""A load killed at any point (kill -9) leaves the warehouse as it was before a batch or after it;
the next run completes the work without duplicates. Tested for real, in subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import query
from tools.synth.corpus import write_corpus
from tools.synth.quirks import LEGACY

INGEST = ("import sys; from pathlib import Path; from pipelines.ingest.run import ingest; "
          "from pipelines.ingest.settings import Settings; "
          "ingest(Settings(raw_dir=Path(sys.argv[1]), db_path=Path(sys.argv[2]), workers=2, batch_size=40))")
SNAPSHOT = {
    "reports": "select report_id, agency_id, year, is_current from reports order by all",
    "source_files": "select path, sha256, status, report_id, error_code from source_files order by all",
    "fact_applications": "select report_id, outcome, applicant, value, cell_state from fact_applications order by all",
    "fact_proactive": "select report_id, item, category, metric, value, cell_state from fact_proactive order by all",
    "fact_appeals": "select report_id, proceeding, result, value, cell_state from fact_appeals order by all",
    "agencies": "select * from agencies order by all",
}
# Every report has all cells of its form, or none (a batch is one transaction).
TORN_REPORTS = """
    select count(*) from reports r left join (
        select report_id, count(*) n from (select report_id from fact_proactive union all
            select report_id from fact_applications union all select report_id from fact_appeals)
        group by report_id) c using (report_id)
    where coalesce(c.n, 0) not in (198, 200)
"""


def _run(raw: Path, db: Path, kill_after: float | None = None) -> int | None:
    proc = subprocess.Popen([sys.executable, "-c", INGEST, str(raw), str(db)], start_new_session=True,
                            cwd=Path(__file__).resolve().parent.parent)
    if kill_after is None:
        assert proc.wait(timeout=600) == 0
        return 0
    time.sleep(kill_after)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    return proc.returncode


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    return {name: query(db, sql) for name, sql in SNAPSHOT.items()}


@pytest.mark.slow
def test_killed_loads_leave_whole_batches_and_the_next_run_completes(tmp_path):
    corpus = tmp_path / "corpus"
    # The quirks every report of which loads: this test is about whole batches, not about reading.
    write_corpus(corpus, 600, seed=11, formats=["tab_text", "pipe_text", "line_text"], quirks=LEGACY)
    raw = corpus / "raw"
    reference = tmp_path / "reference.duckdb"
    started = time.monotonic()
    _run(raw, reference)
    full = time.monotonic() - started
    want = _snapshot(reference)
    assert len(want["reports"]) == 600

    killed_mid_run = 0
    for share in (0.35, 0.55, 0.75, 0.9):
        db = tmp_path / f"killed-{share}.duckdb"
        if _run(raw, db, kill_after=full * share) != 0:
            killed_mid_run += 1
        if db.exists():
            assert query(db, TORN_REPORTS) == [(0,)], f"a torn batch after a kill at {share:.0%}"
            loaded = query(db, "select count(*) from reports")[0][0]
            assert query(db, "select count(*) from source_files where report_id is not null")[0][0] == loaded
        _run(raw, db)
        assert _snapshot(db) == want, f"the run after a kill at {share:.0%} differs from an uninterrupted one"
    assert killed_mid_run >= 2, "the kills must land while runs are in progress"
