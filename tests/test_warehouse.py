"""The warehouse on a real DuckDB file: every cell, idempotency, replacement, supersession, the ledger."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.conftest import COORDINATES, SAMPLE_STEMS, expected_cells, query, run_pipeline

FACT_SQL = {
    table: f"select r.source_path, {', '.join(coords)}, value, cell_state, raw_text from {table} "
           f"join reports as r using (report_id) where r.is_current"
    for table, coords in COORDINATES.items()
}
SNAPSHOT_SQL = {
    "source_files": "select * exclude (last_seen_at) from source_files order by all",
    "reports": "select * from reports order by report_id",
    "agencies": "select * from agencies order by all",
    "fact_proactive": "select * from fact_proactive order by all",
    "fact_applications": "select * from fact_applications order by all",
    "fact_appeals": "select * from fact_appeals order by all",
    "fact_unmapped": "select * from fact_unmapped order by all",
    "report_sections": "select * from report_sections order by all",
    "dq_results": "select * exclude (checked_at) from dq_results order by all",
}


def warehouse_cells(db: Path) -> dict[str, dict[tuple, tuple]]:
    out: dict[str, dict[tuple, tuple]] = {}
    for table, sql in FACT_SQL.items():
        for path, *rest in query(db, sql):
            *coords, value, state, raw = rest
            out.setdefault(Path(path).stem, {})[(table, *coords)] = (
                None if value is None else float(value), state, raw)
    return out


def snapshot(db: Path) -> dict[str, list[tuple]]:
    return {name: query(db, sql) for name, sql in SNAPSHOT_SQL.items()}


def touch_later(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


def test_every_sample_cell_is_in_the_warehouse(raw_dir, db_path):
    run_pipeline(raw_dir, db_path)
    cells = warehouse_cells(db_path)
    assert sorted(cells) == SAMPLE_STEMS
    for stem in SAMPLE_STEMS:
        assert cells[stem] == expected_cells(stem), stem
    assert query(db_path, "select count(*) from fact_proactive")[0][0] + \
        query(db_path, "select count(*) from fact_applications")[0][0] + \
        query(db_path, "select count(*) from fact_appeals")[0][0] == 992


def test_fact_keys_agree_with_their_report(raw_dir, db_path):
    run_pipeline(raw_dir, db_path)
    for table in COORDINATES:
        assert query(db_path, f"select count(*) from {table} f join reports r using (report_id) "
                              f"where f.agency_id <> r.agency_id or f.year <> r.year")[0][0] == 0


def test_rerun_on_unchanged_files_changes_nothing(raw_dir, db_path):
    run_pipeline(raw_dir, db_path)
    before = snapshot(db_path)
    run_pipeline(raw_dir, db_path)
    assert snapshot(db_path) == before


def test_changed_file_replaces_its_reports_facts(raw_dir, db_path):
    run_pipeline(raw_dir, db_path)
    path = raw_dir / "003_4a81d0f783bbd2ce.txt"
    old_id = query(db_path, "select report_id from reports where source_path = ?", [path.name])[0][0]
    text = path.read_text(encoding="utf-8")
    # 一、本年新收: 法律服务机构 3 → 4, 总计 3 → 4 (the lines after the row label)
    head, sep, tail = text.partition("\t一、本年新收政府信息公开申请数量\n")
    tail = tail.replace("\t0\n\t0\n\t0\n\t0\n\t3\n\t0\n\t3\n", "\t0\n\t0\n\t0\n\t0\n\t4\n\t0\n\t4\n", 1)
    path.write_text(head + sep + tail, encoding="utf-8")
    touch_later(path)
    run_pipeline(raw_dir, db_path)

    rows = query(db_path, "select report_id, is_current from reports "
                          "where agency_name = '富阳区鹿山街道' order by loaded_at")
    assert [r[1] for r in rows] == [False, True] and rows[0][0] == old_id
    new_id = rows[1][0]
    assert query(db_path, "select value from fact_applications where report_id = ? and outcome = 'new_received' "
                          "and applicant = 'total'", [new_id]) == [(4,)]
    assert query(db_path, "select new_received from v_report_summary where agency_name = '富阳区鹿山街道'") == [(4,)]
    assert query(db_path, "select status from source_files where path = ? order by first_seen_at, status",
                 [path.name]) == [("superseded",), ("loaded",)]


def test_a_touched_file_is_seen_with_its_new_time_and_not_read_again(raw_dir, db_path):
    """Same content, new modification time: the ledger records the time (so the next scan need not hash
    the file again) and every file's last sighting; nothing else changes."""
    run_pipeline(raw_dir, db_path)
    path = raw_dir / "003_4a81d0f783bbd2ce.txt"
    before = query(db_path, "select report_id, sha256, mtime_ns, last_seen_at from source_files where path = ?",
                   [path.name])
    touch_later(path)
    run_pipeline(raw_dir, db_path)
    after = query(db_path, "select report_id, sha256, mtime_ns, last_seen_at from source_files where path = ?",
                  [path.name])
    assert len(before) == len(after) == 1 and after[0][:2] == before[0][:2]
    assert after[0][2] == path.stat().st_mtime_ns != before[0][2]
    assert after[0][3] > before[0][3]
    assert query(db_path, "select count(distinct last_seen_at) from source_files") == [(1,)]
    assert query(db_path, "select count(*) from reports") == [(5,)]


