"""The cluster profile, for real: Postgres instance storage, a Redis broker and two Celery workers on
loopback run the whole pipeline on a generated corpus of a few thousand reports, and the warehouse
comes out identical, row for row, to the local profile's — also when a worker is killed in the
middle of a parse batch (its batch is handed to the other worker and run again).

Run with `make test-cluster` (installs Postgres, Redis and the `cluster` extra when missing).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import assert_same_rows, query
from tools.cluster_services import (
    REPO,
    Cluster,
    base_env,
    cluster_env,
    dagster_program,
    ingest_command,
    missing_services,
    postgres,
    redis_server,
)

pytestmark = [pytest.mark.cluster, pytest.mark.slow]

CORPUS_SIZE = 3000
TEXT_FORMATS = ["tab_text", "pipe_text", "markdown", "separator", "line_text", "pdf_text", "html"]
WORD_FILES = 40  # python-docx writes ~2 a second: Word files are a small share of this corpus
RUN_TIMEOUT_S = 900


@pytest.fixture(scope="module", autouse=True)
def _services_present():
    missing = missing_services()
    if missing:
        pytest.skip("cluster services missing (make test-cluster installs them): " + ", ".join(missing))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """A few thousand synthetic reports in eight layouts, with copies and files that must be quarantined."""
    from tools.synth.corpus import write_corpus
    from tools.synth.quirks import LEGACY

    out = tmp_path_factory.mktemp("corpus")
    raw = out / "raw"
    raw.mkdir()
    for name, n, seed, formats in (("text", CORPUS_SIZE - WORD_FILES, 7, TEXT_FORMATS), ("word", WORD_FILES, 8, ["docx"])):
        # The quirks every report of which loads: these tests compare deployments, not readings.
        write_corpus(out / name, n, seed=seed, formats=formats, quirks=LEGACY)
        (out / name / "raw").rename(raw / name)
    copies = raw / "copies"
    copies.mkdir()
    for src in sorted((raw / "text" / "tab_text").iterdir())[:20]:  # the same content at two paths
        shutil.copy(src, copies / src.name)
    bad = raw / "bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    (bad / "notes.txt").write_text("会议纪要\n今天天气很好。\n", encoding="utf-8")
    return raw


@pytest.fixture(scope="module")
def local_warehouse(corpus, tmp_path_factory) -> Path:
    return local_run(corpus, tmp_path_factory.mktemp("local"))


def local_run(corpus: Path, root: Path) -> Path:
    """The local profile's warehouse: `make run`'s command, SQLite instance, in-process execution."""
    home = root / "dagster"
    home.mkdir(parents=True)
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    db = root / "warehouse" / "disclosure.duckdb"
    env = {**base_env(corpus, db), "DAGSTER_HOME": str(home), "DAGSTER_STORAGE_DIR": str(home / "storage"),
           "DAGSTER_ARTIFACT_DIR": str(home / "artifacts"), "DAGSTER_COMPUTE_LOG_DIR": str(home / "logs")}
    done = subprocess.run(ingest_command(), cwd=REPO, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return db


@pytest.fixture(scope="module")
def services():
    with postgres() as pg_env, redis_server() as redis_url:
        yield pg_env, redis_url


def _cluster(services, corpus: Path, root: Path, redeliver_s: int, staging: str | None = None) -> Cluster:
    pg_env, redis_url = services
    db = root / "warehouse" / "disclosure.duckdb"
    env = cluster_env(base_env(corpus, db), pg_env, redis_url, root / "dagster")
    # Each worker parses with one process: two workers on a two-core machine.
    env.update({"DISCLOSURE_WORKERS": "1", "DISCLOSURE_CELERY_REDELIVER_S": str(redeliver_s),
                "DISCLOSURE_STAGING_DIR": staging or str(root / "staging")})
    return Cluster(env, root / "dagster")


def _events(instance, run_id: str, event_type):
    return [r.event_log_entry for r in instance.get_records_for_run(run_id, of_type=event_type, limit=10000).records]


def _latest_run_id(instance) -> str | None:
    runs = instance.get_runs(limit=1)
    return runs[0].run_id if runs else None


def _use_instance_env(cluster: Cluster, monkeypatch) -> None:
    """This process reads the cluster's instance too (its dagster.yaml takes settings from the env)."""
    for key, value in cluster.env.items():
        if key.startswith("DAGSTER_"):
            monkeypatch.setenv(key, value)


