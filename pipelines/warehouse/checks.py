"""Data-quality checks: one SQL file per rule in sql/checks/, returning the violating rows.

The header of each file says what fails (`-- Fails if …`), its severity (`-- severity: error|warn`,
with why) and the table it guards (`-- asset: …`); the same SQL fills dq_results and backs the
Dagster asset check of that name.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from pipelines.warehouse.load import SQL_DIR, sql_text
from pipelines.warehouse.schema import DQ_RESULTS, polars_schema

CHECKS_DIR = SQL_DIR / "checks"
_HEADER = re.compile(r"^--\s*(severity|asset):\s*(\S+)", re.MULTILINE)
RESULT_COLUMNS = ("agency_id", "year", "report_id", "detail")


@dataclass(frozen=True)
class CheckDef:
    name: str
    severity: str
    asset: str
    description: str
    sql: str


def load_checks(directory: Path = CHECKS_DIR) -> list[CheckDef]:
    """Every check in the folder, by name; raises ValueError naming a file whose header is incomplete."""
    out = []
    for path in sorted(directory.glob("*.sql")):
        sql = path.read_text(encoding="utf-8")
        header = dict(_HEADER.findall(sql))
        if header.get("severity") not in ("error", "warn") or "asset" not in header:
            raise ValueError(f"{path.name}: header needs '-- severity: error|warn' and '-- asset: <table>'")
        comment = []
        for line in sql.splitlines():
            if not line.startswith("--"):
                break
            comment.append(line[2:].strip())
        out.append(CheckDef(path.stem, header["severity"], header["asset"], "\n".join(comment), sql))
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


def refresh_dq_results(con: duckdb.DuckDBPyConnection, checks: list[CheckDef] | None = None,
                       now: dt.datetime | None = None) -> dict[str, int]:
    """Run every check and replace dq_results with their rows, in one transaction; return counts."""
    checks = checks if checks is not None else load_checks()
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    frames, counts = [], {}
    for check in checks:
        rows = run_check(con, check)
        counts[check.name] = rows.height
        frames.append(rows.with_columns(
            pl.lit(check.name).alias("check_name"), pl.lit(check.severity).alias("severity"),
            pl.lit(now).cast(pl.Datetime("us")).alias("checked_at"),
            pl.col("year").cast(pl.Int32),
        ))
    schema = polars_schema(DQ_RESULTS)
    result = pl.concat(frames, how="diagonal") if frames else pl.DataFrame(schema=schema)
    result = result.select([pl.col(c).cast(schema[c]) for c in DQ_RESULTS.column_names])
    con.execute("begin transaction")
    try:
        con.execute("insert or replace into warehouse_state (key, value) values ('checks_at', $now)", {"now": now})
        con.execute("delete from dq_results")
        con.register("incoming_dq", result.to_arrow())
        con.execute("insert into dq_results by name select * from incoming_dq")
        con.unregister("incoming_dq")
        con.execute(sql_text("load/update_review.sql"))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return counts
