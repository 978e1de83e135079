"""Parquet export for BI tools: what an analyst reads in the warehouse, readable without DuckDB.

Layout (Hive-style, so DuckDB, Spark, pandas and most BI tools read the year as a column):
`export/<table>/year=<year>/data.parquet` for reports and the three fact tables;
`export/<table>.parquet` for the tables small enough to rewrite whole (agencies, sections, prose
claims, check results, unmapped cells, corrections, the code tables); `export/views/<view>.parquet`
for every analyst view (sql/views/), as the view reads at export time. Every file is written to a
hidden temporary file and renamed over the old one, so a reader never sees half a file. Reports
whose year could not be read (flag `year_unresolved`, check `form_year_mismatch` aside) have no year
folder and stay in the warehouse only; add a sidecar with the year to export them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import duckdb

# Tables split by year (their rows carry `year`); every version of every report, with is_current,
# so BI tools can filter as the views do.
YEAR_TABLES = ("reports", "fact_proactive", "fact_applications", "fact_appeals")
# Rewritten whole on every export (a table the warehouse does not have yet is skipped).
WHOLE_TABLES = ("agencies", "report_sections", "report_claims", "dq_results", "fact_unmapped", "corrections",
                "dim_outcome", "dim_applicant", "dim_proactive_item", "dim_appeal")


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
    """Write the given years (all in the warehouse when None), the whole tables and the views; return rows
    written per table or view."""
    years = years_in(con) if years is None else list(years)
    written: dict[str, int] = {}
    for table in YEAR_TABLES:
        for year in years:
            rows = _copy(con, f"select * exclude (year) from {table} where year = {int(year)} order by all",
                         out / table / f"year={int(year)}" / "data.parquet")
            written[table] = written.get(table, 0) + rows
    have = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
    for table in WHOLE_TABLES:
        if table in have:
            written[table] = _copy(con, f"select * from {table} order by all", out / f"{table}.parquet")
    for (view,) in con.execute("select view_name from duckdb_views() where not internal and view_name like 'v\\_%' "
                               "escape '\\' order by 1").fetchall():
        written[f"views/{view}"] = _copy(con, f"select * from {view}", out / "views" / f"{view}.parquet")
    return written
