"""Parquet export for BI tools: what an analyst reads in the warehouse, readable without DuckDB.

Layout (Hive-style, so DuckDB, Spark, pandas and most BI tools read the year as a column):
`export/<table>/year=<year>/data.parquet` for reports and the three fact tables;
`export/<table>.parquet` for the tables small enough to rewrite whole (agencies, sections, prose
claims, check results, unmapped cells, corrections, the code tables); `export/views/<view>.parquet`
for every analyst view (sql/views/), as the view reads at export time. Every file is written to a
hidden temporary file and renamed over the old one, so a reader never sees half a file. Reports
whose year could not be read (flag `year_unresolved`, check `form_year_mismatch` aside) have no year
folder and stay in the warehouse only; add a sidecar with the year to export them.

Incremental (issue #18): `export/.export_state.json` records, for every file or year folder written,
an order-independent fingerprint of its rows (count and sum of a hash per row). An export compares
it with the warehouse and writes only what differs:

* a fact table's year whose rows are only those written before plus the rows of reports loaded since
  gets the new rows as one more file, `year=<year>/part-<load time>.parquet` (fact rows never change
  once loaded, corrections aside); anything else (a correction, a year not in the state) rewrites the
  year as `data.parquet` and removes its part files, as does a year with more than `MAX_PARTS` parts;
* `reports` years, whole tables and views are rewritten when their fingerprint changed (views: when
  anything in the warehouse changed since the last export);
* unchanged ones are not touched (their files keep their modification times).

The state also records each file's size and modification time: a folder or file that is not what the
last export left (an export killed between writing a file and recording it, a file changed by hand) is
written whole again, so a crash never leaves duplicated or missing rows behind for the next export.

Read a year folder as all its `*.parquet` files: `read_parquet('export/fact_applications/*/*.parquet',
hive_partitioning = true)` or `export/**/*.parquet` reads the same rows as a full export.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from pathlib import Path

import duckdb

# Tables split by year (their rows carry `year`); every version of every report, with is_current,
# so BI tools can filter as the views do.
YEAR_TABLES = ("reports", "fact_proactive", "fact_applications", "fact_appeals")
# Of those, the ones whose rows never change once loaded (reviewers' corrections aside): new rows are
# appended as part files.
APPEND_TABLES = ("fact_proactive", "fact_applications", "fact_appeals")
# Rewritten whole on every export (a table the warehouse does not have yet is skipped).
WHOLE_TABLES = ("agencies", "report_sections", "report_claims", "dq_results", "fact_unmapped", "corrections",
                "dim_outcome", "dim_applicant", "dim_proactive_item", "dim_appeal")
STATE_FILE = ".export_state.json"
STATE_VERSION = 2
# A year folder with more part files than this is rewritten as one data.parquet.
MAX_PARTS = 20


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


def _fingerprint(con: duckdb.DuckDBPyConnection, sql: str) -> list:
    """[rows, sum of a hash of every row]: equal for equal multisets of rows, additive over unions."""
    rows, total = con.execute(f"select count(*), coalesce(sum(hash(t)), 0) from ({sql}) as t").fetchall()[0]
    return [int(rows), str(total)]


def _year_fingerprints(con: duckdb.DuckDBPyConnection, table: str, where: str = "true") -> dict[int, list]:
    return {int(y): [int(n), str(h)] for y, n, h in con.execute(
        f"select year, count(*), coalesce(sum(hash(t)), 0) from (select * exclude (year), year from {table} "
        f"where year is not null and ({where})) as t group by year").fetchall()}


def _read_state(out: Path) -> dict:
    try:
        state = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return state if isinstance(state, dict) and state.get("version") == STATE_VERSION else {}


def _write_state(out: Path, state: dict) -> None:
    out.mkdir(parents=True, exist_ok=True)
    partial = out / f".{STATE_FILE}.partial"
    partial.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, out / STATE_FILE)


def _disk(folder_or_file: Path) -> dict[str, list[int]]:
    """The Parquet files of a year folder (or one file) as the state records them: name → [size, mtime_ns]."""
    paths = sorted(folder_or_file.glob("*.parquet")) if folder_or_file.is_dir() else (
        [folder_or_file] if folder_or_file.exists() else [])
    return {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in paths}


def _intact(entry: dict | None, path: Path) -> bool:
    """The files are those the state says this export left (an export that died half-way, or a file
    changed by hand, makes the entry unusable: that part is written whole again)."""
    return bool(entry) and entry.get("disk") == _disk(path) and bool(entry["disk"])


def _rewrite_year(con: duckdb.DuckDBPyConnection, out: Path, table: str, year: int) -> int:
    folder = out / table / f"year={year}"
    rows = _copy(con, f"select * exclude (year) from {table} where year = {year} order by all", folder / "data.parquet")
    for part in folder.glob("part-*.parquet"):
        part.unlink()
    return rows


def export_years(con: duckdb.DuckDBPyConnection, out: Path, years: Iterable[int] | None = None,
                 full: bool = False) -> dict[str, int]:
    """Export the warehouse to `out`; return rows written per table or view (files left as they were
    are not counted). `years` (or `full`) rewrites those years (every year) whole, with every whole
    table and view; otherwise only what differs from the last export is written (module docstring)."""
    state = {} if full else _read_state(out)
    files: dict = state.get("files", {}) if state else {}
    forced = set(years_in(con)) if full else {int(y) for y in years or ()}
    loaded_through = con.execute("select max(loaded_at) from reports").fetchall()[0][0]
    through = str(loaded_through) if loaded_through is not None else None
    written: dict[str, int] = {}
    new_files: dict = {}

    def add(name: str, rows: int) -> None:
        written[name] = written.get(name, 0) + rows

    for table in YEAR_TABLES:
        now_prints = _year_fingerprints(con, table)
        new_prints: dict[str, dict[int, list]] = {}  # by the load time the folder was written up to
        for year, fp in sorted(now_prints.items()):
            key = f"{table}/year={year}"
            folder = out / table / f"year={year}"
            before = files.get(key) if year not in forced else None
            if not _intact(before, folder):
                before = None
            if before and before["fingerprint"] == fp:
                new_files[key] = before
                continue
            since = before.get("through") if before else None
            if table in APPEND_TABLES and since and since not in new_prints:
                new_prints[since] = _year_fingerprints(
                    con, table, f"report_id in (select report_id from reports where loaded_at > '{since}')")
            added = new_prints.get(since, {}).get(year) if since else None
            if (before and added and len(before.get("parts", [])) < MAX_PARTS
                    and before["fingerprint"][0] + added[0] == fp[0]
                    and int(before["fingerprint"][1]) + int(added[1]) == int(fp[1])):
                stamp = dt.datetime.fromisoformat(str(loaded_through)).strftime("%Y%m%dT%H%M%S%f")
                part = f"part-{stamp}.parquet"
                add(table, _copy(con, f"select * exclude (year) from {table} where year = {year} and report_id in "
                                      f"(select report_id from reports where loaded_at > '{since}') order by all",
                                 folder / part))
                new_files[key] = {"fingerprint": fp, "parts": [*before.get("parts", []), part], "through": through,
                                  "disk": _disk(folder)}
                continue
            add(table, _rewrite_year(con, out, table, year))
            new_files[key] = {"fingerprint": fp, "parts": [], "through": through, "disk": _disk(folder)}

    have = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
    for table in WHOLE_TABLES:
        if table not in have:
            continue
        fp = _fingerprint(con, f"select * from {table}")
        target = out / f"{table}.parquet"
        if not forced and files.get(table, {}).get("fingerprint") == fp and _intact(files.get(table), target):
            new_files[table] = files[table]
            continue
        written[table] = _copy(con, f"select * from {table} order by all", target)
        new_files[table] = {"fingerprint": fp, "disk": _disk(target)}

    # A view is rewritten when anything it could read changed (its own fingerprint would cost about as
    # much as writing it), or its SQL did.
    changed = bool(written) or bool(forced) or not files
    for view, sql in con.execute("select view_name, sql from duckdb_views() where not internal and view_name like "
                                 "'v\\_%' escape '\\' order by 1").fetchall():
        key, target = f"views/{view}", out / "views" / f"{view}.parquet"
        if not changed and files.get(key, {}).get("sql") == sql and _intact(files.get(key), target):
            new_files[key] = files[key]
            continue
        written[key] = _copy(con, f"select * from {view}", target)
        new_files[key] = {"sql": sql, "disk": _disk(target)}
    _write_state(out, {"version": STATE_VERSION, "files": new_files})
    return written
