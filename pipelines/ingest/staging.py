"""Parsed batches staged between the parallel parse and the single writer.

A batch is a folder: one Parquet file per fact table, the rest of the outcomes (ledger rows,
metadata, sections) pickled beside them, and a manifest written last. Staging keeps memory flat
whatever the corpus size, lets the loader run as a separate step (and be re-run alone), and is
what travels between machines when extraction is distributed: the location is a folder by default
or any fsspec URL (`s3://bucket/staging`, `gs://…`, `memory://…` in tests) by configuration.

A folder without its manifest is a batch still being written (or abandoned by a killed run): the
loader never reads it. The manifest-last rule works on object stores, which have no atomic rename.
Names starting with a dot are not batches (the cluster profile keeps Dagster's step outputs in
`.step-outputs/` beside them, so that the staging location is the one store workers share).
"""

from __future__ import annotations

import io
import json
import pickle
import time
from dataclasses import dataclass, replace

import fsspec
import polars as pl
from fsspec.implementations.local import LocalFileSystem
from fsspec.spec import AbstractFileSystem

from pipelines.ingest.parse import ParseOutcome
from pipelines.warehouse.schema import FACT_TABLES, polars_schema

OUTCOMES_FILE = "outcomes.pkl"
MANIFEST_FILE = "manifest.json"
STEP_OUTPUTS_FOLDER = ".step-outputs"
# A folder without a manifest this old was left by a killed run.
STALE_PARTIAL_SECONDS = 6 * 3600


@dataclass(frozen=True)
class StagedBatch:
    path: str  # the batch folder: a local path or a URL
    files: int
    reports: int


def _fs(location: str) -> tuple[AbstractFileSystem, str]:
    fs, root = fsspec.core.url_to_fs(str(location))
    return fs, root.rstrip("/")


def _url(fs: AbstractFileSystem, path: str) -> str:
    """A path of `fs` as a string that opens on the same file system again (plain paths stay plain)."""
    return path if isinstance(fs, LocalFileSystem) else fs.unstrip_protocol(path)


def step_outputs_location(location: str) -> str:
    """Where the cluster profile keeps Dagster's (small) step outputs: inside the staging location."""
    return f"{str(location).rstrip('/')}/{STEP_OUTPUTS_FOLDER}"


def write_batch(location: str, name: str, outcomes: list[ParseOutcome]) -> StagedBatch:
    """Write one batch of outcomes as the folder `location/name`, manifest last; return it."""
    fs, root = _fs(location)
    folder = f"{root}/{name}"
    if fs.exists(folder):
        fs.rm(folder, recursive=True)
    fs.makedirs(folder, exist_ok=True)
    for table in FACT_TABLES:
        frames = [o.facts[table.name] for o in outcomes if table.name in o.facts]
        frame = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=polars_schema(table))
        buffer = io.BytesIO()
        frame.write_parquet(buffer, compression="zstd")
        fs.pipe_file(f"{folder}/{table.name}.parquet", buffer.getvalue())
    slim = [replace(o, facts={}) for o in outcomes]
    fs.pipe_file(f"{folder}/{OUTCOMES_FILE}", pickle.dumps(slim, protocol=pickle.HIGHEST_PROTOCOL))
    batch = StagedBatch(_url(fs, folder), len(outcomes), sum(1 for o in outcomes if o.ok))
    fs.pipe_file(f"{folder}/{MANIFEST_FILE}", json.dumps({"files": batch.files, "reports": batch.reports}).encode())
    return batch


def _batch_folders(fs: AbstractFileSystem, root: str) -> list[str]:
    folders = (p.rstrip("/") for p in fs.ls(root, detail=False))
    return [f for f in folders if not f.rsplit("/", 1)[-1].startswith(".")]


def pending_batches(location: str) -> list[StagedBatch]:
    """The complete batches waiting in the staging location, oldest name first."""
    fs, root = _fs(location)
    if not fs.isdir(root):
        return []
    out = []
    for folder in sorted(_batch_folders(fs, root)):
        manifest = f"{folder}/{MANIFEST_FILE}"
        if not fs.exists(manifest):
            continue
        counts = json.loads(fs.cat_file(manifest))
        out.append(StagedBatch(_url(fs, folder), counts["files"], counts["reports"]))
    return out


def _stamp(info: dict) -> float | None:
    stamp = info.get("mtime") or info.get("LastModified") or info.get("created")
    if stamp is None:
        return None
    return stamp.timestamp() if hasattr(stamp, "timestamp") else float(stamp)


def _modified(fs: AbstractFileSystem, folder: str) -> float | None:
    """When a folder last changed: its newest file (object stores keep no times for prefixes)."""
    stamps = [t for t in (_stamp(info) for info in fs.find(folder, detail=True).values()) if t is not None]
    return max(stamps) if stamps else _stamp(fs.info(folder))


def remove_stale_partials(location: str, now: float | None = None) -> int:
    """Delete batch folders without a manifest left by killed runs; return how many."""
    fs, root = _fs(location)
    if not fs.isdir(root):
        return 0
    now = time.time() if now is None else now
    removed = 0
    for folder in _batch_folders(fs, root):
        if fs.exists(f"{folder}/{MANIFEST_FILE}"):
            continue
        stamp = _modified(fs, folder)
        if stamp is not None and now - stamp > STALE_PARTIAL_SECONDS:
            fs.rm(folder, recursive=True)
            removed += 1
    return removed


def read_batch(folder: str) -> tuple[list[ParseOutcome], dict[str, pl.DataFrame]]:
    """A staged batch: its outcomes (without facts) and its fact frames, one per fact table."""
    fs, path = _fs(folder)
    outcomes = pickle.loads(fs.cat_file(f"{path}/{OUTCOMES_FILE}"))
    facts = {t.name: pl.read_parquet(io.BytesIO(fs.cat_file(f"{path}/{t.name}.parquet"))) for t in FACT_TABLES}
    return outcomes, facts


def clear(folder: str) -> None:
    fs, path = _fs(folder)
    if fs.exists(path):
        fs.rm(path, recursive=True)
