"""Whether a published output (the read-only copy, the Parquet export, report.html, review.html) must be
written again: only when something it shows changed since it was last written (issue #18).

Each output records in warehouse_state when it was last written (`published_at`, `exported_at`,
`report_at`, `review_at`) and a signature: a hash of the warehouse's schema and views, of the code and
form tables, and of the source of the code that writes it. It is up to date while its file is there,
its signature is the same, and neither the data (`last_change_at`, set by every load or correction that
changed something) nor the checks (`checks_at`) are newer than it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import duckdb

from pipelines.warehouse.schema import CODE_TABLES, FORM_CELLS

PUBLISHED_AT, EXPORTED_AT, REPORT_AT, REVIEW_AT = "published_at", "exported_at", "report_at", "review_at"
_INPUTS = ("last_change_at", "checks_at")


def signature(con: duckdb.DuckDBPyConnection, *sources: Path) -> str:
    """A hash of what an output's content depends on besides the data: the tables' and views' SQL, the
    form and code tables' rows, and the given source files (the module that writes the output)."""
    h = hashlib.sha256()
    for (sql,) in con.execute(
            "select coalesce(sql, '') from duckdb_tables() where not internal and not temporary "
            "union all select coalesce(sql, '') from duckdb_views() where not internal and not temporary "
            "order by 1").fetchall():
        h.update(sql.encode())
    for table in (FORM_CELLS, *CODE_TABLES):
        h.update(repr(con.execute(f"select count(*), coalesce(sum(hash(t)), 0) from {table.name} as t").fetchall())
                 .encode())
    for source in sources:
        h.update(Path(source).read_bytes())
    return h.hexdigest()


def up_to_date(con: duckdb.DuckDBPyConnection, key: str, sig: str, *paths: Path) -> bool:
    """True when the output recorded under `key` was written with this signature, after the warehouse and
    its checks last changed, and its files are all there: writing it again would change nothing."""
    state = {k: (v, s) for k, v, s in con.execute("select key, value, signature from warehouse_state").fetchall()}
    if key not in state or state[key][0] is None or state[key][1] != sig:
        return False
    if not all(Path(p).exists() for p in paths):
        return False
    written = state[key][0]
    return all(state[k][0] is None or written >= state[k][0] for k in _INPUTS if k in state)


def mark_written(con: duckdb.DuckDBPyConnection, key: str, sig: str, now: dt.datetime | None = None) -> None:
    now = now or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("insert or replace into warehouse_state (key, value, signature) values ($key, $now, $sig)",
                {"key": key, "now": now, "sig": sig})


def forget(con: duckdb.DuckDBPyConnection, key: str) -> None:
    """The output must be written again on the next run (e.g. its writer failed half-way)."""
    con.execute("delete from warehouse_state where key = $key", {"key": key})
