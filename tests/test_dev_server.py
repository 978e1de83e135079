"""`make dev` stops whole on SIGTERM (systemd, docker stop): no webserver, daemon or code server is
left behind (issue #15). The test starts what `make dev` runs, with its own Dagster home and port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children() -> dict[int, int]:
    """pid → parent pid of every process (Linux /proc)."""
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            out[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return out


def _descendants(pid: int) -> set[int]:
    parents = _children()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_sigterm_stops_the_ui_and_every_process_it_started(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    env = {**os.environ, "DAGSTER_HOME": str(home), "DISCLOSURE_DB_PATH": str(tmp_path / "w.duckdb")}
    port = _free_port()
    dev = subprocess.Popen([sys.executable, "-m", "pipelines.defs.dev", "-h", "127.0.0.1", "-p", str(port)],
                           cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    started: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # up: the webserver answers
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(1)
        else:
            pytest.fail("the Dagster UI did not start")
        started = _descendants(dev.pid)
        assert len(started) >= 3, "dagster dev, its webserver and daemon at least"
        dev.send_signal(signal.SIGTERM)
        assert dev.wait(timeout=60) == 128 + signal.SIGTERM
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(p) for p in started):
            time.sleep(0.5)
        assert not [p for p in started if _alive(p)], "every process `make dev` started is gone"
    finally:
        if dev.poll() is None:
            dev.kill()
        for p in started:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
