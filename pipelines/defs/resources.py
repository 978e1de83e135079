"""The warehouse resource: where the raw folder and the DuckDB file are, from the contract's env vars."""


import contextlib
from collections.abc import Iterator

import dagster as dg
import duckdb

from pipelines.settings import DEFAULT_MEMORY_LIMIT, Settings
from pipelines.warehouse import connect_waiting


class WarehouseResource(dg.ConfigurableResource):
    """Raw folder and warehouse file. Unset fields fall back to DISCLOSURE_RAW_DIR / DISCLOSURE_DB_PATH
    (read when a run starts), then to data/raw and data/warehouse/disclosure.duckdb."""

    raw_dir: str | None = None
    db_path: str | None = None
    workers: int = 0
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    lock_wait_seconds: float = 0.0  # 0: DISCLOSURE_LOCK_WAIT_S, else 30 minutes

    def settings(self) -> Settings:
        return Settings.from_env(self.raw_dir, self.db_path, workers=self.workers, memory_limit=self.memory_limit)

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


@dg.definitions
def resources() -> dg.Definitions:
    # In-process execution: the steps run one after another in one process (parsing fans out to its own
    # worker pool), so no step pays Dagster's per-process start-up and only one process opens DuckDB.
    return dg.Definitions(resources={"warehouse": WarehouseResource()}, executor=dg.in_process_executor)
