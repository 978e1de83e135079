"""The `disclosure` command line on the samples."""

from __future__ import annotations

import csv
import io

from pipelines.cli import main
from tests.conftest import expected_cells, query


def test_ingest_status_query_explain(raw_dir, db_path, capsys):
    assert main(["--raw", str(raw_dir), "--db", str(db_path), "ingest"]) == 0
    out = capsys.readouterr().out
    assert "5/5 files" in out and "files_parsed" in out and "prose_table_mismatch" in out

    assert main(["--db", str(db_path), "status"]) == 0
    out = capsys.readouterr().out
    assert "5 current reports of 5 agencies, years 2019–2021" in out

    assert main(["query", "--db", str(db_path), "--csv",
                 "select regexp_extract(source_path, '^[^.]*') as stem, new_received from v_applications_wide "
                 "order by 1"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    for row in rows:
        value, state, _ = expected_cells(row["stem"])[("fact_applications", "new_received", "total")]
        assert row["new_received"] == ("" if state != "value" else str(int(value)))

    assert main(["--raw", str(raw_dir), "--db", str(db_path), "explain", "003_4a81d0f783bbd2ce.txt"]) == 0
    out = capsys.readouterr().out
    report_id = query(db_path, "select report_id from reports where source_path = '003_4a81d0f783bbd2ce.txt'")[0][0]
    assert report_id in out and "new_received/total" in out and "本年新收" in out
    assert main(["--db", str(db_path), "explain", report_id]) == 0
    assert report_id in capsys.readouterr().out


def test_query_is_read_only_and_errors_are_reported(raw_dir, db_path, capsys):
    assert main(["--raw", str(raw_dir), "--db", str(db_path), "ingest"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db_path), "query", "delete from reports"]) == 1
    assert "read-only" in capsys.readouterr().out.lower()
    assert query(db_path, "select count(*) from reports") == [(5,)]
    assert main(["--db", str(db_path), "explain", "no_such_file.txt"]) == 1


def test_explain_finds_a_report_from_what_a_person_has(raw_dir, db_path, capsys):
    assert main(["--raw", str(raw_dir), "--db", str(db_path), "ingest"]) == 0
    capsys.readouterr()
    path = "003_4a81d0f783bbd2ce.txt"
    report_id = query(db_path, "select report_id from reports where source_path = $p", {"p": path})[0][0]
    printed = str(raw_dir / path)  # the path explain itself prints
    for key in (printed, path, "003_4a81d0f783bbd2ce", report_id[:8], f"./{path}"):
        assert main(["--raw", str(raw_dir), "--db", str(db_path), "explain", key]) == 0, key
        assert f"report {report_id}" in capsys.readouterr().out, key
    # a typo is not guessed at: it gets suggestions and exit 1
    assert main(["--raw", str(raw_dir), "--db", str(db_path), "explain", "003_4a81d0f783bbd2cf"]) == 1
    out = capsys.readouterr().out
    assert "no report or file matches" in out and f"did you mean: {path}" in out
    assert main(["--raw", str(raw_dir), "--db", str(db_path), "explain", "r_"]) == 1  # too short a prefix


def test_reports_lists_and_filters(raw_dir, db_path, capsys):
    assert main(["--raw", str(raw_dir), "--db", str(db_path), "ingest"]) == 0
    capsys.readouterr()

    def listed(*args: str) -> list[dict]:
        assert main(["--db", str(db_path), "reports", "--csv", *args]) == 0
        return list(csv.DictReader(io.StringIO(capsys.readouterr().out)))

    assert len(listed()) == 5
    assert {r["year"] for r in listed("--year", "2020")} == {"2020"} and len(listed("--year", "2020")) == 3
    [hangu] = listed("--agency", "汉沽")
    assert hangu["agency_name"] == "汉沽街道办事处" and hangu["year"] == "2019"
    review = listed("--needs-review")
    want = query(db_path, "select source_path from reports where is_current and needs_review order by 1")
    assert sorted((r["source_path"],) for r in review) == want and review
    assert listed("--agency", "没有这个机关") == []
