"""The supervised worker pool: a file that hangs, eats memory or kills its parser costs that file only."""

from __future__ import annotations

import os
import time
from pathlib import Path

from pipelines.ingest.parse import FileRef, parse_chunk
from pipelines.ingest.workers import Limits, parse_isolated


def misbehaving_parser(raw_dir: Path, refs: list[FileRef], max_bytes: int, on_file=None):
    """parse_chunk, except for files named to hang, to eat memory or to kill the process."""
    for i, ref in enumerate(refs):
        if on_file is not None:
            on_file(i)
        name = Path(ref.path).name
        if name.startswith("hang"):
            time.sleep(3600)
        if name.startswith("bomb"):
            hoard = []
            while True:
                hoard.append(bytearray(64 * 2**20))
                time.sleep(0.01)
        if name.startswith("crash"):
            os._exit(3)
        if name.startswith("burst"):
            # One allocation of three ceilings, zero pages the kernel maps lazily: the resident size a
            # poll sees barely moves, so only a kernel limit stops it.
            hoard = bytearray(3 * 512 * 2**20)
            del hoard
    return parse_chunk(raw_dir, refs, max_bytes)


def test_a_bad_file_is_quarantined_and_the_rest_are_parsed(raw_dir):
    for name in ("hang.txt", "bomb.txt", "crash.txt", "burst.txt"):
        (raw_dir / name).write_text("x", encoding="utf-8")
    files = sorted(p.name for p in raw_dir.iterdir())
    refs = [FileRef(name, f"sha-{name}", (raw_dir / name).stat().st_size, 0) for name in files]
    chunks = [refs[i:i + 3] for i in range(0, len(refs), 3)]
    limits = Limits(seconds_per_file=2.0, memory_bytes=512 * 2**20)
    results = list(parse_isolated(raw_dir, chunks, workers=2, limits=limits, work=misbehaving_parser))

    assert len(results) == len(chunks), "one result per chunk, in order"
    for chunk, outcomes in zip(chunks, results, strict=True):
        assert sorted(o.ref.path for o in outcomes) == sorted(r.path for r in chunk)
    codes = {o.ref.path: o.error_code for outcomes in results for o in outcomes}
    assert codes.pop("hang.txt") == "timeout"
    assert codes.pop("bomb.txt") == "too_large"
    assert codes.pop("crash.txt") == "parser_crash"
    assert codes.pop("burst.txt") == "too_large", "the kernel's limit holds where polling cannot see"
    assert codes == {name: None for name in files
                     if name.endswith(".txt") and name[:4] not in ("hang", "bomb", "cras", "burs")}
    # every report's cells still arrive (on its chunk's first outcome), also from chunks handed out again
    reports = {o.report_id for outcomes in results for o in outcomes if o.ok}
    with_cells = {r for outcomes in results for o in outcomes if o.facts
                  for r in o.facts["fact_applications"]["report_id"].unique()}
    assert len(reports) == 5 and with_cells == reports


def test_a_consumer_that_stops_early_does_not_hang_the_supervisor(raw_dir):
    import threading

    refs = [FileRef(p.name, p.name, p.stat().st_size, 0) for p in sorted(raw_dir.iterdir())] * 40
    chunks = [refs[i:i + 2] for i in range(0, len(refs), 2)]
    finished = threading.Event()

    def consume() -> None:
        results = parse_isolated(raw_dir, chunks, workers=2, in_flight=4)
        next(results)
        results.close()  # as when the loader raises: the generator is closed with work in flight
        finished.set()

    thread = threading.Thread(target=consume, daemon=True)
    thread.start()
    thread.join(timeout=60)
    assert finished.is_set(), "closing the results must stop the supervisor and its workers"


def test_workers_do_not_run_the_parents_main_module_again(raw_dir, tmp_path):
    """A spawned child runs its parent's `__main__` again before its own work; under Dagster that is
    Dagster's command line (0.8 s of imports a worker). The workers import only their own code."""
    import subprocess
    import sys

    marker = tmp_path / "mains.txt"
    script = tmp_path / "main_script.py"
    script.write_text(
        "import os, sys\n"
        f"with open({str(marker)!r}, 'a') as fh: fh.write(f'{{os.getpid()}}\\n')\n"
        "from pathlib import Path\n"
        "from pipelines.ingest.run import parse_all\n"
        "from pipelines.ingest.scan import scan\n"
        "if __name__ == '__main__':\n"
        "    raw = Path(sys.argv[1])\n"
        "    outcomes = [o for chunk in parse_all(raw, scan(raw, {}), workers=2) for o in chunk]\n"
        "    assert len(outcomes) == 5 and all(o.ok for o in outcomes), outcomes\n",
        encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    subprocess.run([sys.executable, str(script), str(raw_dir)], check=True, env=env, timeout=300)
    assert len(marker.read_text(encoding="utf-8").split()) == 1, "only the parent ran the main module"
