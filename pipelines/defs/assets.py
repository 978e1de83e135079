"""The assets: raw files → parsed reports → warehouse tables → data-quality results.

Thin wiring: every step's work is a plain function of `pipelines` (scan, parse_all, load_batch,
refresh_dq_results). A plain run covers the whole folder; parsing is partitioned into 16 batches
by path hash (never one partition per file) so one batch can be re-run alone, and hands its work to
the single writer through the staging folder. A file that cannot be read is quarantined in the
ledger and the run goes on.
"""


import datetime as dt
from collections import Counter

import dagster as dg
import polars as pl

from pipelines.batches import BATCH_KEYS, batch_of
from pipelines.checks import checks_are_current, refresh_dq_results
from pipelines.defs.resources import WarehouseResource
from pipelines.ingest import batches, discover, parse_all
from pipelines.schema import DQ_RESULTS, TABLES, WAREHOUSE_STATE, TableDef
from pipelines.staging import StagedBatch, clear, pending_batches, read_batch, remove_stale_partials, write_batch
from pipelines.warehouse import load_batch, scan_view

WRITER_POOL = "duckdb_writer"
PREVIEW_ROWS = 10
WAREHOUSE_TABLES = [t for t in TABLES if t not in (DQ_RESULTS, WAREHOUSE_STATE)]
OWNERS = ["team:data-engineering"]


def column_schema(table: TableDef) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(c.name, c.type, description=c.comment) for c in table.columns])


def markdown_table(frame: pl.DataFrame, limit: int = PREVIEW_ROWS) -> dg.MarkdownMetadataValue:
    """A small preview of a frame for the Dagster UI."""
    head = frame.head(limit)
    if head.is_empty():
        return dg.MetadataValue.md("_no rows_")
    cells = [[("" if v is None else str(v)).replace("|", "\\|").replace("\n", " ")[:60] for v in row]
             for row in head.iter_rows()]
    lines = ["| " + " | ".join(head.columns) + " |", "|" + "---|" * len(head.columns)]
    lines += ["| " + " | ".join(row) + " |" for row in cells]
    return dg.MetadataValue.md("\n".join(lines))


@dg.asset(group_name="ingest", kinds={"python"}, owners=OWNERS)
def raw_files(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every file under the raw folder (DISCLOSURE_RAW_DIR) with its content hash, and how many of them
    the warehouse has not seen yet (new or changed). Unchanged path, size and mtime skip re-hashing."""
    settings = warehouse.settings()
    with warehouse.connection() as con:
        found = discover(con, settings.raw_dir)
    suffixes = Counter((f.path.rsplit(".", 1)[-1].lower() if "." in f.path else "(none)") for f in found.scanned)
    return dg.MaterializeResult(metadata={
        "raw_dir": str(settings.raw_dir),
        "files_found": len(found.scanned),
        "files_new_or_changed": len(found.todo),
        "new_or_changed_by_batch": dict(sorted(Counter(batch_of(f.path) for f in found.todo).items())),
        "by_extension": dict(suffixes),
    })


BATCHES = dg.StaticPartitionsDefinition(list(BATCH_KEYS))


def _selected_batches(context: dg.AssetExecutionContext) -> list[str] | None:
    """The batches this run covers: those of its partition key or range, else (a plain run) all."""
    if context.has_partition_key or context.has_partition_key_range:
        return list(context.partition_keys)
    return None


class ParseConfig(dg.Config):
    retry_quarantined: bool = False
    """Parse every quarantined file again, not only new or changed ones (the `retry_quarantined` job)."""


@dg.asset(group_name="ingest", kinds={"python", "parquet"}, owners=OWNERS, deps=["raw_files"],
          partitions_def=BATCHES, backfill_policy=dg.BackfillPolicy.single_run())
def parsed_reports(context: dg.AssetExecutionContext, config: ParseConfig,
                   warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The new or changed files parsed in parallel worker processes and staged on disk (Parquet cells +
    outcomes) for the loader: each file a report (every cell of its form) or a quarantine with a
    stable error code. Partitioned into 16 batches by a hash of the file's path: a plain run covers
    all of them; materialize one partition to re-run that batch alone (then the loader). A bad file
    never fails the run; memory stays flat however many files."""
    settings = warehouse.settings()
    keys = _selected_batches(context)
    with warehouse.connection() as con:
        found = discover(con, settings.raw_dir, keys, retry_quarantined=config.retry_quarantined)
    remove_stale_partials(settings.staging)
    prefix = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S}-{context.run.run_id[:8]}"
    staged: list[StagedBatch] = []
    quarantined: Counter[str] = Counter()
    formats: Counter[str] = Counter()
    outcomes = parse_all(settings.raw_dir, found.todo, settings.worker_count(),
                         max_bytes=settings.max_file_bytes, limits=settings.limits())
    for number, batch in enumerate(batches(outcomes, settings.batch_size)):
        quarantined.update(o.error_code for o in batch if not o.ok)
        formats.update(o.source_format for o in batch)
        staged.append(write_batch(settings.staging, f"{prefix}-{number:05d}", batch))
    return dg.MaterializeResult(metadata={
        "batches_selected": "all" if keys is None else ", ".join(keys),
        "retry_quarantined": config.retry_quarantined,
        "files_in_batches": len(found.scanned),
        "files_parsed": sum(b.files for b in staged),
        "reports": sum(b.reports for b in staged),
        "staged_batches": len(staged),
        "quarantined": dict(quarantined),
        "formats": dict(formats),
        "workers": settings.worker_count(),
        "staging": settings.staging,
    })


