"""The cluster profile's Celery settings: one source for the executor that sends steps and for the
workers that run them (both must agree on broker, queues and delivery rules).

Plain data, no Dagster or Celery import: the local profile needs neither installed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
DEFAULT_BACKEND = "redis://127.0.0.1:6379/1"
# A task a worker took but never finished (the worker was killed, its machine lost) goes back to the
# queue after this long. It must exceed the longest step, or a slow step is started twice (harmless:
# a parse step rewrites the same staged batches, the loader waits for the warehouse lock).
DEFAULT_REDELIVER_SECONDS = 2 * 3600

# Celery queues. Parse steps go to the default queue, which every worker serves; every step that
# opens the DuckDB file goes to `warehouse`, served by the one worker that mounts the warehouse.
PARSE_QUEUE = "dagster"
WAREHOUSE_QUEUE = "warehouse"
CELERY_QUEUE_TAG = "dagster-celery/queue"
WAREHOUSE_QUEUE_TAG = {CELERY_QUEUE_TAG: WAREHOUSE_QUEUE}


@dataclass(frozen=True)
class CeleryConfig:
    broker: str = DEFAULT_BROKER
    backend: str = DEFAULT_BACKEND
    redeliver_after_s: int = DEFAULT_REDELIVER_SECONDS

    @classmethod
    def from_env(cls) -> CeleryConfig:
        """DISCLOSURE_CELERY_BROKER, DISCLOSURE_CELERY_BACKEND, DISCLOSURE_CELERY_REDELIVER_S."""
        return cls(
            broker=os.environ.get("DISCLOSURE_CELERY_BROKER") or DEFAULT_BROKER,
            backend=os.environ.get("DISCLOSURE_CELERY_BACKEND") or DEFAULT_BACKEND,
            redeliver_after_s=int(os.environ.get("DISCLOSURE_CELERY_REDELIVER_S") or DEFAULT_REDELIVER_SECONDS),
        )

    def app_settings(self) -> dict:
        """Celery settings beyond broker and backend.

        A step is acknowledged only when it has finished (acks_late), and a worker process that dies
        hands its step back (reject_on_worker_lost): a killed worker's batch is run again by another
        worker instead of being lost, which Dagster's Celery executor would wait on forever. One step
        at a time per worker process (prefetch 1): a step is minutes of work, not a small task.
        """
        transport = {
            "visibility_timeout": self.redeliver_after_s,
            # dagster-celery's defaults for publishing retries
            "max_retries": 3, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5,
        }
        return {
            "task_acks_late": True,
            "task_reject_on_worker_lost": True,
            "worker_prefetch_multiplier": 1,
            "worker_pool": "solo",
            "broker_transport_options": transport,
            "result_backend_transport_options": {"visibility_timeout": self.redeliver_after_s},
            "broker_connection_retry_on_startup": True,
            "task_default_queue": PARSE_QUEUE,
        }

    def executor_config(self) -> dict:
        """The run config of dagster-celery's executor."""
        return {"broker": self.broker, "backend": self.backend, "config_source": self.app_settings()}
