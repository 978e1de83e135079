"""Deployment profiles: what DISCLOSURE_PROFILE changes (executor, step split, step-output store) and
what it must not change (the warehouse). The real cluster run is tests/test_cluster.py."""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.defs.cluster import WAREHOUSE_QUEUE, CeleryConfig
from pipelines.ingest.batches import batch_of
from pipelines.ingest.run import batches, by_batch, parse_all
from pipelines.ingest.scan import scan
from pipelines.ingest.settings import Settings
from pipelines.ingest.staging import STEP_OUTPUTS_FOLDER, pending_batches, remove_stale_partials, write_batch
from tests.conftest import assert_same_rows

REPO = Path(__file__).resolve().parent.parent
HAS_CELERY = importlib.util.find_spec("dagster_celery") is not None


def test_unknown_profile_is_refused(monkeypatch):
    monkeypatch.setenv("DISCLOSURE_PROFILE", "kubernetes")
    with pytest.raises(ValueError, match="local, cluster"):
        Settings.from_env()


def test_cluster_profile_needs_a_shared_staging_location(monkeypatch):
    from pipelines.defs.resources import execution_for

    monkeypatch.setenv("DISCLOSURE_PROFILE", "cluster")
    monkeypatch.delenv("DISCLOSURE_STAGING_DIR", raising=False)
    with pytest.raises(ValueError, match="DISCLOSURE_STAGING_DIR"):
        execution_for(Settings.from_env())


def test_celery_settings_hand_back_the_step_of_a_lost_worker(monkeypatch):
    monkeypatch.setenv("DISCLOSURE_CELERY_BROKER", "redis://broker:6379/0")
    monkeypatch.setenv("DISCLOSURE_CELERY_REDELIVER_S", "90")
    config = CeleryConfig.from_env()
    settings = config.app_settings()
    assert config.executor_config()["broker"] == "redis://broker:6379/0"
    assert settings["task_acks_late"] and settings["task_reject_on_worker_lost"]
    assert settings["broker_transport_options"]["visibility_timeout"] == 90
    assert settings["worker_pool"] == "solo" and settings["worker_prefetch_multiplier"] == 1


def test_every_step_that_opens_the_warehouse_goes_to_the_warehouse_queue():
    """Parse steps may run anywhere; everything else opens DuckDB and must run where its file is."""
    job = defs().resolve_job_def("ingest")
    for node in job.graph.iterate_op_defs():
        queue = node.tags.get("dagster-celery/queue")
        if node.name in ("parse_batch", "staged_summary"):
            assert queue is None, node.name
        else:
            assert queue == WAREHOUSE_QUEUE, f"{node.name} opens the warehouse but may run on any worker"


def test_local_profile_runs_in_process(monkeypatch):
    monkeypatch.delenv("DISCLOSURE_PROFILE", raising=False)
    assert defs().resolve_job_def("ingest").executor_def.name == "in_process"


@pytest.mark.cluster
@pytest.mark.skipif(not HAS_CELERY, reason="the `cluster` extra is not installed (make test-cluster)")
def test_cluster_profile_sends_steps_to_celery_and_keeps_outputs_in_staging(monkeypatch, tmp_path):
    monkeypatch.setenv("DISCLOSURE_PROFILE", "cluster")
    monkeypatch.setenv("DISCLOSURE_STAGING_DIR", str(tmp_path / "staging"))
    from pipelines.defs.resources import execution_for

    assert defs().resolve_job_def("ingest").executor_def.name == "celery"
    _executor, resources = execution_for(Settings.from_env())
    assert resources["io_manager"].base_dir == f"{tmp_path / 'staging'}/{STEP_OUTPUTS_FOLDER}"


def test_deploy_cluster_yaml_keeps_one_writer():
    import yaml

    config = yaml.safe_load((REPO / "deploy" / "cluster" / "dagster.yaml").read_text(encoding="utf-8"))
    assert "postgres" in config["storage"]
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["concurrency"]["pools"]["default_limit"] == 1
    assert {"key": "disclosure/warehouse", "value": "writer", "limit": 1} in config["concurrency"]["runs"][
        "tag_concurrency_limits"]


def test_batches_never_span_two_keys(raw_dir):
    """Whatever the order files arrive in, a staged batch holds one batch key, keys in order."""
    refs = scan(raw_dir)
    chunks = parse_all(raw_dir, list(reversed(refs)), workers=1)
    staged = list(batches(chunks, size=2))
    keys = [key for key, _ in staged]
    assert keys == sorted(keys)
    for key, outcomes in staged:
        assert {batch_of(o.ref.path) for o in outcomes} == {key}
    assert sorted(o.ref.path for _, outcomes in staged for o in outcomes) == sorted(r.path for r in refs)
    assert list(by_batch(refs)) == sorted({batch_of(r.path) for r in refs})


def test_staging_skips_dot_folders(raw_dir, tmp_path):
    stage = tmp_path / "staging"
    outcomes = [o for chunk in parse_all(raw_dir, scan(raw_dir), workers=1) for o in chunk]
    write_batch(str(stage), "20260101T000000-run-0-0000", outcomes)
    (stage / STEP_OUTPUTS_FOLDER / "run").mkdir(parents=True)
    assert [Path(b.path).name for b in pending_batches(str(stage))] == ["20260101T000000-run-0-0000"]
    assert remove_stale_partials(str(stage), now=4e9) == 0
    assert (stage / STEP_OUTPUTS_FOLDER).is_dir()


@pytest.mark.slow
def test_per_batch_steps_give_the_same_warehouse(raw_dir, tmp_path, monkeypatch):
    """The cluster profile's split (a parse step per batch) loads exactly what one local step loads.
    Both run in-process here (the assets without the code location's executor)."""
    from pipelines.defs.assets import parsed_reports, raw_files, warehouse_tables
    from pipelines.defs.resources import WarehouseResource

    for i, src in enumerate(sorted(p for p in raw_dir.iterdir() if p.is_file())):
        shutil.copy(src, raw_dir / f"copy_{i}{src.suffix}")  # more batches, and copies to tie-break
    warehouses = {}
    for profile in ("local", "cluster"):
        db = tmp_path / profile / "disclosure.duckdb"
        monkeypatch.setenv("DISCLOSURE_PROFILE", profile)
        warehouse = WarehouseResource(raw_dir=str(raw_dir), db_path=str(db))
        with dg.DagsterInstance.ephemeral() as instance:
            result = dg.materialize([raw_files, parsed_reports, warehouse_tables], instance=instance,
                                    resources={"io_manager": dg.mem_io_manager, "warehouse": warehouse})
            assert result.success
            steps = {e.step_key for e in result.all_events if e.event_type_value == "STEP_SUCCESS"}
        parse_steps = [s for s in steps if ".parse_batch[" in s]
        keys = {batch_of(p.relative_to(raw_dir).as_posix()) for p in raw_dir.rglob("*") if p.is_file()}
        assert len(parse_steps) == (1 if profile == "local" else len(keys))
        warehouses[profile] = db
    assert_same_rows(warehouses["local"], warehouses["cluster"],
                     ["source_files", "reports", "agencies", "fact_applications", "load_log"])
