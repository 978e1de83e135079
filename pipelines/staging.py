"""Parsed batches staged on disk between the parallel parse and the single writer.

A batch is a folder: one Parquet file per fact table and the rest of the outcomes (ledger rows,
metadata, sections) pickled beside them. Staging keeps memory flat whatever the corpus size, lets
the loader run as a separate step (and be re-run alone), and is what travels between machines
when extraction is distributed.
"""

from __future__ import annotations

import pickle
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import polars as pl

from pipelines.parse import ParseOutcome
from pipelines.schema import FACT_TABLES, polars_schema

OUTCOMES_FILE = "outcomes.pkl"


@dataclass(frozen=True)
class StagedBatch:
    path: Path
    files: int
    reports: int


def write_batch(stage_dir: Path, number: int, outcomes: list[ParseOutcome]) -> StagedBatch:
    """Write one batch of outcomes; return where it is."""
    folder = stage_dir / f"batch-{number:06d}"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for table in FACT_TABLES:
        frames = [o.facts[table.name] for o in outcomes if table.name in o.facts]
        frame = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=polars_schema(table))
        frame.write_parquet(folder / f"{table.name}.parquet", compression="zstd")
    slim = [replace(o, facts={}) for o in outcomes]
    with (folder / OUTCOMES_FILE).open("wb") as fh:
        pickle.dump(slim, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return StagedBatch(folder, len(outcomes), sum(1 for o in outcomes if o.ok))


def read_batch(folder: Path) -> tuple[list[ParseOutcome], dict[str, pl.DataFrame]]:
    """A staged batch: its outcomes (without facts) and its fact frames, one per fact table."""
    with (folder / OUTCOMES_FILE).open("rb") as fh:
        outcomes = pickle.load(fh)
    facts = {t.name: pl.read_parquet(folder / f"{t.name}.parquet") for t in FACT_TABLES}
    return outcomes, facts


def clear(stage_dir: Path) -> None:
    if stage_dir.exists():
        shutil.rmtree(stage_dir)
