"""The State Council's two forms, transcribed for the generator from ../shared/spec/report-forms.md with
the codes of ../shared/spec/warehouse.md.

The generator's own copy, on purpose: it must know nothing of the tables the parser reads
(pipelines/forms), or a mistake there would be written into the reports and read back as "right". Plain
data: every table, block, row and column with its contract code, printed wording and unit, and the row
groups of table B.

2019: 国办公开办函〔2019〕60号 (report years 2019 and 2020). 2021: 国办公开办函〔2021〕30号 (2021 on).
"""

from __future__ import annotations

from dataclasses import dataclass

COUNT = "件"
AMOUNT = "万元"


@dataclass(frozen=True)
class Measure:
    """A column: its contract code, the form's wording, and the unit its numbers are in."""

    code: str
    printed: str
    unit: str = COUNT


@dataclass(frozen=True)
class Item:
    """A block of table A: an article item of 第二十条, its rows (categories) and columns (metrics)."""

    code: str
    heading: str
    categories: tuple[tuple[str, str], ...]  # (code, printed)
    metrics: tuple[Measure, ...]


@dataclass(frozen=True)
class Outcome:
    """A row of table B; `group` is the code of the row group it is printed under (（三）不予公开 …)."""

    code: str
    printed: str
    group: str | None = None
    handled: bool = True  # under 三、本年度办理结果


@dataclass(frozen=True)
class Form:
    version: str
    document: str
    first_year: int
    proactive: tuple[Item, ...]
    outcomes: tuple[Outcome, ...]


# --- Table A -------------------------------------------------------------------------------------

PROACTIVE_HEADING = "二、主动公开政府信息情况"
CONTENT_HEADER = "信息内容"

_ITEMS_2019 = (
    Item("art20_1", "第二十条第（一）项", (("regulation", "规章"), ("normative_doc", "规范性文件")),
         (Measure("new_made", "本年新制作数量"), Measure("new_published", "本年新公开数量"),
          Measure("total_published", "对外公开总数量"))),
    Item("art20_5", "第二十条第（五）项", (("licensing", "行政许可"), ("other_service", "其他对外管理服务事项")),
         (Measure("prev_count", "上一年项目数量"), Measure("change", "本年增/减"), Measure("decisions", "处理决定数量"))),
    Item("art20_6", "第二十条第（六）项", (("punishment", "行政处罚"), ("coercion", "行政强制")),
         (Measure("prev_count", "上一年项目数量"), Measure("change", "本年增/减"), Measure("decisions", "处理决定数量"))),
    Item("art20_8", "第二十条第（八）项", (("fees", "行政事业性收费"),),
         (Measure("prev_count", "上一年项目数量"), Measure("change", "本年增/减"))),
    Item("art20_9", "第二十条第（九）项", (("procurement", "政府集中采购"),),
         (Measure("project_count", "采购项目数量"), Measure("amount", "采购总金额", AMOUNT))),
)

_ITEMS_2021 = (
    Item("art20_1", "第二十条第（一）项", (("regulation", "规章"), ("normative_doc", "行政规范性文件")),
         (Measure("issued", "本年制发件数"), Measure("repealed", "本年废止件数"), Measure("in_force", "现行有效件数"))),
    Item("art20_5", "第二十条第（五）项", (("licensing", "行政许可"),), (Measure("decisions", "本年处理决定数量"),)),
    Item("art20_6", "第二十条第（六）项", (("punishment", "行政处罚"), ("coercion", "行政强制")),
         (Measure("decisions", "本年处理决定数量"),)),
    Item("art20_8", "第二十条第（八）项", (("fees", "行政事业性收费"),),
         (Measure("amount", "本年收费金额（单位：万元）", AMOUNT),)),
)

# --- Table B -------------------------------------------------------------------------------------

APPLICATIONS_HEADING = "三、收到和处理政府信息公开申请情况"
BALANCE_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANT_HEADER = "申请人情况"
LEGAL_PERSON_HEADER = "法人或其他组织"
HANDLED_PART = "三、本年度办理结果"
APPLICANTS = (
    Measure("natural_person", "自然人"),
    Measure("commercial", "商业企业"),
    Measure("research", "科研机构"),
    Measure("social_welfare", "社会公益组织"),
    Measure("legal_service", "法律服务机构"),
    Measure("other_org", "其他"),
    Measure("total", "总计"),
)
LEGAL_PERSONS = tuple(a.code for a in APPLICANTS[1:6])
# Row groups of 三、本年度办理结果: the heading printed beside (or above) their numbered rows.
GROUPS = {
    "denied": "（三）不予公开",
    "unable": "（四）无法提供",
    "rejected": "（五）不予处理",
    "other": "（六）其他处理",
}

