"""The Celery app the cluster profile's workers run: `celery -A pipelines.defs.celery_app worker -Q dagster`
(add `,warehouse` on the one worker that mounts the warehouse). It is dagster-celery's step task,
configured from the same settings as the executor (defs/cluster.py), read from the environment when
the worker starts.

The app is built on first access (a module `__getattr__`, which Celery's `-A` lookup triggers): the
defs folder is autoloaded by Dagster in every profile, and only the cluster profile installs
dagster-celery.
"""

from __future__ import annotations

import functools

from pipelines.defs.cluster import CeleryConfig


@functools.cache
def _worker() -> tuple:
    from dagster_celery.config import DEFAULT_CONFIG, dict_wrapper
    from dagster_celery.make_app import make_app
    from dagster_celery.tasks import create_task

    config = CeleryConfig.from_env()
    app = make_app({
        "broker": config.broker,
        "backend": config.backend,
        "include": [],
        "config_source": dict_wrapper(dict(DEFAULT_CONFIG, **config.app_settings())),
    })
    return app, create_task(app)


def __getattr__(name: str):
    if name == "app":
        return _worker()[0]
    if name == "execute_plan":
        return _worker()[1]
    raise AttributeError(name)
