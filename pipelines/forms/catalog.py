"""The State Council's two forms, written down as data.

2019: 国办公开办函〔2019〕60号 (report years 2019, 2020). 2021: 国办公开办函〔2021〕30号 (2021 on).
Labels are the printed wording; `labels.normalize` lets the contract's variants through, so only
genuinely different wordings seen in the wild need listing here. A table's shape is data too: which
column is a total (table B's 总计), how columns repeat in groups (table C). A new form year is a new
`Form` added to `FORMS`; nothing else changes (tests/forms/test_new_form.py reads a made-up one).
"""

from __future__ import annotations

from pipelines.forms.spec import Block, Form, FormColumn, FormRow, FormTable

COUNT = "件"
AMOUNT = "万元"


def _column(codes: dict[str, str], *labels: str, unit: str | None = None, header_line: int = 0) -> FormColumn:
    return FormColumn(codes=tuple(codes.items()), labels=labels, unit=unit, header_line=header_line)


def _rows(key: str, spec: list[tuple[str, tuple[str, ...]]]) -> tuple[FormRow, ...]:
    return tuple(FormRow(codes=((key, code),), labels=labels) for code, labels in spec)


def _metrics(spec: list[tuple[str, tuple[str, ...], str]]) -> tuple[FormColumn, ...]:
    return tuple(_column({"metric": code}, *labels, unit=unit) for code, labels, unit in spec)


PART_HEADINGS = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议行政诉讼情况",
    "因政府信息公开工作被申请行政复议提起行政诉讼情况",
    "政府信息公开工作被申请行政复议提起行政诉讼情况",
    "存在的主要问题及改进情况",
    "存在的主要问题及改进措施",
    "存在问题及整改情况",
    "其他需要报告的事项",
)

# Parts that follow the three tables: where one of them begins, the tables have ended.
CLOSING_HEADINGS = (
    "存在的主要问题及改进情况", "存在的主要问题及改进措施", "存在问题及整改情况", "存在的主要问题",
    "其他需要报告的事项",
)

# --- Table A: 主动公开政府信息情况 -------------------------------------------------------------
_HEADER_A = ("信息内容",)
_PREV = ("prev_count", ("上一年项目数量",), COUNT)
_CHANGE = ("change", ("本年增/减", "本年增加/减少", "本年增减数量"), COUNT)
_DECISIONS_2019 = ("decisions", ("处理决定数量",), COUNT)
_DECISIONS_2021 = ("decisions", ("本年处理决定数量", "处理决定数量"), COUNT)


def _proactive_blocks_2019() -> tuple[Block, ...]:
    return (
        Block(("第二十条第（一）项",),
              _rows("category", [("regulation", ("规章",)), ("normative_doc", ("规范性文件",))]),
              _metrics([("new_made", ("本年新制作数量", "本年制作数量"), COUNT),
                        ("new_published", ("本年新公开数量", "本年公开数量"), COUNT),
                        ("total_published", ("对外公开总数量", "对外公开总数"), COUNT)]),
              fixed=(("item", "art20_1"),)),
        Block(("第二十条第（五）项",),
              _rows("category", [("licensing", ("行政许可",)), ("other_service", ("其他对外管理服务事项",))]),
              _metrics([_PREV, _CHANGE, _DECISIONS_2019]),
              fixed=(("item", "art20_5"),)),
        Block(("第二十条第（六）项",),
              _rows("category", [("punishment", ("行政处罚",)), ("coercion", ("行政强制",))]),
              _metrics([_PREV, _CHANGE, _DECISIONS_2019]),
              fixed=(("item", "art20_6"),)),
        Block(("第二十条第（八）项",),
              _rows("category", [("fees", ("行政事业性收费",))]),
              _metrics([_PREV, _CHANGE]),
              fixed=(("item", "art20_8"),)),
        Block(("第二十条第（九）项",),
              _rows("category", [("procurement", ("政府集中采购",))]),
              _metrics([("project_count", ("采购项目数量",), COUNT),
                        ("amount", ("采购总金额",), AMOUNT)]),
              fixed=(("item", "art20_9"),)),
    )


