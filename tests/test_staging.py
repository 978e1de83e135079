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


class _Payload:
    """What an attacker would stage: unpickling it creates a file."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _copy_batch(location: str, name: str, outcomes) -> str:
    return write_batch(location, name, outcomes).path


def test_a_crafted_batch_is_never_unpickled_only_reported(outcomes, tmp_path):
    """Issue #15: the loader used to unpickle outcomes.pkl. A batch of the old format carrying a pickle
    that would run code, a tampered outcomes file, a manifest that names other files, and a stray file
    are all moved to .rejected/ and reported; the good batch beside them is read; the code never runs."""
    import hashlib
    import json
    import pickle
    from pathlib import Path

    from pipelines.ingest.staging import OUTCOMES_FILE, REJECTED_FOLDER, StagingRejected, reject

    stage = tmp_path / "staging"
    marker = tmp_path / "pwned"
    good = _copy_batch(str(stage), "20260101T000000-run-a-0000", outcomes)
    # 1. The old format: a pickle and a v1 manifest.
    old = stage / "20260101T000000-run-b-0000"
    old.mkdir()
    (old / "outcomes.pkl").write_bytes(pickle.dumps(_Payload(str(marker))))
    (old / "manifest.json").write_text(json.dumps({"files": 1, "reports": 1}))
    # 2. A batch whose outcomes were replaced after the manifest was written.
    tampered = Path(_copy_batch(str(stage), "20260101T000000-run-c-0000", outcomes))
    (tampered / OUTCOMES_FILE).write_bytes(b'[{"ref": {"path": "x"}, "evil": 1}]')
    # 3. Tampered outcomes with a manifest that matches them: the schema still refuses them.
    forged = Path(_copy_batch(str(stage), "20260101T000000-run-d-0000", outcomes))
    bad = json.loads((forged / OUTCOMES_FILE).read_bytes())
    bad[0]["meta"] = {"__reduce__": "os.system"}
    data = json.dumps(bad).encode()
    (forged / OUTCOMES_FILE).write_bytes(data)
    manifest = json.loads((forged / "manifest.json").read_text())
    manifest["contents"][OUTCOMES_FILE] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (forged / "manifest.json").write_text(json.dumps(manifest))
    # 4. A file where batches are folders.
    (stage / "loader.py").write_text("import os; os.system('touch pwned')")

    rejected = []
    pending = pending_batches(str(stage), rejected)
    assert sorted(Path(b.path).name for b in pending) == ["20260101T000000-run-a-0000", "20260101T000000-run-c-0000",
                                                          "20260101T000000-run-d-0000"]
    assert sorted(Path(r.path).name for r in rejected) == ["20260101T000000-run-b-0000", "loader.py"]
    assert all(r.moved_to and REJECTED_FOLDER in r.moved_to for r in rejected)
    back, _ = read_batch(good)
    assert [o.ref.path for o in back] == [o.ref.path for o in outcomes]
    for folder in (tampered, forged):
        with pytest.raises(StagingRejected):
            read_batch(str(folder))
        reject(str(folder), "test")
    assert pending_batches(str(stage)) == [b for b in pending if b.path == good]
    assert not marker.exists(), "nothing in staging is ever executed"
    assert len(list((stage / REJECTED_FOLDER).iterdir())) == 4


def test_parquet_with_other_columns_is_refused(outcomes, tmp_path):
    import hashlib
    import io
    import json
    from pathlib import Path

    import polars as pl

    from pipelines.ingest.staging import StagingRejected

    folder = Path(_copy_batch(str(tmp_path / "staging"), "20260101T000000-run-a-0000", outcomes))
    buffer = io.BytesIO()
    pl.DataFrame({"report_id": ["x"], "payload": ["y"]}).write_parquet(buffer)
    data = buffer.getvalue()
    (folder / "fact_appeals.parquet").write_bytes(data)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["contents"]["fact_appeals.parquet"] = {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(StagingRejected, match="columns and types"):
        read_batch(str(folder))
