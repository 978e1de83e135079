"""The product's definitions plus a bench-only job: ingest without review_page (for repeated timings)."""
import dagster as dg

import pipelines.definitions as _product_module
from pipelines.defs.automation import ingest_job


def _build() -> dg.Definitions:
    job = dg.define_asset_job(
        "ingest_noreview", selection=dg.AssetSelection.all() - dg.AssetSelection.assets("review_page"),
        tags=dict(ingest_job.tags))
    return dg.Definitions.merge(_product_module.defs(), dg.Definitions(jobs=[job]))


defs = _build()
