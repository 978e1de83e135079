"""Benchmark of the cluster profile (not a test): `make bench-cluster` (BENCH_FILES=20000 BENCH_WORKERS=2).

Generates a text corpus, starts Postgres, Redis and Celery workers on loopback (as the cluster test
does), runs one ingest and reads the step timings from Dagster's event log: files per parse step,
files a second per worker, and the loader's rate. Prints a Markdown table for docs/deployment.md.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path

from pipelines.ingest.batches import batch_of
from tools.cluster_services import REPO, Cluster, base_env, cluster_env, ingest_command, postgres, redis_server
from tools.synth.corpus import write_corpus

FORMATS = ["tab_text", "pipe_text", "markdown", "separator", "line_text", "pdf_text", "html"]


def _step_spans(instance, run_id: str) -> dict[str, tuple[float, float]]:
    from dagster import DagsterEventType

    starts, ends = {}, {}
    for event_type, into in ((DagsterEventType.STEP_START, starts), (DagsterEventType.STEP_SUCCESS, ends)):
        for record in instance.get_records_for_run(run_id, of_type=event_type, limit=100000).records:
            into[record.event_log_entry.step_key] = record.event_log_entry.timestamp
    return {k: (starts[k], ends[k]) for k in ends if k in starts}


def main() -> None:
    files = int(os.environ.get("BENCH_FILES", "20000"))
    n_workers = int(os.environ.get("BENCH_WORKERS", "2"))
    procs = os.environ.get("BENCH_PROCS_PER_WORKER", "1")
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        root = Path(tmp)
        write_corpus(root / "corpus", files, seed=11, formats=FORMATS)
        raw = root / "corpus" / "raw"
        per_batch = Counter(batch_of(p.relative_to(raw).as_posix()) for p in raw.rglob("*") if p.is_file())
        with postgres() as pg_env, redis_server() as redis_url:
            base = {**base_env(raw, root / "wh" / "disclosure.duckdb"), "DISCLOSURE_WORKERS": procs,
                    "DISCLOSURE_STAGING_DIR": str(root / "staging")}
            cluster = Cluster(cluster_env(base, pg_env, redis_url, root / "dagster"), root / "dagster")
            os.environ.update({k: v for k, v in cluster.env.items() if k.startswith("DAGSTER_")})
            try:
                for i in range(n_workers):
                    cluster.start_worker(f"w{i}", "warehouse,dagster" if i == 0 else "dagster")
                started = time.perf_counter()
                subprocess.run(ingest_command(), cwd=REPO, env=cluster.env, check=True, capture_output=True)
                wall = time.perf_counter() - started
                from dagster import DagsterInstance
                from dagster._core.instance import InstanceRef

                with DagsterInstance.from_ref(InstanceRef.from_dir(str(cluster.home))) as instance:
                    run_id = instance.get_runs(limit=1)[0].run_id
                    spans = _step_spans(instance, run_id)
            finally:
                cluster.stop()
    parse = {k: v for k, v in spans.items() if ".parse_batch[" in k}
    parse_seconds = sum(end - start for start, end in parse.values())
    per_step = [per_batch[k.rsplit("_", 1)[-1].rstrip("]")] for k in parse]
    load_start, load_end = spans["warehouse_tables"]
    first, last = min(s for s, _ in parse.values()), max(e for _, e in parse.values())
    print(f"| corpus | {files} text/HTML reports, {n_workers} Celery workers x {procs} parser process |")
    print("| --- | --- |")
    print(f"| whole run (dagster job execute) | {wall:.0f} s, {files / wall:.0f} files/s |")
    print(f"| parse steps | {len(parse)}, {min(per_step)}-{max(per_step)} files each |")
    print(f"| parse phase (first step start to last end) | {last - first:.0f} s, {files / (last - first):.0f} files/s |")
    print(f"| per worker process, inside a step | {files / parse_seconds:.0f} files/s |")
    print(f"| loader (warehouse_tables) | {load_end - load_start:.0f} s, {files / (load_end - load_start):.0f} files/s |")
    other = sum(e - s for k, (s, e) in spans.items() if k not in parse and k != "warehouse_tables")
    print(f"| other steps (scan, plan, checks, publish) | {other:.0f} s in all |")


if __name__ == "__main__":
    main()
