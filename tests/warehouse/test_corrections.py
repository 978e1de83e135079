"""Reviewers' corrections (issue #16, item 4): written by `disclosure correct` or by hand, applied by every
load on top of what was read, surviving re-ingest, reported stale when the file changes, refused when
malformed. Real DuckDB files, real raw folders, the real command line."""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from pipelines.cli import main
from pipelines.ingest.run import CorrectionsRefused, ingest
from pipelines.ingest.settings import Settings
from pipelines.warehouse.corrections import FIELDS, CorrectionsInvalid, parse_row, read_corrections
from pipelines.warehouse.export import export_years
from pipelines.warehouse.load import connect
from pipelines.warehouse.report import write_report
from tests.conftest import query, sample_path

STEM = "003_4a81d0f783bbd2ce"
FILE = f"{STEM}.txt"
NEW_RECEIVED_ROW = "\t一、本年新收政府信息公开申请数量\n"
CELL_SQL = ("select value, cell_state, raw_text, read_value, read_state, correction_reason, correction_source "
            "from fact_applications join reports using (report_id) "
            "where source_path = $p and is_current and outcome = 'new_received' and applicant = 'total'")


def misread_copy(folder: Path, name: str = FILE) -> Path:
    """Sample 003 with its 一、本年新收 总计 printed as 三 (a cell the reader cannot read as a number)."""
    text = sample_path(STEM).read_text(encoding="utf-8")
    head, sep, tail = text.partition(NEW_RECEIVED_ROW)
    assert sep
    tail = tail.replace("\t0\n\t0\n\t0\n\t0\n\t3\n\t0\n\t3\n", "\t0\n\t0\n\t0\n\t0\n\t3\n\t0\n\t三\n", 1)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(head + sep + tail, encoding="utf-8")
    return path


def change_prose(path: Path) -> None:
    """Republish the file with one number of its prose changed (new content, the same table)."""
    text = path.read_text(encoding="utf-8")
    assert "公开信息306条" in text
    path.write_text(text.replace("公开信息306条", "公开信息307条"), encoding="utf-8")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_lines(folder: Path, rows: list[dict], name: str = "corrections.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows([{"state": "", "value": "", **row} for row in rows])
    return target


def line(path: Path, table: str = "applications", cell: str = "new_received/total", **kw) -> dict:
    return {"path": path.name, "sha256": sha256(path), "table": table, "cell": cell, "reason": "checked against "
            "the file", "who": "wang", "when": "2026-05-01T08:00:00Z", **kw}


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path, Path]:
    raw, corrections = tmp_path / "raw", tmp_path / "corrections"
    raw.mkdir()
    misread_copy(raw)
    return raw, tmp_path / "wh" / "disclosure.duckdb", corrections


def run(raw: Path, db: Path, corrections: Path | None) -> dict[str, int]:
    return ingest(Settings(raw_dir=raw, db_path=db, workers=1, corrections_dir=corrections), checks=True)


def cli(raw: Path, db: Path, *args: str) -> int:
    return main(["--raw", str(raw), "--db", str(db), *args])


