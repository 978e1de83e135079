"""One scan of the raw folder per run: the run's first step records what it found, the later steps of
the same run read that record instead of walking and stat-ing the folder again.

A nightly run used to scan the folder three times (raw_files, plan_parse and the loader): at 100,000
files each scan is ~5 s, most of an unchanged night (tools/nights/NIGHTS.md). The record is the scan's
FileRefs as Parquet (data only, read back against a fixed schema), named by the Dagster run id in a
hidden folder beside the warehouse: the steps that read it run on the warehouse's machine. A step run
on its own (a re-executed loader, a run without raw_files) finds no record for its run and scans.
Files that arrive after the record was written are found by the next run, as files that arrive after
any scan are.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from pipelines.ingest.parse import FileRef

SCAN_FOLDER = ".scans"
# Records of other runs older than this are deleted when a new one is written.
KEEP_SECONDS = 24 * 3600
SCHEMA = pl.Schema({"path": pl.String, "sha256": pl.String, "size_bytes": pl.Int64, "mtime_ns": pl.Int64,
                    "sidecar_sha256": pl.String})
_RUN_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def scan_folder(db_path: Path) -> Path:
    return db_path.parent / SCAN_FOLDER


def _path(folder: Path, run_id: str) -> Path:
    if not _RUN_ID.match(run_id):
        raise ValueError(f"not a run id: {run_id!r}")
    return folder / f"{run_id}.parquet"


def record_scan(folder: Path, run_id: str, refs: Sequence[FileRef]) -> Path:
    """Write the run's scan (atomically) and delete other runs' old records; return the file."""
    folder.mkdir(parents=True, exist_ok=True)
    target = _path(folder, run_id)
    frame = pl.DataFrame({"path": [r.path for r in refs], "sha256": [r.sha256 for r in refs],
                          "size_bytes": [r.size_bytes for r in refs], "mtime_ns": [r.mtime_ns for r in refs],
                          "sidecar_sha256": [r.sidecar_sha256 for r in refs]}, schema=SCHEMA)
    partial = folder / f".{target.name}.partial"
    frame.write_parquet(partial)
    os.replace(partial, target)
    cutoff = time.time() - KEEP_SECONDS
    for old in folder.glob("*.parquet"):
        if old != target and old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return target


def recorded_scan(folder: Path, run_id: str) -> list[FileRef] | None:
    """The run's recorded scan, or None when there is none (or it is not one: then the step scans)."""
    try:
        path = _path(folder, run_id)
        if not path.is_file() or path.is_symlink():
            return None
        frame = pl.read_parquet(path)
    except (OSError, ValueError, pl.exceptions.PolarsError):
        return None
    if frame.schema != SCHEMA or frame["path"].null_count() or frame["sha256"].null_count():
        return None
    return [FileRef(p, s, n, m, side) for p, s, n, m, side in frame.iter_rows()]
