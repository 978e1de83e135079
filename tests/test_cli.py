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