def test_identical_copy_under_another_path_is_superseded(raw_dir, db_path):
    (raw_dir / "copies").mkdir()
    shutil.copy2(raw_dir / "000_957511648368b9cb.txt", raw_dir / "copies" / "000_957511648368b9cb.txt")
    run_pipeline(raw_dir, db_path)
    rows = query(db_path, "select path, status, report_id from source_files where path like '%000_%' order by path")
    assert [(p, s) for p, s, _ in rows] == [("000_957511648368b9cb.txt", "loaded"),
                                            ("copies/000_957511648368b9cb.txt", "superseded")]
    assert rows[0][2] == rows[1][2]
    assert query(db_path, "select count(*) from reports")[0][0] == 5


def _variant(src: Path, dst: Path, old: str, new: str) -> None:
    text = src.read_text(encoding="utf-8")
    assert old in text
    dst.parent.mkdir(parents=True, exist_ok=True)
    dst.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_file_first_seen_later_wins_and_same_run_goes_by_path(raw_dir, db_path):
    src = raw_dir / "004_f08e199b8ba50c35.txt"
    _variant(src, raw_dir / "b" / "004_v2.txt", "\t19\n\t19\n\t19", "\t20\n\t20\n\t20")
    _variant(src, raw_dir / "a" / "004_v3.txt", "\t19\n\t19\n\t19", "\t21\n\t21\n\t21")
    run_pipeline(raw_dir, db_path)
    current = query(db_path, "select source_path from reports where agency_name = '汉沽街道办事处' and is_current")
    assert current == [("004_f08e199b8ba50c35.txt",)]  # all first seen in one run: path order
    _variant(src, raw_dir / "later" / "004_v4.txt", "\t19\n\t19\n\t19", "\t22\n\t22\n\t22")
    run_pipeline(raw_dir, db_path)
    current = query(db_path, "select source_path from reports where agency_name = '汉沽街道办事处' and is_current")
    assert current == [("later/004_v4.txt",)]
    assert query(db_path, "select count(*) from reports where agency_name = '汉沽街道办事处'")[0][0] == 4
    assert query(db_path, "select count(*) from reports group by agency_id, year having count(*) filter "
                          "(where is_current) <> 1") == []


def test_removed_file_keeps_its_report(raw_dir, db_path):
    run_pipeline(raw_dir, db_path)
    (raw_dir / "004_f08e199b8ba50c35.txt").unlink()
    run_pipeline(raw_dir, db_path)
    assert query(db_path, "select status from source_files where path = '004_f08e199b8ba50c35.txt'") == [("removed",)]
    assert query(db_path, "select is_current from reports where source_path = '004_f08e199b8ba50c35.txt'") == [(True,)]


BAD_FILES = {
    "empty.txt": (b"", "empty_file"),
    "blank.txt": (b"\r\n  \n", "empty_file"),
    "binary.bin": (bytes(range(256)) * 64, "not_a_report"),
    "notice.txt": ("关于做好防汛工作的通知\n\n各街道：请做好准备。\n".encode(), "not_a_report"),
    "scan.pdf": (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "corrupt_pdf"),
    "report.docx": (b"PK\x03\x04\x14\x00\x06\x00\x08\x00", "corrupt_docx"),
}


def test_bad_input_is_quarantined_and_the_rest_loads(raw_dir, db_path):
    for name, (data, _) in BAD_FILES.items():
        (raw_dir / name).write_bytes(data)
    run_pipeline(raw_dir, db_path)
    rows = dict(query(db_path, "select path, error_code from source_files where status = 'quarantined'"))
    assert rows == {name: code for name, (_, code) in BAD_FILES.items()}
    messages = query(db_path, "select error_message from source_files where status = 'quarantined'")
    assert all(m and len(m) > 20 for (m,) in messages)
    assert query(db_path, "select count(*) from reports where is_current")[0][0] == 5


