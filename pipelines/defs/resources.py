"""The warehouse resource: where the raw folder and the DuckDB file are, from the contract's env vars."""


import contextlib
from collections.abc import Iterator

import dagster as dg
import duckdb

from pipelines.defs.cluster import CeleryConfig
from pipelines.defs.step_outputs import JsonStepOutputsManager
from pipelines.ingest.settings import Settings
from pipelines.ingest.staging import step_outputs_location
from pipelines.warehouse.load import connect_waiting


class WarehouseResource(dg.ConfigurableResource):
    """Raw folder and warehouse file. Unset fields fall back to DISCLOSURE_RAW_DIR / DISCLOSURE_DB_PATH
    (read when a run starts), then to data/raw and data/warehouse/disclosure.duckdb."""

    raw_dir: str | None = None
    db_path: str | None = None
    workers: int = 0
    memory_limit: str = ""
    """DuckDB's memory_limit (e.g. '1GB'); empty: DISCLOSURE_MEMORY_LIMIT, else DEFAULT_MEMORY_LIMIT (1GB)."""
    lock_wait_seconds: float = 0.0  # 0: DISCLOSURE_LOCK_WAIT_S, else 30 minutes
    allow_removals: bool = False
    """Let this run mark files removed even when more than DISCLOSURE_MAX_REMOVED_SHARE of the known files
    are gone from the raw folder (the run stops otherwise: a wrong or unmounted folder must not empty
    the warehouse). Also DISCLOSURE_ALLOW_REMOVALS=1."""
    corrections_dir: str | None = None
    """The reviewers' corrections (*.csv), applied after every load; unset: DISCLOSURE_CORRECTIONS_DIR, else
    data/corrections (pipelines/warehouse/corrections.py)."""

    def settings(self) -> Settings:
        # The profile comes from DISCLOSURE_PROFILE only, like the executor it must agree with.
        return Settings.from_env(self.raw_dir, self.db_path, workers=self.workers, memory_limit=self.memory_limit or None,
                                 allow_removals=self.allow_removals or None, corrections_dir=self.corrections_dir)

    @contextlib.contextmanager
    def connection(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the warehouse, waiting (bounded) while another process holds DuckDB's single-writer lock."""
        settings = self.settings()
        log = dg.get_dagster_logger()
        con = connect_waiting(settings.db_path, settings.memory_limit, read_only=read_only,
                              wait_seconds=self.lock_wait_seconds or settings.lock_wait_s, on_wait=log.warning)
        try:
            yield con
        finally:
            con.close()


def execution_for(settings: Settings) -> tuple[dg.ExecutorDefinition, dict]:
    """The executor and extra resources of a deployment profile (DISCLOSURE_PROFILE).

    local: in-process execution. The steps run one after another in one process (parsing fans out to
    its own worker pool), so no step pays Dagster's per-process start-up and only one process opens
    DuckDB. cluster: dagster-celery sends every step to a Celery worker (parse steps to any, steps
    that open the warehouse to the `warehouse` queue), and step outputs live in the staging location,
    the one store every worker shares. In both, step outputs are JSON read through their declared
    types (step_outputs.py), never pickles.
    """
    if settings.profile != "cluster":
        return dg.in_process_executor, {"io_manager": JsonStepOutputsManager()}
    if not settings.staging_is_shared:
        raise ValueError("the cluster profile needs DISCLOSURE_STAGING_DIR: a folder every worker mounts, or a URL "
                         "(s3://bucket/staging); the default, beside the warehouse, only its machine sees")
    from dagster_celery import celery_executor  # the `cluster` extra

    executor = celery_executor.configured(CeleryConfig.from_env().executor_config(), name="celery")
    return executor, {"io_manager": JsonStepOutputsManager(base_dir=step_outputs_location(settings.staging))}


@dg.definitions
def resources() -> dg.Definitions:
    executor, extra = execution_for(Settings.from_env())
    return dg.Definitions(resources={"warehouse": WarehouseResource(), **extra}, executor=executor)