def test_a_correction_made_through_the_cli_survives_reingest_and_goes_stale_when_the_file_changes(
        folders, monkeypatch, capsys):
    """The acceptance test of issue #16, item 4."""
    raw, db, corrections = folders
    monkeypatch.setenv("DISCLOSURE_CORRECTIONS_DIR", str(corrections))
    assert cli(raw, db, "ingest") == 0
    assert query(db, CELL_SQL, {"p": FILE}) == [(None, "unreadable", "三", None, None, None, None)]
    capsys.readouterr()

    assert cli(raw, db, "correct", FILE, "applications", "new_received/total", "--value", "3",
               "--reason", "总计 printed as 三; the row adds up to 3", "--who", "wang") == 0
    out = capsys.readouterr().out
    assert "corrections.csv:2" in out and "read unreadable '三', corrected to 3" in out and "disclosure ingest" in out
    [written] = list(csv.DictReader((corrections / "corrections.csv").open(encoding="utf-8")))
    assert written["path"] == FILE and written["sha256"] == sha256(raw / FILE) and written["value"] == "3"
    assert written["who"] == "wang" and written["when"].endswith("Z") and written["state"] == ""
    # `correct` writes the file, never the warehouse: the next load applies it
    assert query(db, CELL_SQL, {"p": FILE})[0][:2] == (None, "unreadable")

    # re-ingest of the same file: the correction is applied on top of what was read
    assert cli(raw, db, "ingest") == 0
    out = capsys.readouterr().out
    assert "corrections_applied" in out
    assert query(db, CELL_SQL, {"p": FILE}) == [
        (3, "value", "三", None, "unreadable", "总计 printed as 三; the row adds up to 3", "corrections.csv:2")]
    assert query(db, "select new_received from v_applications_wide") == [(3,)]
    assert query(db, "select value from v_fact_cells where cell = 'new_received/total'") == [(Decimal(3),)]
    assert query(db, "select status, read_state from corrections") == [("applied", "unreadable")]
    assert query(db, "select count(*) from dq_results where check_name = 'corrections_stale'") == [(0,)]
    assert query(db, "select count(*) from dq_results where check_name = 'cells_unreadable'") == [(0,)]
    assert cli(raw, db, "explain", FILE) == 0
    out = capsys.readouterr().out
    corrected = out[out.index("corrected by a reviewer"):]
    assert "new_received/total" in corrected and "unreadable '三'" in corrected and "corrections.csv:2" in corrected
    assert "总计 printed as 三" in corrected and "wang" in corrected and "stale" not in out

    # and once more: nothing changes
    assert cli(raw, db, "ingest") == 0
    assert "corrected_cells_changed" not in capsys.readouterr().out
    assert query(db, CELL_SQL, {"p": FILE})[0][:2] == (3, "value")

    # the file changes: the correction is stale, never applied to the new content; the check fails
    change_prose(raw / FILE)
    assert cli(raw, db, "ingest") == 0
    out = capsys.readouterr().out
    assert "corrections_stale" in out
    assert query(db, CELL_SQL, {"p": FILE}) == [(None, "unreadable", "三", None, None, None, None)]
    new_report = query(db, "select report_id from reports where is_current")[0][0]
    [(status, report_id, detail)] = query(db, "select status, report_id, detail from corrections")
    assert status == "stale" and report_id == new_report and f"{FILE} has changed" in detail
    [(check_report, check_detail)] = query(
        db, "select report_id, detail from dq_results where check_name = 'corrections_stale' and severity = 'error'")
    assert check_report == new_report and check_detail.startswith("corrections.csv:2 applications new_received/total")
    assert query(db, "select needs_review, list_contains(review_reasons, 'check:corrections_stale') from reports "
                     "where is_current") == [(True, True)]
    # the old version's cell is as read too: a stale correction applies nowhere
    assert query(db, "select count(*) from fact_applications where correction_source is not null") == [(0,)]
    assert cli(raw, db, "explain", FILE) == 0
    assert "correction corrections.csv:2 (applications new_received/total) stale" in capsys.readouterr().out


def test_rerun_with_corrections_changes_nothing(folders):
    raw, db, corrections = folders
    run(raw, db, corrections)
    write_lines(corrections, [line(raw / FILE, value="3"),
                              line(raw / FILE, table="proactive", cell="art20_8/fees/amount", value="12.5")])
    first = run(raw, db, corrections)
    assert first["corrections_applied"] == 2 and first["corrected_cells_changed"] == 2
    tables = ("fact_proactive", "fact_applications", "fact_appeals", "corrections", "reports", "dq_results")
    snapshot = {t: query(db, f"select * from {t} order by all") for t in tables}
    state = query(db, "select * from warehouse_state order by key")
    again = run(raw, db, corrections)
    assert "corrected_cells_changed" not in again and again["corrections_applied"] == 2
    assert {t: query(db, f"select * from {t} order by all") for t in tables} == snapshot
    assert query(db, "select * from warehouse_state order by key") == state, "nothing changed, the checks need not run"


