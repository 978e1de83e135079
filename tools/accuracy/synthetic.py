"""Accuracy of the warehouse against a synthetic corpus' truth, scored like the real documents
(tools/accuracy/real.py): every truth cell is

* right — the state and value the generator printed;
* unread — the warehouse says `missing` or `unreadable`, or does not hold the cell: visibly not read;
* flagged — a wrong value or state, but the report fails an error-severity check (dq_results) or
  `reports.needs_review` is true (when the warehouse has that column);
* silent — a wrong value or state with no flag: the worst outcome, an analyst will trust it.

A cell the truth says is `missing` but the warehouse reads as something is wrong; so is a cell the
warehouse reads that the report's forms do not have. A cell whose digits run into its neighbours'
beyond telling apart (truth_cell_quirks.parquet) is right only when the warehouse says `unreadable`.

`python -m tools.accuracy.synthetic --corpus DIR --db PATH` prints the outcomes per format × table form,
per quirk, and the report-level measures (loaded, metadata, region, checks).
`python -m tools.accuracy.synthetic --floor` generates the corpus of tools/accuracy/synthetic_floor.toml (every
format, every quirk), runs the pipeline on it and prints the right and silently wrong shares per format;
`--floor --write` records them as the new floor (tests/test_synth.py holds the reader to it).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from tools.synth.corpus import ALL_FORMATS, can_make_pdfs, write_corpus

FLOOR = Path(__file__).resolve().parent / "synthetic_floor.toml"
OUTCOMES = ("right", "unread", "flagged", "silent")
UNREAD_STATES = ("missing", "unreadable")
RUN_TOGETHER = "digits_run_together"
VALUE_TOLERANCE = 1e-6

READ_SQL = """
with flagged as (
    select report_id, true as failing from dq_results where severity = 'error' group by report_id
)
select r.source_path as path, c.table_name, c.cell, cast(c.value as double) as w_value, c.cell_state as w_state,
       coalesce(f.failing, false) {review} as flagged
from v_fact_cells as c
join reports as r using (report_id)
left join flagged as f using (report_id)
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


@dataclass(frozen=True)
class SyntheticAccuracy:
    cells: pl.DataFrame      # one row per scored cell: path, format, form, table_name, cell, outcome
    by_format: pl.DataFrame  # outcomes per format × table form
    by_quirk: pl.DataFrame   # outcomes per quirk (cells of the reports that have it)
    reports: pl.DataFrame    # report-level measures per format

    def overall(self) -> dict[str, int]:
        counts = dict(self.cells.group_by("outcome").len().iter_rows())
        return {o: int(counts.get(o, 0)) for o in OUTCOMES}


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(con.execute("select count(*) from duckdb_columns() where table_name = $t and column_name = $c",
                            {"t": table, "c": column}).fetchall()[0][0])


