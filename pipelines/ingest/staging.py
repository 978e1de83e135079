"""Parsed batches staged between the parallel parse and the single writer.

A batch is a folder: one Parquet file per fact table, the rest of the outcomes (ledger rows,
metadata, sections) as JSON, and a manifest written last that names every file of the batch with
its size and SHA-256. Staging keeps memory flat whatever the corpus size, lets the loader run as a
separate step (and be re-run alone), and is what travels between machines when extraction is
distributed: the location is a folder by default or any fsspec URL (`s3://bucket/staging`,
`gs://…`, `memory://…` in tests) by configuration.

Whoever can write the staging location must not be able to run code in the loader, so nothing in a
batch is executable: Parquet and JSON only, never pickle. The loader reads a batch only when its
manifest validates against the schema below, the folder holds exactly the files the manifest names
(with their sizes and hashes), every Parquet file has its table's columns and types, and the
outcomes validate against the outcome schema (plain data, unknown fields refused). Anything else —
a batch that fails a check, a stray file, a folder of an older format — is moved aside to
`.rejected/` and reported, never read.

A folder without its manifest is a batch still being written (or abandoned by a killed run): the
loader never reads it. The manifest-last rule works on object stores, which have no atomic rename.
Names starting with a dot are not batches (the cluster profile keeps Dagster's step outputs in
`.step-outputs/` beside them, so that the staging location is the one store workers share).
"""

from __future__ import annotations

import functools
import hashlib
import io
import time
from dataclasses import dataclass, replace
from typing import Literal

import fsspec
import polars as pl
import pydantic
from fsspec.implementations.local import LocalFileSystem
from fsspec.spec import AbstractFileSystem

from pipelines.ingest.parse import ParseOutcome
from pipelines.warehouse.schema import FACT_TABLES, polars_schema

BATCH_FORMAT = "disclosure-batch/2"
OUTCOMES_FILE = "outcomes.json"
MANIFEST_FILE = "manifest.json"
STEP_OUTPUTS_FOLDER = ".step-outputs"
REJECTED_FOLDER = ".rejected"
# A folder without a manifest this old was left by a killed run.
STALE_PARTIAL_SECONDS = 6 * 3600
# No batch is larger: a manifest or outcomes file past this is refused unread.
MAX_MANIFEST_BYTES = 1 << 20
MAX_OUTCOMES_BYTES = 1 << 30


class StagingRejected(Exception):
    """A batch (or a stray file) in the staging location that the loader will not read."""


@dataclass(frozen=True)
class StagedBatch:
    path: str  # the batch folder: a local path or a URL
    files: int
    reports: int


@dataclass(frozen=True)
class Rejected:
    """Something found in the staging location that is no readable batch, and why; it was moved aside."""

    path: str
    reason: str
    moved_to: str | None


class _ContentFile(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid", strict=True)
    bytes: int = pydantic.Field(ge=0)
    sha256: str = pydantic.Field(pattern=r"^[0-9a-f]{64}$")


class _Manifest(pydantic.BaseModel):
    """The manifest's schema: what the batch holds, file by file."""

    model_config = pydantic.ConfigDict(extra="forbid", strict=True)
    format: Literal["disclosure-batch/2"]
    files: int = pydantic.Field(ge=0)
    reports: int = pydantic.Field(ge=0)
    contents: dict[str, _ContentFile]


def _content_names() -> set[str]:
    return {OUTCOMES_FILE, *(f"{t.name}.parquet" for t in FACT_TABLES)}


@functools.cache
def _outcomes_schema() -> pydantic.TypeAdapter:
    """The outcomes' schema: ParseOutcome's fields as plain data (its facts travel as Parquet), strict,
    unknown fields refused. Built from the dataclasses, so a new field is in the schema at once."""
    config = pydantic.ConfigDict(arbitrary_types_allowed=True, strict=True, extra="forbid")
    return pydantic.TypeAdapter(list[ParseOutcome], config=config)


def outcomes_json(outcomes: list[ParseOutcome]) -> bytes:
    """The outcomes without their fact frames, as JSON."""
    return _outcomes_schema().dump_json([replace(o, facts={}) for o in outcomes])


def outcomes_from_json(data: bytes) -> list[ParseOutcome]:
    """Outcomes read back from JSON that validates against the schema; StagingRejected otherwise."""
    try:
        outcomes = _outcomes_schema().validate_json(data)
    except pydantic.ValidationError as exc:
        raise StagingRejected(f"the outcomes do not match the schema ({exc.error_count()} errors; first: "
                              f"{exc.errors()[0]['loc']}: {exc.errors()[0]['msg']})") from None
    if any(o.facts for o in outcomes):
        raise StagingRejected("the outcomes carry fact frames; facts travel as Parquet only")
    return outcomes


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
    contents: dict[str, bytes] = {}
    for table in FACT_TABLES:
        frames = [o.facts[table.name] for o in outcomes if table.name in o.facts]
        frame = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=polars_schema(table))
        buffer = io.BytesIO()
        frame.write_parquet(buffer, compression="zstd")
        contents[f"{table.name}.parquet"] = buffer.getvalue()
    contents[OUTCOMES_FILE] = outcomes_json(outcomes)
    for file, data in contents.items():
        fs.pipe_file(f"{folder}/{file}", data)
    batch = StagedBatch(_url(fs, folder), len(outcomes), sum(1 for o in outcomes if o.ok))
    manifest = _Manifest(format=BATCH_FORMAT, files=batch.files, reports=batch.reports, contents={
        file: _ContentFile(bytes=len(data), sha256=hashlib.sha256(data).hexdigest()) for file, data in contents.items()})
    fs.pipe_file(f"{folder}/{MANIFEST_FILE}", manifest.model_dump_json().encode())
    return batch


