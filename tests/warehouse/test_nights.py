"""Nights that cost what changed (issue #18): small staged batches load in one transaction, the
published outputs are skipped while nothing changed, and the Parquet export writes only what changed
yet reads back as a full export does. Memory: DuckDB's limit and spill folder."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from pipelines.ingest.run import discover, parse_all
from pipelines.ingest.settings import DEFAULT_MEMORY_LIMIT, Settings
from pipelines.ingest.staging import clear, pending_batches, read_batch, write_batch
from pipelines.warehouse import load as load_module
from pipelines.warehouse.checks import refresh_dq_results
from pipelines.warehouse.export import STATE_FILE, export_years
from pipelines.warehouse.freshness import EXPORTED_AT, mark_written, signature, up_to_date
from pipelines.warehouse.load import Staged, connect, load_run, scan_view
from tests.conftest import assert_same_rows, query, run_pipeline

LOADED = ["source_files", "reports", "agencies", "fact_proactive", "fact_applications", "fact_appeals",
          "fact_unmapped", "report_sections", "report_claims"]


def _stage(raw_dir: Path, db_path: Path, stage: Path) -> int:
    """Parse the raw folder and stage every chunk as its own batch (as a night's parse step stages one
    small batch per batch key); return how many."""
    con = connect(db_path)
    try:
        found = discover(con, raw_dir)
    finally:
        con.close()
    chunks = list(parse_all(raw_dir, found.todo, workers=1))
    for i, chunk in enumerate(chunks):
        write_batch(str(stage), f"run-{i:04d}", chunk)
    return len(chunks)


def _load_staged(raw_dir: Path, db_path: Path, stage: Path, max_files: int) -> list[tuple[int, dict]]:
    con = connect(db_path)
    try:
        scanned = scan_view(discover(con, raw_dir).scanned)
        staged = (Staged(*read_batch(b.path), on_commit=lambda p=b.path: clear(p)) for b in pending_batches(str(stage)))
        return list(load_run(con, scanned, staged, max_files=max_files))
    finally:
        con.close()


def test_small_staged_batches_load_in_one_transaction_with_the_same_result(raw_dir, tmp_path):
    one, many = tmp_path / "one" / "w.duckdb", tmp_path / "many" / "w.duckdb"
    stage_one, stage_many = tmp_path / "stage-one", tmp_path / "stage-many"
    batches = _stage(raw_dir, one, stage_one)
    assert _stage(raw_dir, many, stage_many) == batches >= 2, "the samples must stage as several batches"

    merged = _load_staged(raw_dir, one, stage_one, max_files=2000)
    assert len(merged) == 1 and merged[0][0] == 5, "every small batch in one transaction"
    assert query(one, "select count(*), sum(files_in_batch) from load_log") == [(1, 5)]
    assert pending_batches(str(stage_one)) == [], "each batch leaves staging once its transaction committed"

    apart = _load_staged(raw_dir, many, stage_many, max_files=1)
    assert len(apart) == batches, "max_files bounds a transaction: one batch each"
    assert query(many, "select count(*) from load_log") == [(batches,)]
    counts = assert_same_rows(many, one, LOADED)
    assert counts["reports"] == 5
    # the run-wide work ran once: every file seen at the run's one load time
    assert query(one, "select count(distinct last_seen_at) from source_files") == [(1,)]


def test_the_same_file_staged_by_two_runs_loads_once_in_one_transaction(raw_dir, db_path, tmp_path):
    """Two runs at once may both parse and stage a file; one loader then merges both runs' batches into
    one transaction, which records the file once."""
    stage = tmp_path / "stage"
    batches = _stage(raw_dir, db_path, stage)
    for i, batch in enumerate(pending_batches(str(stage))):
        shutil.copytree(batch.path, stage / f"second-{i:04d}")
    merged = _load_staged(raw_dir, db_path, stage, max_files=2000)
    assert len(merged) == 1 and merged[0][0] == 10 and batches >= 2
    assert query(db_path, "select count(*), count(distinct (path, sha256)) from source_files") == [(5, 5)]
    assert query(db_path, "select count(*) from reports") == [(5,)]
    assert query(db_path, "select count(*) - count(distinct (report_id, outcome, applicant)) from fact_applications") == [
        (0,)]


def test_a_failed_transaction_leaves_its_batches_staged(raw_dir, db_path, tmp_path, monkeypatch):
    stage = tmp_path / "stage"
    batches = _stage(raw_dir, db_path, stage)
    real = load_module.load_batch
    calls = []

    def failing_second(*args, **kwargs):
        calls.append(kwargs.get("mark_seen"))
        if len(calls) == 2:
            raise RuntimeError("killed")
        return real(*args, **kwargs)

    monkeypatch.setattr(load_module, "load_batch", failing_second)
    with pytest.raises(RuntimeError, match="killed"):
        _load_staged(raw_dir, db_path, stage, max_files=1)
    assert calls == [True, False], "only the run's first transaction marks the scan as seen"
    assert len(pending_batches(str(stage))) == batches - 1, "the committed batch left staging, no other"
    monkeypatch.setattr(load_module, "load_batch", real)
    _load_staged(raw_dir, db_path, stage, max_files=2000)  # the next run loads what was left
    assert query(db_path, "select count(*) from reports") == [(5,)]
    assert pending_batches(str(stage)) == []


def test_duckdb_gets_a_memory_limit_and_a_spill_folder(db_path, monkeypatch):
    monkeypatch.delenv("DISCLOSURE_MEMORY_LIMIT", raising=False)
    assert Settings.from_env().memory_limit == DEFAULT_MEMORY_LIMIT == "1GB"
    monkeypatch.setenv("DISCLOSURE_MEMORY_LIMIT", "2GB")
    assert Settings.from_env().memory_limit == "2GB"
    assert Settings.from_env(memory_limit="512MB").memory_limit == "512MB"
    con = connect(db_path, "700MB")
    try:
        limit, temp = con.execute("select current_setting('memory_limit'), current_setting('temp_directory')").fetchall()[0]
    finally:
        con.close()
    assert limit.startswith("667") or "MiB" in limit or "MB" in limit
    assert temp == f"{db_path}.tmp"


def test_duplicate_report_builds_no_string_of_every_cell():
    sql = (Path(load_module.SQL_DIR) / "checks" / "duplicate_report.sql").read_text(encoding="utf-8")
    body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
    assert "string_agg" not in body and "v_fact_cells" not in body


def test_fact_cells_complete_finds_a_missing_a_doubled_and_a_foreign_cell(raw_dir, db_path):
    """The check compares each report's cells with its forms' as multisets (no distinct count over every
    cell): a cell gone, a cell twice, and a cell the form does not have in place of one it has."""
    from pipelines.warehouse.checks import load_checks, run_check

    run_pipeline(raw_dir, db_path)
    check = next(c for c in load_checks() if c.name == "fact_cells_complete")
    con = connect(db_path)
    try:
        assert run_check(con, check).height == 0
        ids = [r for (r,) in con.execute("select report_id from reports where is_current order by 1 limit 3").fetchall()]
        one = "proceeding = 'admin_review' and result = 'upheld' and report_id = ?"
        con.execute(f"delete from fact_appeals where {one}", [ids[0]])
        con.execute(f"insert into fact_appeals select * from fact_appeals where {one}", [ids[1]])
        con.execute(f"update fact_appeals set result = 'upheld_x' where {one}", [ids[2]])
        found = {r: d for r, d in run_check(con, check).select("report_id", "detail").iter_rows()}
    finally:
        con.close()
    assert set(found) == set(ids)
    numbers = {r: [int(n) for n in re.match(r"(\d+) cells \((\d+) distinct\).* which have (\d+)", d).groups()]
               for r, d in found.items()}
    cells, distinct, want = numbers[ids[0]]
    assert cells == distinct == want - 1, found[ids[0]]
    cells, distinct, want = numbers[ids[1]]
    assert cells == want + 1 and distinct == want, found[ids[1]]
    cells, distinct, want = numbers[ids[2]]
    assert cells == distinct == want and found[ids[2]].endswith("but not the same cells"), found[ids[2]]


def _files(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*.parquet")}


def _same_export(con: duckdb.DuckDBPyConnection, a: Path, b: Path) -> None:
    """Two export folders read back to the same rows, table by table and view by view."""
    names = {str(p.relative_to(b)).split("/year=")[0].removesuffix(".parquet") for p in b.rglob("*.parquet")}
    assert names == {str(p.relative_to(a)).split("/year=")[0].removesuffix(".parquet") for p in a.rglob("*.parquet")}
    for name in sorted(names):
        pattern = "/*/*.parquet" if (b / name).is_dir() and name != "views" else ".parquet"
        read = [f"select * from read_parquet('{x}/{name}{pattern}', hive_partitioning = true)" for x in (a, b)]
        for left, right in ((read[0], read[1]), (read[1], read[0])):
            assert con.execute(f"{left} except all {right}").fetchall() == [], name
        assert con.execute(f"select count(*) from ({read[0]})").fetchall() == con.execute(
            f"select count(*) from ({read[1]})").fetchall(), name
    # and the whole folder reads as one Hive-partitioned glob
    glob = "select count(*) from read_parquet('{}/fact_applications/**/*.parquet', hive_partitioning = true)"
    assert con.execute(glob.format(a)).fetchall() == con.execute(glob.format(b)).fetchall()


def test_incremental_export_equals_a_full_one_and_an_unchanged_one_writes_nothing(raw_dir, db_path, tmp_path):
    run_pipeline(raw_dir, db_path)
    out = tmp_path / "export"
    con = connect(db_path)
    try:
        assert export_years(con, out)  # the first export writes everything
        before = _files(out)
        assert export_years(con, out) == {}, "nothing changed: nothing written"
        assert _files(out) == before, "an unchanged export touches no file"
    finally:
        con.close()

    # a night: one report changes a number (a new version of its agency-year), one new report arrives
    target = raw_dir / "003_4a81d0f783bbd2ce.txt"
    text = target.read_text(encoding="utf-8")
    target.write_text(text.replace("鹿山街道", "鹿鸣街道"), encoding="utf-8")
    run_pipeline(raw_dir, db_path)
    con = connect(db_path)
    try:
        written = export_years(con, out)
        full = tmp_path / "full"
        export_years(con, full, full=True)
        _same_export(con, out, full)
        after = _files(out)
        rewritten = {f for f in after if before.get(f) != after[f]}
        parts = [f for f in after if "/part-" in f]
        assert parts, "the new report's cells were appended as a part file"
        assert any(f.startswith("views/v_fact_cells/year=") for f in parts), "v_fact_cells grows by parts too"
        assert all(f.startswith(("fact_", "reports/", "views/", "dq_results", "agencies", "report_", "corrections"))
                   for f in rewritten), rewritten
        untouched = [f for f in before if f.startswith("fact_") and before[f] == after.get(f)]
        assert untouched, "fact files of years nothing changed in are not rewritten"
        assert "fact_applications" in written
        # a correction-like change to an old row: the year is rewritten whole, parts folded in
        con.execute("update fact_applications set value = value + 1 where report_id = "
                    "(select min(report_id) from reports) and cell_state = 'value' and outcome = 'new_received' "
                    "and applicant = 'total'")
        export_years(con, out)
        export_years(con, full, full=True)
        _same_export(con, out, full)
        # an export that died between writing a file and recording it (here: a stray copy of a part, as a
        # compaction killed before removing its parts leaves): that folder is written whole again
        part = next(out.rglob("part-*.parquet"), None) or next(out.glob("fact_applications/*/data.parquet"))
        shutil.copy(part, part.with_name("part-00000000T000000000000.parquet"))
        assert export_years(con, out), "the folder no longer holds what the state recorded"
        _same_export(con, out, full)
        assert export_years(con, out) == {}
        # a year the warehouse no longer holds, and the single file v_fact_cells was before it had years,
        # must not be read back with the rest
        stray = out / "fact_applications" / "year=1999"
        stray.mkdir()
        shutil.copy(next(out.glob("fact_applications/*/data.parquet")), stray / "data.parquet")
        shutil.copy(next(out.glob("views/*.parquet")), out / "views" / "v_fact_cells.parquet")
        export_years(con, out)
        assert not stray.exists() and not (out / "views" / "v_fact_cells.parquet").exists()
        _same_export(con, out, full)
        # a year every report of which leaves it (its year read again as unknown): its folders go, and the
        # views, whose rows count that year, are written again though no exported row changed
        year = con.execute("select max(year) from reports").fetchall()[0][0]
        for table in ("fact_proactive", "fact_applications", "fact_appeals", "fact_unmapped"):
            if "year" in {c for (c,) in con.execute(f"select column_name from duckdb_columns() where table_name = "
                                                    f"'{table}'").fetchall()}:
                con.execute(f"update {table} set year = null where year = {year}")
        con.execute(f"update reports set year = null where year = {year}")
        views_before = {f: t for f, t in _files(out).items() if f.startswith("views/v_summary")}
        export_years(con, out)
        assert not list(out.glob(f"*/year={year}")) and not list(out.glob(f"views/*/year={year}"))
        assert all(_files(out)[f] != t for f, t in views_before.items()) and views_before
        shutil.rmtree(full)
        export_years(con, full, full=True)
        _same_export(con, out, full)
    finally:
        con.close()
    state = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    # a year left unchanged still records the latest load: its next part reads only what is loaded after
    years = {key: entry for key, entry in state["files"].items() if key.startswith("fact_") and "/year=" in key}
    assert len({entry["through"] for entry in years.values()}) == 1 and len(years) > 3
    assert (out / STATE_FILE).exists()


def test_an_output_is_up_to_date_until_data_checks_or_code_change(raw_dir, db_path, tmp_path):
    run_pipeline(raw_dir, db_path)
    marker = tmp_path / "out.txt"
    marker.write_text("x")
    con = connect(db_path)
    try:
        sig = signature(con)
        assert not up_to_date(con, EXPORTED_AT, sig, marker), "never written"
        mark_written(con, EXPORTED_AT, sig)
        assert up_to_date(con, EXPORTED_AT, sig, marker)
        assert not up_to_date(con, EXPORTED_AT, signature(con, Path(__file__)), marker), "other code"
        assert not up_to_date(con, EXPORTED_AT, sig, tmp_path / "gone.txt"), "its file is gone"
        refresh_dq_results(con)  # the checks ran after it was written
        assert not up_to_date(con, EXPORTED_AT, sig, marker)
        mark_written(con, EXPORTED_AT, sig)
        con.execute("create or replace view v_zz_test as select 1 as x")
        assert signature(con) != sig, "a new view changes the signature"
    finally:
        con.close()
    os.remove(marker)


DQ_ROWS = ("select check_name, severity, agency_id, year, report_id, detail, count(*) from dq_results "
           "group by all order by all")


def _changed_one_number(path: Path) -> None:
    """Add 1 to the first number of the report's tables (tools/nights/modify.py's change)."""
    text = path.read_text(encoding="utf-8")
    start = max(text.find("主动公开政府信息情况"), 0)
    found = re.compile(r"(?<![\d.])(\d{1,3})(?![\d.年月日])").search(text, start)
    assert found, path
    path.write_text(text[:found.start()] + str(int(found.group(1)) + 1) + text[found.end():], encoding="utf-8")


def test_checks_rerun_only_for_the_agencies_that_changed_and_match_a_whole_refresh(tmp_path, monkeypatch):
    """A night re-checks the agencies whose reports or cells changed, inside a catalog holding only their
    rows (copied there, or views that filter them); dq_results then holds exactly what re-checking the
    whole warehouse gives."""
    import pipelines.warehouse.checks as checks_module
    from pipelines.warehouse.checks import load_checks
    from tools.synth.corpus import write_corpus
    from tools.synth.quirks import LEGACY

    corpus = tmp_path / "corpus"
    write_corpus(corpus, 60, seed=23, formats=["tab_text", "pipe_text", "line_text"], break_share=0.3,
                 quirks=LEGACY)
    raw, db = corpus / "raw", tmp_path / "w" / "disclosure.duckdb"
    run_pipeline(raw, db)
    before = query(db, DQ_ROWS)
    agencies = query(db, "select count(*) from dq_agency_state")[0][0]
    first_check = query(db, "select max(checked_at) from dq_agency_state")[0][0]
    assert agencies > 20 and before

    scopes: list[bool] = []
    real_scope = checks_module.scoped_to

    def spied(con, agencies, copied=False, **more):
        scopes.append(copied)
        return real_scope(con, agencies, copied, **more)

    monkeypatch.setattr(checks_module, "scoped_to", spied)
    monkeypatch.setattr(checks_module, "MAX_COPIED_SHARE", 1.0)  # this night's agencies' rows copied
    files = sorted(p for p in raw.rglob("*.txt"))
    for path in files[:4]:
        _changed_one_number(path)  # new versions of four reports
    files[4].unlink()  # a report gone
    shutil.copy2(files[5], files[5].with_name("copy-" + files[5].name))  # a second file of an agency-year
    _changed_one_number(files[5].with_name("copy-" + files[5].name))
    run_pipeline(raw, db)

    rechecked = query(db, "select count(*) from dq_agency_state where checked_at > $t", {"t": first_check})[0][0]
    assert 1 <= rechecked <= 6 < agencies, "only the changed agencies were re-checked"
    scoped = query(db, DQ_ROWS)
    assert scoped != before, "the night changed what the checks find"
    whole = tmp_path / "whole.duckdb"
    shutil.copy2(db, whole)
    con = connect(whole)
    try:
        refresh_dq_results(con, whole=True)
        assert con.execute(DQ_ROWS).fetchall() == scoped
        # other checks' SQL: everything is checked again
        edited = [c if c.name != "cells_blank" else type(c)(**{**c.__dict__, "sql": c.sql + "\n"})
                  for c in load_checks()]
        last = con.execute("select max(checked_at) from dq_agency_state").fetchall()[0][0]
        refresh_dq_results(con, checks=edited)
        assert con.execute("select min(checked_at) > $t from dq_agency_state", {"t": last}).fetchall()[0][0]
        assert con.execute(DQ_ROWS).fetchall() == scoped
    finally:
        con.close()

    assert scopes == [True]
    # a reviewer's correction changes a current cell of one agency; another agency's fullest name changes
    monkeypatch.setattr(checks_module, "MAX_COPIED_SHARE", 0.0)  # these agencies' rows filtered by views
    con = connect(db)
    try:
        con.execute("update fact_applications set read_value = value, read_state = cell_state, value = value + 7, "
                    "correction_reason = 'planted', correction_source = 'x.csv:2' where report_id = (select "
                    "min(report_id) from reports where is_current) and outcome = 'new_received' and "
                    "applicant = 'total' and cell_state = 'value'")
        con.execute("update reports set agency_name = agency_name || '（新）' where agency_id = (select max(agency_id) "
                    "from reports where is_current and agency_name is not null)")
        refresh_dq_results(con)
        assert scopes == [True, False]
        assert con.execute("select count(*) from dq_agency_state where checked_at > $t",
                           {"t": first_check}).fetchall()[0][0] <= rechecked + 2
        again = con.execute(DQ_ROWS).fetchall()
    finally:
        con.close()
    assert again != scoped, "the corrected cell changes what the checks find"
    shutil.copy2(db, whole)
    con = connect(whole)
    try:
        refresh_dq_results(con, whole=True)
        assert con.execute(DQ_ROWS).fetchall() == again
    finally:
        con.close()


def test_fingerprints_hash_the_tables_some_check_reads(db_path):
    """The reports' prose (report_sections) is read by no check, so the fingerprints leave it out; a check
    that reads it brings it in."""
    from pipelines.warehouse.checks import REPORT_TABLES, load_checks, tables_read

    con = connect(db_path)
    try:
        checks = load_checks()
        read = tables_read(con, checks)
        assert "report_sections" not in read and {"fact_applications", "report_claims", "fact_unmapped"} <= set(read)
        reader = type(checks[0])(**{**checks[0].__dict__, "sql": "select * from report_sections"})
        assert set(tables_read(con, [*checks, reader])) == {*read, "report_sections"} <= set(REPORT_TABLES)
    finally:
        con.close()


def test_the_same_files_loaded_at_other_times_fingerprint_alike(raw_dir, tmp_path):
    """The checks' fingerprints leave out when rows were loaded: two warehouses of the same files (a local
    run and a cluster run, a rebuild) hold the same dq_agency_state."""
    first, second = tmp_path / "a" / "w.duckdb", tmp_path / "b" / "w.duckdb"
    run_pipeline(raw_dir, first)
    run_pipeline(raw_dir, second)
    assert query(first, "select min(loaded_at) from reports") != query(second, "select min(loaded_at) from reports")
    prints = "select agency_id, fingerprint from dq_agency_state order by all"
    assert query(first, prints) == query(second, prints) and len(query(first, prints)) == 5
