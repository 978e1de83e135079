"""The Dagster code location: it loads, and one run materializes every asset and runs every check."""

from __future__ import annotations

import dagster as dg
import pytest

from pipelines.definitions import defs
from pipelines.ingest.batches import BATCH_KEYS
from pipelines.warehouse.checks import load_checks
from tests.conftest import query

ASSETS = {"raw_files", "parsed_reports", "source_files", "reports", "agencies", "fact_proactive", "load_log",
          "fact_applications", "fact_appeals", "fact_unmapped", "report_sections", "report_claims", "dq_results",
          "published_warehouse", "parquet_export", "html_report", "review_page", "corrections"}
PUBLISH = ("published_warehouse", "parquet_export", "html_report", "review_page")


@pytest.fixture(scope="module")
def definitions() -> dg.Definitions:
    return defs()


def test_definitions_load(definitions):
    repo = definitions.get_repository_def()
    assert {k.to_user_string() for k in repo.asset_graph.get_all_asset_keys()} == ASSETS
    assert {k.name for k in repo.asset_graph.asset_check_keys} == {c.name for c in load_checks()}
    schedule = definitions.resolve_schedule_def("nightly_ingest")
    assert schedule.cron_schedule == "0 2 * * *" and schedule.execution_timezone == "Asia/Shanghai"
    assert definitions.resolve_sensor_def("raw_folder_sensor") is not None
    for name in ("ingest", "retry_quarantined"):
        assert definitions.resolve_job_def(name).tags.get("disclosure/warehouse") == "writer"


def test_instance_queues_a_second_writing_run():
    """dagster.yaml lets one run tagged as a warehouse writer run at a time, and limits the writer pool."""
    from pathlib import Path

    import yaml

    config = yaml.safe_load((Path(__file__).resolve().parent.parent / "dagster.yaml").read_text(encoding="utf-8"))
    runs = config["concurrency"]["runs"]
    assert {"key": "disclosure/warehouse", "value": "writer", "limit": 1} in runs["tag_concurrency_limits"]
    assert config["concurrency"]["pools"]["default_limit"] == 1


@pytest.mark.slow
def test_one_run_materializes_everything_and_runs_every_check(definitions, raw_dir, db_path, monkeypatch):
    from pipelines.ingest import run as run_module

    (raw_dir / "empty.txt").write_bytes(b"")
    monkeypatch.setenv("DISCLOSURE_RAW_DIR", str(raw_dir))
    monkeypatch.setenv("DISCLOSURE_DB_PATH", str(db_path))
    walks = []
    scan = run_module.scan
    monkeypatch.setattr(run_module, "scan", lambda folder, *a, **k: (walks.append(folder), scan(folder, *a, **k))[1])
    job = definitions.resolve_job_def("ingest")
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(instance=instance)
        assert result.success
        assert len(walks) == 1, "one scan of the folder a run: plan_parse and the loader read raw_files' record"
        materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
        assert materialized == ASSETS
        # a plain run covers every batch, and the UI shows every partition of parsed_reports materialized
        assert instance.get_materialized_partitions(dg.AssetKey("parsed_reports")) == set(BATCH_KEYS)
        evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
        assert set(evaluations) == {c.name for c in load_checks()}
        failed = {name for name, ev in evaluations.items() if not ev.passed}
        assert failed == {"agency_unresolved", "cells_blank", "cells_missing", "published_date_implausible",
                          "prose_table_mismatch"}
        assert all(ev.severity == dg.AssetCheckSeverity.WARN for n, ev in evaluations.items() if n in failed)
        # a second run over the same folder loads nothing new
        again = job.execute_in_process(instance=instance)
        assert again.success
        events = {e.asset_key.to_user_string(): e.materialization.metadata
                  for e in again.get_asset_materialization_events()}
        assert events["reports"]["rows_written_this_run"].value == 0
        assert events["reports"]["share_resolved_to_county"].value == 0.6  # 3 of the 5 samples name their county
        assert events["dq_results"]["skipped"].value == "warehouse unchanged"
        for name in PUBLISH:  # nothing changed: no output is written again (issue #18)
            assert events[name]["skipped"].value == "nothing changed since it was last written", name
        assert {e.check_name for e in again.get_asset_check_evaluations() if not e.passed} == failed
    assert not any((db_path.parent / "staging").iterdir()), "staged batches are removed once loaded"
    published = db_path.parent / "published" / db_path.name
    assert query(published, "select count(*) from reports") == query(db_path, "select count(*) from reports")
    # the Parquet export reads back identical to the tables
    export = db_path.parent / "export"
    for table in ("reports", "fact_proactive", "fact_applications", "fact_appeals"):
        exported = query(db_path, f"select * from read_parquet('{export}/{table}/*/*.parquet', "
                                  "hive_partitioning = true) order by all")
        columns = ", ".join(c for (c,) in query(db_path, f"select column_name from duckdb_columns() "
                                                          f"where table_name = '{table}' and column_name <> 'year'"))
        assert exported == query(db_path, f"select {columns}, year from {table} order by all"), table
    for table in ("agencies", "report_sections", "report_claims", "dq_results", "dim_outcome"):
        assert query(db_path, f"select * from read_parquet('{export}/{table}.parquet') order by all") == query(
            db_path, f"select * from {table} order by all"), table
    for view in ("v_report_summary", "v_applications_wide", "v_summary_national"):
        assert query(db_path, f"select * from read_parquet('{export}/views/{view}.parquet') order by all") == query(
            db_path, f"select * from {view} order by all"), view
    # every cell of every report version, by year like the fact tables (it only grows)
    assert not (export / "views" / "v_fact_cells.parquet").exists()
    assert query(db_path, f"select * exclude (year), year from read_parquet('{export}/views/v_fact_cells/*/*.parquet', "
                          "hive_partitioning = true) order by all") == query(
        db_path, "select * exclude (year), year from v_fact_cells where year is not null order by all")
    assert (db_path.parent / "report.html").stat().st_size > 100_000
    from pipelines.ingest.settings import Settings
    from pipelines.warehouse.summary import summary

    text = summary(Settings(raw_dir=raw_dir, db_path=db_path))
    assert "files: loaded 5, quarantined 1" in text and f"report {db_path.parent / 'report.html'}" in text
    assert query(db_path, "select status, count(*) from source_files group by 1 order by 1") == [
        ("loaded", 5), ("quarantined", 1)]


