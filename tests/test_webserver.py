"""The Dagster UI's server: started on loopback, its GraphQL API lists every asset, check, the
schedule and the sensor."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.warehouse.checks import load_checks
from tests.test_definitions import ASSETS

ROOT = Path(__file__).resolve().parent.parent
QUERY = """
{
  assetNodes { assetKey { path } description owners { ... on TeamAssetOwner { team } }
               assetChecksOrError { ... on AssetChecks { checks { name description } } } }
  repositoriesOrError { ... on RepositoryConnection { nodes { name
      schedules { name cronSchedule executionTimezone } sensors { name } jobs { name } } } }
}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=json.dumps({"query": query}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


@pytest.mark.slow
def test_webserver_graphql_lists_assets_checks_schedule_and_sensor(tmp_path):
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    port = _free_port()
    env = {**os.environ, "DAGSTER_HOME": str(home), "DISCLOSURE_DB_PATH": str(tmp_path / "w.duckdb")}
    server = subprocess.Popen([sys.executable, "-m", "dagster_webserver", "-h", "127.0.0.1", "-p", str(port),
                               "-m", "pipelines.definitions"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/server_info", timeout=5):
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("dagster-webserver did not come up")
                time.sleep(1)
        data = _graphql(port, QUERY)["data"]
    finally:
        server.terminate()
        server.wait(timeout=30)

    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    assert set(nodes) == ASSETS
    assert all(n["description"] for n in nodes.values()), "every asset is described"
    assert all(n["owners"] for n in nodes.values()), "every asset has an owner"
    checks = {c["name"]: c["description"] for n in nodes.values() for c in n["assetChecksOrError"]["checks"]}
    assert set(checks) == {c.name for c in load_checks()}
    assert all("Fix" in d or "fix" in d for d in checks.values()), [n for n, d in checks.items() if "ix" not in d]
    repo = data["repositoriesOrError"]["nodes"][0]
    assert {s["name"] for s in repo["schedules"]} == {"nightly_ingest"}
    assert {s["name"] for s in repo["sensors"]} == {"raw_folder_sensor"}
    assert {"ingest", "retry_quarantined"} <= {j["name"] for j in repo["jobs"]}
