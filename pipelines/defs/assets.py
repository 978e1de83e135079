"""The assets: raw files → parsed reports → warehouse tables → data-quality results.

Thin wiring: every step's work is a plain function of `pipelines` (scan, parse_all, load_run,
refresh_dq_results). A plain run covers the whole folder; parsing is partitioned into 16 batches
by path hash (never one partition per file) so one batch can be re-run alone, and hands its work to
the single writer through the staging folder. A file that cannot be read is quarantined in the
ledger and the run goes on.
"""


import datetime as dt
import functools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import dagster as dg
import polars as pl

from pipelines.defs.cluster import WAREHOUSE_QUEUE_TAG
from pipelines.defs.failures import said_plainly
from pipelines.defs.resources import WarehouseResource
from pipelines.ingest.batches import BATCH_KEYS, batch_of
from pipelines.ingest.parse import FileRef
from pipelines.ingest.run import batches, by_batch, discover, parse_all, require_corrections, require_raw_dir
from pipelines.ingest.scan_record import record_scan, recorded_scan, scan_folder
from pipelines.ingest.staging import (
    Rejected,
    StagedBatch,
    StagingRejected,
    clear,
    pending_batches,
    read_batch,
    reject,
    remove_stale_partials,
    write_batch,
)
from pipelines.warehouse.checks import checks_are_current, refresh_dq_results
from pipelines.warehouse.corrections import apply_corrections
from pipelines.warehouse.load import Staged, load_run, scan_view
from pipelines.warehouse.schema import (
    CODE_TABLES,
    DQ_AGENCY_STATE,
    DQ_RESULTS,
    FORM_CELLS,
    TABLES,
    WAREHOUSE_STATE,
    TableDef,
)

WRITER_POOL = "duckdb_writer"
PREVIEW_ROWS = 10
# The loader's tables: the checks' results, the loader's bookkeeping, the forms' own cells and code tables
# (written when the warehouse is opened) are not loaded from reports.
WAREHOUSE_TABLES = [t for t in TABLES if t not in (DQ_RESULTS, DQ_AGENCY_STATE, WAREHOUSE_STATE, FORM_CELLS, *CODE_TABLES)]
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


