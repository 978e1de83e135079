"""The run's scan, recorded by its first step for the later ones (ingest/scan_record.py): read back as
written, and anything that is not such a record is no record (the step scans the folder itself)."""

from __future__ import annotations

import os
import time

import polars as pl
import pytest

from pipelines.ingest.scan import scan
from pipelines.ingest.scan_record import KEEP_SECONDS, record_scan, recorded_scan


def test_a_recorded_scan_reads_back_as_scanned(raw_dir, tmp_path):
    (raw_dir / "001_3e7c7203fb80667c.meta.json").write_text('{"year": 2020}', encoding="utf-8")
    refs = scan(raw_dir)
    assert any(r.sidecar_sha256 for r in refs) and any(r.sidecar_sha256 is None for r in refs)
    folder = tmp_path / ".scans"
    record_scan(folder, "run-1", refs)
    assert recorded_scan(folder, "run-1") == refs
    assert recorded_scan(folder, "run-2") is None, "another run's record is not this run's"


def test_what_is_not_a_record_is_no_record(raw_dir, tmp_path):
    folder = tmp_path / ".scans"
    folder.mkdir()
    pl.DataFrame({"path": ["a.txt"], "sha256": ["x"]}).write_parquet(folder / "other-schema.parquet")
    (folder / "garbage.parquet").write_bytes(b"not parquet")
    assert recorded_scan(folder, "other-schema") is None
    assert recorded_scan(folder, "garbage") is None
    assert recorded_scan(folder, "../../etc/passwd") is None
    with pytest.raises(ValueError):
        record_scan(folder, "../escape", [])
    os.symlink(folder / "garbage.parquet", folder / "link.parquet")
    assert recorded_scan(folder, "link") is None


def test_old_records_of_other_runs_are_deleted(raw_dir, tmp_path):
    folder = tmp_path / ".scans"
    refs = scan(raw_dir)
    old = record_scan(folder, "old-run", refs)
    recent = record_scan(folder, "recent-run", refs)
    stale = time.time() - KEEP_SECONDS - 60
    os.utime(old, (stale, stale))
    record_scan(folder, "new-run", refs)
    assert not old.exists() and recent.exists()
