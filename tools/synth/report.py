"""One synthetic report: its quirks, plausible numbers that obey the form's arithmetic (unless a quirk
breaks it), the labels and table shapes real reports print, prose, and the truth of every cell (value
and state) — decided here, independent of any reader.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from tools.synth import chrome, numbers, quirks, tables
from tools.synth.forms import FORMS, TABLES, cell_keys, form_for_year, item
from tools.synth.grid import Blocks, Grid, PageBreak
from tools.synth.labels import Labels, choose
from tools.synth.numbers import Cells, Printed

DEPARTMENTS = ("人民政府办公室", "教育局", "财政局", "民政局", "司法局", "自然资源局", "生态环境局", "住房和城乡建设局",
               "交通运输局", "农业农村局", "水利局", "卫生健康局", "应急管理局", "审计局", "统计局", "市场监督管理局",
               "人力资源和社会保障局", "文化和旅游局", "医疗保障局", "退役军人事务局")
TOWN_SYLLABLES = "东西南北中新永安和平兴华光明长青山河湖港桥塘溪石柳杨林城关花园金银龙凤泉田庄坪"
TOWN_SUFFIXES = ("街道办事处", "镇人民政府", "乡人民政府")
# Rows agencies add to table A (hubei-wuhan-sthjj-2020-tw, report-forms.md): (item, label).
AGENCY_ROWS = (("art20_1", "其他主动公开文件"), ("art20_6", "行政检查"))
TABLE_NOTE = "注：政府集中采购数量和总金额为{year}年数据。"
CELL_QUIRK = "digits_run_together"


@dataclass
class Agency:
    name: str
    province: str
    city: str | None
    county: str

    @property
    def government(self) -> str:
        """The government above the agency (a page names it as publisher now and then)."""
        return f"{self.city or ''}{self.county}人民政府"


@dataclass
class SynthReport:
    index: int
    year: int
    version: str                                # the form the report follows overall
    versions: dict[str, str]                    # the form each table follows
    agency: Agency
    blocks: Blocks
    cells: dict[tuple[str, str], Printed]       # (table, cell) → printed text and truth
    published: dt.date
    title: str
    quirks: list[str] = field(default_factory=list)
    breaks: list[str] = field(default_factory=list)
    cell_quirks: dict[tuple[str, str], str] = field(default_factory=dict)


def table_versions(year: int, drawn: set[str]) -> dict[str, str]:
    """The form of each table: the year's, unless the report keeps the 2019 table A or B."""
    version = form_for_year(year).version
    out = dict.fromkeys(TABLES, version)
    if "mixed_form_a" in drawn:
        out["proactive"] = "2019"
    if "mixed_form_b" in drawn:
        out["applications"] = "2019"
    out["appeals"] = overall_version(out)  # table C is the same in both forms: it goes with the report
    return out


def overall_version(versions: dict[str, str]) -> str:
    """The form a report follows overall: the newer one when table A or B uses its rows (warehouse.md)."""
    return max(versions["proactive"], versions["applications"])


def _truncate(c: Cells, rng: random.Random) -> None:
    """Cut table A off after a cell of its last block (like sample 001)."""
    keys = [k for k in c.cells if k[0] == "proactive"]
    for key in keys[len(keys) - rng.randint(1, 2):]:
        c.missing(key)


def _empty_header(c: Cells, labels: Labels, version: str) -> None:
    """Blank a whole table A column and its header cell (sample 002)."""
    first = FORMS[version].proactive[0]
    metric = first.metrics[1]
    for category, _ in first.categories:
        c.blank(("proactive", f"{first.code}/{category}/{metric.code}"))
    labels.metrics[metric.code] = ""


def _mixed_b_truth(c: Cells, versions: dict[str, str], year: int) -> None:
    """A report of the 2021 form whose table B keeps the 2019 row: its three 2021 （六） rows are missing."""
    if versions["applications"] != form_for_year(year).version:
        for key in cell_keys("applications", form_for_year(year).version):
            if ("applications", key) not in c.cells:
                c.missing(("applications", key))


def _agency_rows(rng: random.Random, version: str) -> dict[str, list[tuple[str, list[str]]]]:
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for code, label in AGENCY_ROWS:
        if any(i.code == code for i in FORMS[version].proactive):
            width = len(item(version, code).metrics)
            out.setdefault(code, []).append((label, [str(rng.randint(0, 300)) for _ in range(width)]))
    return out