_OUTCOMES_HEAD = (
    Outcome("new_received", "一、本年新收政府信息公开申请数量", handled=False),
    Outcome("carried_over", "二、上年结转政府信息公开申请数量", handled=False),
    Outcome("granted", "（一）予以公开"),
    Outcome("partly_granted", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    Outcome("denied_state_secret", "1.属于国家秘密", "denied"),
    Outcome("denied_law_prohibited", "2.其他法律行政法规禁止公开", "denied"),
    Outcome("denied_three_safety", "3.危及“三安全一稳定”", "denied"),
    Outcome("denied_third_party", "4.保护第三方合法权益", "denied"),
    Outcome("denied_internal", "5.属于三类内部事务信息", "denied"),
    Outcome("denied_process", "6.属于四类过程性信息", "denied"),
    Outcome("denied_enforcement_file", "7.属于行政执法案卷", "denied"),
    Outcome("denied_admin_query", "8.属于行政查询事项", "denied"),
    Outcome("unable_not_held", "1.本机关不掌握相关政府信息", "unable"),
    Outcome("unable_need_creation", "2.没有现成信息需要另行制作", "unable"),
    Outcome("unable_unclear", "3.补正后申请内容仍不明确", "unable"),
    Outcome("rejected_complaint", "1.信访举报投诉类申请", "rejected"),
    Outcome("rejected_repeat", "2.重复申请", "rejected"),
    Outcome("rejected_publication", "3.要求提供公开出版物", "rejected"),
    Outcome("rejected_mass", "4.无正当理由大量反复申请", "rejected"),
    Outcome("rejected_confirm", "5.要求行政机关确认或重新出具已获取信息", "rejected"),
)
_OUTCOMES_TAIL = (
    Outcome("total_handled", "（七）总计"),
    Outcome("carried_forward", "四、结转下年度继续办理", handled=False),
)
OTHER_2019 = (Outcome("other", "（六）其他处理"),)
OTHER_2021 = (
    Outcome("other_no_correction", "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other"),
    Outcome("other_no_fee", "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other"),
    Outcome("other_misc", "3.其他", "other"),
)
# The balance the form prints above its first column: 第一项加第二项之和，等于第三项加第四项之和.
INFLOW = ("new_received", "carried_over")
OUTFLOW = ("total_handled", "carried_forward")

# --- Table C -------------------------------------------------------------------------------------

APPEALS_HEADING = "四、政府信息公开行政复议、行政诉讼情况"
LITIGATION = "行政诉讼"
PROCEEDINGS = (
    ("admin_review", "行政复议"),
    ("litigation_direct", "未经复议直接起诉"),
    ("litigation_after_review", "复议后起诉"),
)
RESULTS = (
    Measure("upheld", "结果维持"),
    Measure("corrected", "结果纠正"),
    Measure("other", "其他结果"),
    Measure("pending", "尚未审结"),
    Measure("total", "总计"),
)

FORMS = {
    "2019": Form("2019", "国办公开办函〔2019〕60号", 2019, _ITEMS_2019, _OUTCOMES_HEAD + OTHER_2019 + _OUTCOMES_TAIL),
    "2021": Form("2021", "国办公开办函〔2021〕30号", 2021, _ITEMS_2021, _OUTCOMES_HEAD + OTHER_2021 + _OUTCOMES_TAIL),
}
TABLES = ("proactive", "applications", "appeals")


def form_for_year(year: int) -> Form:
    """The form in force for a report year: the newest whose first year is not after it."""
    return max((f for f in FORMS.values() if f.first_year <= year), key=lambda f: f.first_year)


def item(version: str, code: str) -> Item:
    return next(i for i in FORMS[version].proactive if i.code == code)


def cell_keys(table: str, version: str) -> list[str]:
    """Every cell of a form table as the warehouse keys it (v_fact_cells.cell), in the form's order."""
    form = FORMS[version]
    if table == "proactive":
        return [f"{i.code}/{c}/{m.code}" for i in form.proactive for c, _ in i.categories for m in i.metrics]
    if table == "applications":
        return [f"{o.code}/{a.code}" for o in form.outcomes for a in APPLICANTS]
    return [f"{p}/{r.code}" for p, _ in PROCEEDINGS for r in RESULTS]