def test_partial_report_loads_what_it_has(raw_dir, db_path):
    text = (raw_dir / "000_957511648368b9cb.txt").read_text(encoding="utf-8")
    cut = text.index("三、收到和处理政府信息公开申请情况")
    (raw_dir / "partial.txt").write_text(text[:cut].replace("新碶街道办事处", "大碶街道办事处"), encoding="utf-8")
    run_pipeline(raw_dir, db_path)
    rid = query(db_path, "select report_id from reports where source_path = 'partial.txt'")[0][0]
    states = dict(query(db_path, "select cell_state, count(*) from fact_applications where report_id = ? group by 1",
                        [rid]))
    assert states == {"missing": 161}
    assert query(db_path, "select count(*) from fact_proactive where report_id = ? and cell_state = 'value'",
                 [rid])[0][0] == 5
    assert query(db_path, "select detail from dq_results where check_name = 'cells_missing' and report_id = ?",
                 [rid]) == [("176 cells missing (appeals, applications)",)]


def test_quarantined_file_is_retried_when_its_content_changes(raw_dir, db_path):
    late = raw_dir / "late.txt"
    late.write_bytes(b"")
    run_pipeline(raw_dir, db_path)
    assert query(db_path, "select status, error_code from source_files where path = 'late.txt'") == [
        ("quarantined", "empty_file")]
    _variant(raw_dir / "003_4a81d0f783bbd2ce.txt", late, "鹿山街道", "银湖街道")
    touch_later(late)
    run_pipeline(raw_dir, db_path)
    assert query(db_path, "select status, error_code from source_files where path = 'late.txt' "
                          "order by first_seen_at") == [("superseded", "empty_file"), ("loaded", None)]


def test_ledger_accounts_for_every_file(raw_dir, db_path):
    (raw_dir / "empty.txt").write_bytes(b"")
    (raw_dir / "000_957511648368b9cb.meta.json").write_text('{"url": "http://example.invalid/000"}', encoding="utf-8")
    run_pipeline(raw_dir, db_path)
    files = sorted(p.relative_to(raw_dir).as_posix() for p in raw_dir.rglob("*")
                   if p.is_file() and not p.name.endswith(".meta.json"))
    assert [p for (p,) in query(db_path, "select path from source_files order by path")] == files
    assert query(db_path, "select source_url from reports where source_path = '000_957511648368b9cb.txt'") == [
        ("http://example.invalid/000",)]


def test_every_table_and_column_is_documented(raw_dir, db_path):
    run_pipeline(raw_dir, db_path)
    undocumented = query(db_path, "select table_name, column_name from duckdb_columns() "
                                  "where not internal and (comment is null or comment = '')")
    assert undocumented == []


@pytest.mark.parametrize("name", ["applications_by_province_year", "refusal_reasons"])
def test_example_queries_run(raw_dir, db_path, name):
    run_pipeline(raw_dir, db_path)
    sql = (Path(__file__).resolve().parent.parent / "sql" / "queries" / f"{name}.sql").read_text(encoding="utf-8")
    assert query(db_path, sql)


def test_report_summary_view(raw_dir, db_path):
    run_pipeline(raw_dir, db_path)
    rows = query(db_path, "select agency_name, year, new_received, granted, denied, admin_reviews, lawsuits, check_errors, "
                          "check_warnings from v_report_summary order by source_path")
    assert rows == [
        ("新碶街道办事处", 2020, 1, 0, 1, 1, 0, 0, 1),
        (None, 2020, 0, None, None, 0, 0, 0, 4),  # + prose_table_mismatch (issue #6: its prose says two)
        ("哈尔滨市松北区船口街道办事处", 2020, 2, 2, 0, 0, 0, 0, 2),
        ("富阳区鹿山街道", 2021, 3, 3, 0, 0, 0, 0, 0),
        ("汉沽街道办事处", 2019, 1, 1, None, None, 0, 0, 1),
    ]


def test_changed_sidecar_reloads_its_report(raw_dir, db_path):
    run_pipeline(raw_dir, db_path)
    (raw_dir / "001_3e7c7203fb80667c.meta.json").write_text(
        '{"agency_name": "宜兴市张渚镇人民政府"}', encoding="utf-8")
    run_pipeline(raw_dir, db_path)
    assert query(db_path, "select agency_name, county, is_current from reports "
                          "where source_path = '001_3e7c7203fb80667c.txt' order by is_current") == [
        (None, "宜兴市", False), ("宜兴市张渚镇人民政府", "宜兴市", True)]
    assert query(db_path, "select count(*) from dq_results where check_name = 'agency_unresolved'") == [(0,)]


