"""The last Dagster run as an operator wants it on one screen: which job, how it ended, and for a
failed run the step that failed and why (its root cause, not "Exceeded max_retries")."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

# Where `make` keeps Dagster's state (Makefile: DAGSTER_HOME), relative to the repository.
DEFAULT_HOME = Path(".dagster")


@dataclass
class RunAccount:
    run_id: str
    job: str
    status: str
    started: dt.datetime | None
    ended: dt.datetime | None
    failures: list[tuple[str, str]] = field(default_factory=list)  # (step, cause)


def instance_home() -> Path | None:
    """DAGSTER_HOME, else the repository's .dagster/ when `make` has created it; None without either."""
    home = os.environ.get("DAGSTER_HOME")
    if home:
        return Path(home)
    return DEFAULT_HOME.resolve() if (DEFAULT_HOME / "dagster.yaml").exists() else None


def _open_instance(home: Path) -> dg.DagsterInstance:
    # dagster.yaml names its folders by the variables the Makefile sets; outside make, the same defaults.
    os.environ.setdefault("DAGSTER_STORAGE_DIR", str(home / "storage"))
    os.environ.setdefault("DAGSTER_ARTIFACT_DIR", str(home / "artifacts"))
    os.environ.setdefault("DAGSTER_COMPUTE_LOG_DIR", str(home / "logs"))
    return dg.DagsterInstance.from_config(str(home))


def _cause(event: dg.EventLogEntry) -> str:
    data = event.dagster_event.event_specific_data if event.dagster_event else None
    failure = getattr(data, "user_failure_data", None)
    if failure is not None and failure.description:
        return " ".join(failure.description.split())
    error = getattr(data, "error", None)
    while error is not None and (error.cause or error.context) is not None:
        error = error.cause or error.context
    if error is None:
        return event.message or "(no message)"
    return f"{error.cls_name}: {' '.join(error.message.split())}"


def last_run(home: Path | None = None) -> RunAccount | None:
    """The most recent run recorded in the Dagster instance at `home` (default: instance_home())."""
    home = home or instance_home()
    if home is None:
        return None
    instance = _open_instance(home)
    try:
        records = instance.get_run_records(limit=1)
        if not records:
            return None
        record = records[0]
        run = record.dagster_run
        account = RunAccount(run.run_id, run.job_name, run.status.value, record.start_time and
                             dt.datetime.fromtimestamp(record.start_time, dt.UTC),
                             record.end_time and dt.datetime.fromtimestamp(record.end_time, dt.UTC))
        if run.status == dg.DagsterRunStatus.FAILURE:
            events = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.STEP_FAILURE)
            account.failures = [(e.step_key or "?", _cause(e)) for e in events]
            if not account.failures:  # the run failed outside a step (e.g. it could not start)
                run_failures = instance.all_logs(run.run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
                account.failures = [("(run)", _cause(e)) for e in run_failures]
        return account
    finally:
        instance.dispose()
