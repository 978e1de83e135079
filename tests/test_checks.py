"""Data-quality checks: they flag what is wrong in the samples and nothing that is right."""

from __future__ import annotations

import json
from pathlib import Path

from pipelines.warehouse.checks import load_checks
from tests.conftest import query, run_pipeline

CONTRACT_CHECKS = {
    "applications_balance", "applications_row_total", "applications_outcome_total", "appeals_total",
    "cells_missing", "cells_blank", "agency_unresolved", "published_date_implausible", "form_year_mismatch",
    "duplicate_report", "carryover_continuity", "in_force_continuity", "unmapped_cells",
}


def findings(db: Path) -> set[tuple[str, str]]:
    return set(query(db, "select d.check_name, regexp_extract(r.source_path, '[^/]*$') from dq_results d "
                         "join reports r using (report_id)"))


def test_every_contract_check_exists_with_a_severity_and_an_asset():
    checks = {c.name: c for c in load_checks()}
    assert set(checks) >= CONTRACT_CHECKS
    for check in checks.values():
        assert check.severity in ("error", "warn")
        assert check.description.startswith("Fails if")
        assert check.asset in {"source_files", "reports", "fact_proactive", "fact_applications", "fact_appeals",
                               "fact_unmapped", "corrections"}


def test_samples_flag_what_is_wrong_and_nothing_else(raw_dir, db_path):
    run_pipeline(raw_dir, db_path)
    assert findings(db_path) == {
        ("agency_unresolved", "001_3e7c7203fb80667c.txt"),
        ("cells_missing", "001_3e7c7203fb80667c.txt"),
        ("published_date_implausible", "002_5ff8cf655acdf111.txt"),
        ("cells_blank", "000_957511648368b9cb.txt"),
        ("cells_blank", "001_3e7c7203fb80667c.txt"),
        ("cells_blank", "002_5ff8cf655acdf111.txt"),
        ("cells_blank", "004_f08e199b8ba50c35.txt"),
        # "我镇接收到两例依申请公开请求" beside a table whose 新收 is empty (issue #6)
        ("prose_table_mismatch", "001_3e7c7203fb80667c.txt"),
    }
    assert query(db_path, "select detail, severity from dq_results where check_name = 'cells_missing'") == [
        ("1 cells missing (proactive)", "warn")]
    assert query(db_path, "select detail from dq_results where check_name = 'published_date_implausible'") == [
        ("signed 2020-01-31 for report year 2020",)]


def _edit(path: Path, old: str, new: str, dst: Path | None = None) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    target = dst or path
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


def test_arithmetic_checks_catch_a_broken_table(raw_dir, db_path):
    src = raw_dir / "003_4a81d0f783bbd2ce.txt"
    # 新收 法律服务机构 3 → 4 with 总计 left at 3: the row total and the column balance both break.
    _edit(src, "\t0\n\t0\n\t0\n\t0\n\t3\n\t0\n\t3\n", "\t0\n\t0\n\t0\n\t0\n\t4\n\t0\n\t3\n")
    # 行政复议: 维持 1 with 总计 0.
    _edit(src, "\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n",
          "\t1\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n\t0\n")
    run_pipeline(raw_dir, db_path)
    got = query(db_path, "select check_name, severity, detail from dq_results where severity = 'error' order by all")
    assert got == [
        ("appeals_total", "error", "admin_review: 总计 0 ≠ 维持 + 纠正 + 其他 + 尚未审结 = 1"),
        ("applications_balance", "error", "legal_service: 新收 4 + 上年结转 0 ≠ 总计 3 + 结转下年度 0"),
        ("applications_row_total", "error", "new_received: 总计 3 ≠ sum of applicant columns 4"),
    ]


