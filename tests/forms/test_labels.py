"""Label variants that the contract says map to one code."""

from __future__ import annotations

import pytest

from pipelines.forms.catalog import FORM_2019, FORM_2021
from pipelines.forms.labels import normalize
from pipelines.forms.match import ROW, LabelMatcher, Match


@pytest.mark.parametrize("variant,canonical", [
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "（二）部分公开"),
    ("(二)部分公开", "（二）部分公开"),
    ("三 、 本 年 度 办 理 结 果", "三、本年度办理结果"),
    ("自\n然\n人", "自然人"),
    ("5.属于三类内部事务信息", "三类内部事务信息"),
    ("5、三类内部事务信息", "5.属于三类内部事务信息"),
    ("行政规范性文件", "规范性文件"),
    ("未经复议直接诉讼", "未经复议直接起诉"),
    ("本年增\\减", "本年增/减"),
    ("3.危及\"三安全一稳定\"", "3.危及“三安全一稳定”"),
    ("规范性文件（行政机关制定发布的决定、命令）", "规范性文件"),
    ("本年新\n制作数量", "本年新制作数量"),
])
def test_variants_normalize_alike(variant, canonical):
    assert normalize(variant) == normalize(canonical)


@pytest.mark.parametrize("label,code", [
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "other_no_correction"),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "other_no_fee"),
    ("3.其他", "other_misc"),
    ("（七）总计", "total_handled"),
    ("四、结转下年度继续办理", "carried_forward"),
    ("7.属于行政执法案卷", "denied_enforcement_file"),
])
def test_2021_application_rows(label, code):
    hit = LabelMatcher(FORM_2021.table("applications")).match(label, (ROW,))
    assert isinstance(hit, Match)
    assert FORM_2021.table("applications").blocks[0].rows[hit.target.line].code_map["outcome"] == code


def test_2019_other_is_one_row():
    hit = LabelMatcher(FORM_2019.table("applications")).match("（六）其他处理", (ROW,))
    assert FORM_2019.table("applications").blocks[0].rows[hit.target.line].code_map["outcome"] == "other"
