"""Metadata read as a person reads it: title, agency, year, signature date, region."""

from __future__ import annotations

import datetime as dt

import pytest

from pipelines.extract.agencies import AgencyClaim, assign_ids, derived_id, placeholder_id
from pipelines.extract.metadata import core_name, extract, parse_date
from pipelines.extract.regions import Region
from pipelines.readers import read_document
from tests.conftest import sample_path

SAMPLES = {
    "000_957511648368b9cb": dict(title="新碶街道办事处2020年度政府信息公开工作年度报告", agency_name="新碶街道办事处",
                                 agency_core="新碶街道", year=2020, published_on=dt.date(2021, 1, 20),
                                 region=Region(None, None, None)),
    "001_3e7c7203fb80667c": dict(title=None, agency_name=None, agency_core=None, year=2020, published_on=None,
                                 region=Region("江苏省", "无锡市", "宜兴市", "320282")),
    "002_5ff8cf655acdf111": dict(title="松北区船口街道2020年政府信息公开工作年度报告",
                                 agency_name="哈尔滨市松北区船口街道办事处", agency_core="船口街道", year=2020,
                                 published_on=dt.date(2020, 1, 31),
                                 region=Region("黑龙江省", "哈尔滨市", "松北区", "230109")),
    "003_4a81d0f783bbd2ce": dict(title="富阳区鹿山街道2021年政府信息公开工作年度报告", agency_name="富阳区鹿山街道",
                                 agency_core="鹿山街道", year=2021, published_on=None,
                                 region=Region("浙江省", "杭州市", "富阳区", "330111")),
    "004_f08e199b8ba50c35": dict(title="汉沽街道办事处2019年政府信息公开工作年度报告", agency_name="汉沽街道办事处",
                                 agency_core="汉沽街道", year=2019, published_on=None, region=Region(None, None, None)),
}


@pytest.mark.parametrize("stem", sorted(SAMPLES))
def test_sample_metadata(stem):
    meta = extract(read_document(sample_path(stem).read_bytes()))
    got = {k: getattr(meta, k) for k in SAMPLES[stem]}
    assert got == SAMPLES[stem]


def test_unnamed_agency_is_flagged_not_guessed():
    meta = extract(read_document(sample_path("001_3e7c7203fb80667c").read_bytes()))
    assert "agency_unresolved" in meta.flags
    assert meta.year_source == "prose"


def test_year_never_read_from_document_numbers():
    text = "一、总体情况\n根据国办公开办函〔2019〕60号要求，2020年我局共公开信息3条。\n"
    meta = extract(read_document(text.encode()))
    assert meta.year == 2020


def test_sidecar_overrides_the_text():
    doc = read_document(sample_path("001_3e7c7203fb80667c").read_bytes())
    meta = extract(doc, {"agency_name": "宜兴市张渚镇人民政府", "year": 2020, "url": "http://example.invalid/r"})
    assert meta.agency_name == "宜兴市张渚镇人民政府"
    assert meta.agency_core == "张渚镇"
    assert meta.region == Region("江苏省", "无锡市", "宜兴市", "320282")
    assert meta.year_source == "sidecar" and meta.url == "http://example.invalid/r"
    assert "agency_unresolved" not in meta.flags


def test_agency_named_in_prose_the_way_it_names_itself():
    text = ("一、总体情况\n2021年，城关镇认真贯彻条例。城关镇共公开信息20条，我镇将继续努力。\n"
            "二、主动公开政府信息情况\n")
    meta = extract(read_document(text.encode()))
    assert meta.agency_name == "城关镇"


@pytest.mark.parametrize("text,date", [
    ("2021年1月20日", dt.date(2021, 1, 20)),
    ("二〇二一年一月二十日", dt.date(2021, 1, 20)),
    ("2022-02-28", dt.date(2022, 2, 28)),
    ("2021年2月30日", None),
])
def test_dates(text, date):
    assert parse_date(text)[0] == date


def test_core_names_join_spellings():
    region = Region("浙江省", "宁波市", "北仑区")
    assert core_name("新碶街道办事处", region) == core_name("新碶街道", region) == "新碶街道"
    assert core_name("宁波市北仑区新碶街道办事处", region) == "新碶街道"


def test_agency_ids_follow_the_contract():
    region = Region("黑龙江省", "哈尔滨市", "松北区")
    claims = [
        AgencyClaim("r1", "a/002.txt", "船口街道", region),
        AgencyClaim("r2", "b/002.docx", "船口街道", Region()),     # no region: joins the only 船口街道
        AgencyClaim("r3", "c/x.txt", "城关镇", Region()),
        AgencyClaim("r4", "d/001.txt", None, Region()),
    ]
    existing = {"城关镇": {derived_id("城关镇", Region("A", None, None)), derived_id("城关镇", Region("B", None, None))}}
    ids = assign_ids(claims, existing)
    assert ids["r1"] == ids["r2"] == derived_id("船口街道", region)
    assert ids["r3"] not in existing["城关镇"]  # hundreds of 城关镇: no join when not unique
    assert ids["r4"] == placeholder_id("d/001.txt") == "unresolved:d/001"
    assert placeholder_id("d/001.docx") == placeholder_id("d/001.pdf") == ids["r4"]
