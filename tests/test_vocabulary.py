"""One vocabulary: every view column is named in the README's glossary, one name means one measure with
one NULL rule in every view, and every code of the forms has a label row in the code tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pipelines.forms import vocabulary
from pipelines.forms.catalog import FORMS
from pipelines.forms.spec import Block, Form, FormRow, FormTable
from pipelines.warehouse.load import connect, sync_code_tables
from tests.conftest import SAMPLE_STEMS, query
from tests.test_metadata import SAMPLES as META

README = Path(__file__).resolve().parent.parent / "README.md"
CODE_TABLES = {  # fact table's coordinates -> the code table that labels them
    ("fact_applications", "outcome"): ("dim_outcome", "outcome"),
    ("fact_applications", "applicant"): ("dim_applicant", "applicant"),
    ("fact_appeals", "proceeding"): ("dim_appeal", "proceeding"),
    ("fact_appeals", "result"): ("dim_appeal", "result"),
    ("fact_proactive", "item"): ("dim_proactive_item", "item"),
    ("fact_proactive", "category"): ("dim_proactive_item", "category"),
    ("fact_proactive", "metric"): ("dim_proactive_item", "metric"),
}


def glossary() -> tuple[set[str], bool]:
    """The names the README's glossary defines, and whether it admits outcome codes as column names."""
    text = README.read_text(encoding="utf-8")
    section = text.split("### Glossary", 1)[1].split("\n### ", 1)[0]
    names: set[str] = set()
    codes = False
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| name") or line.startswith("| ---"):
            continue
        first = line.split("|")[1]
        if first.strip().startswith("an outcome code"):
            codes = True
            continue
        names.update(re.findall(r"`([a-z_0-9]+)`", first))
    return names, codes


def test_every_view_column_is_in_the_glossary(samples_warehouse):
    names, codes_allowed = glossary()
    outcome_codes = {c for (c,) in query(samples_warehouse, "select outcome from dim_outcome")} if codes_allowed else set()
    columns = query(samples_warehouse, "select c.table_name, c.column_name from duckdb_columns() as c "
                               "join duckdb_views() as v on v.view_name = c.table_name and not v.internal")
    assert len({view for view, _ in columns}) >= 8
    unknown = sorted(f"{view}.{column}" for view, column in columns if column not in names | outcome_codes)
    assert unknown == [], f"view columns missing from the README glossary: {unknown}"


def test_one_name_is_one_measure_in_every_view(samples_warehouse):
    """A name shared by the per-report views holds the same value for the same report (汉沽 2019's
    denied was NULL in one view and 0 in another before the rule was one)."""
    views = ("v_report_summary", "v_applications_wide", "v_agency_panel")
    frames = {}
    for view in views:
        rows = query(samples_warehouse, f"select * from {view}")
        names = [c for (c,) in query(samples_warehouse, "select column_name from duckdb_columns() where table_name = $v "
                                                "order by column_index", {"v": view})]
        frames[view] = {row[names.index("report_id")]: dict(zip(names, row, strict=True)) for row in rows}
    for a in views:
        for b in views:
            if a >= b:
                continue
            shared = set(next(iter(frames[a].values()))) & set(next(iter(frames[b].values())))
            assert {"new_received", "granted", "denied", "total_handled"} & shared or a == "v_agency_panel"
            for report_id, row in frames[a].items():
                for name in shared:
                    assert row[name] == frames[b][report_id][name], (a, b, name, report_id)


def test_null_means_no_number_and_zero_means_zero(samples_warehouse):
    """汉沽 2019 left every 不予公开 reason blank: denied is NULL, not 0; 新碶 2020 wrote its numbers."""
    hangu = next(s for s in SAMPLE_STEMS if META[s]["agency_name"] == "汉沽街道办事处")
    for view in ("v_report_summary", "v_applications_wide", "v_agency_panel"):
        assert query(samples_warehouse, f"select denied from {view} v join reports r using (report_id) "
                                "where r.source_path = $p", {"p": f"{hangu}.txt"}) == [(None,)], view


