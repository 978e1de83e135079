"""Data-quality checks: one SQL file per rule in sql/checks/, returning the violating rows.

The header of each file says what fails (`-- Fails if …`), its severity (`-- severity: error|warn`,
with why) and the table it guards (`-- asset: …`); the same SQL fills dq_results and backs the
Dagster asset check of that name.

A refresh re-checks only the agencies whose data changed (issue #18: a night that changed 1% of the
files must not re-check the whole warehouse). Each agency's checks read its reports and their rows in
the per-report tables (those some check reads: `tables_read`); `dq_agency_state` keeps a fingerprint of
those rows per agency as last checked.
The agencies whose fingerprint differs are checked by running the same SQL files inside an attached
in-memory catalog whose tables and views of the same names hold only those agencies' rows (copied there
once when they are few, `MAX_COPIED_SHARE`; views that filter the warehouse's tables otherwise), and
their rows of dq_results are replaced. A check whose rows do not belong to one agency (the ledger, the corrections
folder) says `-- scope: warehouse` and is always run whole. Everything is re-checked when the checks'
SQL, the schema or the code tables changed (a signature in warehouse_state), or when most agencies
changed anyway.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.warehouse.freshness import signature
from pipelines.warehouse.load import SQL_DIR, sql_text
from pipelines.warehouse.schema import DQ_AGENCY_STATE, DQ_RESULTS, polars_schema

CHECKS_DIR = SQL_DIR / "checks"
_HEADER = re.compile(r"^--\s*(severity|asset|scope):\s*(\S+)", re.MULTILINE)
RESULT_COLUMNS = ("agency_id", "year", "report_id", "detail")
SCOPES = ("agency", "warehouse")
# What one agency's checks read: its rows of `reports`, and the rows of these tables that belong to its
# reports (by report_id). Every other table is read whole (the forms, the codes: the signature covers them).
AGENCY_TABLE = "reports"
REPORT_TABLES = ("fact_proactive", "fact_applications", "fact_appeals", "fact_unmapped", "report_sections",
                 "report_claims")
# Written by the checks themselves (after them): not part of what they read.
CHECK_WRITTEN = ("needs_review", "review_reasons")
SCOPE_CATALOG = "dq_scope"
# Past this share of agencies changed, one pass over the whole warehouse is as cheap as a scoped one.
MAX_SCOPED_SHARE = 0.5
# Up to this share, the changed agencies' rows are copied into the scope once (a check then reads a few
# thousand rows instead of filtering the whole fact tables again: 17 scans become one); past it they stay
# views, so that the in-memory copy never holds a large part of the warehouse.
MAX_COPIED_SHARE = 0.1


@dataclass(frozen=True)
class CheckDef:
    name: str
    severity: str
    asset: str
    description: str
    sql: str
    scope: str = "agency"


def load_checks(directory: Path = CHECKS_DIR) -> list[CheckDef]:
    """Every check in the folder, by name; raises ValueError naming a file whose header is incomplete."""
    out = []
    for path in sorted(directory.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        header = dict(_HEADER.findall(sql))
        if header.get("severity") not in ("error", "warn") or "asset" not in header:
            raise ValueError(f"{path.name}: header needs '-- severity: error|warn' and '-- asset: <table>'")
        if header.get("scope", "agency") not in SCOPES:
            raise ValueError(f"{path.name}: '-- scope:' is one of {', '.join(SCOPES)}")
        comment = []
        for line in sql.splitlines():
            if not line.startswith("--"):
                break
            comment.append(line[2:].strip())
        out.append(CheckDef(path.stem, header["severity"], header["asset"], "\n".join(comment), sql,
                            header.get("scope", "agency")))
    return out


def run_check(con: duckdb.DuckDBPyConnection, check: CheckDef) -> pl.DataFrame:
    """The violating rows of one check (agency_id, year, report_id, detail)."""
    frame = pl.from_arrow(con.sql(check.sql).to_arrow_table())
    missing = [c for c in RESULT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"check {check.name} must return {RESULT_COLUMNS}, lacks {missing}")
    return frame.select(RESULT_COLUMNS)


def checks_are_current(con: duckdb.DuckDBPyConnection) -> bool:
    """True when dq_results were computed after the warehouse last changed (nothing to re-check)."""
    state = dict(con.execute("select key, value from warehouse_state").fetchall())
    return "checks_at" in state and state["checks_at"] >= state.get("last_change_at", state["checks_at"])


def _read_columns(con: duckdb.DuckDBPyConnection, table: str, leave_out: tuple[str, ...] = ()) -> str:
    """The columns of a table the checks may read, for a fingerprint: all but `leave_out` and the times
    (when a row was loaded or seen is not what a check reads, and two warehouses that loaded the same
    files at other times must fingerprint alike)."""
    columns = [c for (c,) in con.execute(
        "select column_name from duckdb_columns() where database_name = current_database() and schema_name = "
        "'main' and table_name = $t and not starts_with(data_type, 'TIMESTAMP') order by column_index",
        {"t": table}).fetchall() if c not in leave_out]
    return ", ".join(f'"{c}"' for c in columns)


def tables_read(con: duckdb.DuckDBPyConnection, checks: list[CheckDef]) -> tuple[str, ...]:
    """The per-report tables some check reads, itself or through a view: the fingerprints hash only their
    rows (report_sections, the reports' prose, is read by none: a third of the bytes at 100,000 reports).
    A check that starts reading another changes the checks' signature, and everything is checked again."""
    texts = [c.sql for c in checks] + [sql for (sql,) in con.execute(
        "select sql from duckdb_views() where not internal and database_name = current_database()").fetchall()]
    return tuple(t for t in REPORT_TABLES if any(re.search(rf"\b{t}\b", text) for text in texts))


def agency_fingerprints(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...] = REPORT_TABLES) -> dict[str, str]:
    """Each agency's fingerprint: the count and hash sum of every row its checks read (module docstring):
    its `reports` rows and its reports' rows of `tables`."""
    have = {t for (t,) in con.execute("select table_name from duckdb_tables() where schema_name = 'main' and "
                                      "database_name = current_database()").fetchall()}
    parts = [f"select report_id, hash(t) as h from (select {_read_columns(con, table)} from {table}) as t"
             for table in tables if table in have]
    per_report = " union all ".join(parts) if parts else "select null::varchar as report_id, 0::ubigint as h where false"
    rows = con.execute(f"""
        with own as (
            select agency_id, report_id, hash(t) as h
            from (select {_read_columns(con, AGENCY_TABLE, CHECK_WRITTEN)} from {AGENCY_TABLE}) as t
        ),
        per_report as (
            select report_id, count(*) as n, sum(h) as h from ({per_report}) group by report_id
        ),
        every_row as (
            select agency_id, 1 as n, h::hugeint as h from own
            union all
            select o.agency_id, p.n, p.h from per_report as p join own as o using (report_id)
        )
        select agency_id, sum(n)::varchar || ':' || sum(h)::varchar from every_row group by agency_id
    """).fetchall()  # summed per report first: the join then pairs reports, not every row of the facts
    return dict(rows)