def test_state_correction_then_its_line_deleted_restores_what_was_read(folders):
    raw, db, corrections = folders
    run(raw, db, corrections)
    write_lines(corrections, [line(raw / FILE, cell="granted/total", state="not_applicable")])
    run(raw, db, corrections)
    sql = ("select value, cell_state, read_value, read_state from fact_applications "
           "where outcome = 'granted' and applicant = 'total'")
    assert query(db, sql) == [(None, "not_applicable", 3, "value")]
    assert query(db, "select granted from v_applications_wide") == [(None,)]
    write_lines(corrections, [])  # the reviewer deletes the line: the cell is as read again
    changed = run(raw, db, corrections)
    assert changed["corrected_cells_changed"] == 1
    assert query(db, sql) == [(3, "value", None, None)]
    assert query(db, "select count(*) from corrections") == [(0,)]


def test_proactive_amount_takes_six_decimals_and_flows_to_export_and_report(folders, tmp_path):
    raw, db, corrections = folders
    run(raw, db, corrections)
    write_lines(corrections, [line(raw / FILE, table="proactive", cell="art20_8/fees/amount", value="25.100001")])
    run(raw, db, corrections)
    assert query(db, "select value, read_value, unit from fact_proactive where metric = 'amount'") == [
        (Decimal("25.100001"), Decimal(0), "万元")]
    con = connect(db)
    try:
        export_years(con, tmp_path / "export")
        write_report(con, tmp_path / "report.html")
    finally:
        con.close()
    exported = query(db, f"select value, correction_source from read_parquet('{tmp_path}/export/fact_proactive/*/*.parquet',"
                         " hive_partitioning = true) where metric = 'amount'")
    assert exported == [(Decimal("25.100001"), "corrections.csv:2")]
    assert (tmp_path / "report.html").stat().st_size > 0


def test_a_copy_of_the_content_shares_the_correction_and_a_change_at_its_path_makes_it_stale(raw_dir, db_path, tmp_path):
    corrections = tmp_path / "corrections"
    original = misread_copy(raw_dir)  # the five samples, 003 misread
    copy = raw_dir / "copies" / FILE
    copy.parent.mkdir()
    shutil.copy2(original, copy)
    run(raw_dir, db_path, corrections)
    write_lines(corrections, [line(original, value="3")])
    run(raw_dir, db_path, corrections)
    # one content, one report: the copy (superseded) and the original show the same corrected cell
    assert query(db_path, "select count(distinct report_id) from source_files where sha256 = $s",
                 {"s": sha256(original)}) == [(1,)]
    assert query(db_path, "select status from corrections") == [("applied",)]
    assert query(db_path, CELL_SQL, {"p": FILE})[0][:2] == (3, "value")
    # the file at the correction's path changes while the copy keeps the old content: stale, applied nowhere
    change_prose(original)
    run(raw_dir, db_path, corrections)
    assert query(db_path, "select status from corrections") == [("stale",)]
    assert query(db_path, "select count(*) from fact_applications where correction_source is not null") == [(0,)]


def test_a_moved_file_keeps_its_correction(raw_dir, db_path, tmp_path):
    corrections = tmp_path / "corrections"
    original = misread_copy(raw_dir)
    run(raw_dir, db_path, corrections)
    write_lines(corrections, [line(original, value="3")])
    (raw_dir / "2021").mkdir()
    original.rename(raw_dir / "2021" / FILE)
    run(raw_dir, db_path, corrections)
    assert query(db_path, "select status from corrections") == [("applied",)]
    assert query(db_path, CELL_SQL, {"p": FILE})[0][:2] == (3, "value")  # the report keeps its first path