def test_every_code_has_a_label_row(samples_warehouse):
    for (fact, coordinate), (dim, column) in CODE_TABLES.items():
        unlabelled = query(samples_warehouse, f"select distinct f.{coordinate} from {fact} f "
                                      f"where f.{coordinate} not in (select {column} from {dim})")
        assert unlabelled == [], (fact, coordinate, unlabelled)
    cells = query(samples_warehouse, "select template_version, fact_table, cell from form_cells")
    labelled = {
        "fact_applications": {f"{o}/{a}" for (o,) in query(samples_warehouse, "select outcome from dim_outcome")
                              for (a,) in query(samples_warehouse, "select applicant from dim_applicant")},
        "fact_appeals": {f"{p}/{r}" for p, r in query(samples_warehouse, "select proceeding, result from dim_appeal")},
        "fact_proactive": {"/".join(k) for k in query(samples_warehouse, "select item, category, metric from "
                                                                 "dim_proactive_item")},
    }
    assert [c for c in cells if c[2] not in labelled[c[1]]] == []
    for dim, label in (("dim_outcome", "label"), ("dim_applicant", "label"), ("dim_appeal", "result_label"),
                       ("dim_proactive_item", "metric_label")):
        assert query(samples_warehouse, f"select count(*) from {dim} where coalesce({label}, '') = '' "
                                "or len(forms) = 0") == [(0,)], dim


def test_labels_are_the_printed_wording(samples_warehouse):
    """Read from the forms as printed (report-forms.md), not from the code."""
    rows = {r[0]: r[1:] for r in query(samples_warehouse, "select outcome, label, row_number, outcome_group, group_label, "
                                                  "forms from dim_outcome")}
    assert rows["denied_state_secret"] == ("属于国家秘密", "三（三）1", "denied", "不予公开", ["2019", "2021"])
    assert rows["unable_not_held"][:3] == ("本机关不掌握相关政府信息", "三（四）1", "unable")
    assert rows["other"] == ("其他处理", "三（六）", "other", "其他处理", ["2019"])
    assert rows["other_misc"][1:] == ("三（六）3", "other", "其他处理", ["2021"])
    fees = query(samples_warehouse, "select category_label, metric_label, unit from dim_proactive_item "
                                    "where item = 'art20_8' and metric = 'amount' and forms = ['2021']")
    assert fees == [("行政事业性收费", "本年收费金额（单位：万元）", "万元")]
    assert query(samples_warehouse, "select proceeding_label, group_label, result_label from dim_appeal where "
                            "proceeding = 'litigation_after_review' and result = 'corrected'") == [
        ("复议后起诉", "行政诉讼", "结果纠正")]
    labels = {r[0] for r in query(samples_warehouse, "select reason_label from v_refusal_reasons")}
    assert "保护第三方合法权益" in labels and "denied_third_party" not in labels


def test_code_tables_follow_the_forms_and_are_written_once(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    before = con.execute("select count(*) from dim_outcome").fetchall()
    con.execute("update dim_outcome set label = 'x' where outcome = 'granted'")
    sync_code_tables(con)  # a hand edit is put back from the forms
    assert con.execute("select label from dim_outcome where outcome = 'granted'").fetchall() == [("予以公开",)]
    assert con.execute("select count(*) from dim_outcome").fetchall() == before
    con.close()


def test_a_form_code_without_vocabulary_is_refused():
    applications = FORMS[1].table("applications")
    block = applications.blocks[0]
    odd = Block(block.anchors, (*block.rows, FormRow((("outcome", "denied_made_up"),), ("9.编造的理由",))),
                block.columns, groups=block.groups, total_column=block.total_column)
    table = FormTable(applications.name, applications.fact_table, applications.coordinates,
                      applications.value_kind, (odd,), applications.starts)
    form = Form("2099", "假设", 2099, (FORMS[1].table("proactive"), table, FORMS[1].table("appeals")))
    with pytest.raises(vocabulary.MissingVocabulary, match="denied_made_up"):
        vocabulary.outcome_rows((*FORMS, form))