def checks_signature(con: duckdb.DuckDBPyConnection, checks: list[CheckDef]) -> str:
    """What the checks' results depend on besides the data: their SQL, the schema and views, the forms
    and code tables."""
    return signature(con) + ":" + hashlib.sha256("\0".join(c.name + c.sql for c in checks).encode()).hexdigest()


class ScopeUnavailable(Exception):
    """The warehouse's views cannot be restated over the scoped tables: the checks run whole instead."""


@contextmanager
def scoped_to(con: duckdb.DuckDBPyConnection, agencies: list[str], copied: bool = False,
              read: tuple[str, ...] = REPORT_TABLES) -> Iterator[None]:
    """Within, the tables and views the checks name hold only these agencies' rows: an in-memory catalog
    of tables and views of the same names is the one unqualified names resolve in (DuckDB lets no temporary view
    shadow a table of the same name). `copied`: the agencies' rows of `reports` and the per-report tables
    are copied into that catalog as tables, read once, instead of views that filter them at every check
    (those of `read`, the tables the checks read; the others stay views)."""
    home = con.execute("select current_database()").fetchall()[0][0]
    quoted = '"' + home.replace('"', '""') + '"'
    con.execute(f"attach ':memory:' as {SCOPE_CATALOG}")
    try:
        scope = f"{SCOPE_CATALOG}.main"
        con.execute(f"create table {scope}.scope_agencies as select unnest($a::varchar[]) as agency_id",
                    {"a": agencies})
        tables = [t for (t,) in con.execute(
            "select table_name from duckdb_tables() where database_name = $db and schema_name = 'main' "
            "order by 1", {"db": home}).fetchall()]
        for table in sorted(tables, key=lambda t: t != AGENCY_TABLE):  # the others' rows follow its reports
            where = ""
            if table == AGENCY_TABLE:
                where = f" where agency_id in (select agency_id from {scope}.scope_agencies)"
            elif table in REPORT_TABLES:
                where = f" where report_id in (select report_id from {scope}.{AGENCY_TABLE})"
            if copied and table == AGENCY_TABLE:
                con.execute(f"create table {scope}.{table} as select * from {quoted}.main.{table}{where}")
                ids = [r for (r,) in con.execute(f"select report_id from {scope}.{table}").fetchall()]
            elif copied and where and table in read:
                # a constant list of the reports reaches the table's scan as a filter (the subquery is
                # joined after the scan: 0.6 s against 0.4 s for fact_applications at 100,000 reports)
                con.execute(f"create table {scope}.{table} as select * from {quoted}.main.{table} "
                            "where list_contains($ids, report_id)", {"ids": ids})
            else:
                con.execute(f"create view {scope}.{table} as select * from {quoted}.main.{table}{where}")
        views = con.execute("select view_name, sql from duckdb_views() where database_name = $db and "
                            "schema_name = 'main' and not internal order by 1", {"db": home}).fetchall()
        con.execute(f"use {SCOPE_CATALOG}")
        pending = list(views)
        while pending:  # a view reading another is created after it
            failed = []
            for name, sql in pending:
                head = re.match(r"(?is)\s*create\s+(or\s+replace\s+)?view\s+\S+\s+as\b", sql)
                if head is None:
                    raise ScopeUnavailable(f"view {name}: cannot restate its SQL in the check scope")
                try:
                    con.execute(f"create view {scope}.{name} as{sql[head.end():]}")
                except duckdb.Error:  # most often a view it reads, not created yet
                    failed.append((name, sql))
            if len(failed) == len(pending):
                raise ScopeUnavailable(f"views {[n for n, _ in failed]} cannot be restated in the check scope")
            pending = failed
        yield
    finally:
        con.execute(f"use {quoted}")
        con.execute(f"detach {SCOPE_CATALOG}")


