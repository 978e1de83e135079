"""A new form year is data only: a made-up form with other table shapes (a fourth table A column, a
table B with three columns and its total in the middle of nothing but data, a table C of two
proceedings × three results) is read by the same interpreter, planned, and counted by the warehouse,
with no code change."""

from __future__ import annotations

from pathlib import Path

from pipelines.forms.catalog import FORMS
from pipelines.forms.interpreter import interpret
from pipelines.forms.plan import form_cell_rows
from pipelines.forms.spec import Block, Form, FormColumn, FormRow, FormTable
from pipelines.readers import tab_text
from pipelines.warehouse.load import _sync_form_cells, connect, sync_code_tables


def _row(key: str, code: str, *labels: str) -> FormRow:
    return FormRow(((key, code),), labels)


def _col(codes: dict[str, str], *labels: str, unit: str = "件") -> FormColumn:
    return FormColumn(tuple(codes.items()), labels, unit)


FORM_2030 = Form(
    version="2030", document="假设的 2030 年格式", first_year=2030,
    tables=(
        FormTable(
            name="proactive", fact_table="fact_proactive", coordinates=("item", "category", "metric"),
            value_kind="amount",
            blocks=(Block(("第二十条第（一）项",),
                          (_row("category", "regulation", "规章"), _row("category", "normative_doc", "行政规范性文件")),
                          (_col({"metric": "issued"}, "本年制发件数"), _col({"metric": "repealed"}, "本年废止件数"),
                           _col({"metric": "in_force"}, "现行有效件数"), _col({"metric": "revised"}, "本年修订件数")),
                          fixed=(("item", "art20_1"),)),),
            starts=("第二十条第（一）项", "信息内容"), header_labels=("信息内容",),
            furniture=("信息内容", "主动公开政府信息情况"),
        ),
        FormTable(
            name="applications", fact_table="fact_applications", coordinates=("outcome", "applicant"),
            value_kind="count",
            blocks=(Block(("申请人情况",),
                          (_row("outcome", "new_received", "一、本年新收政府信息公开申请数量"),
                           _row("outcome", "granted", "（一）予以公开"),
                           _row("outcome", "total_handled", "（七）总计")),
                          (_col({"applicant": "natural_person"}, "自然人"), _col({"applicant": "commercial"}, "商业企业"),
                           _col({"applicant": "total"}, "总计")),
                          total_column=2),),
            starts=("申请人情况", "一、本年新收政府信息公开申请数量"),
            furniture=("申请人情况", "收到和处理政府信息公开申请情况"),
        ),
        FormTable(
            name="appeals", fact_table="fact_appeals", coordinates=("proceeding", "result"), value_kind="count",
            blocks=(Block((), (_row("proceeding", "admin_review", "行政复议"),
                               _row("proceeding", "litigation_direct", "未经复议直接起诉")),
                          tuple(_col({"result": r}, label)
                                for r, label in (("upheld", "结果维持"), ("corrected", "结果纠正"), ("total", "总计"))),
                          total_column=2, rows_as_column_groups=True),),
            starts=("行政复议", "结果维持"), furniture=("行政诉讼",),
        ),
    ),
    evidence=("本年修订件数", "本年制发件数", "本年废止件数", "现行有效件数"),
)


def _cells(*rows: list[str]) -> str:
    return "\n\n".join("\n".join("\t" + text for text in row) for row in rows)


REPORT = "\n\n".join([
    "某某县某某局2030年政府信息公开工作年度报告",
    "一、总体情况",
    "2030年，我局认真落实条例。",
    "二、主动公开政府信息情况",
    _cells(["第二十条第（一）项"], ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数", "本年修订件数"],
           ["规章", "1", "0", "5", "2"], ["行政规范性文件", "3", "1", "9", "4"]),
    "三、收到和处理政府信息公开申请情况",
    _cells(["申请人情况"], ["自然人", "商业企业", "总计"], ["一、本年新收政府信息公开申请数量", "4", "1", "5"],
           ["（一）予以公开", "3", "1", "4"], ["（七）总计", "4", "1", "5"]),
    "四、政府信息公开行政复议、行政诉讼情况",
    _cells(["行政复议", "行政诉讼"], ["未经复议直接起诉"],
           ["结果维持", "结果纠正", "总计", "结果维持", "结果纠正", "总计"], ["1", "0", "1", "0", "2", "2"]),
    "五、存在的主要问题及改进情况",
    "无。",
])

EXPECTED = {
    ("fact_proactive", "art20_1/regulation/issued"): 1, ("fact_proactive", "art20_1/regulation/revised"): 2,
    ("fact_proactive", "art20_1/normative_doc/in_force"): 9, ("fact_proactive", "art20_1/normative_doc/revised"): 4,
    ("fact_applications", "new_received/natural_person"): 4, ("fact_applications", "granted/commercial"): 1,
    ("fact_applications", "total_handled/total"): 5,
    ("fact_appeals", "admin_review/upheld"): 1, ("fact_appeals", "admin_review/total"): 1,
    ("fact_appeals", "litigation_direct/corrected"): 2, ("fact_appeals", "litigation_direct/total"): 2,
}


def test_a_made_up_form_is_read_as_data_only():
    result = interpret(tab_text.read(REPORT), forms=(*FORMS, FORM_2030))
    assert result.form is FORM_2030
    assert result.tables_found == ["proactive", "applications", "appeals"]
    by_key = {}
    for cells in result.tables:
        for planned, state, value in zip(cells.plan, cells.state, cells.value, strict=True):
            by_key[(cells.table.fact_table, planned.key(cells.table))] = (state, value)
    assert len(by_key) == FORM_2030.cell_count() == 8 + 9 + 6
    for key, value in EXPECTED.items():
        assert by_key[key] == ("value", value), key
    assert all(state == "value" for state, _ in by_key.values())
    assert result.unmapped == []


def test_the_warehouse_counts_a_new_form_from_data(tmp_path: Path):
    con = connect(tmp_path / "w.duckdb")
    _sync_form_cells(con, (*FORMS, FORM_2030))
    sizes = dict(con.execute("select template_version, count(*) from form_cells group by 1").fetchall())
    assert sizes == {"2019": 198, "2021": 200, "2030": 23}
    assert len(form_cell_rows((FORM_2030,))) == 23
    sync_code_tables(con, (*FORMS, FORM_2030))  # its labels come from its data too
    assert con.execute("select category, metric_label, forms from dim_proactive_item where metric = 'revised' "
                       "order by sort_order").fetchall() == [
        ("regulation", "本年修订件数", ["2030"]), ("normative_doc", "本年修订件数", ["2030"])]
    assert con.execute("select forms from dim_outcome where outcome = 'granted'").fetchall() == [
        (["2019", "2021", "2030"],)]
    con.close()
