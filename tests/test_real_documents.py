"""One test per quirk a real document showed, named after the document (as pdfplumber keeps a test per
reported issue). Each reads the document exactly as stored in tests/real/<slug>/ and holds the reader
to the people's reading in its truth.csv, or to saying it cannot read a cell — never a guess."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from pipelines.extract.metadata import extract
from pipelines.extract.sections import looks_like_report
from pipelines.forms.interpreter import Interpretation, interpret
from pipelines.readers import read_document
from tools.accuracy.keys import read_key

REAL = Path(__file__).resolve().parent / "real"


@cache
def _read(slug: str):
    path = next((REAL / slug).glob("document.*"))
    doc = read_document(path.read_bytes())
    meta = extract(doc)
    result = interpret(doc, meta.year, is_report=looks_like_report(doc, meta.title))
    return doc, meta, result


def cells(result: Interpretation) -> dict[tuple[str, str], tuple[str, float | None, str | None, str | None]]:
    """(table, cell) → (state, value, row_label, column_label), as the truth files key them."""
    out = {}
    for t in result.tables:
        for i, planned in enumerate(t.plan):
            value = t.value[i]
            out[(t.table.name, planned.key(t.table))] = (t.state[i], None if value is None else float(value),
                                                         t.row_label[i], t.column_label[i])
    return out


def truth(slug: str) -> dict[tuple[str, str], tuple[str, float | None]]:
    return {k: (c.state, None if c.value is None else float(c.value))
            for k, c in read_key(REAL / slug / "truth.csv").items()}


def assert_read_as_keyed(slug: str, keys: list[tuple[str, str]] | None = None) -> None:
    got, want = cells(_read(slug)[2]), truth(slug)
    for key in keys or list(want):
        assert got[key][:2] == want[key], (slug, key)


def test_fujian_pingtan_gwhbgs_2020_txt_cells_run_together_split_only_where_proven():
    """The crawler's text copy runs every cell together (`规章000规范性文件3336…`): one digit per cell is
    proven where a run has as many digits as the row has cells; `3336` for three cells and
    `1973601627.4元` for two are not, and stay unreadable with the report flagged."""
    slug = "fujian-pingtan-gwhbgs-2020-txt"
    _, _, result = _read(slug)
    got = cells(result)
    assert_read_as_keyed(slug, [("proactive", "art20_1/regulation/new_made"), ("proactive", "art20_5/licensing/change"),
                                ("applications", "new_received/total"), ("appeals", "litigation_direct/total")])
    for metric in ("new_made", "new_published", "total_published"):
        assert got[("proactive", f"art20_1/normative_doc/{metric}")][0] == "unreadable"
    assert got[("proactive", "art20_9/procurement/amount")][0] == "unreadable"
    assert "layout_uncertain:proactive:规范性文件" in result.uncertain


def test_fujian_pingtan_jspq_2022_txt_a_run_with_one_more_digit_than_cells():
    """`行政规范性文件0011` under three columns: no number is printed with a leading zero, so 0 / 0 / 11 is the
    only reading; `3000025` across seven columns of table B is one digit a cell and adds up."""
    assert_read_as_keyed("fujian-pingtan-jspq-2022-txt")


def test_fujian_pingtan_jjfzj_2021_txt_six_numbers_for_seven_cells_are_not_placed():
    """`（一）予以公开 0 0 0 0 0 0`: six numbers under seven columns, in a copy where an empty cell leaves
    no trace. Which cell is not printed is unknown, so none of the seven is guessed."""
    got = cells(_read("fujian-pingtan-jjfzj-2021-txt")[2])
    for applicant in ("natural_person", "other_org", "total"):
        assert got[("applications", f"granted/{applicant}")][0] == "unreadable"
    assert_read_as_keyed("fujian-pingtan-jjfzj-2021-txt", [("applications", "new_received/total"),
                                                           ("appeals", "litigation_after_review/total")])


def test_fujian_pingtan_htpq_2022_txt_a_2022_report_on_the_2019_form():
    """A 2022 report that keeps the 2019 form in every table: each table is read against the form it prints."""
    _, _, result = _read("fujian-pingtan-htpq-2022-txt")
    assert result.table_forms == {"proactive": "2019", "applications": "2019", "appeals": "2019"}
    assert_read_as_keyed("fujian-pingtan-htpq-2022-txt")


def test_fujian_pingtan_jjpq_2022_whole_page_with_site_chrome():
    """The whole page (menus, footers, a 120 kB script) around Word-pasted tables; `&nbsp;` cells are blank."""
    assert_read_as_keyed("fujian-pingtan-jjpq-2022")


def test_guangdong_haizhu_guanzhou_2023_full_copy_cut_inside_a_row():
    """The stored copy stops after the sixth cell of `6.属于四类过程性信息`: those six read from the left, the
    total is not in the document (missing), never the sixth number moved into it."""
    slug = "guangdong-haizhu-guanzhou-2023-full"
    got = cells(_read(slug)[2])
    assert got[("applications", "denied_process/total")][0] == "missing"
    assert_read_as_keyed(slug)


def test_hebei_xiongxian_2019_full_one_number_for_three_cells():
    """A copy that lost every repeated line keeps one `0` under 规章: which of three cells it is is unproven."""
    got = cells(_read("hebei-xiongxian-2019-full")[2])
    assert {got[("proactive", f"art20_1/regulation/{m}")][0] for m in ("new_made", "new_published",
                                                                        "total_published")} == {"unreadable"}
    assert got[("applications", "new_received/total")][0] == "missing"


def test_shaanxi_jiaxian_xizhen_2022_tables_without_numbers_are_missing():
    """Every label of the tables is there and no number: cells the copy does not have are missing, not blank."""
    assert_read_as_keyed("shaanxi-jiaxian-xizhen-2022")


def test_hubei_wuhan_sthjj_2020_tw_traditional_characters_and_an_agency_row():
    """A traditional-character mirror (`規範性檔案` is 规范性文件) with the agency's own row
    `其他主動公開檔案` (kept unmapped, never in place of a form row) and a `-` cell."""
    slug = "hubei-wuhan-sthjj-2020-tw"
    _, _, result = _read(slug)
    assert_read_as_keyed(slug)
    assert any(u.row_label.startswith("其他主動公開檔案") and u.raw_text.strip() == "186" for u in result.unmapped)


@pytest.mark.parametrize("slug", ["hunan-hengdong-yanglin-2023", "neimenggu-wuhai-gxj-2020"])
def test_cut_short_headers_in_their_own_cells(slug):
    """`本年新 | 本年新 | 对外公开总数量`: two headers cut short to the same words take the columns no other header
    claims, in the form's order; the cells carry the header as printed."""
    assert_read_as_keyed(slug)
    got = cells(_read(slug)[2])
    assert got[("proactive", "art20_1/regulation/new_made")][3] == "本年新"


