"""What the warehouse publishes after each run: a read-only copy, Parquet by year, an HTML report.

Each is skipped while nothing it shows changed since it was last written (warehouse/freshness.py).
"""

from pathlib import Path

import dagster as dg

from pipelines.defs.assets import OWNERS, WRITER_POOL
from pipelines.defs.cluster import WAREHOUSE_QUEUE_TAG
from pipelines.defs.failures import said_plainly
from pipelines.defs.resources import WarehouseResource
from pipelines.warehouse import export as export_module
from pipelines.warehouse import report as report_module
from pipelines.warehouse.export import export_dir, export_years
from pipelines.warehouse.freshness import (
    EXPORTED_AT,
    PUBLISHED_AT,
    REPORT_AT,
    REVIEW_AT,
    mark_written,
    signature,
    up_to_date,
)
from pipelines.warehouse.load import publish
from pipelines.warehouse.report import write_report
from pipelines.warehouse.review import (
    DEFAULT_FILE_NAME,
    load_reviews,
    reason_counts,
    renderer_libraries,
    renderer_sources,
    write_review,
)


class ExportConfig(dg.Config):
    years: list[int] = []  # noqa: RUF012 - pydantic copies defaults; Dagster config needs a plain list
    """Rewrite these years whole (empty: only what changed since the last export)."""
    full: bool = False
    """Rewrite every file, whatever changed."""


@dg.asset(group_name="publish", kinds={"duckdb"}, owners=OWNERS, pool=WRITER_POOL, op_tags=WAREHOUSE_QUEUE_TAG,
          deps=["dq_results"])
@said_plainly()
def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """A read-only copy of the warehouse (published/<file name> beside it), swapped in atomically once
    the load and the checks are done. Analysts and BI tools open this copy: DuckDB lets no other
    process open the warehouse file while a load writes it."""
    settings = warehouse.settings()
    with warehouse.connection() as con:
        sig = signature(con)
        skipped = up_to_date(con, PUBLISHED_AT, sig, settings.published_path)
        if skipped:
            path = settings.published_path
        else:
            path = publish(con, settings.db_path, settings.published_path)
            mark_written(con, PUBLISHED_AT, sig)
        reports = con.execute("select count(*) from reports").fetchall()[0][0]
    return dg.MaterializeResult(metadata={
        **_skipped(skipped),
        "path": dg.MetadataValue.path(str(path)),
        "size_mb": round(path.stat().st_size / 2**20, 1),
        "reports": reports,
        "open_with": f"duckdb -readonly {path}",
    })


@dg.asset(group_name="publish", kinds={"parquet"}, owners=OWNERS, pool=WRITER_POOL, op_tags=WAREHOUSE_QUEUE_TAG,
          deps=["dq_results"])
@said_plainly()
def parquet_export(config: ExportConfig, warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The reports and the three fact tables as Parquet partitioned by year
    (export/<table>/year=<year>/*.parquet beside the warehouse, Hive-style); agencies, sections, prose
    claims, check results, corrections and the code tables whole (export/<table>.parquet); every analyst
    view as export/views/<view>.parquet, but v_fact_cells by year (export/views/v_fact_cells/year=<year>/);
    for BI tools (reports whose year is unknown stay in the warehouse only).
    Skipped while nothing changed since the last export; otherwise only what changed is written: a fact
    table's or v_fact_cells' new rows as one more part file of their year, a changed year, table or view rewritten
    (config `years` rewrites those years whole, `full` everything);
    each file is swapped in whole. The partitioning is in the files, not a Dagster partition: a job
    may hold one partitioning only, and the nightly job's is the parse batches."""
    settings = warehouse.settings()
    years = config.years or None
    out = export_dir(settings.db_path)
    with warehouse.connection() as con:
        sig = signature(con, Path(export_module.__file__))
        skipped = years is None and not config.full and up_to_date(con, EXPORTED_AT, sig, out / export_module.STATE_FILE)
        written = {} if skipped else export_years(con, out, years, full=config.full)
        if not skipped:
            mark_written(con, EXPORTED_AT, sig)
    return dg.MaterializeResult(metadata={
        **_skipped(skipped),
        "folder": dg.MetadataValue.path(str(out)),
        "rows": written,
        "files_written": len(written),
        "years": "all" if years is None else ", ".join(map(str, years)),
        "read_with": f"select * from read_parquet('{out}/fact_applications/*/*.parquet', hive_partitioning = true)",
    })


@dg.asset(group_name="publish", kinds={"html"}, owners=OWNERS, pool=WRITER_POOL, op_tags=WAREHOUSE_QUEUE_TAG,
          deps=["dq_results"])
@said_plainly()
def html_report(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """A self-contained HTML report with charts (report.html beside the warehouse; opens offline):
    coverage by year, province and format, applications and their outcomes, refusal reasons, appeals,
    and data-quality failures by check."""
    settings = warehouse.settings()
    path = settings.db_path.parent / "report.html"
    with warehouse.connection() as con:
        sig = signature(con, Path(report_module.__file__))
        skipped = up_to_date(con, REPORT_AT, sig, path)
        if not skipped:
            path = write_report(con, path)
            mark_written(con, REPORT_AT, sig)
    return dg.MaterializeResult(metadata={
        **_skipped(skipped),
        "report": dg.MetadataValue.url(path.resolve().as_uri()),
        "path": dg.MetadataValue.path(str(path)),
        "size_mb": round(path.stat().st_size / 2**20, 1),
    })


@dg.asset(group_name="publish", kinds={"html"}, owners=OWNERS, pool=WRITER_POOL, op_tags=WAREHOUSE_QUEUE_TAG,
          deps=["dq_results"])
@said_plainly()
def review_page(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """The review page (review.html beside the warehouse; one offline file): every current report that
    needs a person's review (uncertain placement, ambiguous labels, unnamed agency, failing error checks),
    its file's tables beside the cells read from them, the cells a check names marked. A run with
    nothing to review writes a page that says so. `disclosure review` writes the same page."""
    settings = warehouse.settings()
    path = settings.db_path.parent / DEFAULT_FILE_NAME
    with warehouse.connection() as con:
        # the page also shows the raw files of the listed reports, which change only through a load, read
        # again by the readers: the same code the page's kept sections are keyed by
        sig = signature(con, *renderer_sources()) + ":" + renderer_libraries()
        skipped = up_to_date(con, REVIEW_AT, sig, path)
        counted: dict = {}
        if not skipped:
            reviews = load_reviews(con, facts=False)  # the page reads the cells of the sections it renders
            path = write_review(con, settings.raw_dir, path, reviews=reviews)
            mark_written(con, REVIEW_AT, sig)
            counts = reason_counts(reviews)
            counted = {"reports_to_review": len(reviews), "by_reason": dg.MetadataValue.json(
                dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))}
    return dg.MaterializeResult(metadata={
        **_skipped(skipped),
        "page": dg.MetadataValue.url(path.resolve().as_uri()),
        "path": dg.MetadataValue.path(str(path)),
        "size_mb": round(path.stat().st_size / 2**20, 1),
        **counted,
    })


def _skipped(skipped: bool) -> dict:
    """The metadata that says whether a publish step wrote its output or found it up to date."""
    return {"skipped": "nothing changed since it was last written" if skipped else "no"}