def test_of_two_corrections_of_a_cell_the_later_wins(folders):
    raw, db, corrections = folders
    run(raw, db, corrections)
    write_lines(corrections, [line(raw / FILE, value="4", when="2026-05-02"),
                              line(raw / FILE, value="3", when="2026-05-01")])
    run(raw, db, corrections)
    assert query(db, "select line, status, detail from corrections order by line") == [
        (2, "applied", "new_received/total: read unreadable, corrected to 4"),
        (3, "overridden", "corrections.csv:2, written later, corrects the same cell")]
    assert query(db, CELL_SQL, {"p": FILE})[0][:2] == (4, "value")
    assert query(db, "select count(*) from dq_results where check_name = 'corrections_stale'") == [(0,)]


def test_corrections_that_do_not_apply_fail_the_check(folders):
    raw, db, corrections = folders
    run(raw, db, corrections)
    other = raw / "never_loaded.txt"
    other.write_text("not here yet", encoding="utf-8")
    lines = [line(raw / FILE, cell="other/total", value="1"),  # a 2019-form cell; 003 follows the 2021 form
             {**line(other, value="1"), "path": "elsewhere.txt"}]
    other.unlink()
    write_lines(corrections, lines)
    run(raw, db, corrections)
    assert query(db, "select status from corrections order by line") == [("unknown_cell",), ("no_report",)]
    details = [d for (d,) in query(db, "select detail from dq_results where check_name = 'corrections_stale' "
                                       "order by detail")]
    assert len(details) == 2 and "has no cell applications other/total" in details[0]
    assert "no file with sha256" in details[1]


@pytest.mark.parametrize(("change", "message"), [
    ({"table": "applicationz"}, "unknown table 'applicationz'"),
    ({"cell": "new_recieved/total"}, "no form has a cell 'new_recieved/total' in table applications"),
    ({"value": "1,234"}, "value '1,234' is not a number"),
    ({"value": "3O"}, "value '3O' is not a number"),
    ({"value": "1.5"}, "value 1.5 is a count: it must be a whole number"),
    ({"value": "3", "state": "blank"}, "give a value or a state, not both"),
    ({"state": "gone"}, "give a value (a number) or a state (blank | not_applicable | missing | unreadable), not 'gone'"),
    ({}, "give a value (a number) or a state"),
    ({"value": "3", "reason": " "}, "reason is empty"),
    ({"value": "3", "who": ""}, "who is empty"),
    ({"value": "3", "sha256": "abc"}, "sha256 must be the 64 hex digits"),
    ({"value": "3", "when": "yesterday"}, "when 'yesterday' is not an ISO date or time"),
    ({"value": "1234567890123456789"}, "more than 18 digits"),
    ({"table": "proactive", "cell": "art20_8/fees/amount", "value": "1.1234567"}, "more than 6 decimals"),
    ({"table": "proactive", "cell": "art20_1/regulation/issued", "value": "2.5"}, "must be a whole number"),
])
def test_a_line_that_cannot_be_applied_is_refused_naming_file_and_line(tmp_path, change, message):
    corrections = tmp_path / "corrections"
    good = {"path": FILE, "sha256": "a" * 64, "table": "applications", "cell": "new_received/total",
            "reason": "r", "who": "wang", "when": "2026-05-01"}
    write_lines(corrections, [{**good, "value": "1"}, {**good, **change}])
    with pytest.raises(CorrectionsInvalid, match=r"^corrections\.csv:3: ") as exc:
        read_corrections(corrections)
    assert message in str(exc.value)


@pytest.mark.parametrize(("content", "message"), [
    ("path,sha256,table,cell,value,state,reason,who\n", "corrections.csv:1: the header must name the columns"),
    ("path,sha256,table,cell,value,state,reason,who,when,note\n", "unknown: note"),
    (",".join(FIELDS) + "\na.txt," + "a" * 64 + ",applications,new_received/total,3,,a, b,wang,2026-05-01\n",
     "corrections.csv:2: 10 fields, the header has 9"),
])
def test_a_malformed_csv_is_refused(tmp_path, content, message):
    (tmp_path / "corrections.csv").write_text(content, encoding="utf-8")
    with pytest.raises(CorrectionsInvalid, match=re.escape(message)):
        read_corrections(tmp_path)


