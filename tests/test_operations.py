"""What an operator meets (issue #15): two `make run` at once, a raw folder that is not there, a raw
folder pointed at the wrong place. Each runs the Makefile's own `run` recipe (Dagster's job, then the
summary) against a Dagster home of its own, as `make run` does."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import query

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("VIRTUAL_ENV", ROOT / ".venv")) / "bin"


def recipe(target: str) -> str:
    """The Makefile's recipe for `target`, as one shell command (make stops at the first failing line)."""
    lines, inside = [], False
    for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines():
        if re.match(rf"^{re.escape(target)}:", line):
            inside = True
            continue
        if inside and line.startswith("\t"):
            lines.append(line.strip().lstrip("@").replace("$(BIN)", str(BIN)))
        elif inside:
            break
    assert lines, f"no recipe for {target}"
    return " && ".join(lines)


def dagster_env(home: Path, raw: Path, db: Path, **extra: str) -> dict[str, str]:
    """The environment `make` gives a run, with a Dagster home of its own set up as `make dagster-home` does."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "dagster.yaml", home / "dagster.yaml")
    env = {**os.environ, "DAGSTER_HOME": str(home), "DAGSTER_STORAGE_DIR": str(home / "storage"),
           "DAGSTER_ARTIFACT_DIR": str(home / "artifacts"), "DAGSTER_COMPUTE_LOG_DIR": str(home / "logs"),
           "DISCLOSURE_RAW_DIR": str(raw), "DISCLOSURE_DB_PATH": str(db), "DISCLOSURE_WORKERS": "1", **extra}
    subprocess.run([str(BIN / "dagster"), "instance", "migrate"], env=env, check=True, capture_output=True)
    return env


def make_run(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(["bash", "-c", recipe("run")], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def disclosure(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "disclosure"), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_two_make_runs_at_once_both_end_well(raw_dir, tmp_path):
    db = tmp_path / "wh" / "d.duckdb"
    env = dagster_env(tmp_path / "home", raw_dir, db)
    runs = [make_run(env), make_run(env)]
    outputs = [r.communicate(timeout=600)[0] for r in runs]
    assert [r.returncode for r in runs] == [0, 0], outputs[0][-3000:] + outputs[1][-3000:]
    assert all("files: loaded 5" in out for out in outputs), "both print the summary"
    assert query(db, "select count(*), count(distinct path) from source_files") == [(5, 5)]


@pytest.mark.slow
def test_a_missing_raw_folder_is_one_line_everywhere(tmp_path):
    missing = tmp_path / "not-mounted"
    db = tmp_path / "wh" / "d.duckdb"
    env = dagster_env(tmp_path / "home", missing, db)
    cli = disclosure(env, "ingest")
    assert cli.returncode == 2
    assert cli.stdout.strip() == ""
    assert [line for line in cli.stderr.splitlines() if line.strip()] == [
        f"error: the raw folder {missing} does not exist; set DISCLOSURE_RAW_DIR to the folder of reports"]
    assert not db.exists(), "nothing was created"

    run = make_run(env)
    out = run.communicate(timeout=600)[0]
    assert run.returncode != 0
    assert "Exceeded max_retries" not in out
    assert f"the raw folder {missing} does not exist" in out
    status = disclosure(env, "status")
    assert re.search(r"last Dagster run: ingest FAILURE", status.stdout), status.stdout
    assert f"failed step raw_files: the raw folder {missing} does not exist" in " ".join(status.stdout.split())


@pytest.mark.slow
def test_a_wrong_raw_folder_cannot_empty_the_warehouse(raw_dir, tmp_path):
    db = tmp_path / "wh" / "d.duckdb"
    env = dagster_env(tmp_path / "home", raw_dir, db)
    assert disclosure(env, "ingest").returncode == 0
    before = query(db, "select path, status from source_files order by 1")
    empty = tmp_path / "empty"
    empty.mkdir()
    wrong = {**env, "DISCLOSURE_RAW_DIR": str(empty)}

    cli = disclosure(wrong, "ingest")
    assert cli.returncode == 3
    message = " ".join(cli.stderr.split())
    assert "refusing to mark 5 of the 5 files the warehouse knows as removed (100%, more than the 20% allowed)" in message
    assert "--allow-removals" in message and "Nothing was changed" in message
    run = make_run(wrong)
    out = run.communicate(timeout=600)[0]
    assert run.returncode != 0 and "refusing to mark 5 of the 5 files" in out
    assert query(db, "select path, status from source_files order by 1") == before, "nothing changed"

    # Two files of five really gone is more than 20%: refused too, until the operator allows it.
    for name in sorted(p.name for p in raw_dir.iterdir())[:2]:
        (raw_dir / name).unlink()
    assert disclosure(env, "ingest").returncode == 3
    assert disclosure(env, "ingest", "--allow-removals").returncode == 0
    assert query(db, "select count(*) from source_files where status = 'removed'") == [(2,)]
