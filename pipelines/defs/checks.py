"""One Dagster asset check per SQL rule in sql/checks/, on the table its header names."""


import dagster as dg
import polars as pl

from pipelines.checks import CheckDef, load_checks
from pipelines.defs.assets import markdown_table
from pipelines.defs.resources import WarehouseResource

SEVERITY = {"error": dg.AssetCheckSeverity.ERROR, "warn": dg.AssetCheckSeverity.WARN}


def build_check(check: CheckDef) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=check.asset, name=check.name, description=check.description, blocking=False,
                    additional_deps=["dq_results"], pool="duckdb_writer")
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        # dq_results holds this SQL's rows from the run's dq_results step: read them, do not recompute.
        with warehouse.connection() as con:
            rows = pl.from_arrow(con.sql(
                "select agency_id, year, report_id, detail from dq_results where check_name = $name "
                "order by report_id", params={"name": check.name}).to_arrow_table())
        return dg.AssetCheckResult(
            passed=rows.height == 0,
            severity=SEVERITY[check.severity],
            metadata={"violations": rows.height, "sql": f"sql/checks/{check.name}.sql",
                      "preview": markdown_table(rows, 20)},
        )

    return _check


@dg.definitions
def asset_checks() -> dg.Definitions:
    return dg.Definitions(asset_checks=[build_check(c) for c in load_checks()])