def _proactive_blocks_2021() -> tuple[Block, ...]:
    return (
        Block(("第二十条第（一）项",),
              _rows("category", [("regulation", ("规章",)), ("normative_doc", ("行政规范性文件",))]),
              _metrics([("issued", ("本年制发件数",), COUNT),
                        ("repealed", ("本年废止件数",), COUNT),
                        ("in_force", ("现行有效件数",), COUNT)]),
              fixed=(("item", "art20_1"),)),
        Block(("第二十条第（五）项",),
              _rows("category", [("licensing", ("行政许可",))]),
              _metrics([_DECISIONS_2021]),
              fixed=(("item", "art20_5"),)),
        Block(("第二十条第（六）项",),
              _rows("category", [("punishment", ("行政处罚",)), ("coercion", ("行政强制",))]),
              _metrics([_DECISIONS_2021]),
              fixed=(("item", "art20_6"),)),
        Block(("第二十条第（八）项",),
              _rows("category", [("fees", ("行政事业性收费",))]),
              _metrics([("amount", ("本年收费金额（单位：万元）", "本年收费金额"), AMOUNT)]),
              fixed=(("item", "art20_8"),)),
    )


def _proactive(blocks: tuple[Block, ...]) -> FormTable:
    return FormTable(
        name="proactive", fact_table="fact_proactive", coordinates=("item", "category", "metric"),
        value_kind="amount", blocks=blocks,
        starts=tuple(a for b in blocks for a in b.anchors) + _HEADER_A, header_labels=_HEADER_A,
        furniture=(*_HEADER_A, "主动公开政府信息情况", *PART_HEADINGS),
    )


# --- Table B: 收到和处理政府信息公开申请情况 -----------------------------------------------------
APPLICANTS = tuple(
    _column({"applicant": code}, *labels, header_line=0 if code in ("natural_person", "total") else 1)
    for code, labels in [
        ("natural_person", ("自然人",)),
        ("commercial", ("商业企业",)),
        ("research", ("科研机构",)),
        ("social_welfare", ("社会公益组织",)),
        ("legal_service", ("法律服务机构",)),
        ("other_org", ("其他",)),
        ("total", ("总计", "合计")),  # 合计 for 总计: issue #13, "real-world quirks"
    ]
)
APPLICANT_TOTAL = len(APPLICANTS) - 1  # 总计: the sum of the six applicant columns
_OUTCOMES_HEAD = [
    ("new_received", ("一、本年新收政府信息公开申请数量", "本年新收政府信息公开申请", "本年新收")),
    ("carried_over", ("二、上年结转政府信息公开申请数量", "上年结转政府信息公开申请", "上年结转")),
    ("granted", ("（一）予以公开",)),
    ("partly_granted", ("（二）部分公开",)),
    ("denied_state_secret", ("1.属于国家秘密", "国家秘密")),
    ("denied_law_prohibited", ("2.其他法律行政法规禁止公开", "法律行政法规禁止公开")),
    ("denied_three_safety", ("3.危及“三安全一稳定”", "三安全一稳定")),
    ("denied_third_party", ("4.保护第三方合法权益", "第三方合法权益")),
    ("denied_internal", ("5.属于三类内部事务信息", "内部事务信息")),
    ("denied_process", ("6.属于四类过程性信息", "过程性信息")),
    ("denied_enforcement_file", ("7.属于行政执法案卷", "执法案卷")),
    ("denied_admin_query", ("8.属于行政查询事项", "行政查询事项")),
    ("unable_not_held", ("1.本机关不掌握相关政府信息", "本机关不掌握")),
    ("unable_need_creation", ("2.没有现成信息需要另行制作", "没有现成信息")),
    ("unable_unclear", ("3.补正后申请内容仍不明确", "补正后申请内容仍不明确")),
    ("rejected_complaint", ("1.信访举报投诉类申请", "信访举报投诉")),
    ("rejected_repeat", ("2.重复申请",)),
    ("rejected_publication", ("3.要求提供公开出版物", "公开出版物")),
    ("rejected_mass", ("4.无正当理由大量反复申请", "大量反复申请")),
    ("rejected_confirm", ("5.要求行政机关确认或重新出具已获取信息", "重新出具已获取信息")),
]
_OUTCOMES_TAIL = [
    ("total_handled", ("（七）总计", "（七）合计")),
    ("carried_forward", ("四、结转下年度继续办理", "结转下年度继续办理")),
]
_OTHER_2019 = [("other", ("（六）其他处理",))]
_OTHER_2021 = [
    ("other_no_correction", ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "逾期不补正")),
    ("other_no_fee", ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
                      "逾期未按收费通知要求缴纳费用", "逾期未缴纳费用")),
    ("other_misc", ("3.其他",)),
]
_GROUPS_B = ("三、本年度办理结果", "（三）不予公开", "（四）无法提供", "（五）不予处理")
_FURNITURE_B = ("申请人情况", "法人或其他组织", "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和",
                "收到和处理政府信息公开申请情况")


