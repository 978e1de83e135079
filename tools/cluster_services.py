"""Postgres, Redis and Celery workers on loopback, started for the cluster tests and stopped after.

Debian's packages (`postgresql`, `redis-server`; `make test-cluster` installs them when missing)
run from temporary folders on free ports: nothing is left behind and no system service is touched.
Postgres refuses to run as root, so as root its folder belongs to the `postgres` user and it is
started through `runuser`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CLUSTER_HOME_YAML = REPO / "deploy" / "cluster" / "dagster.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _postgres_bin(name: str) -> str | None:
    """The newest installed Postgres's program (Debian keeps each major version in its own folder)."""
    def version(path: str) -> tuple[int, ...]:
        return tuple(int(part) for part in Path(path).parts[4].split(".") if part.isdigit())

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    return found[-1] if found else shutil.which(name)


def missing_services() -> list[str]:
    """What this machine lacks to run the cluster tests (empty: all there)."""
    missing = [n for n in ("initdb", "postgres") if _postgres_bin(n) is None]
    missing += [n for n in ("redis-server",) if shutil.which(n) is None]
    try:
        import dagster_celery  # noqa: F401
        import dagster_postgres  # noqa: F401
        import redis  # noqa: F401
    except ImportError as exc:
        missing.append(f"python package {exc.name} (pip install -e '.[cluster]')")
    return missing


def _wait(ready, what: str, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.2)
    raise TimeoutError(f"{what} did not start within {seconds:.0f} s")


def stop(proc: subprocess.Popen, seconds: float = 20.0, sig: int = signal.SIGTERM) -> None:
    """Signal the process group (SIGTERM, or what the server takes as "shut down now"), then SIGKILL what is left."""
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(seconds)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def start(command: list[str], log: Path, **kwargs) -> subprocess.Popen:
    """Start a program in its own process group (so that stop() reaches its children), output to `log`."""
    with open(log, "wb") as out:
        return subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, **kwargs)


