"""Shared fixtures: the five sample reports, their hand-read truth, and a real DuckDB warehouse."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = ROOT / "data" / "raw"
EXPECTED_DIR = Path(__file__).resolve().parent / "fixtures" / "expected"
SAMPLE_STEMS = sorted(p.stem for p in EXPECTED_DIR.glob("*.json"))
COORDINATES = {
    "fact_proactive": ("item", "category", "metric"),
    "fact_applications": ("outcome", "applicant"),
    "fact_appeals": ("proceeding", "result"),
}


def sample_path(stem: str) -> Path:
    return SAMPLES_DIR / f"{stem}.txt"


def expected_cells(stem: str) -> dict[tuple, tuple]:
    """The hand-read truth of a sample: (table, *coordinates) → (value, cell_state, raw_text)."""
    data = json.loads((EXPECTED_DIR / f"{stem}.json").read_text(encoding="utf-8"))
    out = {}
    for cell in data["cells"]:
        key = (cell["table"], *(cell[c] for c in COORDINATES[cell["table"]]))
        value = None if cell["value"] is None else float(cell["value"])
        out[key] = (value, cell["cell_state"], cell["raw_text"])
    return out


def expected_template(stem: str) -> str:
    return json.loads((EXPECTED_DIR / f"{stem}.json").read_text(encoding="utf-8"))["template_version"]


@pytest.fixture
def raw_dir(tmp_path: Path) -> Path:
    """A raw folder holding copies of the five samples."""
    folder = tmp_path / "raw"
    folder.mkdir()
    for stem in SAMPLE_STEMS:
        shutil.copy2(sample_path(stem), folder / f"{stem}.txt")
    return folder


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse" / "disclosure.duckdb"


def run_pipeline(raw: Path, db: Path) -> None:
    """Ingest a raw folder into a warehouse file and run the checks, as one nightly run does."""
    from pipelines.checks import refresh_dq_results
    from pipelines.ingest import ingest
    from pipelines.settings import Settings
    from pipelines.warehouse import connect

    ingest(Settings(raw_dir=raw, db_path=db, workers=1))
    con = connect(db)
    try:
        refresh_dq_results(con)
    finally:
        con.close()


def query(db: Path, sql: str, params: dict | None = None) -> list[tuple]:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()
