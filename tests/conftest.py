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


@pytest.fixture(scope="session")
def samples_warehouse(tmp_path_factory) -> Path:
    """One warehouse of the five samples for the tests that only read it (views, vocabulary)."""
    tmp = tmp_path_factory.mktemp("samples")
    raw = tmp / "raw"
    raw.mkdir()
    for stem in SAMPLE_STEMS:
        shutil.copy2(sample_path(stem), raw / f"{stem}.txt")
    db = tmp / "warehouse" / "disclosure.duckdb"
    run_pipeline(raw, db)
    return db


def run_pipeline(raw: Path, db: Path) -> None:
    """Ingest a raw folder into a warehouse file and run the checks, as one nightly run does."""
    from pipelines.ingest.run import ingest
    from pipelines.ingest.settings import Settings
    from pipelines.warehouse.checks import refresh_dq_results
    from pipelines.warehouse.load import connect

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


def _columns_but_timestamps(con, catalog: str) -> dict[str, list[str]]:
    """Every table's columns but its timestamps (when a run happened is not what it computed)."""
    rows = con.execute(
        "select table_name, column_name from duckdb_columns() where database_name = $db "
        "and data_type not like 'TIMESTAMP%' order by table_name, column_index", {"db": catalog}).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def assert_same_rows(expected_db: Path, actual_db: Path, tables: list[str] | None = None) -> dict[str, int]:
    """Two warehouses hold the same rows (as multisets) in the given tables (default: all, and the same
    tables); return row counts."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"attach '{expected_db}' as expected (read_only)")
        con.execute(f"attach '{actual_db}' as actual (read_only)")
        expected, actual = _columns_but_timestamps(con, "expected"), _columns_but_timestamps(con, "actual")
        if tables is None:
            assert expected == actual
            tables = list(expected)
        counts = {}
        for table in tables:
            cols = ", ".join(f'"{c}"' for c in expected[table])
            n_expected = con.execute(f"select count(*) from expected.{table}").fetchall()[0][0]
            n_actual = con.execute(f"select count(*) from actual.{table}").fetchall()[0][0]
            assert n_expected == n_actual, f"{table}: {n_expected} rows expected, {n_actual} found"
            for a, b in (("expected", "actual"), ("actual", "expected")):
                diff = con.execute(f"select {cols} from {a}.{table} except all select {cols} from {b}.{table} "
                                   "limit 3").fetchall()
                assert diff == [], f"{table}: rows in {a} but not in {b}: {diff}"
            counts[table] = n_expected
        return counts
    finally:
        con.close()