@contextlib.contextmanager
def postgres() -> Iterator[dict[str, str]]:
    """A throwaway Postgres on 127.0.0.1 with a `dagster` database; yields the DAGSTER_PG_* env vars."""
    as_root = os.geteuid() == 0
    folder = Path(tempfile.mkdtemp(prefix="disclosure-pg-"))
    data = folder / "data"
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(folder, "postgres", "postgres")
    port = free_port()
    proc = None
    try:
        subprocess.run([*run_as, _postgres_bin("initdb"), "-D", str(data), "-U", "dagster", "--auth=trust",
                        "--encoding=UTF8", "--no-sync"], check=True, capture_output=True)
        proc = start([*run_as, _postgres_bin("postgres"), "-D", str(data), "-p", str(port),
                      "-c", "listen_addresses=127.0.0.1", "-k", str(folder), "-c", "fsync=off",
                      "-c", "max_connections=200"], folder / "postgres.log")
        import psycopg2

        def ready() -> bool:
            con = psycopg2.connect(host="127.0.0.1", port=port, user="dagster", dbname="postgres")
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute("create database dagster")
            con.close()
            return True

        _wait(ready, "Postgres")
        yield {"DAGSTER_PG_HOST": "127.0.0.1", "DAGSTER_PG_PORT": str(port), "DAGSTER_PG_USER": "dagster",
               "DAGSTER_PG_PASSWORD": "trust", "DAGSTER_PG_DB": "dagster"}
    finally:
        if proc is not None:
            stop(proc, sig=signal.SIGINT)  # Postgres's fast shutdown: it does not wait for clients
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throwaway Redis on 127.0.0.1 (no persistence); yields its URL."""
    folder = Path(tempfile.mkdtemp(prefix="disclosure-redis-"))
    port = free_port()
    proc = start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                  "--appendonly", "no", "--dir", str(folder)], folder / "redis.log")
    try:
        import redis

        _wait(lambda: redis.Redis(host="127.0.0.1", port=port).ping(), "Redis")
        yield f"redis://127.0.0.1:{port}"
    finally:
        stop(proc)
        shutil.rmtree(folder, ignore_errors=True)


@dataclass
class Worker:
    name: str
    proc: subprocess.Popen
    log: Path

    def owns(self, pid: int) -> bool:
        """Whether a process belongs to this worker (its pool processes share its process group)."""
        try:
            return os.getpgid(pid) == self.proc.pid
        except ProcessLookupError:
            return False

    def parsers(self) -> list[int]:
        """The worker's parser processes (multiprocessing spawn children): they exist only while a parse
        step runs. Other children come and go with every step (Dagster's log capture, for one)."""
        pids = []
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*"):  # a child may be started by any thread
            with contextlib.suppress(OSError):
                for pid in (task / "children").read_text().split():
                    if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                        pids.append(int(pid))
        return pids

    def kill(self) -> None:
        """Kill the worker outright (SIGKILL to its whole process group): what a lost machine looks like."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


@dataclass
class Cluster:
    """The environment every process of the cluster profile shares, and the workers started in it."""

    env: dict[str, str]
    home: Path
    workers: list[Worker] = field(default_factory=list)
    others: list[subprocess.Popen] = field(default_factory=list)  # runs, the daemon

    def start_worker(self, name: str, queues: str) -> Worker:
        log = self.home / f"worker-{name}.log"
        proc = start([sys.executable, "-m", "celery", "-A", "pipelines.defs.celery_app", "worker", "-Q", queues,
                      "-n", f"{name}@%h", "--without-gossip", "--without-mingle", "-l", "INFO"],
                     log, cwd=REPO, env=self.env)
        worker = Worker(name, proc, log)
        self.workers.append(worker)
        _wait(lambda: b" ready." in log.read_bytes(), f"Celery worker {name}", 120)
        return worker

    def start(self, name: str, command: list[str]) -> subprocess.Popen:
        """Start a Dagster process (a run, the daemon) in the cluster's environment; stop() ends it."""
        proc = start(command, self.home / f"{name}.log", cwd=REPO, env=self.env)
        self.others.append(proc)
        return proc

    def logs(self) -> str:
        """The tail of every log, for a failing assertion."""
        logs = sorted(self.home.glob("*.log"))
        return "\n".join(f"--- {p.name}\n" + p.read_text(errors="replace")[-3000:] for p in logs)

    def stop(self) -> None:
        """Stop runs and the daemon first (they wait on workers), then the workers."""
        for proc in self.others:
            stop(proc)
        for worker in self.workers:
            stop(worker.proc)
        self.others.clear()
        self.workers.clear()


def dagster_program(name: str = "dagster") -> str:
    """A Dagster command of this virtual environment."""
    return str(Path(sys.executable).parent / name)


def ingest_command() -> list[str]:
    """What `make run` runs: one ingest run, orchestrated by this process."""
    return [dagster_program(), "job", "execute", "-m", "pipelines.definitions", "-j", "ingest"]


def base_env(raw: Path, db: Path) -> dict[str, str]:
    """This process's environment without Dagster's or ours, pointed at a raw folder and a warehouse."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DAGSTER_", "DISCLOSURE_"))}
    env.update({"DISCLOSURE_RAW_DIR": str(raw), "DISCLOSURE_DB_PATH": str(db), "PYTHONPATH": str(REPO)})
    return env


def cluster_env(base: dict[str, str], pg_env: dict[str, str], redis_url: str, home: Path) -> dict[str, str]:
    """The environment of the cluster profile: Dagster's home with deploy/cluster/dagster.yaml."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(CLUSTER_HOME_YAML, home / "dagster.yaml")
    return {
        **base, **pg_env,
        "DAGSTER_HOME": str(home),
        "DAGSTER_ARTIFACT_DIR": str(home / "artifacts"),
        "DAGSTER_COMPUTE_LOG_DIR": str(home / "logs"),
        "DISCLOSURE_PROFILE": "cluster",
        "DISCLOSURE_CELERY_BROKER": f"{redis_url}/0",
        "DISCLOSURE_CELERY_BACKEND": f"{redis_url}/1",
    }