def test_other_files_in_the_folder(tmp_path):
    (tmp_path / "README.md").write_text("how to correct", encoding="utf-8")
    (tmp_path / ".corrections.csv.swp").write_bytes(b"\x00junk")
    (tmp_path / "empty.csv").write_text("", encoding="utf-8")
    assert read_corrections(tmp_path) == []
    (tmp_path / "more.toml").write_text("[[correction]]\n", encoding="utf-8")
    with pytest.raises(CorrectionsInvalid, match=re.escape("more.toml: corrections are read from .csv files only")):
        read_corrections(tmp_path)
    (tmp_path / "more.toml").unlink()
    (tmp_path / "gbk.csv").write_bytes(",".join(FIELDS).encode() + "\n原因".encode("gbk"))
    with pytest.raises(CorrectionsInvalid, match=re.escape("gbk.csv: not UTF-8 text")):
        read_corrections(tmp_path)


def test_a_malformed_file_stops_the_run_before_anything_is_loaded(folders, monkeypatch, capsys):
    raw, db, corrections = folders
    monkeypatch.setenv("DISCLOSURE_CORRECTIONS_DIR", str(corrections))
    assert cli(raw, db, "ingest") == 0
    write_lines(corrections, [line(raw / FILE, value="three")])
    shutil.copy2(sample_path("000_957511648368b9cb"), raw / "000_957511648368b9cb.txt")
    capsys.readouterr()
    assert cli(raw, db, "ingest") == 2
    err = capsys.readouterr().err
    assert "error: corrections: corrections.csv:2: value 'three' is not a number" in " ".join(err.split())
    assert query(db, "select count(*) from reports") == [(1,)], "nothing was loaded"
    with pytest.raises(CorrectionsRefused):
        run(raw, db, corrections)


def test_a_missing_folder_does_not_undo_the_corrections(folders, tmp_path):
    raw, db, corrections = folders
    run(raw, db, corrections)
    write_lines(corrections, [line(raw / FILE, value="3")])
    run(raw, db, corrections)
    with pytest.raises(CorrectionsRefused, match=re.escape("does not exist, but the warehouse holds 1 corrections")):
        run(raw, db, tmp_path / "mistyped")
    with pytest.raises(CorrectionsRefused, match=re.escape("no corrections folder is set")):
        run(raw, db, None)
    assert query(db, CELL_SQL, {"p": FILE})[0][:2] == (3, "value")
    empty = tmp_path / "empty"
    empty.mkdir()
    run(raw, db, empty)  # an empty folder drops them, on purpose
    assert query(db, CELL_SQL, {"p": FILE})[0][:2] == (None, "unreadable")


def test_correct_refuses_what_cannot_apply_and_writes_nothing(folders, monkeypatch, capsys):
    raw, db, corrections = folders
    monkeypatch.setenv("DISCLOSURE_CORRECTIONS_DIR", str(corrections))
    (raw / "empty.txt").write_bytes(b"")
    assert cli(raw, db, "ingest") == 0
    capsys.readouterr()
    cases = [
        (["correct", FILE, "applications", "other/total", "--value", "1", "--reason", "r", "--who", "w"],
         "has no cell applications other/total"),
        (["correct", FILE, "applications", "nope/total", "--value", "1", "--reason", "r", "--who", "w"],
         "no form has a cell 'nope/total'"),
        (["correct", FILE, "applications", "granted/total", "--value", "x", "--reason", "r", "--who", "w"],
         "the correction: value 'x' is not a number"),
        (["correct", "empty.txt", "applications", "granted/total", "--value", "1", "--reason", "r", "--who", "w"],
         "empty.txt is quarantined (empty_file)"),
        (["correct", "missing.txt", "applications", "granted/total", "--value", "1", "--reason", "r", "--who", "w"],
         "no report or file matches 'missing.txt'"),
    ]
    for args, message in cases:
        assert cli(raw, db, *args) == 2, args
        assert message in " ".join(capsys.readouterr().err.split()), args
    assert not corrections.exists()
    report_id = query(db, "select report_id from reports")[0][0]
    assert cli(raw, db, "correct", report_id, "appeals", "admin_review/upheld", "--state", "blank",
               "--reason", "the cell is empty in the PDF", "--who", "li") == 0
    assert cli(raw, db, "correct", FILE, "appeals", "admin_review/upheld", "--value", "0",
               "--reason", "it is 0 after all", "--who", "li", "--file", "li.csv") == 0
    assert "replaces corrections.csv:2" in capsys.readouterr().out
    assert [(c.source_file, c.line, c.cell_state) for c in read_corrections(corrections)] == [
        ("corrections.csv", 2, "blank"), ("li.csv", 2, "value")]


