"""Writing the DuckDB warehouse: schema, one transaction per batch (a run's small batches merged into
one), Arrow bulk loads, currency.

Only one process writes (DuckDB allows one writer); parsing happens elsewhere, in parallel. A
batch is all-or-nothing: the ledger rows, the reports, their facts and the currency decisions of
one batch commit together, so readers never see half a report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa

from pipelines.extract.agencies import AgencyClaim, assign_ids
from pipelines.extract.agency_levels import agency_level
from pipelines.extract.regions import Region
from pipelines.forms import vocabulary
from pipelines.forms.catalog import FORMS
from pipelines.forms.plan import form_cell_rows
from pipelines.forms.spec import Form
from pipelines.ingest.parse import PARSER_VERSION, FileRef, ParseOutcome
from pipelines.ingest.scan import Known
from pipelines.ingest.settings import DEFAULT_BATCH_SIZE
from pipelines.warehouse.schema import (
    DIM_APPEAL,
    DIM_APPLICANT,
    DIM_OUTCOME,
    DIM_PROACTIVE_ITEM,
    FACT_APPEALS,
    FACT_APPLICATIONS,
    FACT_PROACTIVE,
    FACT_UNMAPPED,
    REPORT_CLAIMS,
    REPORT_SECTIONS,
    REPORTS,
    SOURCE_FILES,
    TABLES,
    TableDef,
    polars_schema,
)

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"


def sql_text(relative: str) -> str:
    return (SQL_DIR / relative).read_text(encoding="utf-8")


def connect(db_path: Path, memory_limit: str | None = None, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse (creating its folder and tables when writing)."""
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db_path), read_only=read_only)
    if memory_limit:
        # Past the limit, sorts, joins and aggregates spill to the temp directory beside the file
        # (DuckDB's default place, named here so that it is the same for every connection).
        con.execute(f"set memory_limit = '{memory_limit}'")
        con.execute(f"set temp_directory = '{db_path.with_name(db_path.name + '.tmp').as_posix()}'")
    if not read_only:
        schema = _schema_signature()
        if _recorded_schema(con) != _with_views(con, schema):
            _add_new_columns(con)
            con.execute(sql_text("ddl/create_tables.sql"))
            _create_views(con)
            con.execute("insert or replace into warehouse_state (key, value, signature) values ('schema_at', $now, $sig)",
                        {"now": load_time(), "sig": _with_views(con, schema)})
        _sync_form_cells(con)
        sync_code_tables(con)
    return con


def _schema_signature() -> str:
    """A hash of the DDL and the views' SQL: when the file was last set up with these, opening it need not
    run them again (the DDL's comments and the views cost 0.5–1 s a connection, once per Dagster step)."""
    h = hashlib.sha256(sql_text("ddl/create_tables.sql").encode())
    for view in sorted((SQL_DIR / "views").glob("*.sql")):
        h.update(view.name.encode() + b"\0" + view.read_bytes())
    return h.hexdigest()


def _with_views(con: duckdb.DuckDBPyConnection, schema: str) -> str:
    """The signature with the number of views the file holds (a view dropped by hand is created again)."""
    views = con.execute("select count(*) from duckdb_views() where not internal and not temporary").fetchall()[0][0]
    return f"{schema}/{views}"


def _recorded_schema(con: duckdb.DuckDBPyConnection) -> str | None:
    try:
        row = con.execute("select signature from warehouse_state where key = 'schema_at'").fetchall()
    except (duckdb.CatalogException, duckdb.BinderException):
        return None  # a new file, or one from before the signature column
    return row[0][0] if row else None


