"""The interpreter: every cell of the form, from labels, for the samples and for each quirk."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipelines.document.cells import is_value_like, read_cell
from pipelines.forms.catalog import FORM_2019, FORM_2021, FORMS
from pipelines.forms.interpreter import interpret
from pipelines.readers import ReadError, read_document
from tests.conftest import SAMPLE_STEMS, expected_cells, expected_template, sample_path


def facts(text: str, year: int | None = None) -> dict[tuple, tuple]:
    result = interpret(read_document(text.encode("utf-8")), year)
    return {(c.fact_table, *c.coords.values()): (c.value, c.state, c.raw_text) for c in result.cells}


def tab_table(*rows: list[str]) -> str:
    """Tab-indented text of one table: a cell per line behind a tab, a blank line between rows."""
    return "\n".join("\n".join("\t" + cell for cell in row) + "\n" for row in rows)


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_every_sample_cell_is_read_as_a_person_reads_it(stem):
    result = interpret(read_document(sample_path(stem).read_bytes()))
    got = {(c.fact_table, *c.coords.values()): (None if c.value is None else float(c.value), c.state, c.raw_text)
           for c in result.cells}
    want = expected_cells(stem)
    assert len(result.cells) == len(want) == (198 if expected_template(stem) == "2019" else 200)
    assert result.form.version == expected_template(stem)
    assert got == want
    assert result.unmapped == []


def test_form_cell_counts():
    assert FORM_2019.cell_count() == 198
    assert FORM_2021.cell_count() == 200


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_every_number_is_traceable_to_its_source_cell(stem):
    doc = read_document(sample_path(stem).read_bytes())
    result = interpret(doc)
    for cell in result.cells:
        if cell.state == "missing":
            assert cell.src is None and cell.raw_text is None
            continue
        table = doc.tables[cell.src.table]
        row = table.rows[cell.src.row if table.has_rows else 0]
        assert row[cell.src.cell].text == cell.raw_text


PROACTIVE_2021_HEADER = ["信息内容", "本年制发件数", "本年废止件数", "现行有效件"]


def test_cut_short_header_and_reordered_columns():
    text = tab_table(["第二十条第（一）项"], ["信息内容", "现行有效件", "本年制发件数", "本年废止件数"],
                     ["规章", "7", "1", "2"], ["行政规范性文件", "9", "3", "0"])
    got = facts(text, 2021)
    assert got[("fact_proactive", "art20_1", "regulation", "in_force")][:2] == (Decimal(7), "value")
    assert got[("fact_proactive", "art20_1", "regulation", "issued")][:2] == (Decimal(1), "value")
    assert got[("fact_proactive", "art20_1", "normative_doc", "repealed")][:2] == (Decimal(0), "value")


def test_empty_header_cell_takes_the_forms_column_at_its_place():
    text = tab_table(["第二十条第（一）项"], ["信息内容", "本年新制作数量", "", "对外公开总数量"],
                     ["规章", "1", "2", "3"], ["规范性文件", "4", "", "6"])
    got = facts(text, 2020)
    assert got[("fact_proactive", "art20_1", "regulation", "new_published")][:2] == (Decimal(2), "value")
    assert got[("fact_proactive", "art20_1", "normative_doc", "new_published")][1] == "blank"
    assert got[("fact_proactive", "art20_1", "normative_doc", "total_published")][:2] == (Decimal(6), "value")


@pytest.mark.parametrize("cell,value,state", [
    ("1848（万元）", Decimal(1848), "value"),
    ("251000元", Decimal("25.1"), "value"),
    ("12.5", Decimal("12.5"), "value"),
    ("/", None, "not_applicable"),
    ("—", None, "not_applicable"),
    ("无", None, "not_applicable"),
    ("\u3000", None, "blank"),
    ("约20", None, "unreadable"),
    ("1848万", Decimal(1848), "value"),  # 万 in a 万元 column: the number kept
    ("1848万元", Decimal(1848), "value"),
    ("１２．５", Decimal("12.5"), "value"),  # full-width digits and point
    ("１８４８万元", Decimal(1848), "value"),
    ("3件", None, "unreadable"),  # a count in a money column
    ("3万件", None, "unreadable"),
    ("3项", None, "unreadable"),
])
def test_amount_cells(cell, value, state):
    text = tab_table(["第二十条第（九）项"], ["信息内容", "采购项目数量", "采购总金额"], ["政府集中采购", "3", cell])
    got = facts(text, 2020)[("fact_proactive", "art20_9", "procurement", "amount")]
    assert got == (value, state, cell)


def test_amount_header_in_yuan_converts_to_wan():
    text = tab_table(["第二十条第（八）项"], ["信息内容", "本年收费金额（单位：元）"], ["行政事业性收费", "5000"])
    assert facts(text, 2022)[("fact_proactive", "art20_8", "fees", "amount")][:2] == (Decimal("0.5"), "value")


def test_negative_change_is_a_value():
    text = tab_table(["第二十条第（五）项"], ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
                     ["行政许可", "500", "-417", "83"])
    assert facts(text, 2019)[("fact_proactive", "art20_5", "licensing", "change")][:2] == (Decimal(-417), "value")


@pytest.mark.parametrize("cell,value,state", [
    ("—3", Decimal(-3), "value"),  # a dash as the minus
    ("－3", Decimal(-3), "value"),
    ("–3", Decimal(-3), "value"),
    ("−3", Decimal(-3), "value"),
    ("－５", Decimal(-5), "value"),  # full-width digit and sign
    ("＋１２", Decimal(12), "value"),
    ("１２３件", Decimal(123), "value"),  # the column's own unit
    ("3万", Decimal(30000), "value"),  # 万 multiplies a count
    ("1.5万件", Decimal(15000), "value"),
    ("—", None, "not_applicable"),
    ("3元", None, "unreadable"),  # money in a count column
    ("1848万元", None, "unreadable"),
    ("——3", None, "unreadable"),
])
def test_count_cells_in_the_proactive_table(cell, value, state):
    text = tab_table(["第二十条第（五）项"], ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
                     ["行政许可", "500", cell, "83"])
    got = facts(text, 2019)[("fact_proactive", "art20_5", "licensing", "change")]
    assert got == (value, state, cell)


@pytest.mark.parametrize("cell,value,state", [
    ("1848万", Decimal(18480000), "value"),
    ("１２", Decimal(12), "value"),
    ("12件", Decimal(12), "value"),
    ("12元", None, "unreadable"),
    ("1848万元", None, "unreadable"),
    ("1.23456万", None, "unreadable"),  # not a whole number of cases
])
def test_count_cells_in_the_appeals_table(cell, value, state):
    text = tab_table(["行政复议", "行政诉讼"], ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
                     [cell, "0", "0", "0", cell] + ["0"] * 10)
    got = facts(text, 2022)
    assert got[("fact_appeals", "admin_review", "upheld")] == (value, state, cell)
    assert got[("fact_appeals", "admin_review", "total")] == (value, state, cell)


# The cell grammar itself (pipelines/document/cells.py): every reader and the interpreter use it.
@pytest.mark.parametrize("raw,kind,unit,state,value", [
    # a dash or a full-width sign as the minus, full-width digits
    ("—3", "count", None, "value", -3), ("–3", "count", None, "value", -3), ("−3", "count", None, "value", -3),
    ("―3", "count", None, "value", -3), ("‒3", "count", None, "value", -3), ("﹣3", "count", None, "value", -3),
    ("－3", "count", None, "value", -3), ("－５", "count", None, "value", -5), ("＋５", "count", None, "value", 5),
    ("１２３", "count", None, "value", 123), ("１，２３４", "count", None, "value", 1234),
    ("— 3", "amount", "件", "value", -3), ("—1.5", "amount", "万元", "value", Decimal("-1.5")),
    # 万: a multiplier in a count column, the 万 of 万元 in a money column
    ("1848万", "count", None, "value", 18480000), ("1848万件", "count", None, "value", 18480000),
    ("1848万", "amount", "件", "value", 18480000), ("1.5万", "count", None, "value", 15000),
    ("1848万", "amount", "万元", "value", 1848), ("1848万元", "amount", "万元", "value", 1848),
    ("1848(万)", "amount", "万元", "value", 1848), ("1848万", "amount", "元", "value", 1848),
    ("1848万元", "amount", "元", "value", 1848), ("1848", "amount", "元", "value", Decimal("0.1848")),
    ("251000元", "amount", "万元", "value", Decimal("25.1")), ("1848（万元）", "amount", "万元", "value", 1848),
    # the unit the column agrees with
    ("3件", "count", None, "value", 3), ("3项", "amount", "件", "value", 3),
    ("3元", "amount", "元", "value", Decimal("0.0003")),
    # a unit the column disagrees with: unreadable, never a number in the wrong unit
    ("3元", "count", None, "unreadable", None), ("3万元", "count", None, "unreadable", None),
    ("3元", "amount", "件", "unreadable", None), ("1848万元", "amount", "件", "unreadable", None),
    ("3件", "amount", "万元", "unreadable", None), ("3条", "amount", "元", "unreadable", None),
    ("3万件", "amount", "万元", "unreadable", None), ("3个", "amount", "万元", "unreadable", None),
    # the column's unit not known (kind amount, no unit): read as printed
    ("251000元", "amount", None, "value", 251000), ("3件", "amount", None, "value", 3),
    ("1848万", "amount", None, "value", 1848),
    # as before
    (None, "count", None, "missing", None), ("", "count", None, "blank", None), ("\u3000", "count", None, "blank", None),
    ("/", "count", None, "not_applicable", None), ("无", "amount", "万元", "not_applicable", None),
    ("—", "count", None, "not_applicable", None), ("——", "count", None, "not_applicable", None),
    ("―", "count", None, "not_applicable", None), ("－", "count", None, "not_applicable", None),
    ("0 0 0", "count", None, "unreadable", None), ("1.5", "count", None, "unreadable", None),
    ("1.23456万", "count", None, "unreadable", None), ("约20", "count", None, "unreadable", None),
    ("——3", "count", None, "unreadable", None), ("—3—", "count", None, "unreadable", None),
    ("3-", "count", None, "unreadable", None), ("3万万", "count", None, "unreadable", None),
    ("万元", "amount", "万元", "unreadable", None), ("万", "count", None, "unreadable", None),
])
def test_read_cell(raw, kind, unit, state, value):
    reading = read_cell(raw, kind, unit)
    assert (reading.state, reading.value) == (state, None if value is None else Decimal(value))


@pytest.mark.parametrize("text", ["—3", "－５", "１２３", "3万", "1848万元", "1848（万元）", "-1", "/", "—", ""])
def test_numbers_and_marks_are_value_like(text):
    assert is_value_like(text)


@pytest.mark.parametrize("text", ["万元", "（万元）", "万", "元", "件", "本年增/减", "上一年项目数量", "—3—", "第3",
                                  "3万万", "单位：万元", "采购总金额（万元）"])
def test_labels_and_units_alone_are_not_value_like(text):
    assert not is_value_like(text)


def test_agency_added_row_goes_to_unmapped():
    text = tab_table(["第二十条第（六）项"], ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
                     ["行政处罚", "1", "0", "2"], ["行政检查", "5", "1", "9"], ["行政强制", "0", "0", "0"])
    result = interpret(read_document(text.encode()), 2019)
    assert {(u.row_label, u.column_label, u.raw_text) for u in result.unmapped} == {
        ("行政检查", "上一年项目数量", "5"), ("行政检查", "本年增/减", "1"), ("行政检查", "处理决定数量", "9")}
    coercion = [c for c in result.cells if c.coords.get("category") == "coercion"]
    assert [c.value for c in coercion] == [0, 0, 0]


def test_truncated_table_leaves_the_rest_missing():
    text = tab_table(["第二十条第（一）项"], ["信息内容", "本年新制作数量", "本年新公开数量", "对外公开总数量"],
                     ["规章", "1", "2"])
    result = interpret(read_document(text.encode()), 2019)
    got = {(c.fact_table, *c.coords.values()): c.state for c in result.cells}
    assert got[("fact_proactive", "art20_1", "regulation", "total_published")] == "missing"
    assert got[("fact_proactive", "art20_9", "procurement", "amount")] == "missing"
    assert all(s == "missing" for k, s in got.items() if k[0] != "fact_proactive")
    assert result.tables_found == ["proactive"]
    assert len(result.cells) == 198


def test_text_without_the_tables_is_not_a_report():
    text = "关于做好防汛工作的通知\n\n各街道：\n\n请做好防汛准备。\n"
    with pytest.raises(ReadError) as err:
        interpret(read_document(text.encode()))
    assert err.value.code == "not_a_report"


def test_form_chosen_from_labels_even_against_the_year():
    text = tab_table(["第二十条第（一）项"], ["信息内容", *PROACTIVE_2021_HEADER[1:]], ["规章", "1", "0", "5"])
    result = interpret(read_document(text.encode()), 2019)
    assert result.form.version == "2021"
    assert result.form_basis.startswith("labels")


def test_form_falls_back_to_the_year_when_labels_name_none():
    text = tab_table(["行政复议", "行政诉讼"], ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"],
                     [str(i) for i in range(15)])
    assert interpret(read_document(text.encode()), 2022).form.version == "2021"
    assert interpret(read_document(text.encode()), 2020).form.version == "2019"


def test_applications_total_first_header_still_reads_visual_order():
    header = [["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"],
              ["", "总计", "自然人", "法人或其他组织"],
              ["", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]]
    rows = [["一、本年新收政府信息公开申请数量", "4", "1", "0", "0", "0", "0", "5"],
            ["二、上年结转政府信息公开申请数量", "1", "0", "0", "0", "0", "0", "1"]]
    got = facts(tab_table(*header, *rows), 2021)
    assert got[("fact_applications", "new_received", "natural_person")][:2] == (4, "value")
    assert got[("fact_applications", "new_received", "total")][:2] == (5, "value")


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.version)
def test_each_form_codes_are_unique(form):
    keys = [(t.name, *b.fixed, *r.codes, *c.codes) for t in form.tables for b in t.blocks for r in b.rows
            for c in b.columns]
    assert len(keys) == len(set(keys)) == form.cell_count()


def test_a_2021_report_keeping_the_2019_other_row_stores_other():
    """Contract, Forms per table: table A prints the 2021 form, table B the 2019 form's single （六）其他处理
    row. Table B is read against the 2019 form: `other` holds the number, the three 2021 （六） rows are
    missing — never dropped for the report's other tables' form."""
    head = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    rows = [[label, *(["0"] * 7)] for label in (
        "一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量", "（一）予以公开", "（二）部分公开",
        "1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”", "4.保护第三方合法权益",
        "5.属于三类内部事务信息", "6.属于四类过程性信息", "7.属于行政执法案卷", "8.属于行政查询事项",
        "1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确", "1.信访举报投诉类申请",
        "2.重复申请", "3.要求提供公开出版物", "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息")]
    rows.append(["（六）其他处理", "2", "0", "0", "0", "0", "0", "2"])
    rows.append(["（七）总计", "2", "0", "0", "0", "0", "0", "2"])
    text = (tab_table(["第二十条第（一）项"], ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                      ["规章", "0", "0", "0"], ["行政规范性文件", "1", "0", "4"])
            + "\n三、收到和处理政府信息公开申请情况\n\n" + tab_table(["申请人情况"], head, *rows))
    result = interpret(read_document(text.encode("utf-8")), 2021)
    assert result.form.version == "2021"
    assert result.table_forms == {"proactive": "2021", "applications": "2019", "appeals": "2021"}
    got = {(c.fact_table, *c.coords.values()): c.state for c in result.cells}
    assert got[("fact_applications", "other", "total")] == "value"
    assert [c.value for c in result.cells if c.coords == {"outcome": "other", "applicant": "total"}] == [2]
    for outcome in ("other_no_correction", "other_no_fee", "other_misc"):
        assert got[("fact_applications", outcome, "total")] == "missing"
    assert got[("fact_proactive", "art20_1", "normative_doc", "in_force")] == "value"
    keys = [(c.fact_table, *c.coords.values()) for c in result.cells]
    assert len(keys) == len(set(keys)) == 200 + 7


def test_a_label_almost_as_close_to_two_rows_is_not_placed():
    """`规范文件` is as close to 规章 as… no: the margin rule. A made-up label between two form rows
    (`行政许可处罚`: 行政许可 and 行政处罚 alike) places nothing and says so."""
    text = tab_table(["第二十条第（六）项"], ["信息内容", "上一年项目数量", "本年增/减", "处理决定数量"],
                     ["行政处罚强制", "1", "0", "2"], ["行政强制", "0", "0", "0"])
    result = interpret(read_document(text.encode("utf-8")), 2019)
    got = {(c.fact_table, *c.coords.values()): (c.value, c.state) for c in result.cells}
    assert got[("fact_proactive", "art20_6", "punishment", "decisions")] == (None, "missing")
    assert any(u.row_label == "行政处罚强制" for u in result.unmapped)


def test_an_extra_row_that_only_contains_a_form_label_keeps_its_own_place():
    """`涉企行政规范性文件 9 9 9` is an agency's row: it never takes the place of 行政规范性文件, before or after it."""
    text = tab_table(["第二十条第（一）项"], ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
                     ["规章", "0", "0", "0"], ["涉企行政规范性文件", "9", "9", "9"], ["行政规范性文件", "1", "0", "4"])
    result = interpret(read_document(text.encode("utf-8")), 2021)
    got = {(c.fact_table, *c.coords.values()): (c.value, c.state) for c in result.cells}
    assert got[("fact_proactive", "art20_1", "normative_doc", "issued")] == (1, "value")
    assert {u.raw_text for u in result.unmapped} == {"9"}