def test_sensor_requests_a_run_only_when_the_folder_changes(definitions, raw_dir, monkeypatch):
    monkeypatch.setenv("DISCLOSURE_RAW_DIR", str(raw_dir))
    sensor = definitions.resolve_sensor_def("raw_folder_sensor")
    with dg.build_sensor_context(resources=definitions.resources) as ctx:
        first = sensor(ctx)
        assert isinstance(first, dg.RunRequest)
        cursor = ctx.cursor
    with dg.build_sensor_context(cursor=cursor, resources=definitions.resources) as ctx:
        assert isinstance(sensor(ctx), dg.SkipReason)
    (raw_dir / "new.txt").write_text("x", encoding="utf-8")
    with dg.build_sensor_context(cursor=cursor, resources=definitions.resources) as ctx:
        assert isinstance(sensor(ctx), dg.RunRequest)


def test_ddl_file_is_generated_from_the_schema():
    from pathlib import Path

    from pipelines.warehouse.schema import render_ddl

    ddl = (Path(__file__).resolve().parent.parent / "sql" / "ddl" / "create_tables.sql").read_text(encoding="utf-8")
    assert ddl == render_ddl(), "run `make ddl` after changing pipelines/schema.py"


@pytest.mark.slow
def test_one_batch_runs_alone_and_a_staged_batch_waits_for_the_loader(definitions, raw_dir, db_path, monkeypatch):
    """Materializing one partition of parsed_reports parses only that batch's files; a batch staged by a
    run whose load failed is loaded by the next loader, once."""
    from pipelines.ingest.batches import batch_of
    from pipelines.ingest.scan import walk

    monkeypatch.setenv("DISCLOSURE_RAW_DIR", str(raw_dir))
    monkeypatch.setenv("DISCLOSURE_DB_PATH", str(db_path))
    paths = [p.relative_to(raw_dir).as_posix() for p in walk(raw_dir)]
    key = batch_of(paths[0])
    in_batch = [p for p in paths if batch_of(p) == key]
    selection = ["parsed_reports", *(t for t in ASSETS if t not in ("raw_files", "parsed_reports", "dq_results",
                                                                 *PUBLISH))]
    with dg.DagsterInstance.ephemeral() as instance:
        one = dg.materialize([*definitions.get_repository_def().assets_defs_by_key.values()],
                             selection=selection, partition_key=key, instance=instance)
        assert one.success
        meta = {e.asset_key.to_user_string(): e.materialization.metadata
                for e in one.get_asset_materialization_events()}
        assert meta["parsed_reports"]["files_parsed"].value == len(in_batch) < len(paths)
    assert query(db_path, "select path from source_files order by path") == [(p,) for p in sorted(in_batch)]

    # A batch staged but never loaded (its run died before the loader) is picked up by the next run.
    from pipelines.ingest.run import discover, parse_all
    from pipelines.ingest.staging import pending_batches, write_batch
    from pipelines.warehouse.load import connect

    con = connect(db_path)
    try:
        todo = discover(con, raw_dir).todo
    finally:
        con.close()
    stage = db_path.parent / "staging"
    for n, chunk in enumerate(parse_all(raw_dir, todo, workers=1)):
        write_batch(stage, f"00000000T000000-orphan-{n:05d}", chunk)
    (stage / ".20260101T000000-dead-00000.partial").mkdir()  # a half-written batch is never loaded
    assert len(pending_batches(stage)) >= 1
    crafted = stage / "00000000T000000-crafted-00000"  # the old pickle format: moved aside, never unpickled
    crafted.mkdir()
    (crafted / "outcomes.pkl").write_bytes(b"cos\nsystem\n(S'touch pwned'\ntR.")
    (crafted / "manifest.json").write_text('{"files": 1, "reports": 1}')
    with dg.DagsterInstance.ephemeral() as instance:
        loader = [t for t in ASSETS if t not in ("raw_files", "parsed_reports", "dq_results", *PUBLISH)]
        result = dg.materialize([*definitions.get_repository_def().assets_defs_by_key.values()],
                                selection=loader, instance=instance)
        assert result.success
        meta = {e.asset_key.to_user_string(): e.materialization.metadata
                for e in result.get_asset_materialization_events()}
        assert meta["source_files"]["staging_rejected"].value == 1
    assert pending_batches(stage) == []
    assert not crafted.exists() and len(list((stage / ".rejected").iterdir())) == 1
    assert query(db_path, "select count(*), count(distinct path) from source_files") == [(len(paths), len(paths))]
    assert query(db_path, "select count(*) from reports") == [(len(paths),)]


