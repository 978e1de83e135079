"""Parsed batches staged on disk between the parallel parse and the single writer.

A batch is a folder: one Parquet file per fact table and the rest of the outcomes (ledger rows,
metadata, sections) pickled beside them. Staging keeps memory flat whatever the corpus size, lets
the loader run as a separate step (and be re-run alone), and is what travels between machines
when extraction is distributed.
"""

from __future__ import annotations

import json
import pickle
import shutil
import time
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from pipelines.parse import ParseOutcome
from pipelines.schema import FACT_TABLES, polars_schema

OUTCOMES_FILE = "outcomes.pkl"
MANIFEST_FILE = "manifest.json"
PARTIAL_PREFIX = "."
# A batch still being written is hidden under a dot-name; one this old was left by a killed run.
STALE_PARTIAL_SECONDS = 6 * 3600


@dataclass(frozen=True)
class StagedBatch:
    path: Path
    files: int
    reports: int


def write_batch(stage_dir: Path, name: str, outcomes: list[ParseOutcome]) -> StagedBatch:
    """Write one batch of outcomes as the folder `stage_dir/name`; return it.

    The batch is written under a hidden name and renamed when complete, so a loader never sees half
    a batch, whatever happens to the writing process.
    """
    folder = stage_dir / name
    partial = stage_dir / f"{PARTIAL_PREFIX}{name}.partial"
    for old in (partial, folder):
        if old.exists():
            shutil.rmtree(old)
    partial.mkdir(parents=True)
    for table in FACT_TABLES:
        frames = [o.facts[table.name] for o in outcomes if table.name in o.facts]
        frame = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=polars_schema(table))
        frame.write_parquet(partial / f"{table.name}.parquet", compression="zstd")
    slim = [replace(o, facts={}) for o in outcomes]
    with (partial / OUTCOMES_FILE).open("wb") as fh:
        pickle.dump(slim, fh, protocol=pickle.HIGHEST_PROTOCOL)
    batch = StagedBatch(folder, len(outcomes), sum(1 for o in outcomes if o.ok))
    (partial / MANIFEST_FILE).write_text(json.dumps({"files": batch.files, "reports": batch.reports}))
    partial.rename(folder)
    return batch


def pending_batches(stage_dir: Path) -> list[StagedBatch]:
    """The complete batches waiting in the staging folder, oldest name first."""
    if not stage_dir.is_dir():
        return []
    out = []
    for folder in sorted(stage_dir.iterdir()):
        manifest = folder / MANIFEST_FILE
        if folder.name.startswith(PARTIAL_PREFIX) or not manifest.is_file():
            continue
        counts = json.loads(manifest.read_text())
        out.append(StagedBatch(folder, counts["files"], counts["reports"]))
    return out


def remove_stale_partials(stage_dir: Path, now: float | None = None) -> int:
    """Delete half-written batches left by killed runs; return how many."""
    if not stage_dir.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    for folder in stage_dir.iterdir():
        if folder.name.startswith(PARTIAL_PREFIX) and now - folder.stat().st_mtime > STALE_PARTIAL_SECONDS:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


def read_batch(folder: Path) -> tuple[list[ParseOutcome], dict[str, pl.DataFrame]]:
    """A staged batch: its outcomes (without facts) and its fact frames, one per fact table."""
    with (folder / OUTCOMES_FILE).open("rb") as fh:
        outcomes = pickle.load(fh)
    facts = {t.name: pl.read_parquet(folder / f"{t.name}.parquet") for t in FACT_TABLES}
    return outcomes, facts


def clear(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