def test_quarantined_files_are_retried_by_a_newer_parser(raw_dir, db_path, monkeypatch):
    import pipelines.warehouse.load as warehouse

    (raw_dir / "empty.txt").write_bytes(b"")
    run_pipeline(raw_dir, db_path)
    monkeypatch.setattr(warehouse, "PARSER_VERSION", "next")
    from pipelines.ingest.scan import scan

    con = warehouse.connect(db_path)
    try:
        todo = warehouse.needs_parse(con, scan(raw_dir, warehouse.known_files(con)))
    finally:
        con.close()
    assert [r.path for r in todo] == ["empty.txt"]


def _open_older_warehouse(db_path, *statements: str) -> None:
    """Write a warehouse file as an older version left it (`statements`), then open it as today's code does."""
    import duckdb

    from pipelines.warehouse.load import connect

    db_path.parent.mkdir(parents=True)
    con = duckdb.connect(str(db_path))
    for statement in statements:
        con.execute(statement)
    con.close()
    connect(db_path).close()


def test_older_warehouse_gains_new_columns(db_path):
    _open_older_warehouse(db_path, "create table source_files (path varchar, sha256 varchar, primary key (path, sha256))",
                          "insert into source_files values ('a.txt', 'x')")
    cols = [c for (c,) in query(db_path, "select column_name from duckdb_columns() where table_name = 'source_files'")]
    assert cols[:3] == ["path", "sha256", "size_bytes"] and "parser_version" in cols
    assert query(db_path, "select path from source_files") == [("a.txt",)]


def test_batches_never_split_a_chunk_of_cells(raw_dir, db_path):
    """Cells travel per chunk of files; any batch size keeps every report's cells."""
    from pipelines.ingest.run import ingest
    from pipelines.ingest.settings import Settings

    for i in range(40):
        (raw_dir / f"copy_{i:02d}.txt").write_text(
            (raw_dir / "003_4a81d0f783bbd2ce.txt").read_text(encoding="utf-8").replace("鹿山街道", f"鹿{i:02d}街道"),
            encoding="utf-8")
    ingest(Settings(raw_dir=raw_dir, db_path=db_path, workers=2, batch_size=7))
    assert query(db_path, "select count(*) from reports") == [(45,)]
    assert query(db_path, "select count(*) from (select report_id from v_fact_cells group by report_id "
                          "having count(*) not in (198, 200))") == [(0,)]


def test_a_chunk_whose_first_file_is_quarantined_keeps_every_cell(raw_dir, db_path):
    """A chunk's cells travel on its first outcome; a bad file in that place must not take them along."""
    (raw_dir / "0000_empty.txt").write_bytes(b"")  # sorts first: the first file of the first chunk
    (raw_dir / "0001_copy_of_002.txt").write_bytes((raw_dir / "002_5ff8cf655acdf111.txt").read_bytes())
    run_pipeline(raw_dir, db_path)
    assert query(db_path, "select count(*) from reports") == [(5,)]
    assert query(db_path, "select count(*) from (select report_id from v_fact_cells group by report_id "
                          "having count(*) not in (198, 200))") == [(0,)]
    # identical content at two paths is one report: its cells once, not once per copy
    assert query(db_path, "select count(*) - count(distinct (report_id, outcome, applicant)) "
                          "from fact_applications") == [(0,)]


def test_an_outcome_of_content_no_longer_there_is_not_loaded(raw_dir, db_path):
    """A staged batch loaded after its file changed describes nothing in the folder: skipped."""
    from pipelines.ingest.run import discover, parse_all
    from pipelines.warehouse.load import connect, load_batch

    con = connect(db_path)
    try:
        found = discover(con, raw_dir)
        outcomes = [o for chunk in parse_all(raw_dir, found.todo, workers=1) for o in chunk]
        target = raw_dir / "003_4a81d0f783bbd2ce.txt"
        target.write_text(target.read_text(encoding="utf-8").replace("鹿山街道", "鹿鸣街道"), encoding="utf-8")
        rescanned = discover(con, raw_dir).scanned
        counts = load_batch(con, rescanned, outcomes)
    finally:
        con.close()
    assert counts["stale_outcomes_skipped"] == 1
    assert query(db_path, "select count(*) from source_files where path = '003_4a81d0f783bbd2ce.txt'") == [(0,)]
    run_pipeline(raw_dir, db_path)  # the next run parses the new content
    assert query(db_path, "select agency_name from reports where source_path = '003_4a81d0f783bbd2ce.txt'") == [
        ("富阳区鹿鸣街道",)]