def _entries(fs: AbstractFileSystem, root: str) -> list[tuple[str, bool]]:
    """The staging location's entries that are not dot-named: (path, is a folder)."""
    out = []
    for info in fs.ls(root, detail=True):
        path = info["name"].rstrip("/")
        if not path.rsplit("/", 1)[-1].startswith("."):
            out.append((path, info.get("type") == "directory"))
    return out


def _manifest(fs: AbstractFileSystem, folder: str) -> _Manifest:
    path = f"{folder}/{MANIFEST_FILE}"
    if fs.size(path) > MAX_MANIFEST_BYTES:
        raise StagingRejected("the manifest is larger than any batch's")
    try:
        manifest = _Manifest.model_validate_json(fs.cat_file(path))
    except pydantic.ValidationError as exc:
        raise StagingRejected(f"the manifest does not match the schema ({exc.errors()[0]['loc']}: "
                              f"{exc.errors()[0]['msg']})") from None
    if set(manifest.contents) != _content_names():
        raise StagingRejected("the manifest does not name exactly a batch's files")
    present = {p.rsplit("/", 1)[-1] for p in fs.ls(folder, detail=False)}
    if present != _content_names() | {MANIFEST_FILE}:
        extra, lacking = sorted(present - _content_names() - {MANIFEST_FILE}), sorted(_content_names() - present)
        raise StagingRejected(f"the folder holds other files than its manifest names (extra: {extra}, "
                              f"lacking: {lacking})")
    return manifest


def _reject(fs: AbstractFileSystem, root: str, path: str, reason: str) -> Rejected:
    """Move something that is no readable batch to `.rejected/` (keeping it for whoever investigates)."""
    name = path.rsplit("/", 1)[-1]
    target = f"{root}/{REJECTED_FOLDER}/{time.strftime('%Y%m%dT%H%M%S')}-{name}"
    try:
        fs.makedirs(f"{root}/{REJECTED_FOLDER}", exist_ok=True)
        fs.mv(path, target, recursive=True)
    except OSError:
        target = None  # cannot be moved (read-only store): it is still never read, and reported each run
    return Rejected(_url(fs, path), reason, _url(fs, target) if target else None)


def pending_batches(location: str, rejected: list[Rejected] | None = None) -> list[StagedBatch]:
    """The complete batches waiting in the staging location, oldest name first. A complete folder whose
    manifest does not validate, and any stray file, is moved to `.rejected/` and added to `rejected`."""
    fs, root = _fs(location)
    if not fs.isdir(root):
        return []
    out = []
    for path, is_folder in sorted(_entries(fs, root)):
        if not is_folder:
            found = _reject(fs, root, path, "a file, not a batch folder")
            if rejected is not None:
                rejected.append(found)
            continue
        if not fs.exists(f"{path}/{MANIFEST_FILE}"):
            continue  # being written, or left by a killed run (remove_stale_partials)
        try:
            manifest = _manifest(fs, path)
        except StagingRejected as exc:
            found = _reject(fs, root, path, str(exc))
            if rejected is not None:
                rejected.append(found)
            continue
        out.append(StagedBatch(_url(fs, path), manifest.files, manifest.reports))
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
    for folder, is_folder in _entries(fs, root):
        if not is_folder or fs.exists(f"{folder}/{MANIFEST_FILE}"):
            continue
        stamp = _modified(fs, folder)
        if stamp is not None and now - stamp > STALE_PARTIAL_SECONDS:
            fs.rm(folder, recursive=True)
            removed += 1
    return removed


def _verified(fs: AbstractFileSystem, path: str, file: str, expected: _ContentFile, limit: int) -> bytes:
    if expected.bytes > limit:
        raise StagingRejected(f"{file} is larger than any batch's")
    data = fs.cat_file(f"{path}/{file}")
    if len(data) != expected.bytes or hashlib.sha256(data).hexdigest() != expected.sha256:
        raise StagingRejected(f"{file} is not the file its manifest names (size or SHA-256 differ)")
    return data


def _fact_frame(data: bytes, table) -> pl.DataFrame:
    try:
        frame = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # polars raises several types for a corrupt file
        raise StagingRejected(f"{table.name}.parquet is no readable Parquet file ({type(exc).__name__})") from None
    expected = polars_schema(table)
    if dict(frame.schema) != dict(expected):
        raise StagingRejected(f"{table.name}.parquet does not have the table's columns and types")
    return frame


def read_batch(folder: str) -> tuple[list[ParseOutcome], dict[str, pl.DataFrame]]:
    """A staged batch: its outcomes (without facts) and its fact frames, one per fact table. Every file
    is checked against the manifest and its schema first; StagingRejected when anything differs."""
    fs, path = _fs(folder)
    manifest = _manifest(fs, path)
    facts = {t.name: _fact_frame(_verified(fs, path, f"{t.name}.parquet", manifest.contents[f"{t.name}.parquet"],
                                           MAX_OUTCOMES_BYTES), t) for t in FACT_TABLES}
    outcomes = outcomes_from_json(_verified(fs, path, OUTCOMES_FILE, manifest.contents[OUTCOMES_FILE],
                                            MAX_OUTCOMES_BYTES))
    if len(outcomes) != manifest.files:
        raise StagingRejected("the outcomes are not as many as the manifest says")
    return outcomes, facts


def reject(folder: str, reason: str) -> Rejected:
    """Move a batch that failed its checks while being read to `.rejected/`."""
    fs, path = _fs(folder)
    root = path.rsplit("/", 1)[0]
    return _reject(fs, root, path, reason)


def clear(folder: str) -> None:
    fs, path = _fs(folder)
    if fs.exists(path):
        fs.rm(path, recursive=True)