def _sync_form_cells(con: duckdb.DuckDBPyConnection, forms: tuple[Form, ...] = FORMS) -> None:
    """Write the forms' cells into form_cells when they differ from what the file holds (a new form
    year is data in forms/catalog.py; the checks read its size from here, never from a literal)."""
    rows = sorted(form_cell_rows(forms))
    have = con.execute("select template_version, table_name, fact_table, cell, unit from form_cells").fetchall()
    if sorted(have) == rows:
        return
    con.execute("begin transaction")
    try:
        con.execute("delete from form_cells")
        con.executemany("insert into form_cells values (?, ?, ?, ?, ?)", rows)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def sync_code_tables(con: duckdb.DuckDBPyConnection, forms: tuple[Form, ...] = FORMS) -> None:
    """Write the code tables (dim_outcome, dim_applicant, dim_proactive_item, dim_appeal) from the forms when
    they differ from what the file holds: labels are data in pipelines/forms, never typed into SQL."""
    wanted = {DIM_OUTCOME: vocabulary.outcome_rows(forms), DIM_APPLICANT: vocabulary.applicant_rows(forms),
              DIM_PROACTIVE_ITEM: vocabulary.proactive_rows(forms), DIM_APPEAL: vocabulary.appeal_rows(forms)}
    stale = {t: rows for t, rows in wanted.items()
             if sorted(map(repr, con.execute(f"select * from {t.name}").fetchall()))
             != sorted(map(repr, map(tuple, rows)))}
    if not stale:
        return
    con.execute("begin transaction")
    try:
        for table, rows in stale.items():
            con.execute(f"delete from {table.name}")
            marks = ", ".join("?" * len(table.columns))
            con.executemany(f"insert into {table.name} values ({marks})", rows)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise


def _create_views(con: duckdb.DuckDBPyConnection) -> None:
    """Create sql/views/*.sql, a view after the views it reads (tried in name order; one that names a
    view not created yet, or a column an older version of that view lacks, waits for the next round)."""
    pending = sorted((SQL_DIR / "views").glob("*.sql"))
    while pending:
        waiting = []
        for view in pending:
            try:
                con.execute(view.read_text(encoding="utf-8"))
            except (duckdb.CatalogException, duckdb.BinderException):
                waiting.append(view)
        if len(waiting) == len(pending):
            con.execute(waiting[0].read_text(encoding="utf-8"))  # raises the real error
        pending = waiting


class WarehouseBusy(RuntimeError):
    """Another process held the warehouse for longer than this one would wait."""

    exit_code = 75  # EX_TEMPFAIL: what a command line exits with, so that cron and CI try again later


