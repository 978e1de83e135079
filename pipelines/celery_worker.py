"""The Celery app the cluster profile's workers run: `celery -A pipelines.celery_worker worker -Q dagster`
(add `,warehouse` on the one worker that mounts the warehouse). It is dagster-celery's step task,
configured from the same settings as the executor (pipelines.cluster), read from the environment
when the worker starts.
"""

from dagster_celery.config import DEFAULT_CONFIG, dict_wrapper
from dagster_celery.make_app import make_app
from dagster_celery.tasks import create_task

from pipelines.cluster import CeleryConfig

_config = CeleryConfig.from_env()
app = make_app({
    "broker": _config.broker,
    "backend": _config.backend,
    "include": [],
    "config_source": dict_wrapper(dict(DEFAULT_CONFIG, **_config.app_settings())),
})
execute_plan = create_task(app)