@pytest.mark.slow
def test_retry_quarantined_job_parses_quarantined_files_again(definitions, raw_dir, db_path, monkeypatch):
    """The job's own config reaches the planning step inside parsed_reports' graph."""
    (raw_dir / "empty.txt").write_bytes(b"")
    monkeypatch.setenv("DISCLOSURE_RAW_DIR", str(raw_dir))
    monkeypatch.setenv("DISCLOSURE_DB_PATH", str(db_path))
    with dg.DagsterInstance.ephemeral() as instance:
        assert definitions.resolve_job_def("ingest").execute_in_process(instance=instance).success
        again = definitions.resolve_job_def("ingest").execute_in_process(instance=instance)
        retried = definitions.resolve_job_def("retry_quarantined").execute_in_process(instance=instance)
    def parsed(result) -> int:
        # one event per batch (a plain run materializes all 16 partitions), each with the run's figures
        events = [e for e in result.get_asset_materialization_events() if e.asset_key.to_user_string() == "parsed_reports"]
        assert len(events) == len(BATCH_KEYS)
        return events[0].materialization.metadata["files_parsed"].value
    assert parsed(again) == 0  # nothing new
    assert parsed(retried) == 1  # the quarantined empty file, parsed again


@pytest.mark.slow
def test_one_batch_then_several_then_all_on_one_instance(definitions, raw_dir, db_path, monkeypatch, tmp_path):
    """Partition runs and plain runs share one instance's storage: a one-batch run, a run over a range
    of batches and a plain run all succeed one after another (parsed_reports stores no value that a
    later run over other partitions would trip on)."""

    monkeypatch.setenv("DISCLOSURE_RAW_DIR", str(raw_dir))
    monkeypatch.setenv("DISCLOSURE_DB_PATH", str(db_path))
    job = definitions.resolve_job_def("ingest")
    (tmp_path / "dagster").mkdir()
    with dg.DagsterInstance.local_temp(str(tmp_path / "dagster")) as instance:
        assert job.execute_in_process(instance=instance, partition_key=BATCH_KEYS[0]).success
        several = {"dagster/asset_partition_range_start": BATCH_KEYS[1], "dagster/asset_partition_range_end": BATCH_KEYS[9]}
        assert job.execute_in_process(instance=instance, tags=several).success
        assert job.execute_in_process(instance=instance).success
    assert query(db_path, "select count(*) from reports where is_current") == [(5,)]
