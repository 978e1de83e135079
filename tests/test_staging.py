"""Staged batches: written manifest-last, to a folder or any fsspec URL, read back whole."""

from __future__ import annotations

import time

import fsspec
import pytest

from pipelines.ingest.run import parse_all
from pipelines.ingest.scan import scan
from pipelines.ingest.staging import (
    MANIFEST_FILE,
    STALE_PARTIAL_SECONDS,
    clear,
    pending_batches,
    read_batch,
    remove_stale_partials,
    write_batch,
)


@pytest.fixture
def outcomes(raw_dir):
    return [o for chunk in parse_all(raw_dir, scan(raw_dir), workers=1) for o in chunk]


@pytest.mark.parametrize("kind", ["folder", "url"])
def test_batches_round_trip_and_half_written_ones_wait(outcomes, tmp_path, kind):
    location = str(tmp_path / "staging") if kind == "folder" else f"memory://stage-{time.monotonic_ns()}"
    batch = write_batch(location, "20260101T000000-run-00000", outcomes)
    fs, root = fsspec.core.url_to_fs(location)
    fs.makedirs(f"{root}/20260101T000001-dead-00000", exist_ok=True)  # no manifest: still being written
    fs.pipe_file(f"{root}/20260101T000001-dead-00000/outcomes.pkl", b"half")

    assert pending_batches(location) == [batch]
    assert batch.files == len(outcomes) and batch.reports == sum(1 for o in outcomes if o.ok)
    back, facts = read_batch(batch.path)
    assert [o.ref.path for o in back] == [o.ref.path for o in outcomes]
    cells = sum(f.height for f in facts.values())
    assert cells == sum(frame.height for o in outcomes for frame in o.facts.values())

    assert remove_stale_partials(location) == 0  # fresh: perhaps still being written
    assert remove_stale_partials(location, now=time.time() + STALE_PARTIAL_SECONDS + 1) == 1
    assert pending_batches(location) == [batch], "a complete batch is never removed as stale"
    clear(batch.path)
    assert pending_batches(location) == []
    assert not fs.exists(f"{root}/20260101T000000-run-00000/{MANIFEST_FILE}")