def connect_waiting(db_path: Path, memory_limit: str | None = None, read_only: bool = False,
                    wait_seconds: float = 1800.0, on_wait: Callable[[str], None] | None = None,
                    retry_seconds: float = 1.0) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, waiting (bounded) while another process holds DuckDB's single-writer lock
    on the file: a second run waits for the first instead of failing or writing beside it."""
    deadline = time.monotonic() + wait_seconds
    told = False
    while True:
        try:
            return connect(db_path, memory_limit, read_only=read_only)
        except duckdb.IOException as exc:
            if "lock" not in str(exc).lower():
                raise
            if time.monotonic() > deadline:
                raise WarehouseBusy(
                    f"The warehouse {db_path} is held by another process (another run, or an open read-write "
                    f"session) and was not released within {wait_seconds:.0f}s; try again when it has finished, "
                    f"or raise DISCLOSURE_LOCK_WAIT_S. DuckDB said: {exc}") from exc
            if not told and on_wait is not None:
                on_wait(f"The warehouse {db_path} is in use by another process; waiting up to {wait_seconds:.0f}s.")
                told = True
            time.sleep(retry_seconds)


def publish(con: duckdb.DuckDBPyConnection, db_path: Path, published: Path) -> Path:
    """Copy the warehouse to `published` and swap it in atomically, for analysts to read while the
    next load runs (DuckDB lets no other process open a file that one process is writing).

    The caller holds the write connection, so nothing changes during the copy; the checkpoint first
    puts every committed change into the file itself.
    """
    con.execute("checkpoint")
    published.parent.mkdir(parents=True, exist_ok=True)
    partial = published.with_name(f".{published.name}.partial")
    shutil.copyfile(db_path, partial)
    os.replace(partial, published)
    return published


def _add_new_columns(con: duckdb.DuckDBPyConnection) -> None:
    """Columns added to the schema since the file was created are added to its tables, and decimals the
    schema has widened are widened (amounts are kept to 6 decimals since the contract says so): never
    dropped or renamed; the DDL that runs next documents them."""
    have = dict(((t, c), ty) for t, c, ty in con.execute(
        "select table_name, column_name, data_type from duckdb_columns() where not internal").fetchall())
    tables = {t for t, _ in have}
    for table in TABLES:
        for column in table.columns:
            if table.name not in tables:
                continue
            if (table.name, column.name) not in have:
                con.execute(f"alter table {table.name} add column {column.name} {column.type}")
            elif column.type.startswith("DECIMAL") and have[(table.name, column.name)] != column.type:
                con.execute(f"alter table {table.name} alter column {column.name} type {column.type}")


def known_files(con: duckdb.DuckDBPyConnection) -> dict[str, Known]:
    """The ledger's last view of each path (the version seen last), for the scan's shortcut."""
    rows = con.execute(
        "select path, arg_max(sha256, last_seen_at), arg_max(size_bytes, last_seen_at), "
        "arg_max(mtime_ns, last_seen_at) from source_files group by path"
    ).fetchall()
    return {path: Known(sha, size, mtime) for path, sha, size, mtime in rows}


def needs_parse(con: duckdb.DuckDBPyConnection, refs: Sequence[FileRef],
                retry_quarantined: bool = False) -> list[FileRef]:
    """The files to parse: content (or sidecar) the ledger has not recorded yet, and quarantined files
    last read by an older parser (or every quarantined file, when the operator asks)."""
    if not refs:
        return []
    seen = {(p, s): (side, retry) for p, s, side, retry in con.execute(
        "select path, sha256, sidecar_sha256, "
        "error_code is not null and ($all or parser_version is distinct from $v) from source_files",
        {"v": PARSER_VERSION, "all": retry_quarantined}).fetchall()}
    out = []
    for r in refs:
        known = seen.get((r.path, r.sha256))
        if known is None or known[0] != r.sidecar_sha256 or known[1]:
            out.append(r)
    return out


def _frame(table: TableDef, rows: list[tuple], columns: Sequence[str]) -> pl.DataFrame:
    schema = polars_schema(table)
    return pl.DataFrame(rows, schema={c: schema[c] for c in columns}, orient="row")


def _insert(con: duckdb.DuckDBPyConnection, table: TableDef, frame: pl.DataFrame) -> int:
    if frame.is_empty():
        return 0
    arrow = frame.select(table.column_names if set(table.column_names) <= set(frame.columns) else frame.columns)
    con.register("incoming", arrow.to_arrow())
    try:
        con.execute(f"insert into {table.name} by name select * from incoming")
    finally:
        con.unregister("incoming")
    return frame.height


def _ledger_frame(outcomes: Sequence[ParseOutcome], now: dt.datetime) -> pl.DataFrame:
    rows = [
        (o.ref.path, o.ref.sha256, o.ref.size_bytes, o.source_format,
         "quarantined" if o.error_code else "loaded", o.report_id, o.error_code, o.error_message,
         now, now, o.ref.mtime_ns, o.ref.sidecar_sha256, PARSER_VERSION)
        for o in outcomes
    ]
    return _frame(SOURCE_FILES, rows, SOURCE_FILES.column_names)


def _existing_cores(con: duckdb.DuckDBPyConnection, cores: Iterable[str]) -> dict[str, set[str]]:
    cores = sorted({c for c in cores if c})
    if not cores:
        return {}
    out: dict[str, set[str]] = defaultdict(set)
    for core, agency_id in con.execute(
        "select distinct agency_core_name, agency_id from reports where agency_core_name in "
        "(select unnest($cores))", {"cores": cores}
    ).fetchall():
        out[core].add(agency_id)
    return out


def _report_rows(new: Sequence[ParseOutcome], agency_of: dict[str, str], now: dt.datetime) -> pl.DataFrame:
    rows = []
    for o in new:
        m = o.meta
        assert m is not None and o.report_id is not None
        rows.append((
            o.report_id, agency_of[o.report_id], m.agency_name, m.year, o.template_version, o.ref.path,
            o.ref.sha256, o.source_format, m.title, m.published_on, m.region.province, m.region.city,
            m.region.county, False, now, m.agency_name, m.agency_core, m.year_source, m.published_text,
            o.template_basis, m.url, now, list(m.flags), m.region.code,
            agency_level(m.agency_name, m.region.county),
            *(o.table_forms.get(t, o.template_version) for t in ("proactive", "applications", "appeals")),
            False, [],
        ))
    return _frame(REPORTS, rows, REPORTS.column_names)


def _fact_frame(table: TableDef, outcomes: Sequence[ParseOutcome], agency_of: dict[str, str],
                staged: pl.DataFrame | None = None) -> pl.DataFrame:
    """The new reports' cells of one fact table, with their agency ids.

    A chunk's cells ride on its first outcome, whatever became of that file, so they are gathered
    from every outcome of the batch and then kept for the new reports only. Two copies of one report
    (same content and sidecar, so the same report_id) in a batch carry identical rows: kept once.
    """
    if staged is None:
        frames = [o.facts[table.name] for o in outcomes if table.name in o.facts]
        staged = pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=polars_schema(table))
    ids = pl.DataFrame({"report_id": list(agency_of), "agency_id": list(agency_of.values())},
                       schema={"report_id": pl.String, "agency_id": pl.String})
    facts = staged.drop("agency_id").join(ids, on="report_id", how="inner").unique(maintain_order=True)
    return facts.select(table.column_names)


def _unmapped_frame(new: Sequence[ParseOutcome]) -> pl.DataFrame:
    rows = [(o.report_id, *u) for o in new for u in o.unmapped]
    return _frame(FACT_UNMAPPED, rows, FACT_UNMAPPED.column_names)


def _claims_frame(new: Sequence[ParseOutcome]) -> pl.DataFrame:
    rows = [(o.report_id, c.claim, c.value, c.sentence) for o in new for c in o.claims]
    return _frame(REPORT_CLAIMS, rows, REPORT_CLAIMS.column_names)


def _sections_frame(new: Sequence[ParseOutcome]) -> pl.DataFrame:
    rows = [(o.report_id, s.section_no, s.heading, s.body) for o in new for s in o.sections]
    return _frame(REPORT_SECTIONS, rows, REPORT_SECTIONS.column_names)


def _log_load(con: duckdb.DuckDBPyConnection, now: dt.datetime, seen: int, outcomes: Sequence[ParseOutcome]) -> None:
    """One load_log row: what the scan saw, what the batch held, and how many seen files still wait for
    a parse (arrived after the parse step, or in batches a partition run did not cover)."""
    waiting = con.execute("select count(*) from seen_files as f anti join source_files as s "
                          "on s.path = f.path and s.sha256 = f.sha256").fetchall()[0][0]
    con.execute("insert into load_log values ($now, $seen, $files, $reports, $waiting)",
                {"now": now, "seen": seen, "files": len(outcomes), "reports": sum(1 for o in outcomes if o.ok),
                 "waiting": waiting})


@dataclass(frozen=True)
class ScanView:
    """A run's scan in the shapes every batch's load needs, built once per run (at 100,000 files the
    frame alone took ~0.2 s, once per batch)."""

    count: int
    table: pa.Table  # path, sha256, size_bytes, mtime_ns
    present: frozenset[tuple[str, str]]


def scan_view(scanned: Sequence[FileRef]) -> ScanView:
    table = pl.DataFrame(
        {"path": [r.path for r in scanned], "sha256": [r.sha256 for r in scanned],
         "size_bytes": [r.size_bytes for r in scanned], "mtime_ns": [r.mtime_ns for r in scanned]},
        schema={"path": pl.String, "sha256": pl.String, "size_bytes": pl.Int64, "mtime_ns": pl.Int64},
    ).to_arrow()
    return ScanView(len(scanned), table, frozenset((r.path, r.sha256) for r in scanned))


def load_time() -> dt.datetime:
    """The time a run's loader stamps on every batch it loads (UTC, naive like the warehouse's
    TIMESTAMPs). One per run, not per batch: files first seen in the same run tie, and their order is
    decided by path, not by which batch happened to load first."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def load_batch(con: duckdb.DuckDBPyConnection, scanned: Sequence[FileRef] | ScanView,
               outcomes: Sequence[ParseOutcome], now: dt.datetime | None = None,
               staged_facts: dict[str, pl.DataFrame] | None = None, mark_seen: bool = True) -> dict[str, int]:
    """Record a run's scan and parse outcomes in one transaction; return row counts written.

    `scanned` is the run's scan (a ScanView when the run loads several batches). `staged_facts` are
    the outcomes' cells when they come from a staged batch (one frame per fact table) rather than
    inside the outcomes. A run that found nothing new only marks files as seen. `mark_seen=False`:
    an earlier load of the same run (same connection, same `now`) has already written the scan
    (temp table seen_files) and marked its files as seen; the run-wide work is not done again.
    """
    view = scanned if isinstance(scanned, ScanView) else scan_view(scanned)
    now = now or load_time()
    counts: dict[str, int] = {}
    # An outcome of content the scan no longer sees (the file changed or vanished after it was parsed,
    # e.g. a staged batch loaded late) describes nothing in the folder: the new content is parsed next.
    stale = [o for o in outcomes if (o.ref.path, o.ref.sha256) not in view.present]
    if stale:
        outcomes = [o for o in outcomes if (o.ref.path, o.ref.sha256) in view.present]
        counts["stale_outcomes_skipped"] = len(stale)
    con.execute("begin transaction")
    try:
        if mark_seen:
            con.register("seen_files_view", view.table)
            con.execute("create or replace temp table seen_files as select * from seen_files_view")
            con.unregister("seen_files_view")
            con.execute(sql_text("load/update_ledger_seen.sql"), {"now": now})
        batch_paths = pl.DataFrame({"path": [o.ref.path for o in outcomes]}, schema={"path": pl.String})
        con.register("batch_paths_view", batch_paths.to_arrow())
        con.execute("create or replace temp table batch_paths as select * from batch_paths_view")
        con.unregister("batch_paths_view")
        con.execute(sql_text("load/touched_paths.sql"))
        if con.execute("select count(*) from touched_paths").fetchall()[0][0] == 0:
            _log_load(con, now, view.count, outcomes)
            con.execute("commit")  # nothing new, nothing vanished or back: currency and agencies stand
            return {**counts, "unchanged": 1}

        # One ledger row per content: a load may hold the same file twice (two runs staged it, and one
        # loader merged both runs' batches into this transaction).
        ledger = _ledger_frame(outcomes, now).unique(subset=["path", "sha256"], keep="first", maintain_order=True)
        if not ledger.is_empty():
            con.register("outcomes", ledger.to_arrow())
            con.execute("""
                update source_files as s
                set report_id = o.report_id, error_code = o.error_code, error_message = o.error_message,
                    source_format = o.source_format, sidecar_sha256 = o.sidecar_sha256, status = o.status,
                    parser_version = o.parser_version
                from outcomes as o
                where s.path = o.path and s.sha256 = o.sha256
            """)
            con.execute("""
                insert into source_files by name
                select o.* from outcomes as o
                anti join source_files as s on s.path = o.path and s.sha256 = o.sha256
            """)
            con.unregister("outcomes")

        # Which of this load's reports the warehouse already holds (never the whole table into Python).
        ids = sorted({o.report_id for o in outcomes if o.ok and o.report_id is not None})
        loaded_ids = {r for (r,) in con.execute(
            "select report_id from reports where report_id in (select unnest($ids))", {"ids": ids}).fetchall()
        } if ids else set()
        new: list[ParseOutcome] = []
        for o in outcomes:
            if o.ok and o.report_id not in loaded_ids:
                loaded_ids.add(o.report_id)
                new.append(o)
        claims = [AgencyClaim(o.report_id, o.ref.path, o.meta.agency_core if o.meta else None,
                              o.meta.region if o.meta else Region()) for o in new]
        agency_of = assign_ids(claims, _existing_cores(con, [c.core_name for c in claims]))
        counts["reports"] = _insert(con, REPORTS, _report_rows(new, agency_of, now))
        for table in (FACT_PROACTIVE, FACT_APPLICATIONS, FACT_APPEALS):
            staged = staged_facts.get(table.name) if staged_facts else None
            counts[table.name] = _insert(con, table, _fact_frame(table, outcomes, agency_of, staged))
        counts["fact_unmapped"] = _insert(con, FACT_UNMAPPED, _unmapped_frame(new))
        counts["report_sections"] = _insert(con, REPORT_SECTIONS, _sections_frame(new))
        counts["report_claims"] = _insert(con, REPORT_CLAIMS, _claims_frame(new))

        con.execute(sql_text("load/scope_changes.sql"))
        con.execute(sql_text("load/update_current.sql"))
        con.execute(sql_text("load/refresh_agencies.sql"))
        con.execute(sql_text("load/update_review.sql"))
        con.execute("insert or replace into warehouse_state (key, value) values ('last_change_at', $now)", {"now": now})
        _log_load(con, now, view.count, outcomes)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return counts


