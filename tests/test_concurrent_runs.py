"""Two runs at once: the second waits for the first (bounded, with a clear message) and nothing is
loaded twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.conftest import query

ROOT = Path(__file__).resolve().parent.parent


def _start(raw: Path, db: Path, **env: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "pipelines.ingest.run", "--raw", str(raw), "--db", str(db)],
                            cwd=ROOT, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


@pytest.mark.slow
def test_two_runs_started_together_load_once(raw_dir, db_path, tmp_path):
    for i in range(30):
        (raw_dir / f"copy_{i:02d}.txt").write_text(
            (raw_dir / "003_4a81d0f783bbd2ce.txt").read_text(encoding="utf-8").replace("鹿山街道", f"鹿{i:02d}街道"),
            encoding="utf-8")
    runs = [_start(raw_dir, db_path), _start(raw_dir, db_path)]
    outputs = [r.communicate(timeout=300) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs
    assert any("waiting up to" in err for _, err in outputs), "one run waited for the other"
    assert query(db_path, "select count(*), count(distinct report_id) from reports") == [(35, 35)]
    assert query(db_path, "select count(*), count(distinct (path, sha256)) from source_files") == [(35, 35)]
    assert query(db_path, "select count(*) from (select report_id, outcome, applicant from fact_applications "
                          "group by all having count(*) > 1)") == [(0,)]
    published = db_path.parent / "published" / db_path.name
    assert query(published, "select count(*) from reports") == [(35,)]


def test_a_run_gives_up_after_the_bounded_wait_with_a_clear_message(raw_dir, db_path):
    db_path.parent.mkdir(parents=True, exist_ok=True)
    holder = duckdb.connect(str(db_path))  # another process's open read-write session, as far as the run sees
    try:
        run = _start(raw_dir, db_path, DISCLOSURE_LOCK_WAIT_S="2")
        _, err = run.communicate(timeout=120)
    finally:
        holder.close()
    assert run.returncode == 75
    assert "is held by another process" in err and "DISCLOSURE_LOCK_WAIT_S" in err