APPLICANT_WORDS = {"natural_person": "自然人", "commercial": "商业企业", "research": "科研机构",
                   "social_welfare": "社会公益组织", "legal_service": "法律服务机构", "other_org": "其他", "total": "总计"}
METRIC_WORDS = {"new_made": "制作", "new_published": "公开数量", "total_published": "总数", "issued": "制发",
                "repealed": "废止", "in_force": "现行有效", "prev_count": "上一年", "change": "增", "decisions": "处理决定",
                "amount": "金额", "project_count": "项目数量"}
RESULT_WORDS = {"upheld": "结果维持", "corrected": "结果纠正", "other": "其他结果", "pending": "尚未审结", "total": "总计"}


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_every_read_cell_carries_the_sources_labels_of_its_row_and_column(stem):
    """Provenance: a cell's row_label and column_label are the source's own labels of that cell — table
    B's columns are not shifted by one, table C's carry their result (and proceeding where printed)."""
    result = interpret(read_document(sample_path(stem).read_bytes()))
    for cell in result.cells:
        if cell.src is None:
            continue
        column = "".join((cell.column_label or "").split())
        if cell.fact_table == "fact_applications":
            assert column.endswith(APPLICANT_WORDS[cell.coords["applicant"]]), (cell.coords, cell.column_label)
            assert cell.row_label
        if cell.fact_table == "fact_appeals":
            assert column.endswith(RESULT_WORDS[cell.coords["result"]]), (cell.coords, cell.column_label)
        if cell.fact_table == "fact_proactive":
            assert cell.row_label
            # 002 prints no header over its empty 本年新公开数量 and 本年增/减 columns: no label to carry
            assert cell.column_label is None or METRIC_WORDS[cell.coords["metric"]] in column, (cell.coords, column)