def test_shaanxi_xixian_taipingzhen_2022_full_header_words_split_over_cells():
    """`商业` / `企业`, `科研` / `机构`, one word a cell: put back together before the columns are told apart."""
    assert_read_as_keyed("shaanxi-xixian-taipingzhen-2022-full")


def test_heilongjiang_shangzhi_maoershan_2020_header_out_of_order():
    """A header listing 本年新公开数量 after 对外公开总数量, with an empty cell between: read by the header."""
    assert_read_as_keyed("heilongjiang-shangzhi-maoershan-2020")


def test_zhejiang_kaihua_linshan_2020_misspelt_labels_and_slashes():
    """`第二十一条第(一)项` for 第二十条, `上年转结` for 上年结转, `/` cells: close labels still name their rows."""
    assert_read_as_keyed("zhejiang-kaihua-linshan-2020")


def test_jilin_tongyu_tuanjiexiang_2020_chrome_copy_ends_after_the_last_row():
    """The stored copy ends `0 0 20`: the `20` is the start of whatever followed, not a third cell of a
    two-cell row."""
    assert_read_as_keyed("jilin-tongyu-tuanjiexiang-2020-chrome", [("proactive", "art20_9/procurement/project_count"),
                                                                   ("proactive", "art20_9/procurement/amount")])


