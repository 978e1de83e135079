"""The interpreter: every cell of the form, from labels, for the samples and for each quirk."""

from __future__ import annotations

from decimal import Decimal

import pytest

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