def html_tables(*tables: list[list[str]]) -> str:
    """A page of HTML tables (each a list of rows; an empty cell is ''), one after another."""
    def row(cells: list[str]) -> str:
        return "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>"
    body = "".join("<table>" + "".join(row(r) for r in t) + "</table>" for t in tables)
    return f"<html><body><p>四、政府信息公开行政复议、行政诉讼情况</p>{body}</body></html>"


RESULTS_ROW = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]


def test_table_c_split_per_proceeding_reads_each_proceeding_under_its_own_heading():
    """Table C printed as three small tables, each headed `行政复议` / `行政诉讼（未经复议直接起诉）` /
    `行政诉讼（复议后起诉）`: the heading in brackets names the proceeding (not the furniture 行政诉讼), and
    a heading row under a row of numbers is no continuation of it (the stitcher once glued it to the 0)."""
    html = html_tables(
        [["行政复议", "", "", "", ""], RESULTS_ROW, ["0", "2", "1", "0", "3"]],
        [["行政诉讼（未经复议直接起诉）", "", "", "", ""], RESULTS_ROW, ["1", "0", "0", "0", "1"]],
        [["行政诉讼（复议后起诉）", "", "", "", ""], RESULTS_ROW, ["0", "0", "0", "4", "4"]],
    )
    got = facts(html, 2021)
    assert got[("fact_appeals", "admin_review", "corrected")][:2] == (2, "value")
    assert got[("fact_appeals", "admin_review", "total")][:2] == (3, "value")
    assert got[("fact_appeals", "litigation_direct", "upheld")][:2] == (1, "value")
    assert got[("fact_appeals", "litigation_after_review", "pending")][:2] == (4, "value")


