"""One Dagster asset check per SQL rule in sql/checks/, on the table its header names."""


import dagster as dg

from pipelines.checks import CheckDef, load_checks, run_check
from pipelines.defs.assets import markdown_table
from pipelines.defs.resources import WarehouseResource

SEVERITY = {"error": dg.AssetCheckSeverity.ERROR, "warn": dg.AssetCheckSeverity.WARN}


def build_check(check: CheckDef) -> dg.AssetChecksDefinition:
    @dg.asset_check(asset=check.asset, name=check.name, description=check.description, blocking=False,
                    pool="duckdb_writer")
    def _check(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        with warehouse.connection(read_only=False) as con:
            rows = run_check(con, check)
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