def test_cross_year_checks(raw_dir, db_path):
    src = raw_dir / "003_4a81d0f783bbd2ce.txt"
    nxt = _edit(src, "2021年政府信息公开工作", "2022年政府信息公开工作", raw_dir / "003_2022.txt")
    # 2022: 上年结转 自然人 2 (2021 carried forward 0), and 现行有效件数 of 规章 5 (2021: 0, issued 0, repealed 0).
    _edit(nxt, "\t二、上年结转政府信息公开申请数量\n\t0\n", "\t二、上年结转政府信息公开申请数量\n\t2\n")
    _edit(nxt, "\t规章\n\t0\n\t0\n\t0\n", "\t规章\n\t0\n\t0\n\t5\n")
    run_pipeline(raw_dir, db_path)
    got = query(db_path, "select check_name, year, detail from dq_results "
                         "where check_name in ('carryover_continuity', 'in_force_continuity') order by all")
    assert got == [
        ("carryover_continuity", 2022, "natural_person: 结转下年度 0 in 2021 ≠ 上年结转 2 in 2022"),
        ("in_force_continuity", 2022, "regulation: 现行有效 5 ≠ 0 (last year) + 0 − 0"),
    ]


def test_form_year_mismatch_and_duplicate_report(raw_dir, db_path):
    (raw_dir / "004_f08e199b8ba50c35.meta.json").write_text(json.dumps({"year": 2021}), encoding="utf-8")
    _edit(raw_dir / "000_957511648368b9cb.txt", "\t195\n", "\t196\n", raw_dir / "z_000_other.txt")
    run_pipeline(raw_dir, db_path)
    got = findings(db_path)
    assert ("form_year_mismatch", "004_f08e199b8ba50c35.txt") in got
    assert ("duplicate_report", "000_957511648368b9cb.txt") in got
    assert query(db_path, "select count(*) from dq_results where check_name = 'duplicate_report'")[0][0] == 1


def test_pdf_tables_without_rules_are_listed_for_review(tmp_path, db_path):
    raw = tmp_path / "raw_pdf"
    raw.mkdir()
    fixtures = Path(__file__).resolve().parent / "fixtures" / "pdf"
    (raw / "unruled.pdf").write_bytes((fixtures / "unruled.pdf").read_bytes())
    (raw / "ruled.pdf").write_bytes((fixtures / "000_957511648368b9cb.pdf").read_bytes())
    run_pipeline(raw, db_path)
    assert query(db_path, "select r.source_path from dq_results d join reports r using (report_id) "
                          "where d.check_name = 'layout_uncertain'") == [("unruled.pdf",)]


def test_ledger_complete_passes_after_runs_and_catches_a_lost_file(raw_dir, db_path):
    import duckdb

    from pipelines.warehouse.checks import run_check

    (raw_dir / "empty.txt").write_bytes(b"")
    run_pipeline(raw_dir, db_path)
    (raw_dir / "empty.txt").unlink()
    run_pipeline(raw_dir, db_path)  # a file removed: no longer counted
    check = next(c for c in load_checks() if c.name == "ledger_complete")
    con = duckdb.connect(str(db_path))
    try:
        assert run_check(con, check).height == 0
        con.execute("delete from source_files where path = (select min(path) from source_files "
                    "where status = 'loaded')")
        details = run_check(con, check)["detail"].to_list()
    finally:
        con.close()
    assert any("found 5 files; the ledger accounts for 4" in d for d in details), details


def test_fact_cells_complete_counts_against_the_forms_in_the_warehouse(raw_dir, db_path):
    """The form's size comes from form_cells (written from the catalog), not from a literal: a report
    that lost a cell, or whose form is unknown to the warehouse, fails the check."""
    import duckdb

    from pipelines.warehouse.checks import load_checks, run_check

    run_pipeline(raw_dir, db_path)
    check = next(c for c in load_checks() if c.name == "fact_cells_complete")
    con = duckdb.connect(str(db_path))
    try:
        assert run_check(con, check).height == 0
        report = con.execute("select report_id, template_version from reports where source_path like '000_%'"
                             ).fetchall()[0]
        con.execute("delete from fact_appeals where report_id = $r and proceeding = 'admin_review' "
                    "and result = 'total'", {"r": report[0]})
        rows = run_check(con, check)
        size = con.execute("select count(*) from form_cells where template_version = $v", {"v": report[1]}).fetchall()
        assert rows["report_id"].to_list() == [report[0]]
        v = report[1]
        assert rows["detail"][0] == f"{size[0][0] - 1} cells ({size[0][0] - 1} distinct) for its forms ({v}; " \
                                    f"tables {v}/{v}/{v}), which have {size[0][0]}"
        con.execute("delete from form_cells where template_version = $v", {"v": report[1]})
        assert report[0] in run_check(con, check)["report_id"].to_list()
    finally:
        con.close()