RULE_B = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_HEADER = [[RULE_B, "", "", "申请人情况", "", "", "", "", "", ""],
                    ["", "", "", "自然人", "法人或其他组织", "", "", "", "", "总计"],
                    ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", ""]]


def test_a_continuation_table_with_a_label_column_fewer_is_not_read_by_the_first_tables_grid():
    """Table B broken per row group into tables of their own, the later ones a label column narrower:
    the first table's grid positions mean other columns there (the total once landed in 其他)."""
    first = [*APPLICANT_HEADER, ["一、本年新收政府信息公开申请数量", "", "", "1", "", "", "", "", "", "1"]]
    second = [["（三）不予公开", "1.属于国家秘密", "", "", "", "", "", "", "2"],
              ["", "2.其他法律行政法规禁止公开", "", "", "", "", "", "", "0"]]
    html = html_tables(first, second).replace("四、政府信息公开行政复议、行政诉讼情况", "三、收到和处理政府信息公开申请情况")
    got = facts(html, 2021)
    assert got[("fact_applications", "denied_state_secret", "total")][:2] == (2, "value")
    assert got[("fact_applications", "denied_state_secret", "other_org")][1] == "blank"


def test_rows_under_a_repeated_header_that_lost_a_label_column_are_not_read_by_grid_position():
    """A header repeated mid-table, the rows under it one cell short of the header's grid: by position
    their total would be 其他; by their own order it is the total."""
    rows = [*APPLICANT_HEADER, ["一、本年新收政府信息公开申请数量", "", "", "1", "", "", "", "", "", "1"],
            *APPLICANT_HEADER, ["（四）无法提供", "1.本机关不掌握相关政府信息", "", "", "", "", "", "5", "5"]]
    html = html_tables(rows).replace("四、政府信息公开行政复议、行政诉讼情况", "三、收到和处理政府信息公开申请情况")
    got = facts(html, 2021)
    assert got[("fact_applications", "unable_not_held", "total")][:2] == (5, "value")
    assert got[("fact_applications", "unable_not_held", "other_org")][:2] == (5, "value")
    assert got[("fact_applications", "unable_not_held", "legal_service")][1] == "blank"


def test_a_column_whose_header_and_cells_are_empty_is_blank_in_a_grid():
    """Table A with the 本年废止件数 header cell left empty and its cells empty (sample 002's quirk, in a
    grid layout): the empty column stands where the form has 本年废止件数, so its cells are blank."""
    rows = [["第二十条第（一）项", "", "", ""], ["信息内容", "本年制发件数", "", "现行有效件数"],
            ["规章", "1", "", "3"], ["行政规范性文件", "2", "", "4"]]
    html = html_tables(rows).replace("四、政府信息公开行政复议、行政诉讼情况", "二、主动公开政府信息情况")
    got = facts(html, 2021)
    assert got[("fact_proactive", "art20_1", "regulation", "repealed")][1] == "blank"
    assert got[("fact_proactive", "art20_1", "normative_doc", "in_force")][:2] == (4, "value")


STORE_B = """三、收到和处理政府信息公开申请情况
| （本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） | 申请人情况 | ||||||||
| 自然人 | 法人或其他组织 | 总计 | |||||||
| 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | |||||
| 一、本年新收政府信息公开申请数量 | 1 | 0 | 0 | 0 | 0 | 0 | 1 | ||
| 二、上年结转政府信息公开申请数量 | 3 | 2 | 1 | 6 | |||||
| 三、本年度办理结果 | （一）予以公开 | 1 | 0 | 0 | 0 | 0 | 0 | 1 | |
"""


def test_a_store_row_whose_empty_cells_went_to_its_end_is_not_read_left_to_right():
    """A page store moves a row's empty cells to its end as padding (`| 3 | 2 | 1 | 6 | |||||`): four
    numbers for seven cells could have stood anywhere, so they are unreadable and the report flagged —
    never 3, 2, 1, 6 for 自然人 … 社会公益组织 with the total blank."""
    result = interpret(read_document(STORE_B.encode("utf-8")), 2021)
    got = {(c.fact_table, *c.coords.values()): c.state for c in result.cells}
    assert {got[("fact_applications", "carried_over", a)] for a in
            ("natural_person", "commercial", "research", "social_welfare", "total")} == {"unreadable"}
    assert any(u.startswith("layout_uncertain:applications:二、上年结转") for u in result.uncertain)
    assert got[("fact_applications", "new_received", "total")] == "value"


def test_a_copy_cut_on_a_pipe_adds_no_empty_cell():
    """A store copy cut off on `|` (no line end): an empty cell, or the first pipe of a row's padding?
    Not a cell: table C's 结果维持 stays missing rather than blank."""
    text = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议 |\n行政诉讼 |\n|||||||||||||\n结果维持 |\n结果纠正 |\n"
            "其他结果 |\n尚未审结 |\n总计 |\n未经复议直接起诉 |\n复议后起诉 |\n|")
    result = interpret(read_document(("一、总体情况\n" * 3 + text).encode("utf-8")), 2021, is_report=True)
    got = {(c.fact_table, *c.coords.values()): c.state for c in result.cells}
    assert got[("fact_appeals", "admin_review", "upheld")] == "missing"


