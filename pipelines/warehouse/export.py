"""Parquet export for BI tools: what an analyst reads in the warehouse, readable without DuckDB.

Layout (Hive-style, so DuckDB, Spark, pandas and most BI tools read the year as a column):
`export/<table>/year=<year>/` for reports and the three fact tables, and `export/views/v_fact_cells/year=<year>/`
for the view of every cell of every report version (it only grows, like the fact tables);
`export/<table>.parquet` for the tables small enough to rewrite whole (agencies, sections, prose
claims, check results, unmapped cells, corrections, the code tables); `export/views/<view>.parquet`
for every other analyst view (sql/views/), as the view reads at export time. Every file is written to a
hidden temporary file and renamed over the old one, so a reader never sees half a file. Reports
whose year could not be read (flag `year_unresolved`, check `form_year_mismatch` aside) have no year
folder and stay in the warehouse only; add a sidecar with the year to export them.

Incremental (issue #18): `export/.export_state.json` records, for every file or year folder written,
an order-independent fingerprint of its rows (count and sum of a hash per row). An export compares
it with the warehouse and writes only what differs:

* a year of a fact table or of v_fact_cells whose rows are only those written before plus the rows of
  reports loaded since gets the new rows as one more file, `year=<year>/part-<load time>.parquet` (fact
  rows never change once loaded, corrections aside; v_fact_cells' year stands for the sum of the three
  fact tables' fingerprints, its SQL and its code tables); anything else (a correction, a year not in the
  state) rewrites the year as `data.parquet` and removes its part files, as does a year that already
  holds `MAX_PARTS` parts; a year folder the warehouse no longer holds is removed (and the other views
  are then written again);
* `reports` years, whole tables and the other views are rewritten when their fingerprint changed (views:
  when anything in the warehouse changed since the last export);
* unchanged ones are not touched (their files keep their modification times).

The state also records each file's size and modification time: a folder or file that is not what the
last export left (an export killed between writing a file and recording it, a file changed by hand) is
written whole again, so a crash never leaves duplicated or missing rows behind for the next export.

Read a year folder as all its `*.parquet` files: `read_parquet('export/fact_applications/*/*.parquet',
hive_partitioning = true)` or `export/**/*.parquet` reads the same rows as a full export.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb

FACT_TABLES = ("fact_proactive", "fact_applications", "fact_appeals")
CODE_TABLES = ("dim_outcome", "dim_applicant", "dim_proactive_item", "dim_appeal")


@dataclass(frozen=True)
class YearTarget:
    """A table or view exported as one folder per year, `export/<name>/year=<year>/`."""

    name: str
    source: str
    # Rows fixed by their report once loaded (reviewers' corrections aside): a year that only gained the
    # rows of reports loaded since its last export gets them as one more part file.
    appends: bool = False
    # A view's rows are its tables' rows: the sum of these tables' year fingerprints stands for the
    # view's (hashing the view itself would cost about what writing it does); `reads` (the code tables
    # it joins) and the view's SQL must be as they were, or every year is rewritten.
    inputs: tuple[str, ...] = ()
    reads: tuple[str, ...] = ()


# Every version of every report, with is_current, so BI tools can filter as the views do.
YEAR_TABLES = (YearTarget("reports", "reports"),
               *(YearTarget(t, t, appends=True) for t in FACT_TABLES))
# Views that hold every version's rows (no is_current filter), so they only grow like the fact tables.
YEAR_VIEWS = (YearTarget("views/v_fact_cells", "v_fact_cells", appends=True, inputs=FACT_TABLES, reads=CODE_TABLES),)
# Rewritten whole on every export (a table the warehouse does not have yet is skipped).
WHOLE_TABLES = ("agencies", "report_sections", "report_claims", "dq_results", "fact_unmapped", "corrections",
                *CODE_TABLES)
STATE_FILE = ".export_state.json"
# The warehouse's own views (not a temporary one, nor one of an attached catalog).
_OWN_VIEWS = "database_name = current_database() and schema_name = 'main' and not temporary and not internal"
STATE_VERSION = 3
# A year folder holding this many part files is rewritten as one data.parquet instead of gaining another.
MAX_PARTS = 20


def export_dir(db_path: Path) -> Path:
    """export/ next to the warehouse file (issue #6)."""
    return db_path.parent / "export"


def years_in(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [y for (y,) in con.execute("select distinct year from reports where year is not null order by 1").fetchall()]


def _copy(con: duckdb.DuckDBPyConnection, sql: str, target: Path) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    written = con.execute(f"copy ({sql}) to '{partial.as_posix()}' (format parquet, compression zstd)").fetchall()
    os.replace(partial, target)
    return int(written[0][0])  # COPY says how many rows it wrote


def _fingerprint(con: duckdb.DuckDBPyConnection, sql: str) -> list:
    """[rows, sum of a hash of every row]: equal for equal multisets of rows, additive over unions."""
    rows, total = con.execute(f"select count(*), coalesce(sum(hash(t)), 0) from ({sql}) as t").fetchall()[0]
    return [int(rows), str(total)]


def _year_fingerprints(con: duckdb.DuckDBPyConnection, table: str) -> dict[int, list]:
    return {int(y): [int(n), str(h)] for y, n, h in con.execute(
        f"select year, count(*), coalesce(sum(hash(t)), 0) from (select * exclude (year), year from {table} "
        "where year is not null) as t group by year").fetchall()}


def _summed(prints: Iterable[dict[int, list]]) -> dict[int, list]:
    """Several tables' year fingerprints as one: the fingerprint of their union."""
    total: dict[int, list] = {}
    for by_year in prints:
        for year, (n, h) in by_year.items():
            before = total.get(year, [0, "0"])
            total[year] = [before[0] + n, str(int(before[1]) + int(h))]
    return total


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


class _Since:
    """The rows of the reports loaded after a time, kept in a temporary table per source and time so that
    every year's fingerprint and part file reads them without scanning the source again."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.tables: dict[tuple[str, str], str] = {}
        self.printed: dict[tuple[str, str], dict[int, list]] = {}
        self.ids: dict[str, list[str]] = {}

    def rows(self, source: str, since: str) -> str:
        key = (source, since)
        if key not in self.tables:
            if since not in self.ids:
                self.ids[since] = [r for (r,) in self.con.execute(
                    "select report_id from reports where loaded_at > $since", {"since": since}).fetchall()]
            name = f"_export_added_{len(self.tables)}"
            # a constant list reaches the scans of a view's tables; a subquery is joined after the view is
            # computed whole (v_fact_cells at 100,000 reports: 0.3 s against 1.7 s)
            self.con.execute(f"create or replace temp table {name} as select * from {source} "
                             "where list_contains($ids, report_id)", {"ids": self.ids[since]})
            self.tables[key] = name
        return self.tables[key]

    def prints(self, target: YearTarget, since: str) -> dict[int, list]:
        key = (target.name, since)
        if key not in self.printed:
            sources = target.inputs or (target.source,)
            self.printed[key] = _summed(_year_fingerprints(self.con, self.rows(t, since)) for t in sources)
        return self.printed[key]

    def drop(self) -> None:
        for name in self.tables.values():
            self.con.execute(f"drop table if exists {name}")


def _salt(target: YearTarget, sql: str, whole: dict[str, list]) -> str:
    """What a view's years depend on besides their input tables' rows: its SQL and the code tables it joins
    (`whole`: the fingerprints of the whole tables, taken as they were exported)."""
    parts = [sql, *(json.dumps(whole[t]) for t in target.reads if t in whole)]
    return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


def _export_year_target(con: duckdb.DuckDBPyConnection, out: Path, target: YearTarget, now: dict[int, list],
                        files: dict, forced: set[int], through: str | None, since_rows: _Since,
                        salt: str) -> tuple[int, dict, bool]:
    """One target's year folders brought up to date; returns (rows written, its state entries, whether a
    year folder was removed)."""
    written, entries = 0, {}
    stamp = dt.datetime.fromisoformat(through).strftime("%Y%m%dT%H%M%S%f") if through else "0"
    for year, fp in sorted(now.items()):
        key, folder = f"{target.name}/year={year}", out / target.name / f"year={year}"
        before = files.get(key) if year not in forced else None
        if not _intact(before, folder) or before.get("salt", "") != salt:
            before = None
        if before and before["fingerprint"] == fp:
            # the folder holds every row up to now: a later append reads only what is loaded after now
            entries[key] = {**before, "through": through}
            continue
        since = before.get("through") if before and target.appends else None
        added = since_rows.prints(target, since).get(year) if since else None
        if (added and len(before.get("parts", [])) < MAX_PARTS and before["fingerprint"][0] + added[0] == fp[0]
                and int(before["fingerprint"][1]) + int(added[1]) == int(fp[1])):
            part = f"part-{stamp}.parquet"
            written += _copy(con, f"select * exclude (year) from {since_rows.rows(target.source, since)} "
                                  f"where year = {year} order by all", folder / part)
            parts = [*before.get("parts", []), part]
        else:
            written += _copy(con, f"select * exclude (year) from {target.source} where year = {year} order by all",
                             folder / "data.parquet")
            for stale in folder.glob("part-*.parquet"):
                stale.unlink()
            parts = []
        entries[key] = {"fingerprint": fp, "parts": parts, "through": through, "disk": _disk(folder), "salt": salt}
    return written, entries, _remove_other_years(out / target.name, now)


def _remove_other_years(folder: Path, now: dict[int, list]) -> bool:
    """A year the warehouse no longer holds (its reports corrected to another year) must not be read back;
    neither may an old layout's single file of the same name. Returns whether anything was removed."""
    removed = False
    for stale in folder.glob("year=*"):
        if stale.is_dir() and stale.name.removeprefix("year=") not in {str(y) for y in now}:
            shutil.rmtree(stale)
            removed = True
    single = folder.with_name(f"{folder.name}.parquet")
    if single.exists():
        single.unlink()
        removed = True
    return removed


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
    have = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
    written: dict[str, int] = {}
    removed: list[str] = []
    new_files: dict = {}
    since_rows = _Since(con)
    prints: dict[str, dict[int, list]] = {}
    whole: dict[str, list] = {}

    def year_prints(table: str) -> dict[int, list]:
        if table not in prints:
            prints[table] = _year_fingerprints(con, table)
        return prints[table]

    def export_target(target: YearTarget, salt: str = "") -> None:
        now = _summed(year_prints(t) for t in target.inputs or (target.source,))
        rows, entries, gone = _export_year_target(con, out, target, now, files, forced, through, since_rows, salt)
        new_files.update(entries)
        if rows:
            written[target.name] = rows
        if gone:
            removed.append(target.name)

    try:
        for target in YEAR_TABLES:
            export_target(target)
        for table in WHOLE_TABLES:
            if table not in have:
                continue
            fp = whole[table] = _fingerprint(con, f"select * from {table}")
            target = out / f"{table}.parquet"
            if not forced and files.get(table, {}).get("fingerprint") == fp and _intact(files.get(table), target):
                new_files[table] = files[table]
                continue
            written[table] = _copy(con, f"select * from {table} order by all", target)
            new_files[table] = {"fingerprint": fp, "disk": _disk(target)}
        # A view without years is rewritten when anything it could read changed (its own fingerprint would
        # cost about as much as writing it), or its SQL did.
        changed = bool(written) or bool(removed) or bool(forced) or not files
        views = dict(con.execute(f"select view_name, sql from duckdb_views() where {_OWN_VIEWS} and view_name "
                                 "like 'v\\_%' escape '\\' order by 1").fetchall())
        for target in YEAR_VIEWS:
            if target.source in views:
                export_target(target, _salt(target, views[target.source], whole))
        by_year = {t.source for t in YEAR_VIEWS}
        for view, sql in views.items():
            if view in by_year:
                continue
            key, target = f"views/{view}", out / "views" / f"{view}.parquet"
            if not changed and files.get(key, {}).get("sql") == sql and _intact(files.get(key), target):
                new_files[key] = files[key]
                continue
            written[key] = _copy(con, f"select * from {view}", target)
            new_files[key] = {"sql": sql, "disk": _disk(target)}
    finally:
        # a connection that is gone took its temporary tables with it (and an error is on its way)
        with contextlib.suppress(duckdb.Error):
            since_rows.drop()
    _write_state(out, {"version": STATE_VERSION, "files": new_files})
    return written
