"""The quirks of real reports the generator reproduces: one row per quirk, with where it was seen (a
document of tests/real/, or a section of ../shared/spec/report-forms.md), the formats that can show it,
and how often a report gets it.

A report draws each quirk its format can show with probability `quirk_share × share` (`always` quirks
are what their format is: every file of it has them); the quirks drawn are recorded in
truth_reports.parquet. Quirks the readers cannot handle yet stay here: they are what the synthetic
accuracy measures, and are never dropped or softened to make a figure look better.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

TEXT = ("tab_text", "pipe_text", "markdown", "separator", "line_text", "pdf_text")
WORD = ("docx", "pdf")
WEB = ("html", "html_fragment", "word_html")
COPIES = ("store_markdown", "page_text")
LEGACY_FORMATS = (*TEXT, *WORD, "html")
ALL = (*TEXT, *WORD, *WEB, *COPIES)
# Layouts that flatten a table to a sequence of cells (a header's order there is the text's order).
FLAT = ("tab_text", "pipe_text", "markdown", "separator", "line_text", "store_markdown", "page_text")
# Copies of whole web pages, which keep the page's chrome around the report.
PAGES = ("html", "word_html", "store_markdown", "markdown", "pipe_text", "line_text", "page_text")
FORMS_SPEC = "report-forms.md"
CELLS_SECTION = f"{FORMS_SPEC}: How the cells look in the wild"
WILD_SECTION = f"{FORMS_SPEC}: More of the wild"
ISSUE = "issue #13 (What to build, 4)"  # quirks the issue lists from real reports that tests/real/ lacks


@dataclass(frozen=True)
class Quirk:
    name: str
    seen: str                      # a tests/real/ document or a spec section
    what: str
    formats: tuple[str, ...] = ALL
    # × quirk_share: the chance a report of a fitting format gets it. The legacy quirks keep today's 1.0; the
    # rest default to half as often, so that a report carries a handful of quirks, not dozens.
    share: float = 0.5
    always: bool = False           # the format itself: every report of `formats` has it
    legacy: bool = False           # generated before the generator learnt the real corpus (today's guarantee)
    min_year: int | None = None    # only reports of this year on (mixed forms)


_NOT_PDF_TEXT = tuple(f for f in ALL if f != "pdf_text")

QUIRKS: tuple[Quirk, ...] = (
    # --- the legacy list: what the generator knew before tests/real/ -------------------------------------
    Quirk("zeros_blank", CELLS_SECTION, "zero cells of the breakdown columns left empty (sample 002)",
          _NOT_PDF_TEXT, share=1.0, legacy=True),
    Quirk("nbsp", CELLS_SECTION, "no-break spaces around numbers",
          tuple(f for f in _NOT_PDF_TEXT if f != "page_text"), share=1.0, legacy=True),
    Quirk("na_slash", "zhejiang-kaihua-linshan-2020", "`/` for a row's cells (not applicable)", _NOT_PDF_TEXT,
          share=1.0, legacy=True),
    Quirk("units", CELLS_SECTION, "amounts with their unit in the cell (`1848（万元）`)", share=1.0, legacy=True),
    Quirk("yuan", "hunan-chengbu-jinzixiang-2021-chrome", "amounts in 元 (`84565元` = 8.4565 万元)", share=1.0, legacy=True),
    Quirk("vertical_headers", CELLS_SECTION, "header words one character per line (`其\\n他`, `结\\n果\\n维\\n持`)",
          share=1.0, legacy=True),
    Quirk("empty_header", CELLS_SECTION, "a header cell left empty over a column that is empty too (sample 002)",
          _NOT_PDF_TEXT, share=1.0, legacy=True),
    Quirk("truncated", CELLS_SECTION, "table A cut off after a cell of its last block (sample 001)",
          _NOT_PDF_TEXT, share=1.0, legacy=True),
    Quirk("table_missing", "chongqing-changshou-yuntai-2020", "table C left out", _NOT_PDF_TEXT, share=1.0, legacy=True),
    Quirk("debris", CELLS_SECTION, "Word export debris `[bookmark: _GoBack]`", ("tab_text",), share=1.0, legacy=True),
    Quirk("negative_change", "neimenggu-wuhai-gxj-2020", "negative numbers in 本年增/减 (`-1`)", share=1.0, legacy=True),
    Quirk("breaks_arithmetic", "fujian-pingtan-jspq-2022-txt",
          "（七）总计 of the 总计 column one more than its rows: the source contradicts itself", share=1.0, legacy=True),
    # --- pages and their copies -------------------------------------------------------------------------
    Quirk("page_chrome", "jiangxi-huichang-zhongcunxiang-2020-chrome",
          "the page around the report: toolbars (关怀版 无障碍, 登录 | 注册), breadcrumbs, 发布机构/来源/发布时间, "
          "字号 打印 分享",
          PAGES, share=1.5),
    Quirk("metadata_table", "shanxi-shangdang-xihuo-2021",
          "a page-metadata table (名称/索引号/分类/发布机构/公开日期) before the report's own tables", PAGES),
    Quirk("article_fragment", WILD_SECTION, "an article body saved alone: <p> and <table>, no <html>/<body>",
          ("html_fragment",), always=True),
    Quirk("word_pasted", WILD_SECTION, "Word-pasted HTML: labels split over <p>/<span> with runs of &nbsp;, "
          "header words in separate paragraphs, blank cells holding only <o:p>&nbsp;</o:p>", ("word_html",),
          always=True),
    Quirk("store_rendering", "chongqing-changshou-yuntai-2020",
          "the pages store's text of a page: `a | b |` rows padded with `| ||`, cell-per-line runs ending ` |`, "
          "both in one table, two-line header cells joined by a space", ("store_markdown",), always=True),
    Quirk("store_cut", "gansu-maiji-dongcha-2021", "the store's excerpt stops after 2000 bytes, inside a table",
          ("store_markdown",), share=2.0),
    Quirk("crawler_copy", "fujian-pingtan-czj-2021-txt",
          "a crawler's text copy: 标题/发布时间/…/==== 正文 ==== header, the article's whitespace collapsed",
          ("page_text",), always=True),
    Quirk("digits_run_together", "fujian-pingtan-gwhbgs-2020-txt",
          "a row's numbers run together (`行政许可1-10`, `政府集中采购1973601627.4元`): cells whose digits can be "
          "split more than one way are unreadable, and recorded per cell", ("page_text",), always=True),
    # --- labels -----------------------------------------------------------------------------------------
    Quirk("label_variants", "tests/real/*/truth.csv", "printed labels drawn from the real corpus' variants "
          "(tools/synth/label_variants.json), weighted by the documents they were seen in", share=2.0),
    Quirk("label_typos", "zhejiang-kaihua-linshan-2020", "typos: 第二十一条 for 第二十条, 上年转结, 本年废纸件数, "
          "行政事业型收费, 行政法复议, characters dropped from a row label (其他法律行政止公开)"),
    Quirk("label_notes", "hubei-wuhan-sthjj-2020-tw", "long fill-in notes after labels (规章（设区的市、自治州人民政府应"
          "提供相关数据）, 本年增/减（指2020年增加或减少的事项数…）)"),
    Quirk("heji_total", ISSUE, "合计 for 总计"),
    Quirk("year_in_header", "zhejiang-yuecheng-donghu-2023", "the year inside a header (本年(2023)制发件数)"),
    Quirk("short_doc_label", "zhejiang-yuecheng-donghu-2023", "规范性文件 for 行政规范性文件 on the 2021 form"),
    Quirk("header_cut", "neimenggu-wuhai-gxj-2020", "headers cut short (本年新 | 本年新, 采购项目数)"),
    Quirk("spaced_chars", CELLS_SECTION, "spaces between characters (三 、 本 年 度 办 理 结 果)"),
    # --- table shapes -----------------------------------------------------------------------------------
    Quirk("agency_rows", "hubei-wuhan-sthjj-2020-tw", "rows the agency added (其他主动公开文件 186 86 255, 行政检查): "
          "no form cells"),
    Quirk("header_reordered", CELLS_SECTION, "table B's 总计 header first in a flattened header (a cell merged "
          "over two rows comes first); the data rows keep the visual order", FLAT),
    Quirk("total_header_low", "yunnan-suijiang-huiyi-2021", "table B's 总计 header on the second header line after "
          "其他, an empty cell above it"),
    Quirk("header_split", "jiangxi-huichang-zhongcunxiang-2020-chrome", "header words over two lines or two header "
          "rows (本年新 / 制作数量, 商业 / 企业)"),
    Quirk("header_repeated", ISSUE, "table B's heading rows repeated in the middle of the table"),
    Quirk("caption_rows", "zhejiang-yuecheng-donghu-2023", "a first row repeating the part's heading inside the table"),
    Quirk("split_per_group", WILD_SECTION, "table B as one small table per outcome group, table C as three "
          "5-column tables"),
    Quirk("page_break_in_group", WILD_SECTION, "table B broken over pages inside a row group: rows 2., 3. with no "
          "group label, the page number between a label and its numbers", ("docx", "pdf", "pdf_text", "line_text")),
    Quirk("heading_after_last_row", "fujian-pingtan-czj-2021-txt", "the next part's heading run into table B "
          "right after 四、结转下年度继续办理"),
    Quirk("placeholder_headers", WILD_SECTION, "another tool's markdown: header rows 数据1…数据N over each table",
          ("markdown",)),
    Quirk("spurious_header_row", WILD_SECTION, "a spurious header row in the middle of a table", ("markdown",)),
    Quirk("empty_cells_dropped", "shaanxi-jiaxian-xizhen-2022", "empty cells dropped by the page: a row carries "
          "fewer cells than columns", ("pipe_text", "markdown", "line_text", "store_markdown")),
    Quirk("note_after_table", "zhejiang-kaihua-linshan-2020", "a note under table A (注:政府集中采购数量和总金额为…)"),
    Quirk("mixed_form_b", f"{WILD_SECTION}; warehouse.md: Forms, per table", "a 2021 report whose table B keeps "
          "the 2019 single （六）其他处理 row: `other` holds it, the three 2021 （六） rows are missing", min_year=2021),
    Quirk("mixed_form_a", "shanxi-shangdang-xihuo-2021", "a 2021-or-later report keeping the 2019 table A",
          min_year=2021),
    # --- numbers ----------------------------------------------------------------------------------------
    Quirk("dash_minus", ISSUE, "a dash for the minus sign in 本年增/减 (`－3`, `—3`)"),
    Quirk("fullwidth_digits", CELLS_SECTION, "full-width digits (`１２`), as full- and half-width characters mix"),
    Quirk("wan_suffix", ISSUE, "万 after an amount (`1848万` = 1848 万元)"),
    Quirk("six_decimals", WILD_SECTION, "amounts with up to 6 decimals (`5949.088667`)"),
    Quirk("yuan_fraction", "qinghai-hualong-qunkexinqu-2020", "amounts in 元 with decimals (`79000.1元`)"),
    Quirk("padded_numbers", "jilin-fusong-donggang-2020", "numbers padded with spaces (`  0`, `0 `)",
          _NOT_PDF_TEXT),
    Quirk("legal_person_blank_vs_zero", ISSUE, "some legal-person columns blank, others 0", _NOT_PDF_TEXT),
    Quirk("carried_legal_person", WILD_SECTION, "a non-zero 上年结转 in a legal-person column"),
    Quirk("review_litigation_larger", WILD_SECTION, "复议后起诉 larger than 行政复议 (legitimate)"),
    Quirk("source_total_off", "fujian-pingtan-jspq-2022-txt", "a printed total that does not add up (table B's "
          "总计 of a row, or table C's 行政复议 总计): truth keeps it, the check must fail"),
)
BY_NAME = {q.name: q for q in QUIRKS}
LEGACY = tuple(q.name for q in QUIRKS if q.legacy)
# Quirks one report cannot have together: the first wins.
EXCLUSIVE = (
    ("yuan", "units"), ("yuan_fraction", "yuan"), ("yuan_fraction", "units"), ("wan_suffix", "units"),
    ("breaks_arithmetic", "source_total_off"), ("split_per_group", "page_break_in_group"),
    ("split_per_group", "header_repeated"), ("header_reordered", "total_header_low"),
    ("zeros_blank", "legal_person_blank_vs_zero"),
    ("table_missing", "review_litigation_larger"), ("nbsp", "padded_numbers"),
)
# Drawn separately from the quirk share: a report breaking the arithmetic is the break share's doing.
BREAK = "breaks_arithmetic"


def draw(rng: random.Random, fmt: str, year: int, quirk_share: float, break_share: float,
         allowed: frozenset[str] | None = None) -> set[str]:
    """The quirks of one report of format `fmt` (only those in `allowed`, when given)."""
    out: set[str] = set()
    for q in QUIRKS:
        if q.name == BREAK:
            continue
        chance = rng.random()  # drawn for every quirk, so one quirk's rules do not shift the others'
        if fmt not in q.formats or (allowed is not None and q.name not in allowed):
            continue
        if q.min_year is not None and year < q.min_year:
            continue
        if q.always or chance < quirk_share * q.share:
            out.add(q.name)
    if rng.random() < break_share and (allowed is None or BREAK in allowed):
        out.add(BREAK)
    for first, second in EXCLUSIVE:
        if first in out:
            out.discard(second)
    return out
