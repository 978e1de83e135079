"""The analysts' views, agencies and the HTML report, on the five samples: figures checked against the
hand-read truth (tests/fixtures/expected), never against what the pipeline produced."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import defaultdict

import duckdb
import plotly.graph_objects as go
import pytest

from pipelines.warehouse.report import charts, write_report
from tests.conftest import SAMPLE_STEMS, expected_cells, query
from tests.test_metadata import SAMPLES as META

VIEWS = ("v_applications_wide", "v_refusal_reasons", "v_appeals", "v_agency_panel", "v_summary_province",
         "v_summary_national", "v_report_summary", "v_fact_cells")


def _value(stem: str, table: str, *coords: str) -> float | None:
    value, state, _ = expected_cells(stem)[(table, *coords)]
    return value if state == "value" else None


@pytest.fixture
def warehouse(samples_warehouse):
    return samples_warehouse


def _by_stem(db, sql: str) -> dict[str, tuple]:
    rows = query(db, f"select regexp_extract(r.source_path, '^[^.]*'), v.* from ({sql}) v "
                     "join reports r using (report_id)")
    return {row[0]: row[1:] for row in rows}


def test_every_view_answers_and_is_documented(warehouse):
    for view in VIEWS:
        assert query(warehouse, f"select count(*) from {view}")[0][0] > 0, view
        comment = query(warehouse, "select comment from duckdb_views() where view_name = $v", {"v": view})
        assert comment and comment[0][0], f"{view} has no COMMENT ON"


def _measure(values) -> float | None:
    """The glossary's rule for a measure over several cells: the cells that hold a number, summed; NULL
    when none does."""
    numbers = [v for v in values if v is not None]
    return sum(numbers) if numbers else None


def test_applications_wide_matches_the_tables(warehouse):
    got = _by_stem(warehouse, "select report_id, new_received, granted, total_handled, denied, other_handling "
                              "from v_applications_wide")
    assert set(got) == set(SAMPLE_STEMS)
    for stem in SAMPLE_STEMS:
        want_denied = _measure(_value(stem, "fact_applications", o, "total") for o in (
            "denied_state_secret", "denied_law_prohibited", "denied_three_safety", "denied_third_party",
            "denied_internal", "denied_process", "denied_enforcement_file", "denied_admin_query"))
        others = ("other",) if META[stem]["year"] < 2021 and ("fact_applications", "other", "total") in \
            expected_cells(stem) else ("other_no_correction", "other_no_fee", "other_misc")
        want_other = _measure(_value(stem, "fact_applications", o, "total") for o in others)
        assert got[stem][1:] == (
            _value(stem, "fact_applications", "new_received", "total"),
            _value(stem, "fact_applications", "granted", "total"),
            _value(stem, "fact_applications", "total_handled", "total"),
            want_denied, want_other), stem


def test_national_summary_sums_the_reports_by_year(warehouse):
    cells: dict[int, list[list]] = defaultdict(lambda: [[], [], [], []])
    for stem in SAMPLE_STEMS:
        w = cells[META[stem]["year"]]
        w[0].append(1)
        w[1].append(_value(stem, "fact_applications", "new_received", "total"))
        w[2].append(_value(stem, "fact_appeals", "admin_review", "total"))
        w[3] += [_value(stem, "fact_appeals", p, "total") for p in ("litigation_direct", "litigation_after_review")]
    want = {year: [_measure(column) for column in columns] for year, columns in cells.items()}
    got = query(warehouse, "select year, reports, new_received, admin_reviews, lawsuits from v_summary_national")
    assert {y: list(rest) for y, *rest in got} == want
    assert query(warehouse, "select sum(reports) from v_summary_province") == [(len(SAMPLE_STEMS),)]


def test_appeals_and_refusal_reasons(warehouse):
    got = _by_stem(warehouse, "select report_id, proceeding, total from v_appeals where proceeding = 'admin_review'")
    for stem in SAMPLE_STEMS:
        assert got[stem][2] == _value(stem, "fact_appeals", "admin_review", "total"), stem
    reasons = dict(query(warehouse, "select comparable_reason, sum(applications) from v_refusal_reasons group by 1"))
    for reason in ("denied_third_party", "unable_not_held", "rejected_repeat"):
        assert reasons[reason] == _measure(_value(s, "fact_applications", reason, "total") for s in SAMPLE_STEMS)
    assert "other_misc" not in reasons and "other" in reasons, "2021's （六） rows fold into other"


def test_agency_panel_and_agencies(warehouse):
    panel = query(warehouse, "select agency_name, year, years_reported from v_agency_panel")

    def order(row):
        return row[1], row[0] or ""

    assert sorted(panel, key=order) == sorted(((m["agency_name"], m["year"], 1) for m in META.values()), key=order)
    agencies = {name: (aliases, level, code, county) for name, aliases, level, code, county in query(
        warehouse, "select agency_name, aliases, level, division_code, county from agencies")}
    assert agencies["哈尔滨市松北区船口街道办事处"] == (
        ["哈尔滨市松北区船口街道办事处"], "street_office", "230109", "松北区")
    assert agencies["富阳区鹿山街道"][1:] == ("street_office", "330111", "富阳区")
    assert agencies["新碶街道办事处"][2] is None, "no region in the text: no code guessed"


def test_prose_claims_are_read(warehouse):
    claims = {(s, c): v for s, c, v in query(
        warehouse, "select regexp_extract(r.source_path, '^[^.]*'), claim, value from report_claims join reports r "
                   "using (report_id)")}
    assert claims[("001_3e7c7203fb80667c", "applications_received")] == 2  # 接收到两例依申请公开请求
    assert claims[("004_f08e199b8ba50c35", "proactive_published")] == 1350


def test_report_charts_speak_the_forms_words_in_whole_numbers(warehouse):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        # plotly validates each chart here (the report writes them as plain dicts, unvalidated)
        figures = {fig.layout.title.text: fig for fig in (go.Figure(spec) for _, spec in charts(con))}
    finally:
        con.close()
    reasons = figures["Refusal reasons"]
    labels = set(reasons.data[0].y)
    assert "保护第三方合法权益" in labels, labels  # sample 000 denies one application to protect a third party
    assert not any(re.fullmatch(r"[a-z_]+", label) for label in labels), "codes shown instead of labels"
    appeals = figures["Appeals and their results"]
    assert {trace.name for trace in appeals.data} == {"结果维持", "结果纠正", "其他结果", "尚未审结"}
    assert set(appeals.data[0].x) == {"行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"}
    outcomes = figures["Outcomes per year"]
    assert "不予公开" in {trace.name for trace in outcomes.data}
    for title in ("Applications per year", "Outcomes per year", "Appeals and their results"):
        axis = figures[title].layout.yaxis
        assert axis.tickformat == ",d" and axis.dtick == 1, title  # the samples' counts are small: ticks of 1
    assert reasons.layout.xaxis.tickformat == ",d"


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium package (installed by .ci/run)")
def test_html_report_opens_offline_with_every_chart(warehouse, tmp_path):
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        expected = len(charts(con))
        report = write_report(con, tmp_path / "report.html")
    finally:
        con.close()
    text = report.read_text(encoding="utf-8")
    assert "https://" not in text.split("<body>")[1].split("<script")[0], "no link to fetch anything"
    dom = subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-network-access",
         "--proxy-server=127.0.0.1:9", "--virtual-time-budget=15000", "--dump-dom", report.as_uri()],
        capture_output=True, text=True, timeout=120).stdout
    rendered = dom.count('class="plot-container plotly"')
    assert expected >= 8 and rendered == expected, (expected, rendered)