@dg.multi_asset(
    specs=[
        dg.AssetSpec(t.name, description=t.comment, group_name="warehouse", kinds={"duckdb"}, owners=OWNERS,
                     deps=["parsed_reports"], metadata={"dagster/column_schema": column_schema(t)})
        for t in WAREHOUSE_TABLES
    ],
    pool=WRITER_POOL,
)
def warehouse_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Loads every staged batch into DuckDB: ledger, reports, agencies, the three fact tables, unmapped
    cells and narrative sections, one transaction per batch (a batch is removed from staging once
    committed, so a failed load leaves it for the next run), then decides the current report of
    each agency-year. Re-running on unchanged files changes nothing; a run that found nothing new
    only marks the files as seen."""
    settings = warehouse.settings()
    written: Counter[str] = Counter()
    with warehouse.connection() as con:
        scanned = scan_view(discover(con, settings.raw_dir).scanned)
        pending = pending_batches(settings.staging)
        for batch in pending:
            outcomes, facts = read_batch(batch.path)
            written.update(load_batch(con, scanned, outcomes, staged_facts=facts))
            clear(batch.path)
        if not pending:
            written.update(load_batch(con, scanned, []))
        for table in WAREHOUSE_TABLES:
            yield dg.MaterializeResult(asset_key=table.name, metadata=_table_metadata(con, table, written))
    context.log.info(f"batches loaded: {len(pending)}; rows written: {dict(written)}")


def _table_metadata(con, table: TableDef, written: Counter[str]) -> dict:
    frame = pl.from_arrow(con.sql(f"select * from {table.name} limit {PREVIEW_ROWS}").to_arrow_table())
    meta: dict = {
        "dagster/row_count": con.execute(f"select count(*) from {table.name}").fetchall()[0][0],
        "rows_written_this_run": written.get(table.name, 0),
        "preview": markdown_table(frame),
    }
    if table.name == "source_files":
        meta["files_by_status"] = dict(con.execute(
            "select status, count(*) from source_files group by 1 order by 1").fetchall())
        meta["quarantined_by_code"] = dict(con.execute(
            "select error_code, count(*) from source_files where status = 'quarantined' group by 1 order by 1"
        ).fetchall())
    if table.name == "reports":
        current, county, city, province = con.execute(
            "select count(*), count(county), count(city), count(province) from reports where is_current").fetchall()[0]
        meta["current_reports"] = current
        for level, n in (("county", county), ("city", city), ("province", province)):
            meta[f"share_resolved_to_{level}"] = round(n / current, 4) if current else 0.0
    if table.name == "agencies":
        meta["agencies_by_level"] = dict(con.execute(
            "select coalesce(level, '(unknown)'), count(*) from agencies group by 1 order by 1").fetchall())
    return meta


@dg.asset(group_name="quality", kinds={"duckdb", "sql"}, owners=OWNERS, pool=WRITER_POOL,
          deps=[t.name for t in WAREHOUSE_TABLES],
          metadata={"dagster/column_schema": column_schema(DQ_RESULTS)})
def dq_results(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every data-quality rule of sql/checks/ run on the current reports; the violations replace the
    table's rows, which the asset checks of the same names report. Skipped (at once) when the
    warehouse has not changed since the checks last ran."""
    with warehouse.connection() as con:
        if checks_are_current(con):
            total = con.execute("select count(*) from dq_results").fetchall()[0][0]
            return dg.MaterializeResult(metadata={"dagster/row_count": total, "skipped": "warehouse unchanged"})
        counts = refresh_dq_results(con)
        frame = pl.from_arrow(con.sql(
            "select check_name, severity, report_id, detail from dq_results order by severity, check_name").to_arrow_table())
    return dg.MaterializeResult(metadata={
        "dagster/row_count": frame.height,
        "violations_by_check": {k: v for k, v in counts.items() if v},
        "errors": int(frame.filter(pl.col("severity") == "error").height),
        "warnings": int(frame.filter(pl.col("severity") == "warn").height),
        "preview": markdown_table(frame, 20),
    })