def _applications(other: list[tuple[str, tuple[str, ...]]], groups: tuple[str, ...]) -> FormTable:
    block = Block(("申请人情况",), _rows("outcome", _OUTCOMES_HEAD + other + _OUTCOMES_TAIL), APPLICANTS,
                  groups=groups, total_column=APPLICANT_TOTAL)
    return FormTable(
        name="applications", fact_table="fact_applications", coordinates=("outcome", "applicant"),
        value_kind="count", blocks=(block,),
        starts=("本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和", "申请人情况", "自然人",
                "一、本年新收政府信息公开申请数量"),
        furniture=(*_FURNITURE_B, *groups, *PART_HEADINGS),
    )


# --- Table C: 政府信息公开行政复议、行政诉讼情况 -------------------------------------------------
PROCEEDINGS = (("admin_review", ("行政复议",)), ("litigation_direct", ("未经复议直接起诉",)),
               ("litigation_after_review", ("复议后起诉",)))
RESULTS = (("upheld", ("结果维持",)), ("corrected", ("结果纠正",)), ("other", ("其他结果",)),
           ("pending", ("尚未审结",)), ("total", ("总计", "合计")))


def _appeals() -> FormTable:
    rows = _rows("proceeding", list(PROCEEDINGS))
    columns = tuple(_column({"result": r}, *labels) for r, labels in RESULTS)
    block = Block((), rows, columns, total_column=len(RESULTS) - 1, rows_as_column_groups=True)
    return FormTable(
        name="appeals", fact_table="fact_appeals", coordinates=("proceeding", "result"),
        value_kind="count", blocks=(block,),
        starts=("行政复议", "结果维持", "未经复议直接起诉", "复议后起诉"),
        furniture=("行政诉讼", "政府信息公开行政复议、行政诉讼情况", "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
                   *PART_HEADINGS),
    )


FORM_2019 = Form(
    version="2019", document="国办公开办函〔2019〕60号", first_year=2019,
    tables=(_proactive(_proactive_blocks_2019()), _applications(_OTHER_2019, _GROUPS_B), _appeals()),
    evidence=("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量", "第二十条第（九）项",
              "政府集中采购", "采购总金额", "其他对外管理服务事项"),
)
FORM_2021 = Form(
    version="2021", document="国办公开办函〔2021〕30号", first_year=2021,
    tables=(_proactive(_proactive_blocks_2021()),
            _applications(_OTHER_2021, (*_GROUPS_B, "（六）其他处理")), _appeals()),
    evidence=("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额（单位：万元）", "本年处理决定数量",
              "逾期不补正", "逾期未按收费通知要求缴纳费用"),
)
FORMS = (FORM_2019, FORM_2021)


def form_by_version(version: str, forms: tuple[Form, ...] = FORMS) -> Form:
    return next(f for f in forms if f.version == version)


def form_for_year(year: int, forms: tuple[Form, ...] = FORMS) -> Form:
    """The form in force for a report year (used when a document's labels name no form)."""
    for form in sorted(forms, key=lambda f: f.first_year, reverse=True):
        if year >= form.first_year:
            return form
    return min(forms, key=lambda f: f.first_year)