def test_cluster_run_is_identical_to_local(services, corpus, local_warehouse, tmp_path, monkeypatch):
    """Two Celery workers share the parse steps (one per batch); the warehouse equals the local run's.
    Staging is given as a URL (file://…), as object storage would be (s3://…)."""
    from dagster import DagsterEventType, DagsterInstance

    cluster = _cluster(services, corpus, tmp_path, redeliver_s=600, staging=(tmp_path / "staging").as_uri())
    _use_instance_env(cluster, monkeypatch)
    try:
        workers = [cluster.start_worker("warehouse", "warehouse,dagster"), cluster.start_worker("parser", "dagster")]
        run = cluster.start("run", ingest_command())
        assert run.wait(RUN_TIMEOUT_S) == 0, cluster.logs()
        with DagsterInstance.from_ref(_instance_ref(cluster)) as instance:
            starts = _events(instance, _latest_run_id(instance), DagsterEventType.STEP_START)
            parse_steps = [e for e in starts if e.step_key.startswith("parsed_reports.parse_batch[")]
            assert len({e.step_key for e in parse_steps}) == 16  # one step per batch: the corpus fills every batch
            for worker in workers:
                assert any(worker.owns(e.dagster_event.pid) for e in parse_steps), f"{worker.name} parsed no batch"
            writers = [e for e in starts if e.step_key.startswith("warehouse_tables")]
            assert writers and all(workers[0].owns(e.dagster_event.pid) for e in writers)  # the warehouse queue
    finally:
        cluster.stop()
    counts = assert_same_rows(local_warehouse, tmp_path / "warehouse" / "disclosure.duckdb")
    assert counts["reports"] >= CORPUS_SIZE and counts["fact_applications"] > 0
    staged = [p.name for p in (tmp_path / "staging").iterdir()]
    assert staged == [".step-outputs"]  # every batch loaded and cleared; step outputs kept for re-execution


def test_killed_worker_batch_is_retried_and_result_identical(services, corpus, local_warehouse, tmp_path, monkeypatch):
    """SIGKILL one worker (all its processes) while it parses a batch: the unacknowledged batch goes
    back to the queue, the other worker runs it again, the run succeeds and the warehouse is the same."""
    from dagster import DagsterEventType, DagsterInstance

    cluster = _cluster(services, corpus, tmp_path, redeliver_s=30)
    _use_instance_env(cluster, monkeypatch)
    try:
        cluster.start_worker("warehouse", "warehouse,dagster")
        victim = cluster.start_worker("parser", "dagster")
        with DagsterInstance.from_ref(_instance_ref(cluster)) as instance:
            before = _latest_run_id(instance)
            run = cluster.start("run", ingest_command())
            # Its parser processes exist only while a parse step runs: killing then is mid-batch for sure.
            deadline = time.monotonic() + RUN_TIMEOUT_S
            while not victim.parsers() and run.poll() is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert victim.parsers(), "the second worker never parsed a batch\n" + cluster.logs()
            victim.kill()
            run_id = _latest_run_id(instance)
            assert run_id != before
            done = {e.step_key for e in _events(instance, run_id, DagsterEventType.STEP_SUCCESS)}
            started = [(e.step_key, e.dagster_event.pid) for e in _events(instance, run_id, DagsterEventType.STEP_START)]
            killed = [key for key, pid in started if pid == victim.proc.pid and key not in done]
            assert len(killed) == 1 and "parse_batch[" in killed[0], (victim.proc.pid, started, done)
            killed_step = killed[0]
            assert run.wait(RUN_TIMEOUT_S) == 0, cluster.logs()
            starts = [e for e in _events(instance, run_id, DagsterEventType.STEP_START) if e.step_key == killed_step]
            successes = [e for e in _events(instance, run_id, DagsterEventType.STEP_SUCCESS)
                         if e.step_key == killed_step]
            assert len(starts) == 2 and len(successes) == 1, "the killed worker's batch should run again, once"
            assert not victim.owns(successes[0].dagster_event.pid)
    finally:
        cluster.stop()
    assert_same_rows(local_warehouse, tmp_path / "warehouse" / "disclosure.duckdb")


