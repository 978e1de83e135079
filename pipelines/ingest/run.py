"""A whole ingest without Dagster: scan, parse in parallel, load from this one process.

Dagster's assets call these steps one by one; the functions are also what tests and the
command line use, so that every step can run (and be tested) without an orchestrator.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.ingest.batches import batch_of, in_batches
from pipelines.ingest.parse import DEFAULT_MAX_BYTES, FileRef, ParseOutcome
from pipelines.ingest.scan import scan
from pipelines.ingest.settings import RemovalPolicy, Settings
from pipelines.ingest.workers import Limits, parse_isolated
from pipelines.warehouse.checks import checks_are_current, refresh_dq_results
from pipelines.warehouse.corrections import Correction, CorrectionsInvalid, apply_corrections, corrections_for_run
from pipelines.warehouse.load import (
    WarehouseBusy,
    connect_waiting,
    known_files,
    load_run,
    needs_parse,
    publish,
    scan_view,
)

POOL_CHUNKSIZE = 16
PARSE_WINDOW = 2000


@dataclass(frozen=True)
class Discovery:
    scanned: list[FileRef]
    todo: list[FileRef]


class OperatorError(Exception):
    """A run stopped for something an operator must fix or confirm (a path, a mass removal): said in
    one line, without a traceback, by the command line and at the top of a failed Dagster run."""

    exit_code = 2


class RawFolderMissing(OperatorError):
    pass


class RemovalsRefused(OperatorError):
    exit_code = 3


class CorrectionsRefused(OperatorError):
    """A corrections file holds a line that cannot be applied as written (the message names file and
    line), or the corrections folder is missing while the warehouse holds corrections."""


def require_corrections(con: duckdb.DuckDBPyConnection, folder: Path | None) -> list[Correction]:
    """The reviewers' corrections a run applies after its load; CorrectionsRefused, before anything is
    loaded, for a file that cannot be applied as written (pipelines/warehouse/corrections.py)."""
    try:
        return corrections_for_run(con, folder)
    except CorrectionsInvalid as exc:
        raise CorrectionsRefused(f"corrections: {exc}") from None


def require_raw_dir(raw_dir: Path) -> None:
    """RawFolderMissing unless the raw folder is a folder (checked before anything is opened or written)."""
    if not raw_dir.is_dir():
        what = "is not a folder" if raw_dir.exists() else "does not exist"
        raise RawFolderMissing(f"the raw folder {raw_dir} {what}; set DISCLOSURE_RAW_DIR to the folder of reports")


def _guard_removals(con: duckdb.DuckDBPyConnection, raw_dir: Path, scanned: list[FileRef],
                    keep: Callable[[str], bool] | None, policy: RemovalPolicy) -> None:
    if policy.allowed:
        return
    live = [path for path, status in con.execute(
        "select path, arg_max(status, last_seen_at) from source_files group by path").fetchall()
        if status != "removed" and (keep is None or keep(path))]
    if not live:
        return
    present = {r.path for r in scanned}
    gone = sum(1 for path in live if path not in present)
    if gone > policy.max_share * len(live):
        raise RemovalsRefused(
            f"refusing to mark {gone:,} of the {len(live):,} files the warehouse knows as removed "
            f"({gone / len(live):.0%}, more than the {policy.max_share:.0%} allowed): {raw_dir} holds "
            f"{len(scanned):,} files. Check DISCLOSURE_RAW_DIR (is the share mounted?); if the files really "
            "are gone, run again with --allow-removals (Dagster: resources.warehouse.config.allow_removals: "
            "true; or DISCLOSURE_ALLOW_REMOVALS=1). Nothing was changed.")


def discover(con: duckdb.DuckDBPyConnection, raw_dir: Path, batch_keys: Iterable[str] | None = None,
             retry_quarantined: bool = False, removals: RemovalPolicy | None = None,
             scanned: Sequence[FileRef] | None = None) -> Discovery:
    """What the raw folder holds (in the given batches, else all), and which of it the warehouse has
    not seen yet (with every quarantined file, when retrying them). `scanned`: the whole folder as this
    run already scanned it (ingest/scan_record.py), instead of scanning again. Raises RawFolderMissing
    for a folder that is not there, and RemovalsRefused when too many known files would be marked removed."""
    require_raw_dir(raw_dir)
    keep = in_batches(batch_keys)
    if scanned is None:
        scanned = scan(raw_dir, known_files(con), keep=keep)
    else:
        scanned = [ref for ref in scanned if keep is None or keep(ref.path)]
    _guard_removals(con, raw_dir, scanned, keep, removals or RemovalPolicy())
    return Discovery(scanned, needs_parse(con, scanned, retry_quarantined))


def by_batch(files: Iterable[FileRef]) -> dict[str, list[FileRef]]:
    """Files grouped by batch key, keys in order, each group in the given (scan) order. Every step
    that parses walks files in this order, so a run on one machine and a run spread over many
    stage the same batches with the same files, and the loader meets them in the same order."""
    groups: dict[str, list[FileRef]] = {}
    for ref in files:
        groups.setdefault(batch_of(ref.path), []).append(ref)
    return {key: groups[key] for key in sorted(groups)}


def parse_all(raw_dir: Path, todo: Sequence[FileRef], workers: int, window: int = PARSE_WINDOW,
              max_bytes: int = DEFAULT_MAX_BYTES, limits: Limits | None = None) -> Iterator[list[ParseOutcome]]:
    """Parse files in supervised worker processes (always: a hostile file must not take down the
    run), yielding chunks of outcomes in batch-key order. A chunk's cells travel as one set of frames
    on its first outcome, so a chunk is never split, and never spans two batches. At most `window`
    files are parsed ahead of the caller, so memory stays flat however large the corpus.
    """
    if not todo:
        return
    chunks = [group[i:i + POOL_CHUNKSIZE] for group in by_batch(todo).values()
              for i in range(0, len(group), POOL_CHUNKSIZE)]
    workers = max(1, min(workers, len(chunks)))
    yield from parse_isolated(raw_dir, iter(chunks), workers, limits, max_bytes,
                              in_flight=max(1, window // POOL_CHUNKSIZE))


def batches(chunks: Iterator[list[ParseOutcome]], size: int) -> Iterator[tuple[str, list[ParseOutcome]]]:
    """Whole chunks gathered into (batch key, outcomes) of at least `size` outcomes; a batch never
    spans two keys (the last of each key may be smaller)."""
    key, batch = "", []
    for chunk in chunks:
        chunk_key = batch_of(chunk[0].ref.path)
        if batch and chunk_key != key:
            yield key, batch
            batch = []
        key = chunk_key
        batch.extend(chunk)
        if len(batch) >= size:
            yield key, batch
            batch = []
    if batch:
        yield key, batch


def ingest(settings: Settings, retry_quarantined: bool = False, checks: bool = False, publish_copy: bool = False,
           on_wait: Callable[[str], None] | None = None,
           on_progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Scan, parse and load everything new under the raw folder; return totals. Optionally run the
    data-quality checks and publish the read-only copy, as a nightly run does. `on_progress(done,
    total)` hears how many files to parse, then each loaded batch."""
    require_raw_dir(settings.raw_dir)
    con = connect_waiting(settings.db_path, settings.memory_limit, wait_seconds=settings.lock_wait_s,
                          on_wait=on_wait)
    try:
        corrections = require_corrections(con, settings.corrections_dir)
        found = discover(con, settings.raw_dir, retry_quarantined=retry_quarantined, removals=settings.removals())
        totals = {"files_seen": len(found.scanned), "files_parsed": len(found.todo)}
        if on_progress is not None:
            on_progress(0, len(found.todo))
        outcomes = parse_all(settings.raw_dir, found.todo, settings.worker_count(),
                             max_bytes=settings.max_file_bytes, limits=settings.limits())
        done = 0
        staged = ((batch, None) for _key, batch in batches(outcomes, settings.batch_size))
        for files, counts in load_run(con, scan_view(found.scanned), staged, max_files=settings.batch_size):
            if not files:
                continue  # nothing new: the scan was marked as seen
            done += files
            if on_progress is not None:
                on_progress(done, len(found.todo))
            for k, v in counts.items():
                totals[k] = totals.get(k, 0) + v
        totals.update(apply_corrections(con, corrections).totals())  # on top of what was read, before the checks
        if checks and not checks_are_current(con):
            totals["dq_violations"] = sum(refresh_dq_results(con).values())
        if publish_copy:
            publish(con, settings.db_path, settings.published_path)
        return totals
    finally:
        con.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Ingest the raw folder into the warehouse without Dagster "
                                     "(scan, parse, load, checks, publish).")
    parser.add_argument("--raw", help="raw folder (default: DISCLOSURE_RAW_DIR, else data/raw)")
    parser.add_argument("--db", help="warehouse file (default: DISCLOSURE_DB_PATH)")
    parser.add_argument("--retry-quarantined", action="store_true", help="parse every quarantined file again")
    parser.add_argument("--allow-removals", action="store_true",
                        help="mark files gone from the raw folder removed even when they are many")
    args = parser.parse_args(argv)
    settings = Settings.from_env(args.raw, args.db, workers=os.environ.get("DISCLOSURE_WORKERS"),
                                 allow_removals=args.allow_removals or None)
    try:
        totals = ingest(settings, retry_quarantined=args.retry_quarantined, checks=True, publish_copy=True,
                        on_wait=lambda msg: print(msg, file=sys.stderr, flush=True))
    except (WarehouseBusy, OperatorError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(exc.exit_code) from None
    print(totals)


if __name__ == "__main__":
    main()
