"""Parquet export for BI tools: one folder per table, the fact tables and reports split by year.

Layout (Hive-style, so DuckDB, Spark, pandas and most BI tools read the year as a column):
`export/<table>/year=<year>/data.parquet` for reports and the three fact tables, and
`export/agencies.parquet`. A year is written to a hidden temporary file and renamed over the old
one, so a reader never sees half a file. Reports whose year could not be read (flag
`year_unresolved`, check `form_year_mismatch` aside) have no year folder and stay in the warehouse
only; add a sidecar with the year to export them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import duckdb

# Tables split by year (their rows carry `year`); every version of every report, with is_current,
# so BI tools can filter as the views do.
YEAR_TABLES = ("reports", "fact_proactive", "fact_applications", "fact_appeals")


def export_dir(db_path: Path) -> Path:
    """export/ next to the warehouse file (issue #6)."""
    return db_path.parent / "export"


def years_in(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [y for (y,) in con.execute("select distinct year from reports where year is not null order by 1").fetchall()]


def _copy(con: duckdb.DuckDBPyConnection, sql: str, target: Path) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    con.execute(f"copy ({sql}) to '{partial.as_posix()}' (format parquet, compression zstd)")
    os.replace(partial, target)
    return con.execute(f"select count(*) from read_parquet('{target.as_posix()}')").fetchall()[0][0]


def export_years(con: duckdb.DuckDBPyConnection, out: Path, years: Iterable[int] | None = None) -> dict[str, int]:
    """Write the given years (all in the warehouse when None) and the agencies; return rows written."""
    years = years_in(con) if years is None else list(years)
    written: dict[str, int] = {}
    for table in YEAR_TABLES:
        for year in years:
            rows = _copy(con, f"select * exclude (year) from {table} where year = {int(year)} order by all",
                         out / table / f"year={int(year)}" / "data.parquet")
            written[table] = written.get(table, 0) + rows
    written["agencies"] = _copy(con, "select * from agencies order by agency_id", out / "agencies.parquet")
    return written