def _instance_ref(cluster: Cluster):
    from dagster._core.instance import InstanceRef

    return InstanceRef.from_dir(str(cluster.home))


def test_runs_from_the_queue_run_one_writer_at_a_time(services, raw_dir, tmp_path, monkeypatch):
    """Runs launched as the UI, schedule and sensor launch them: queued in Postgres, started by the
    daemon, steps on Celery. Two ingest runs submitted together both succeed, one after the other
    (deploy/cluster/dagster.yaml allows one `disclosure/warehouse=writer` run at a time)."""
    from dagster import DagsterInstance, DagsterRunStatus
    from dagster._core.instance import InstanceRef

    cluster = _cluster(services, raw_dir, tmp_path, redeliver_s=600)
    _use_instance_env(cluster, monkeypatch)
    launch = [dagster_program(), "job", "launch", "-m", "pipelines.definitions", "-j", "ingest"]
    try:
        cluster.start("daemon", [dagster_program("dagster-daemon"), "run", "-m", "pipelines.definitions"])
        cluster.start_worker("warehouse", "warehouse,dagster")
        with DagsterInstance.from_ref(InstanceRef.from_dir(str(cluster.home))) as instance:
            earlier = {r.dagster_run.run_id for r in instance.get_run_records()}  # the module shares one Postgres
            for _ in range(2):
                subprocess.run(launch, cwd=REPO, env=cluster.env, check=True, capture_output=True, timeout=120)
            deadline = time.monotonic() + RUN_TIMEOUT_S
            while time.monotonic() < deadline:
                runs = [r for r in instance.get_run_records() if r.dagster_run.run_id not in earlier]
                if len(runs) == 2 and all(r.dagster_run.is_finished for r in runs):
                    break
                time.sleep(1)
            runs = sorted(runs, key=lambda r: r.start_time or 0)
            assert [r.dagster_run.status for r in runs] == [DagsterRunStatus.SUCCESS] * 2, cluster.logs()
            assert runs[0].end_time <= runs[1].start_time, "two warehouse-writing runs overlapped"
    finally:
        cluster.stop()
    assert query(tmp_path / "warehouse" / "disclosure.duckdb", "select count(*) from reports where is_current") == [(5,)]


@pytest.fixture
def s3_endpoint(monkeypatch):
    """An S3-compatible server on loopback (moto's), with a `staging` bucket; the AWS_* variables that
    point every process's S3 client (s3fs, through botocore) at it are set in this process too."""
    boto3 = pytest.importorskip("boto3")
    pytest.importorskip("s3fs")
    ThreadedMotoServer = pytest.importorskip("moto.server").ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    env = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
           "AWS_ENDPOINT_URL": f"http://{host}:{port}"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    boto3.client("s3").create_bucket(Bucket="staging")
    try:
        yield env
    finally:
        server.stop()


def test_batches_travel_through_object_storage(services, raw_dir, s3_endpoint, tmp_path, monkeypatch):
    """DISCLOSURE_STAGING_DIR=s3://…: parsed batches and Dagster's step outputs go through an S3 bucket
    between the workers and the loader, and the warehouse equals the local profile's."""
    import fsspec

    expected = local_run(raw_dir, tmp_path / "local")
    cluster = _cluster(services, raw_dir, tmp_path, redeliver_s=600, staging="s3://staging/disclosure")
    cluster.env.update(s3_endpoint)
    _use_instance_env(cluster, monkeypatch)
    try:
        cluster.start_worker("warehouse", "warehouse")
        cluster.start_worker("parser", "dagster")
        run = cluster.start("run", ingest_command())
        assert run.wait(RUN_TIMEOUT_S) == 0, cluster.logs()
    finally:
        cluster.stop()
    assert_same_rows(expected, tmp_path / "warehouse" / "disclosure.duckdb")
    fs = fsspec.filesystem("s3")
    assert [p.rsplit("/", 1)[-1] for p in fs.ls("staging/disclosure")] == [".step-outputs"]
    assert any(".parse_batch" in p for p in fs.find("staging/disclosure/.step-outputs"))
