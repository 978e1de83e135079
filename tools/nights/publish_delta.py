"""Prototype (bench only, not product code): update the published copy of the warehouse in place
through DuckDB ATTACH instead of copying the whole file, and time it against the full copy.

    python tools/nights/publish_delta.py WAREHOUSE PUBLISHED_BEFORE [--reps 3]

WAREHOUSE is the writer's file after a night; PUBLISHED_BEFORE a copy of it from before that night (what
the published copy held). Per repetition the published copy is copied to a scratch file (not timed), then
  full:  checkpoint + shutil.copyfile of WAREHOUSE (what pipelines.warehouse.load.publish does)
  delta: ATTACH the scratch copy; per-report tables (facts, unmapped cells, sections, claims) delete the
         report versions the warehouse no longer holds and insert those loaded since the copy's newest
         loaded_at; small tables (reports, ledger, agencies, checks, state, code tables…) are replaced
         whole; CHECKPOINT; DETACH
and the result is compared with the warehouse table by table (row count and an order-free hash).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import time
from pathlib import Path

import duckdb

PER_REPORT = ("fact_proactive", "fact_applications", "fact_appeals", "fact_unmapped", "report_sections",
              "report_claims")


def tables(con: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [t for (t,) in con.execute("select table_name from duckdb_tables() where database_name = $c "
                                      "and not temporary order by 1", {"c": catalog}).fetchall()]


def fingerprint(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> tuple:
    return con.execute(f"select count(*), sum(hash(t)) from {catalog}.main.{table} as t").fetchall()[0]


def delta(con: duckdb.DuckDBPyConnection, published: Path) -> dict[str, float]:
    """Bring `published` up to the warehouse `con` holds; return seconds per phase."""
    phases: dict[str, float] = {}
    t0 = time.perf_counter()
    con.execute(f"attach '{published}' as pub")
    since = con.execute("select max(loaded_at) from pub.reports").fetchall()[0][0]
    con.execute("create or replace temp table new_ids as select report_id from reports where loaded_at > $s",
                {"s": since})
    con.execute("create or replace temp table gone_ids as select report_id from pub.reports "
                "anti join reports using (report_id)")
    phases["attach + changed ids"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    con.execute("begin transaction")
    for table in PER_REPORT:
        con.execute(f"delete from pub.{table} where report_id in (select report_id from gone_ids)")
        con.execute(f"delete from pub.{table} where report_id in (select report_id from new_ids)")  # a rerun
        con.execute(f"insert into pub.{table} by name select * from {table} "
                    f"where report_id in (select report_id from new_ids)")
    phases["per-report tables"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    for table in tables(con, con.execute("select current_database()").fetchall()[0][0]):
        if table in PER_REPORT:
            continue
        con.execute(f"delete from pub.{table}")
        con.execute(f"insert into pub.{table} by name select * from {table}")
    con.execute("commit")
    phases["small tables whole"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    con.execute("checkpoint pub")
    con.execute("detach pub")
    phases["checkpoint + detach"] = time.perf_counter() - t0
    return phases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("published_before", type=Path)
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    scratch = args.published_before.with_name("scratch-published.duckdb")
    full_target = args.published_before.with_name("scratch-full.duckdb")
    full, deltas, phase_runs = [], [], []
    for _ in range(args.reps):
        con = duckdb.connect(str(args.warehouse))
        t0 = time.perf_counter()
        con.execute("checkpoint")
        shutil.copyfile(args.warehouse, full_target)
        full.append(time.perf_counter() - t0)
        shutil.copyfile(args.published_before, scratch)
        t0 = time.perf_counter()
        phase_runs.append(delta(con, scratch))
        deltas.append(time.perf_counter() - t0)
        con.close()
    con = duckdb.connect(str(args.warehouse), read_only=True)
    con.execute(f"attach '{scratch}' as pub (read_only)")
    me = con.execute("select current_database()").fetchall()[0][0]
    diff = [t for t in tables(con, me) if fingerprint(con, me, t) != fingerprint(con, "pub", t)]
    new = con.execute("select count(*) from reports where loaded_at > (select max(loaded_at) from pub.reports)"
                      ).fetchall()[0][0]
    con.close()
    mb = lambda p: p.stat().st_size / 2**20  # noqa: E731
    print(f"warehouse {mb(args.warehouse):.1f} MB; published before {mb(args.published_before):.1f} MB; "
          f"after delta {mb(scratch):.1f} MB")
    print(f"full copy (checkpoint + copyfile): median {statistics.median(full):.2f} s  {[round(x, 2) for x in full]}")
    print(f"attach + delta + checkpoint:       median {statistics.median(deltas):.2f} s  "
          f"{[round(x, 2) for x in deltas]}")
    for phase in phase_runs[0]:
        print(f"  {phase:<24} median {statistics.median(r[phase] for r in phase_runs):.2f} s")
    print(f"tables differing after delta: {diff or 'none'} (reports newer than the copy after: {new})")


if __name__ == "__main__":
    main()
