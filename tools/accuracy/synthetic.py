"""Accuracy of the warehouse against a synthetic corpus' truth, cell by cell.

`python -m tools.accuracy.synthetic --corpus DIR --db PATH` prints, per format and form: cells, value
precision (values read that are right) and recall (true values read right), state accuracy,
reports not loaded, and metadata and check agreement.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import polars as pl

CELLS_SQL = """
with truth as (
    select * from read_parquet($cells)
),
warehouse as (
    select r.source_path as path, c.table_name, c.cell, c.value, c.cell_state
    from v_fact_cells as c
    join reports as r using (report_id)
)
select
    t.format,
    t.template_version,
    count(*) as cells,
    count(*) filter (where t.cell_state = 'value') as true_values,
    count(*) filter (where w.cell_state = 'value') as read_values,
    count(*) filter (where t.cell_state = 'value' and w.cell_state = 'value'
                     and abs(cast(w.value as double) - t.value) < 1e-6) as right_values,
    count(*) filter (where w.cell_state = t.cell_state) as right_states,
    count(distinct t.path) filter (where w.path is null) as reports_not_loaded
from truth as t
left join warehouse as w on w.path = t.path and w.table_name = t.table_name and w.cell = t.cell
group by all
order by all
"""

REPORTS_SQL = """
with truth as (
    select * from read_parquet($reports)
),
found as (
    select
        t.format,
        t.path,
        r.report_id is not null as loaded,
        r.agency_name = t.agency_name and r.year = t.year and r.template_version = t.template_version as meta_right,
        r.county is not distinct from t.county as county_right,
        list_sort(t.breaks) as expected_errors,
        list_sort(coalesce((select list(distinct d.check_name) from dq_results as d
                            where d.report_id = r.report_id and d.severity = 'error'), [])) as flagged_errors
    from truth as t
    left join reports as r on r.source_path = t.path
)
select
    format,
    count(*) as reports,
    count(*) filter (where loaded) as loaded,
    count(*) filter (where meta_right) as metadata_right,
    count(*) filter (where county_right) as county_right,
    count(*) filter (where expected_errors = flagged_errors) as checks_right
from found
group by all
order by all
"""


def evaluate(db_path: Path, corpus: Path) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(cell accuracy per format and form, report accuracy per format)."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        cells = pl.from_arrow(con.sql(CELLS_SQL, params={"cells": str(corpus / "truth_cells.parquet")})
                              .to_arrow_table())
        reports = pl.from_arrow(con.sql(REPORTS_SQL, params={"reports": str(corpus / "truth_reports.parquet")})
                                .to_arrow_table())
    finally:
        con.close()
    cells = cells.with_columns(
        (pl.col("right_values") / pl.col("read_values")).alias("value_precision"),
        (pl.col("right_values") / pl.col("true_values")).alias("value_recall"),
        (pl.col("right_states") / pl.col("cells")).alias("state_accuracy"),
    )
    return cells, reports


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.accuracy.synthetic", description=__doc__)
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args(argv)
    cells, reports = evaluate(args.db, args.corpus)
    with pl.Config(tbl_rows=100, tbl_cols=20, tbl_width_chars=200):
        print(cells.select("format", "template_version", "cells", "value_precision", "value_recall",
                           "state_accuracy", "reports_not_loaded"))
        print(reports)


if __name__ == "__main__":
    main()