def _shape(rng: random.Random, drawn: set[str], version_a: str, fmt: str, next_heading: str) -> tables.Shape:
    return tables.Shape(
        caption="caption_rows" in drawn,
        extra_rows=_agency_rows(rng, version_a) if "agency_rows" in drawn else {},
        split_groups="split_per_group" in drawn,
        header_lines="header_split" in drawn and rng.random() < 0.6,
        header_cells="header_split" in drawn and rng.random() < 0.5,
        header_repeat="header_repeated" in drawn,
        heading_row=next_heading if "heading_after_last_row" in drawn else None,
        total_low="total_header_low" in drawn,
        reorder="header_reordered" in drawn,
        vertical="vertical_headers" in drawn,
        page_break="page_break_in_group" in drawn,
        break_in_row="page_break_in_group" in drawn and fmt in ("pdf_text", "line_text") and rng.random() < 0.6,
        repeat_on_break=rng.random() < 0.5,
    )


def _prose(agency: Agency, year: int, new_received: float | None, published: dt.date) -> tuple[list[str], list[str]]:
    """The report's own text before its tables and after them."""
    head = [f"{agency.name}{year}年政府信息公开工作年度报告", "一、总体情况",
            f"{year}年，{agency.name}认真贯彻落实《中华人民共和国政府信息公开条例》，按照上级部署推进政务公开。"
            f"本年报所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
            f"全年共受理政府信息公开申请{int(new_received or 0)}件，均在法定期限内答复。"]
    tail = ["五、存在的主要问题及改进情况", "公开内容的深度和广度仍需拓展，下一步将进一步规范公开流程。",
            "六、其他需要报告的事项", "本年度未收取信息处理费。", agency.name,
            f"{published.year}年{published.month}月{published.day}日"]
    return head, tail


def _tables(version_b: str, versions: dict[str, str], c: Cells, labels: Labels, shape: tables.Shape,
            rng: random.Random) -> tuple[Grid, list[Grid], list[Grid]]:
    raw = c.raw()
    grid_a = tables.proactive(versions["proactive"], raw, labels, shape, rng)
    grids_b = tables.applications(version_b, raw, labels, shape, rng)
    grids_c = tables.appeals(raw, labels, shape)
    return grid_a, grids_b, grids_c


def _paged(grids: list[Grid], shape: tables.Shape) -> Blocks:
    """Table B's parts, with a page break between them when a page ended inside the table."""
    if not shape.page_break or len(grids) < 2 or shape.break_in_row:
        return list(grids)
    return [grids[0], PageBreak(2), *grids[1:]]


def build(index: int, seed: int, agency: Agency, year: int, fmt: str, break_share: float, quirk_share: float,
          allowed: frozenset[str] | None = None) -> SynthReport:
    """The report number `index` of a corpus: deterministic for (seed, index)."""
    rng = random.Random(f"{seed}:{index}")
    drawn = quirks.draw(rng, fmt, year, quirk_share, break_share, allowed)
    versions = table_versions(year, drawn)
    c = Cells(rng, drawn)
    numbers.proactive(c, versions["proactive"])
    breaks = numbers.applications(c, versions["applications"])
    breaks = numbers.appeals(c, breaks)
    labels = choose(rng, versions, year, drawn)
    if "empty_header" in drawn:
        _empty_header(c, labels, versions["proactive"])
    if "truncated" in drawn:
        _truncate(c, rng)
    if "table_missing" in drawn:
        for key in [k for k in c.cells if k[0] == "appeals"]:
            c.missing(key)
    _mixed_b_truth(c, versions, year)
    published = dt.date(year + 1, rng.randint(1, 3), rng.randint(1, 28))
    head, tail = _prose(agency, year, c.cells[("applications", "new_received/total")].value, published)
    title = head[0]
    shape = _shape(rng, drawn, versions["proactive"], fmt, labels.parts["appeals"])
    grid_a, grids_b, grids_c = _tables(versions["applications"], versions, c, labels, shape, rng)
    blocks: Blocks = []
    if "page_chrome" in drawn:
        blocks += chrome.header_lines(rng, title, agency.name, agency.government, published)
    if "metadata_table" in drawn:
        blocks.append(chrome.metadata_table(rng, title, agency.name, agency.government, published))
    blocks += [*head, labels.parts["proactive"], grid_a]
    if "note_after_table" in drawn:
        blocks.append(TABLE_NOTE.format(year=year))
    blocks += [labels.parts["applications"], *_paged(grids_b, shape)]
    if "table_missing" not in drawn:
        if shape.heading_row is None:
            blocks.append(labels.parts["appeals"])
        blocks += grids_c
    blocks += tail
    if "page_chrome" in drawn:
        blocks += chrome.footer_lines(rng, agency.government)
    return SynthReport(index, year, overall_version(versions), versions, agency, blocks, c.cells, published, title,
                       sorted(drawn), breaks)