@dg.asset(group_name="ingest", kinds={"python"}, owners=OWNERS, op_tags=WAREHOUSE_QUEUE_TAG)
@said_plainly()
def raw_files(context: dg.AssetExecutionContext, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Every file under the raw folder (DISCLOSURE_RAW_DIR) with its content hash, and how many of them
    the warehouse has not seen yet (new or changed). Unchanged path, size and mtime skip re-hashing."""
    settings = warehouse.settings()
    require_raw_dir(settings.raw_dir)
    with warehouse.connection() as con:
        require_corrections(con, settings.corrections_dir)  # a corrections file that cannot apply fails the run here
        found = discover(con, settings.raw_dir, removals=settings.removals())
    record_scan(scan_folder(settings.db_path), context.run.run_id, found.scanned)  # the run's later steps read it
    suffixes = Counter((f.path.rsplit(".", 1)[-1].lower() if "." in f.path else "(none)") for f in found.scanned)
    return dg.MaterializeResult(metadata={
        "raw_dir": str(settings.raw_dir),
        "files_found": len(found.scanned),
        "files_new_or_changed": len(found.todo),
        "new_or_changed_by_batch": dict(sorted(Counter(batch_of(f.path) for f in found.todo).items())),
        "by_extension": dict(suffixes),
    })


BATCHES = dg.StaticPartitionsDefinition(list(BATCH_KEYS))
# A run over every batch says so with a partition range (Dagster's run tags; not exported by name), so
# the UI shows each of parsed_reports' 16 partitions materialized after a plain nightly run.
ALL_BATCHES_TAGS = {"dagster/asset_partition_range_start": BATCH_KEYS[0],
                    "dagster/asset_partition_range_end": BATCH_KEYS[-1]}


# Runs with this tag (the `retry_quarantined` job's) parse every quarantined file again.
RETRY_QUARANTINED_KEY = "disclosure/retry_quarantined"
RETRY_QUARANTINED_TAG = {RETRY_QUARANTINED_KEY: "true"}


class ParseConfig(dg.Config):
    retry_quarantined: bool = False
    """Parse every quarantined file again, not only new or changed ones (as the `retry_quarantined` job does)."""


@dataclass(frozen=True)
class ParseWork:
    """What one parse step does: the files of some batches, staged under the run's prefix. Small
    enough to travel to another machine as a step input."""

    prefix: str
    files: dict[str, list[FileRef]]


@dg.op(ins={"raw_files": dg.In(dg.Nothing)}, out=dg.DynamicOut(ParseWork), tags=WAREHOUSE_QUEUE_TAG)
@said_plainly()
def plan_parse(context: dg.OpExecutionContext, config: ParseConfig,
               warehouse: WarehouseResource) -> Iterator[dg.DynamicOutput[ParseWork]]:
    """Which files of the selected batches are new or changed, split into parse steps: one step for
    every batch in the cluster profile (Celery spreads them over the workers), one step for all of
    them locally (its own process pool spreads the files over the cores)."""
    settings = warehouse.settings()
    keys = list(context.partition_keys) if context.has_partition_key or context.has_partition_key_range else None
    if keys is not None and set(keys) >= set(BATCH_KEYS):
        keys = None  # every batch: the whole folder, removals included
    retry = config.retry_quarantined or context.run.tags.get(RETRY_QUARANTINED_KEY) == "true"
    with warehouse.connection() as con:
        found = discover(con, settings.raw_dir, keys, retry_quarantined=retry, removals=settings.removals(),
                         scanned=recorded_scan(scan_folder(settings.db_path), context.run.run_id))
    remove_stale_partials(settings.staging)
    created = context.instance.get_run_record_by_id(context.run_id).create_timestamp
    prefix = f"{created.astimezone(dt.UTC):%Y%m%dT%H%M%S}-{context.run_id[:8]}"
    groups = by_batch(found.todo)
    context.log.info(f"batches {'all' if keys is None else ', '.join(keys)}: {len(found.scanned)} files, "
                     f"{len(found.todo)} to parse")
    if settings.profile == "cluster" and groups:
        for key, files in groups.items():
            yield dg.DynamicOutput(ParseWork(prefix, {key: files}), mapping_key=f"batch_{key}")
    else:  # one step, even with nothing to parse: the loader still marks the scan as seen
        yield dg.DynamicOutput(ParseWork(prefix, groups), mapping_key="all")


@dataclass
class ParseSummary:
    """What parse steps staged, added up across the steps of a run for the asset's metadata."""

    files_parsed: int = 0
    reports: int = 0
    staged_batches: int = 0
    quarantined: Counter[str] = field(default_factory=Counter)
    formats: Counter[str] = field(default_factory=Counter)

    def add(self, other: "ParseSummary") -> None:
        self.files_parsed += other.files_parsed
        self.reports += other.reports
        self.staged_batches += other.staged_batches
        self.quarantined.update(other.quarantined)
        self.formats.update(other.formats)

    def metadata(self) -> dict:
        return {"files_parsed": self.files_parsed, "reports": self.reports, "staged_batches": self.staged_batches,
                "quarantined": dict(self.quarantined), "formats": dict(self.formats)}


# Retried twice (a worker machine may lose the raw folder's mount or the staging store for a moment);
# the last failure says its cause.
@dg.op
@said_plainly(retries=2, delay_seconds=10)
def parse_batch(context: dg.OpExecutionContext, warehouse: WarehouseResource, work: ParseWork) -> ParseSummary:
    """Parse one step's files in supervised worker processes and stage them for the loader (Parquet
    cells + outcomes, per batch key). Needs the raw folder and the staging location, never the
    warehouse, so it can run on any machine. Staged names depend only on the run and the files, so
    a step retried after its worker died rewrites the same batches."""
    settings = warehouse.settings()
    todo = [ref for files in work.files.values() for ref in files]
    if todo:
        require_raw_dir(settings.raw_dir)  # a worker machine without the raw folder mounted
    outcomes = parse_all(settings.raw_dir, todo, settings.worker_count(),
                         max_bytes=settings.max_file_bytes, limits=settings.limits())
    numbers: Counter[str] = Counter()
    summary = ParseSummary()
    for key, batch in batches(outcomes, settings.batch_size):
        staged = write_batch(settings.staging, f"{work.prefix}-{key}-{numbers[key]:04d}", batch)
        numbers[key] += 1
        summary.add(ParseSummary(staged.files, staged.reports, 1, Counter(o.error_code for o in batch if not o.ok),
                                 Counter(o.source_format for o in batch)))
    context.log.info(f"batches {', '.join(work.files) or '(none)'}: {summary.files_parsed} files staged "
                     f"on {settings.worker_count()} worker processes")
    return summary


# No output value: the asset's record is its metadata. (A stored value would be keyed by partition,
# which a run over several batches, or over all of them after a one-batch run, cannot write.)
@dg.op(out=dg.Out(dg.Nothing))
def staged_summary(context: dg.OpExecutionContext, warehouse: WarehouseResource, summaries: list[ParseSummary]) -> None:
    """The run's parse steps added up, for the asset's metadata."""
    total = ParseSummary()
    for summary in summaries:
        total.add(summary)
    settings = warehouse.settings()
    context.add_output_metadata({**total.metadata(), "parse_steps": len(summaries), "profile": settings.profile,
                                 "staging": settings.staging})


@dg.graph_asset(group_name="ingest", kinds={"python", "parquet"}, owners=OWNERS,
                ins={"raw_files": dg.AssetIn(dagster_type=dg.Nothing)},
                partitions_def=BATCHES, backfill_policy=dg.BackfillPolicy.single_run())
def parsed_reports(raw_files):
    """The new or changed files parsed in parallel and staged (Parquet cells + outcomes) for the
    loader: each file a report (every cell of its form) or a quarantine with a stable error code.
    Partitioned into 16 batches by a hash of the file's path: a plain run covers all of them;
    materialize one partition to re-run that batch alone (then the loader). In the cluster profile
    each batch is its own step, run by whichever Celery worker is free. A bad file never fails the
    run; memory stays flat however many files."""
    return staged_summary(plan_parse(raw_files).map(parse_batch).collect())


@dg.multi_asset(
    specs=[
        dg.AssetSpec(t.name, description=t.comment, group_name="warehouse", kinds={"duckdb"}, owners=OWNERS,
                     deps=["parsed_reports"], metadata={"dagster/column_schema": column_schema(t)})
        for t in WAREHOUSE_TABLES
    ],
    pool=WRITER_POOL,
    op_tags=WAREHOUSE_QUEUE_TAG,
)
@said_plainly()
def warehouse_tables(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Loads every staged batch into DuckDB: ledger, reports, agencies, the three fact tables, unmapped
    cells and narrative sections, one transaction per batch — small batches merged into one
    transaction of up to the batch size (a batch is removed from staging once committed, so a failed
    load leaves it for the next run) — then decides the current report of each agency-year.
    Re-running on unchanged files changes nothing; a run that found nothing new only marks the files
    as seen."""
    settings = warehouse.settings()
    written: Counter[str] = Counter()
    rejected: list[Rejected] = []
    with warehouse.connection() as con:
        corrections = require_corrections(con, settings.corrections_dir)
        scanned = scan_view(discover(con, settings.raw_dir, removals=settings.removals(),
                                     scanned=recorded_scan(scan_folder(settings.db_path), context.run.run_id)).scanned)
        pending = pending_batches(settings.staging, rejected)
        transactions = 0
        for _files, counts in load_run(con, scanned, _read_then_clear(pending, rejected),
                                       max_files=settings.batch_size):
            written.update(counts)
            transactions += 1
        written.update(apply_corrections(con, corrections).rows_written())  # reviewers' corrections, on top
        for table in WAREHOUSE_TABLES:
            metadata = _table_metadata(con, table, written)
            if table.name == "source_files":
                metadata["staging_rejected"] = len(rejected)
            yield dg.MaterializeResult(asset_key=table.name, metadata=metadata)
    for item in rejected:
        context.log.warning(f"staging: not a readable batch, never read: {item.path} ({item.reason}); "
                            f"moved to {item.moved_to or '(could not be moved)'}")
    context.log.info(f"batches loaded: {len(pending) - len(rejected)} in {transactions} transaction(s); "
                     f"rows written: {dict(written)}")


def _read_then_clear(pending: list[StagedBatch], rejected: list[Rejected]) -> Iterator[Staged]:
    """Each staged batch's contents, removed from staging by load_run once the transaction holding it
    has committed, so a batch leaves staging exactly when it is in the warehouse. A batch whose files do
    not match its manifest or their schemas is moved aside unread and reported."""
    for batch in pending:
        try:
            outcomes, facts = read_batch(batch.path)
        except StagingRejected as exc:
            rejected.append(reject(batch.path, str(exc)))
            continue
        yield Staged(outcomes, facts, on_commit=functools.partial(clear, batch.path))


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
    if table.name == "corrections":
        meta["corrections_by_status"] = dict(con.execute(
            "select status, count(*) from corrections group by 1 order by 1").fetchall())
    if table.name == "agencies":
        meta["agencies_by_level"] = dict(con.execute(
            "select coalesce(level, '(unknown)'), count(*) from agencies group by 1 order by 1").fetchall())
    return meta


@dg.asset(group_name="quality", kinds={"duckdb", "sql"}, owners=OWNERS, pool=WRITER_POOL, op_tags=WAREHOUSE_QUEUE_TAG,
          deps=[t.name for t in WAREHOUSE_TABLES],
          metadata={"dagster/column_schema": column_schema(DQ_RESULTS)})
@said_plainly()
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