def test_a_report_with_unproven_cells_needs_review_and_says_why(raw_dir, db_path):
    """Cells whose place is not proven are stored unreadable, and the report says so: reports.needs_review,
    review_reasons (the table and the row), v_report_summary, and the layout_uncertain check."""
    doc = "\n".join(["单位A2020年政府信息公开工作年度报告", "一、总体情况", "二、主动公开政府信息情况",
                     "第二十条第（一）项", "信息内容 本年新制作数量 本年新公开数量 对外公开总数量",
                     "规章 1 1", "规范性文件 4 4 9",
                     "第二十条第（五）项", "信息内容 上一年项目数量 本年增/减 处理决定数量",
                     "行政许可 10 2 30", "其他对外管理服务事项 5 0 7",
                     "第二十条第（六）项", "信息内容 上一年项目数量 本年增/减 处理决定数量",
                     "行政处罚 3 1 4", "行政强制 0 0 0", "三、收到和处理政府信息公开申请情况",
                     "五、存在的主要问题及改进情况", "无。"])
    (raw_dir / "uncertain.txt").write_text(doc, encoding="utf-8")
    run_pipeline(raw_dir, db_path)
    rows = query(db_path, "select needs_review, review_reasons from reports where source_path = 'uncertain.txt'")
    assert rows[0][0] is True
    assert "layout_uncertain:proactive:规章" in rows[0][1]
    states = query(db_path, "select metric, cell_state, raw_text from fact_proactive f join reports r using (report_id) "
                            "where r.source_path = 'uncertain.txt' and category = 'regulation' and item = 'art20_1' "
                            "order by metric")
    assert {s for _, s, _ in states} == {"unreadable"} and all(raw == "1 | 1" for _, _, raw in states)
    assert query(db_path, "select count(*) from dq_results d join reports r using (report_id) "
                          "where d.check_name = 'layout_uncertain' and r.source_path = 'uncertain.txt'") == [(1,)]
    summary = query(db_path, "select needs_review from v_report_summary where source_path = 'uncertain.txt'")
    assert summary == [(True,)]
    # the samples that read cleanly need no review but for their own reasons (001 never names its agency)
    assert query(db_path, "select source_path, review_reasons from reports where needs_review and source_path "
                          "<> 'uncertain.txt' order by 1") == [("001_3e7c7203fb80667c.txt", ["agency_unresolved"])]


def test_a_report_failing_an_error_check_needs_review(raw_dir, db_path):
    path = raw_dir / "003_4a81d0f783bbd2ce.txt"
    text = path.read_text(encoding="utf-8")
    total = "\t（七）总计\n\t0\n\t0\n\t0\n\t0\n\t3\n\t0\n\t3\n"
    assert total in text
    path.write_text(text.replace(total, total.replace("\t3\n\t0\n\t3\n", "\t3\n\t0\n\t4\n")), encoding="utf-8")
    run_pipeline(raw_dir, db_path)
    failing = query(db_path, "select distinct check_name from dq_results d join reports r using (report_id) "
                             "where d.severity = 'error' and r.source_path = '003_4a81d0f783bbd2ce.txt'")
    reasons = query(db_path, "select review_reasons from reports where source_path = '003_4a81d0f783bbd2ce.txt' "
                             "and is_current")[0][0]
    assert failing and {f"check:{c}" for (c,) in failing} <= set(reasons)


def test_older_warehouse_keeps_six_decimals_of_amounts(db_path):
    """DECIMAL(18,4) amounts of an older file are widened to the contract's DECIMAL(24,6) in place."""
    _open_older_warehouse(db_path, "create table fact_proactive (report_id varchar, value decimal(18,4))",
                          "insert into fact_proactive values ('r', 1.2345)")
    assert query(db_path, "select data_type from duckdb_columns() where table_name = 'fact_proactive' "
                          "and column_name = 'value'") == [("DECIMAL(24,6)",)]
    import duckdb

    con = duckdb.connect(str(db_path))
    con.execute("insert into fact_proactive (report_id, value) values ('s', 5949.088667)")
    assert con.execute("select value::varchar from fact_proactive order by report_id").fetchall() == [
        ("1.234500",), ("5949.088667",)]
    con.close()