@dataclass
class Staged:
    """One staged batch for load_run: its outcomes, their cells as staged frames (None: inside the
    outcomes), and what to do once they are committed (remove the batch from staging)."""

    outcomes: Sequence[ParseOutcome]
    facts: dict[str, pl.DataFrame] | None = None
    on_commit: Callable[[], None] | None = None


def _merged(group: list[Staged]) -> tuple[list[ParseOutcome], dict[str, pl.DataFrame] | None]:
    """One load of a group's batches: their outcomes, and their staged frames concatenated (the group
    holds batches of one kind: staged frames, or cells inside the outcomes)."""
    outcomes = [o for item in group for o in item.outcomes]
    if len(group) == 1 or group[0].facts is None:
        return outcomes, group[0].facts
    facts = {name: pl.concat([item.facts[name] for item in group if name in item.facts], how="vertical")
             for name in group[0].facts}
    return outcomes, facts


def load_run(con: duckdb.DuckDBPyConnection, scanned: ScanView,
             staged: Iterable[Staged | tuple[Sequence[ParseOutcome], dict[str, pl.DataFrame] | None]],
             max_files: int = DEFAULT_BATCH_SIZE) -> Iterator[tuple[int, dict[str, int]]]:
    """Load a run's batches (outcomes, with their cells as staged frames when they were staged) with
    the run's one load time; yield (files, rows written) per transaction.

    Consecutive batches are merged into one transaction while together they hold at most `max_files`
    files (a nightly run's 16 small batches, one per batch key, become one load: the per-transaction
    cost — currency, agencies, review flags — is paid once), and the run-wide work (the scan as the
    temp table seen_files, every seen file's `last_seen_at`) is done by the first transaction only.
    Each merged group is all-or-nothing; a batch's `on_commit` (removing it from staging) is called
    only once its group has committed, so a crash leaves every uncommitted batch staged for the next
    run. A run with no batch still marks the scan as seen."""
    now = load_time()
    first = True
    group: list[Staged] = []

    def flush() -> tuple[int, dict[str, int]]:
        nonlocal first
        outcomes, facts = _merged(group)
        counts = load_batch(con, scanned, outcomes, now, staged_facts=facts, mark_seen=first)
        first = False
        for item in group:
            if item.on_commit is not None:
                item.on_commit()
        group.clear()
        return len(outcomes), counts

    for item in staged:
        item = item if isinstance(item, Staged) else Staged(*item)
        if group and (sum(len(g.outcomes) for g in group) + len(item.outcomes) > max_files
                      or (group[0].facts is None) != (item.facts is None)):
            yield flush()
        group.append(item)
    if group:
        yield flush()
    if first:
        yield 0, load_batch(con, scanned, [], now)
