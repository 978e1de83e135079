"""One Dagster asset check per SQL rule in sql/checks/, on the table its header names.

All checks are one step: they read the rows the run's dq_results step wrote, a query each, so a
step per check would only add start-up cost (a process or a Celery task each in the cluster profile).
"""


import dagster as dg
import duckdb
import polars as pl

from pipelines.defs.assets import WRITER_POOL, markdown_table
from pipelines.defs.cluster import WAREHOUSE_QUEUE_TAG
from pipelines.defs.resources import WarehouseResource
from pipelines.warehouse.checks import CheckDef, load_checks

SEVERITY = {"error": dg.AssetCheckSeverity.ERROR, "warn": dg.AssetCheckSeverity.WARN}


def check_result(con: duckdb.DuckDBPyConnection, check: CheckDef) -> dg.AssetCheckResult:
    """A check's result from the rows the run's dq_results step wrote with its SQL (not recomputed)."""
    rows = pl.from_arrow(con.sql(
        "select agency_id, year, report_id, detail from dq_results where check_name = $name "
        "order by report_id", params={"name": check.name}).to_arrow_table())
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(check.asset),
        check_name=check.name,
        passed=rows.height == 0,
        severity=SEVERITY[check.severity],
        metadata={"violations": rows.height, "sql": f"sql/checks/{check.name}.sql",
                  "preview": markdown_table(rows, 20)},
    )


def build_checks(checks: list[CheckDef]) -> dg.AssetChecksDefinition:
    """Every rule as one check of the table it guards, all run by one step (a subset when picked in the UI)."""
    specs = [dg.AssetCheckSpec(c.name, asset=c.asset, description=c.description, blocking=False,
                               additional_deps=["dq_results"]) for c in checks]

    @dg.multi_asset_check(name="sql_checks", specs=specs, can_subset=True, pool=WRITER_POOL, op_tags=WAREHOUSE_QUEUE_TAG)
    def _checks(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource):
        selected = context.selected_asset_check_keys
        with warehouse.connection() as con:
            for check in checks:
                if dg.AssetCheckKey(dg.AssetKey(check.asset), check.name) in selected:
                    yield check_result(con, check)

    return _checks


@dg.definitions
def asset_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[build_checks(load_checks())])