def _read(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    review = "or coalesce(r.needs_review, false)" if _has_column(con, "reports", "needs_review") else ""
    return pl.from_arrow(con.sql(READ_SQL.format(review=review)).to_arrow_table())


def outcome_expr() -> pl.Expr:
    """A scored cell's outcome from its truth (t_*) and the warehouse's reading (w_*)."""
    same = (pl.col("w_state") == pl.col("t_state")) & (
        (pl.col("t_state") != "value") | ((pl.col("w_value") - pl.col("t_value")).abs() < VALUE_TOLERANCE))
    unread = pl.col("w_state").is_null() | pl.col("w_state").is_in(UNREAD_STATES)
    wrong = pl.when(pl.col("flagged").fill_null(False)).then(pl.lit("flagged")).otherwise(pl.lit("silent"))
    run_together = pl.col("cell_quirk") == RUN_TOGETHER
    return (pl.when(run_together & (pl.col("w_state") == "unreadable")).then(pl.lit("right"))
            .when(run_together & unread).then(pl.lit("unread"))
            .when(run_together).then(wrong)
            .when(same).then(pl.lit("right"))
            .when(unread).then(pl.lit("unread"))
            .otherwise(wrong))


def score(corpus: Path, read: pl.DataFrame) -> pl.DataFrame:
    """Every truth cell with its outcome, and every cell the warehouse read that the truth lacks."""
    truth = pl.read_parquet(corpus / "truth_cells.parquet").rename(
        {"value": "t_value", "cell_state": "t_state", "template_version": "form"})
    quirks_file = corpus / "truth_cell_quirks.parquet"
    cell_quirks = (pl.read_parquet(quirks_file).rename({"quirk": "cell_quirk"}) if quirks_file.is_file()
                   else pl.DataFrame(schema={"path": pl.String, "table_name": pl.String, "cell": pl.String,
                                             "cell_quirk": pl.String}))
    keys = ["path", "table_name", "cell"]
    scored = (truth.join(read, on=keys, how="left").join(cell_quirks, on=keys, how="left")
              .with_columns(outcome_expr().alias("outcome")))
    paths = truth.select("path", "format", "form").unique(subset="path", keep="first", maintain_order=True)
    extra = (read.join(truth.select(keys), on=keys, how="anti").join(paths, on="path", how="inner")
             .filter(pl.col("w_state") != "missing")
             .with_columns(pl.when(pl.col("w_state") == "unreadable").then(pl.lit("unread"))
                           .when(pl.col("flagged")).then(pl.lit("flagged")).otherwise(pl.lit("silent"))
                           .alias("outcome")))
    columns = ["path", "format", "form", "table_name", "cell", "outcome"]
    return pl.concat([scored.select(columns), extra.select(columns)])


def tabulate(cells: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Outcome counts (and the right share) per group."""
    counts = cells.group_by([*by, "outcome"]).len().pivot(on="outcome", index=by, values="len")
    for o in OUTCOMES:
        if o not in counts.columns:
            counts = counts.with_columns(pl.lit(0, pl.UInt32).alias(o))
    counts = counts.with_columns([pl.col(o).fill_null(0) for o in OUTCOMES])
    total = sum(pl.col(o) for o in OUTCOMES)
    return (counts.with_columns(total.alias("cells"))
            .with_columns((pl.col("right") / pl.col("cells")).round(4).alias("right_share"))
            .select(*by, "cells", *OUTCOMES, "right_share").sort(by))


def by_quirk(corpus: Path, cells: pl.DataFrame) -> pl.DataFrame:
    reports = pl.read_parquet(corpus / "truth_reports.parquet").select("path", "quirks").explode("quirks")
    with_quirk = cells.join(reports.rename({"quirks": "quirk"}).drop_nulls(), on="path")
    return tabulate(with_quirk, ["quirk"])


def evaluate(db_path: Path, corpus: Path) -> SyntheticAccuracy:
    """Score the warehouse at `db_path` against the corpus' truth."""
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        read = _read(con)
        reports = pl.from_arrow(con.sql(REPORTS_SQL, params={"reports": str(corpus / "truth_reports.parquet")})
                                .to_arrow_table())
    finally:
        con.close()
    cells = score(corpus, read)
    return SyntheticAccuracy(cells, tabulate(cells, ["format", "form"]), by_quirk(corpus, cells), reports)


def ingest_with_checks(raw: Path, db: Path, workers: int = 1) -> None:
    """Run the pipeline on a raw folder as a nightly run does: ingest, then the data-quality checks."""
    from pipelines.ingest.run import ingest
    from pipelines.ingest.settings import Settings
    from pipelines.warehouse.checks import refresh_dq_results
    from pipelines.warehouse.load import connect

    ingest(Settings(raw_dir=raw, db_path=db, workers=workers))
    con = connect(db)
    try:
        refresh_dq_results(con)
    finally:
        con.close()


def floor_formats() -> list[list[str]]:
    """The floor corpus' formats in the corpora they are generated in: every format but pdf together, and
    pdf on its own when LibreOffice can make PDFs (so that its absence changes no other format's corpus)."""
    return [[f for f in ALL_FORMATS if f != "pdf"], *([["pdf"]] if can_make_pdfs() else [])]


def measure_floor(work: Path, spec: dict, workers: int = 1) -> pl.DataFrame:
    """Generate the floor corpus described by `spec` (seed, per_format, quirk_share, break_share) under
    `work`, run the pipeline on it, and return the right and silently wrong shares per format."""
    tables = []
    for n, formats in enumerate(floor_formats()):
        corpus, db = work / f"corpus-{n}", work / f"corpus-{n}.duckdb"
        write_corpus(corpus, spec["per_format"] * len(formats), seed=spec["seed"], formats=formats,
                     break_share=spec["break_share"], quirk_share=spec["quirk_share"])
        ingest_with_checks(corpus / "raw", db, workers)
        tables.append(evaluate(db, corpus).by_format)
    return (pl.concat(tables).group_by("format").agg(pl.col("cells", "right", "silent").sum())
            .with_columns((pl.col("right") / pl.col("cells")).alias("right_share"),
                          (pl.col("silent") / pl.col("cells")).alias("silent_share"))
            .sort("format"))


def floor_toml(spec: dict, shares: pl.DataFrame) -> str:
    """The floor file: the corpus and, per format, the right share to hold and the silent share not to pass."""
    lines = [
        "# The line the reader holds on the synthetic corpus with every quirk (tests/test_synth.py): per format,",
        "# the share of cells right never falls below right_min, the share silently wrong never rises above",
        "# silent_max. Measured by `python -m tools.accuracy.synthetic --floor --write` on the product of the day;",
        "# raise right_min and lower silent_max whenever the reader improves, never the other way (say why in the",
        "# commit if the generator's truth was wrong).",
        "[corpus]",
        *(f"{key} = {spec[key]}" for key in ("seed", "per_format", "quirk_share", "break_share")),
        "",
    ]
    for fmt, right, silent in shares.select("format", "right_share", "silent_share").iter_rows():
        lines += [f"[formats.{fmt}]", f"right_min = {math.floor(right * 1000) / 1000:.3f}",
                  f"silent_max = {math.ceil(silent * 1000) / 1000:.3f}", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.accuracy.synthetic", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--db", type=Path)
    parser.add_argument("--floor", action="store_true", help="measure the floor corpus of synthetic_floor.toml")
    parser.add_argument("--write", action="store_true", help="with --floor: record the shares as the new floor")
    args = parser.parse_args(argv)
    if args.floor:
        spec = tomllib.loads(FLOOR.read_text(encoding="utf-8"))["corpus"]
        with tempfile.TemporaryDirectory(prefix="synthetic-floor-") as tmp:
            shares = measure_floor(Path(tmp), spec, workers=2)
        with pl.Config(tbl_rows=50, tbl_hide_dataframe_shape=True):
            print(shares)
        if args.write:
            FLOOR.write_text(floor_toml(spec, shares), encoding="utf-8")
            print(f"wrote {FLOOR}")
        return
    if args.corpus is None or args.db is None:
        parser.error("--corpus and --db are required (or --floor)")
    result = evaluate(args.db, args.corpus)
    with pl.Config(tbl_rows=200, tbl_cols=20, tbl_width_chars=200, tbl_hide_dataframe_shape=True):
        print("Synthetic corpus: cells per format × table form")
        print(result.by_format)
        print("Per quirk (every cell of the reports that have it)")
        print(result.by_quirk)
        print("Reports")
        print(result.reports)
        print("All cells:", result.overall())


if __name__ == "__main__":
    main()
