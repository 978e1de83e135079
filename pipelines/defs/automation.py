"""The nightly schedule (02:00 Asia/Shanghai) and a sensor that starts a run when the raw folder changes."""


import hashlib

import dagster as dg

from pipelines.defs.assets import ALL_BATCHES_TAGS, RETRY_QUARANTINED_TAG
from pipelines.defs.resources import WarehouseResource
from pipelines.ingest.scan import walk

# Runs that write the warehouse carry this tag; dagster.yaml lets one of them run at a time and queues
# the rest (the schedule firing while an operator reruns from the UI).
WRITER_TAG = {"disclosure/warehouse": "writer"}

ingest_job = dg.define_asset_job(
    "ingest", selection=dg.AssetSelection.all(), tags={**WRITER_TAG, **ALL_BATCHES_TAGS},
    description="Scan the raw folder, parse what is new, load the warehouse, run the data-quality checks, "
                "publish the read-only copy.",
)

# A tag, not run config: an asset job over partitioned assets applies its config only to runs of one
# partition, and this job's runs cover every batch.
retry_quarantined_job = dg.define_asset_job(
    "retry_quarantined", selection=dg.AssetSelection.all(),
    tags={**WRITER_TAG, **RETRY_QUARANTINED_TAG, **ALL_BATCHES_TAGS},
    description="An ingest run that also parses every quarantined file again (after fixing a file's "
                "sidecar, installing LibreOffice, raising a limit…).",
)

nightly_ingest = dg.ScheduleDefinition(
    name="nightly_ingest", job=ingest_job, cron_schedule="0 2 * * *", execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 China time: ingest whatever landed in the raw folder.",
)


def folder_fingerprint(warehouse: WarehouseResource) -> str:
    """A cheap fingerprint of the raw folder and the corrections folder: paths, sizes and modification
    times (no file is read), so that a reviewer's new correction starts a run too."""
    h = hashlib.sha256()
    settings = warehouse.settings()
    raw_dir = settings.raw_dir
    if not raw_dir.is_dir():
        return "missing"
    for path in walk(raw_dir):
        try:
            st = path.stat()
        except OSError:
            continue
        h.update(f"{path.relative_to(raw_dir).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    corrections = settings.corrections_dir
    if corrections is not None and corrections.is_dir():
        for path in sorted(corrections.rglob("*.csv")):
            try:
                st = path.stat()
            except OSError:
                continue
            h.update(f"corrections\0{path.relative_to(corrections).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\n"
                     .encode())
    return h.hexdigest()


@dg.sensor(job=ingest_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.STOPPED,
           description="Starts an ingest run when files are added, changed or removed under the raw folder "
                       "(or a reviewer's corrections file changes).")
def raw_folder_sensor(context: dg.SensorEvaluationContext, warehouse: WarehouseResource):
    fingerprint = folder_fingerprint(warehouse)
    if fingerprint == context.cursor:
        return dg.SkipReason("raw folder unchanged since the last run request")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)


@dg.definitions
def automation() -> dg.Definitions:
    return dg.Definitions(jobs=[ingest_job, retry_quarantined_job], schedules=[nightly_ingest], sensors=[raw_folder_sensor])