def _results(checks: list[CheckDef], frames: list[pl.DataFrame], now: dt.datetime) -> pl.DataFrame:
    schema = polars_schema(DQ_RESULTS)
    tagged = [rows.with_columns(
        pl.lit(check.name).alias("check_name"), pl.lit(check.severity).alias("severity"),
        pl.lit(now).cast(pl.Datetime("us")).alias("checked_at"),
        pl.col("year").cast(pl.Int32),
    ) for check, rows in zip(checks, frames, strict=True)]
    result = pl.concat(tagged, how="diagonal") if tagged else pl.DataFrame(schema=schema)
    return result.select([pl.col(c).cast(schema[c]) for c in DQ_RESULTS.column_names])


def refresh_dq_results(con: duckdb.DuckDBPyConnection, checks: list[CheckDef] | None = None,
                       now: dt.datetime | None = None, whole: bool = False) -> dict[str, int]:
    """Run the checks and bring dq_results up to date, in one transaction: every check of the agencies
    whose data changed since they were last checked (all of them when `whole`, or when the checks
    changed), and the warehouse-wide checks. Returns each check's rows in dq_results afterwards."""
    checks = checks if checks is not None else load_checks()
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    sig = checks_signature(con, checks)
    read = tables_read(con, checks)
    prints = agency_fingerprints(con, read)
    state = dict(con.execute("select key, signature from warehouse_state").fetchall())
    before = dict(con.execute(f"select agency_id, fingerprint from {DQ_AGENCY_STATE.name}").fetchall())
    changed = sorted(a for a in prints.keys() | before.keys() if prints.get(a) != before.get(a))
    scoped = (not whole and state.get("checks_at") == sig and bool(before)
              and len(changed) <= MAX_SCOPED_SHARE * len(prints))
    by_agency = [c for c in checks if c.scope == "agency"] if scoped else []
    rest = [c for c in checks if c not in by_agency]
    frames = [run_check(con, c) for c in rest]
    if by_agency and changed:
        try:
            with scoped_to(con, changed, copied=len(changed) <= MAX_COPIED_SHARE * len(prints), read=read):
                frames.extend(run_check(con, c) for c in by_agency)
        except ScopeUnavailable:  # a view the scope cannot restate: check everything
            scoped, rest, by_agency = False, checks, []
            frames = [run_check(con, c) for c in checks]
    else:
        by_agency = []
    result = _results(rest + by_agency, frames, now)
    con.execute("begin transaction")
    try:
        con.execute("insert or replace into warehouse_state (key, value, signature) values ('checks_at', $now, $sig)",
                    {"now": now, "sig": sig})
        if scoped:
            con.execute("create or replace temp table dq_scope_agencies as select unnest($a::varchar[]) as agency_id",
                        {"a": changed})
            con.execute("delete from dq_results where check_name in (select unnest($rest::varchar[])) or "
                        "(check_name in (select unnest($mine::varchar[])) and (agency_id in (select agency_id from "
                        "dq_scope_agencies) or report_id in (select report_id from reports where agency_id in "
                        "(select agency_id from dq_scope_agencies))))",
                        {"rest": [c.name for c in rest], "mine": [c.name for c in checks if c.scope == "agency"]})
            con.execute(f"delete from {DQ_AGENCY_STATE.name} where agency_id in (select agency_id from "
                        "dq_scope_agencies)")
            con.execute("drop table dq_scope_agencies")
        else:
            con.execute("delete from dq_results")
            con.execute(f"delete from {DQ_AGENCY_STATE.name}")
        con.register("incoming_dq", result.to_arrow())
        con.execute("insert into dq_results by name select * from incoming_dq")
        con.unregister("incoming_dq")
        fresh = pl.DataFrame({"agency_id": list(prints), "fingerprint": list(prints.values())},
                             schema={"agency_id": pl.String, "fingerprint": pl.String})
        if scoped:
            fresh = fresh.filter(pl.col("agency_id").is_in(changed))
        con.register("incoming_prints", fresh.with_columns(pl.lit(now).cast(pl.Datetime("us")).alias("checked_at"))
                     .to_arrow())
        con.execute(f"insert into {DQ_AGENCY_STATE.name} by name select * from incoming_prints")
        con.unregister("incoming_prints")
        con.execute(sql_text("load/update_review.sql"))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    counts = dict(con.execute("select check_name, count(*) from dq_results group by 1").fetchall())
    return {c.name: counts.get(c.name, 0) for c in checks}