def test_heji_for_the_total_column_and_row():
    """合计 printed for 总计 (issue #13's real-world quirks) names table B's total column and （七） row."""
    rows = [[RULE_B, "", "", "申请人情况", "", "", "", "", "", ""],
            ["", "", "", "自然人", "法人或其他组织", "", "", "", "", ""],
            ["", "", "", "", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "合计"],
            ["一、本年新收政府信息公开申请数量", "", "", "13", "", "1", "3", "", "3", "20"],
            ["（七）合计", "", "", "13", "", "", "3", "", "3", "19"]]
    html = html_tables(rows).replace("四、政府信息公开行政复议、行政诉讼情况", "三、收到和处理政府信息公开申请情况")
    got = facts(html, 2021)
    assert got[("fact_applications", "new_received", "total")][:2] == (20, "value")
    assert got[("fact_applications", "total_handled", "total")][:2] == (19, "value")


def test_table_c_split_per_proceeding_in_its_own_order():
    """The same, the two litigation tables printed the other way round: only their bracketed headings
    say which is which."""
    html = html_tables(
        [["行政复议", "", "", "", ""], RESULTS_ROW, ["0", "2", "1", "0", "3"]],
        [["行政诉讼（复议后起诉）", "", "", "", ""], RESULTS_ROW, ["0", "0", "0", "4", "4"]],
        [["行政诉讼（未经复议直接起诉）", "", "", "", ""], RESULTS_ROW, ["1", "0", "0", "0", "1"]],
    )
    got = facts(html, 2021)
    assert got[("fact_appeals", "litigation_direct", "upheld")][:2] == (1, "value")
    assert got[("fact_appeals", "litigation_after_review", "pending")][:2] == (4, "value")