def test_yunnan_suijiang_huiyi_2021_copy_cut_before_a_cells_pipe():
    """The copy's last cell lost its ` |`: still a cell (the source's own 总计 error is kept as printed)."""
    assert_read_as_keyed("yunnan-suijiang-huiyi-2021")


def test_gansu_maiji_dongcha_2021_several_numbers_in_one_cell():
    """`0 0 0` in the one cell of 行政处罚: three numbers are no number — unreadable, not 0."""
    got = cells(_read("gansu-maiji-dongcha-2021")[2])
    assert got[("proactive", "art20_6/punishment/decisions")][0] == "unreadable"


def test_shanxi_shangdang_xihuo_2021_block_heading_lost_in_padding():
    """`第二十条第(一)项 | |||`: a heading padded with pipes is still a cell, and a header belongs to the
    block of the rows after it."""
    assert_read_as_keyed("shanxi-shangdang-xihuo-2021")


def test_qinghai_hualong_qunkexinqu_2020_amount_in_yuan_with_a_decimal():
    """`79000.1元` is 7.90001 万元: six decimals kept (the contract's DECIMAL(24,6))."""
    assert_read_as_keyed("qinghai-hualong-qunkexinqu-2020", [("proactive", "art20_9/procurement/amount")])


@pytest.mark.parametrize(("slug", "agency"), [
    ("jilin-fusong-donggang-2020", "抚松县东岗镇人民政府"),                    # `登录 | 注册` above the title
    ("shandong-zibo-zhongbu-2020", "中埠镇人民政府"),                          # site name above `标题：`
    ("hunan-taojiang-songmutang-2022", "桃江县松木塘镇人民政府"),               # no agency in the title; the line under it
    ("neimenggu-wuhai-gxj-2020", "乌海市工业和信息化局"),                      # title broken over two lines
    ("gansu-maiji-dongcha-2021", "天水市麦积东岔镇人民政府"),                  # `… 关于2021年政府信息公开工作的报告`
    ("shanxi-shangdang-xihuo-2021", "西火镇人民政府"),                         # title in the page's metadata table
    ("jiangxi-huichang-zhongcunxiang-2020-chrome", "中村乡"),                 # breadcrumbs with the report list's name
    ("sichuan-zizhong-tiefo-2021", "铁佛镇"),                                  # only the prose names it
    ("heilongjiang-shangzhi-maoershan-2020", "帽儿山镇"),                      # `总结2020年帽儿山镇政府信息公开工作`
    ("neimenggu-kyzq-harinuoer-2019", "哈日诺尔苏木"),                         # `成立哈日诺尔苏木政府信息公开领导小组`
    ("fujian-pingtan-czj-2021-txt", "平潭综合实验区财政金融局"),               # 发布机构 is the government, not the agency
    ("hubei-laifeng-2021", None),                                              # 我局; the office to contact is another
    ("hebei-xiongxian-2019-full", None),                                       # 我乡 only
])
def test_agency_as_the_document_names_itself(slug, agency):
    _, meta, _ = _read(slug)
    if agency is None:
        assert meta.agency_name is None and "agency_unresolved" in meta.flags
    else:
        assert meta.agency_name is not None and agency.removesuffix("人民政府") in meta.agency_name


@pytest.mark.parametrize("slug", ["hunan-tianxin-guihuaping-2020-chrome", "shanxi-yungang-heshun-2023-chrome"])
def test_report_whose_tables_are_pictures_is_loaded_with_cells_missing(slug):
    """A report by its title and parts, whose tables were images on the page: loaded (its agency and year
    count), every cell missing, never quarantined as no report."""
    _, meta, result = _read(slug)
    assert meta.agency_name and meta.year
    assert result.tables_found == []
    assert {s for t in result.tables for s in t.state} == {"missing"}


def test_hunan_hengdong_yanglin_2023_store_padding_holds_a_rows_empty_cells():
    """The page store writes a row's filled cells, then one pipe per empty cell (`行政许可 | ||||`): the
    row's cells are there and empty (blank), never numbers shifted in from elsewhere."""
    assert_read_as_keyed("hunan-hengdong-yanglin-2023")
    got = cells(_read("hunan-hengdong-yanglin-2023")[2])
    assert got[("proactive", "art20_5/licensing/decisions")][0] == "blank"