def test_parse_row_reads_what_a_reviewer_types():
    row = {"path": FILE, "sha256": "A" * 64, "table": " Applications ", "cell": "new_received/total",
           "value": "+3", "state": "", "reason": "r", "who": "w", "when": "2026-05-01T10:00:00+08:00"}
    c = parse_row(row, "c.csv", 7)
    assert (c.sha256, c.table_name, c.value, c.cell_state, c.where) == ("a" * 64, "applications", 3, "value", "c.csv:7")
    assert c.corrected_at.isoformat() == "2026-05-01T02:00:00"
    c = parse_row({**row, "table": "proactive", "cell": "art20_8/fees/amount", "value": "-0.000001"}, "c.csv", 8)
    assert c.value == Decimal("-0.000001")


@pytest.mark.slow
def test_the_dagster_run_applies_corrections_and_a_changed_corrections_folder_alone_takes_effect(folders, monkeypatch):
    import dagster as dg

    from pipelines.definitions import defs

    raw, db, corrections = folders
    monkeypatch.setenv("DISCLOSURE_RAW_DIR", str(raw))
    monkeypatch.setenv("DISCLOSURE_DB_PATH", str(db))
    monkeypatch.setenv("DISCLOSURE_CORRECTIONS_DIR", str(corrections))
    write_lines(corrections, [line(raw / FILE, value="3")])  # written before the file was ever loaded
    definitions = defs()
    job = definitions.resolve_job_def("ingest")
    sensor = definitions.resolve_sensor_def("raw_folder_sensor")
    with dg.DagsterInstance.ephemeral() as instance:
        assert job.execute_in_process(instance=instance).success
        assert query(db, CELL_SQL, {"p": FILE})[0][:2] == (3, "value")
        assert query(db, "select status from corrections") == [("applied",)]
        with dg.build_sensor_context(resources=definitions.resources) as ctx:
            assert isinstance(sensor(ctx), dg.RunRequest)
            cursor = ctx.cursor
        # only the corrections folder changes: the sensor asks for a run, and the run takes it in
        write_lines(corrections, [line(raw / FILE, cell="granted/total", value="2")])
        with dg.build_sensor_context(cursor=cursor, resources=definitions.resources) as ctx:
            assert isinstance(sensor(ctx), dg.RunRequest)
        result = job.execute_in_process(instance=instance)
        assert result.success
        meta = {e.asset_key.to_user_string(): e.materialization.metadata
                for e in result.get_asset_materialization_events()}
        assert meta["corrections"]["corrections_by_status"].value == {"applied": 1}
        assert "skipped" not in meta["dq_results"], "the checks ran again"
        assert query(db, CELL_SQL, {"p": FILE})[0][:2] == (None, "unreadable")
        assert query(db, "select value, read_value from fact_applications "
                         "where outcome = 'granted' and applicant = 'total'") == [(2, 3)]
        published = db.parent / "published" / db.name
        assert query(published, "select granted from v_applications_wide") == [(2,)]
