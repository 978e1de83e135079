"""The warehouse resource: where the raw folder and the DuckDB file are, from the contract's env vars."""


import contextlib
import time
from collections.abc import Iterator

import dagster as dg
import duckdb

from pipelines.settings import DEFAULT_MEMORY_LIMIT, Settings
from pipelines.warehouse import connect

LOCK_WAIT_SECONDS = 120.0
LOCK_RETRY_SECONDS = 1.0


class WarehouseResource(dg.ConfigurableResource):
    """Raw folder and warehouse file. Unset fields fall back to DISCLOSURE_RAW_DIR / DISCLOSURE_DB_PATH
    (read when a run starts), then to data/raw and data/warehouse/disclosure.duckdb."""

    raw_dir: str | None = None
    db_path: str | None = None
    workers: int = 0
    memory_limit: str = DEFAULT_MEMORY_LIMIT
    lock_wait_seconds: float = LOCK_WAIT_SECONDS

    def settings(self) -> Settings:
        return Settings.from_env(self.raw_dir, self.db_path, workers=self.workers, memory_limit=self.memory_limit)

    @contextlib.contextmanager
    def connection(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """Open the warehouse, waiting (bounded) while another process holds DuckDB's single-writer lock."""
        settings = self.settings()
        deadline = time.monotonic() + self.lock_wait_seconds
        while True:
            try:
                con = connect(settings.db_path, settings.memory_limit, read_only=read_only)
                break
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"The warehouse {settings.db_path} is held by another process (another run?) and was "
                        f"not released within {self.lock_wait_seconds:.0f}s: {exc}") from exc
                time.sleep(LOCK_RETRY_SECONDS)
        try:
            yield con
        finally:
            con.close()


@dg.definitions
def resources() -> dg.Definitions:
    # In-process execution: the steps run one after another in one process (parsing fans out to its own
    # worker pool), so no step pays Dagster's per-process start-up and only one process opens DuckDB.
    return dg.Definitions(resources={"warehouse": WarehouseResource()}, executor=dg.in_process_executor)
