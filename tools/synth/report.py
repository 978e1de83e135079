"""One synthetic report: plausible numbers that obey the form's arithmetic, the quirks agencies add,
prose, and the truth of every cell (value and state) independent of any reader.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

from pipelines.forms.catalog import form_by_version, form_for_year
from tools.synth.layout import Blocks, form_grids, relabel

DEPARTMENTS = ("人民政府办公室", "教育局", "财政局", "民政局", "司法局", "自然资源局", "生态环境局", "住房和城乡建设局",
               "交通运输局", "农业农村局", "水利局", "卫生健康局", "应急管理局", "审计局", "统计局", "市场监督管理局",
               "人力资源和社会保障局", "文化和旅游局", "医疗保障局", "退役军人事务局")
TOWN_SYLLABLES = "东西南北中新永安和平兴华光明长青山河湖港桥塘溪石柳杨林城关花园金银龙凤泉田庄坪"
TOWN_SUFFIXES = ("街道办事处", "镇人民政府", "乡人民政府")

# Quirks, and the formats that can show each one without ambiguity.
ALL_QUIRKS = ("zeros_blank", "nbsp", "na_slash", "units", "yuan", "vertical_headers", "empty_header", "truncated",
              "table_missing", "debris", "negative_change")
UNREPRESENTABLE = {
    "pdf_text": {"zeros_blank", "empty_header", "truncated", "table_missing", "na_slash", "nbsp"},
}


@dataclass
class Agency:
    name: str
    province: str
    city: str | None
    county: str


@dataclass
class SynthReport:
    index: int
    year: int
    version: str
    agency: Agency
    blocks: Blocks
    cells: dict[tuple, tuple[float | None, str]]  # key → (value, state)
    quirks: list[str] = field(default_factory=list)
    breaks: list[str] = field(default_factory=list)


def _split(rng: random.Random, total: int, parts: int, weights: list[float]) -> list[int]:
    out = [0] * parts
    for _ in range(total):
        out[rng.choices(range(parts), weights)[0]] += 1
    return out


def _count(rng: random.Random, scale: int) -> int:
    return 0 if rng.random() < 0.45 else int(rng.expovariate(1 / scale))


class _Cells:
    """Raw texts and truth of a report's cells as they are decided."""

    def __init__(self, rng: random.Random, quirks: set[str]) -> None:
        self.rng, self.quirks = rng, quirks
        self.raw: dict[tuple, str | None] = {}
        self.truth: dict[tuple, tuple[float | None, str]] = {}

    def number(self, key: tuple, value: float | int | Decimal, blank_zero: bool = False) -> None:
        if blank_zero and value == 0 and "zeros_blank" in self.quirks:
            self.raw[key], self.truth[key] = "", (None, "blank")
            return
        text = str(value)
        if "nbsp" in self.quirks and self.rng.random() < 0.5:
            text = self.rng.choice(("\xa0" + text, text + "\xa0"))
        self.raw[key], self.truth[key] = text, (float(value), "value")

    def amount(self, key: tuple, wan: Decimal) -> None:
        if "yuan" in self.quirks and wan:
            yuan = (wan * 10000).quantize(Decimal(1))
            self.raw[key], self.truth[key] = f"{yuan}元", (float(yuan / 10000), "value")
        elif "units" in self.quirks:
            self.raw[key], self.truth[key] = f"{wan}（万元）", (float(wan), "value")
        else:
            self.number(key, wan)

    def not_applicable(self, key: tuple) -> None:
        self.raw[key], self.truth[key] = "/", (None, "not_applicable")

    def missing(self, key: tuple) -> None:
        self.raw[key], self.truth[key] = None, (None, "missing")


def _proactive(c: _Cells, version: str) -> None:
    rng = c.rng
    for block in form_by_version(version).table("proactive").blocks:
        item = dict(block.fixed)["item"]
        for row in block.rows:
            category = row.code_map["category"]
            slash = "na_slash" in c.quirks and rng.random() < 0.4
            for col in block.columns:
                metric = col.code_map["metric"]
                key = ("fact_proactive", item, category, metric)
                if slash:
                    c.not_applicable(key)
                elif metric == "amount":
                    c.amount(key, Decimal(rng.randint(0, 300000)) / 100 if rng.random() < 0.6 else Decimal(0))
                elif metric == "change":
                    c.number(key, rng.randint(-500, 500) if "negative_change" in c.quirks else rng.randint(0, 40))
                else:
                    c.number(key, _count(rng, 30))


def _applications(c: _Cells, version: str) -> list[str]:
    rng = c.rng
    block = form_by_version(version).table("applications").blocks[0]
    outcomes = [r.code_map["outcome"] for r in block.rows]
    handled_rows = [o for o in outcomes if o not in ("new_received", "carried_over", "total_handled", "carried_forward")]
    weights = [30 if o == "granted" else 8 if o in ("partly_granted", "unable_not_held") else 1 for o in handled_rows]
    applicants = [a.code_map["applicant"] for a in block.columns]
    columns: dict[str, dict[str, int]] = {}
    for applicant in applicants[:-1]:
        scale = 12 if applicant == "natural_person" else 2
        new, carried = _count(rng, scale), _count(rng, 1) if rng.random() < 0.3 else 0
        forward = rng.randint(0, min(2, new + carried))
        handled = new + carried - forward
        col = dict(zip(handled_rows, _split(rng, handled, len(handled_rows), weights), strict=True))
        col.update(new_received=new, carried_over=carried, total_handled=handled, carried_forward=forward)
        columns[applicant] = col
    columns["total"] = {o: sum(columns[a][o] for a in applicants[:-1]) for o in outcomes}
    breaks: list[str] = []
    if "breaks_arithmetic" in c.quirks:
        columns["total"]["total_handled"] += 1
        breaks = ["applications_row_total", "applications_outcome_total", "applications_balance"]
    for outcome in outcomes:
        for applicant in applicants:
            c.number(("fact_applications", outcome, applicant), columns[applicant][outcome],
                     blank_zero=applicant != "total")
    return breaks


def _appeals(c: _Cells) -> None:
    for proceeding in ("admin_review", "litigation_direct", "litigation_after_review"):
        parts = {r: (c.rng.randint(0, 3) if c.rng.random() < 0.3 else 0)
                 for r in ("upheld", "corrected", "other", "pending")}
        for result, value in [*parts.items(), ("total", sum(parts.values()))]:
            c.number(("fact_appeals", proceeding, result), value, blank_zero=result != "total")


def _truncate(c: _Cells, rng: random.Random) -> None:
    """Cut table A off after a cell of its last block (like sample 001)."""
    keys = [k for k in c.raw if k[0] == "fact_proactive"]
    for key in keys[len(keys) - rng.randint(1, 2):]:
        c.missing(key)


def _drop_table(c: _Cells, table: str) -> None:
    for key in [k for k in c.raw if k[0] == table]:
        c.missing(key)


def _empty_header(c: _Cells, version: str) -> str | None:
    """Blank a whole proactive column and its header cell (sample 002); return that header's label."""
    block = form_by_version(version).table("proactive").blocks[0]
    col = block.columns[1]
    for row in block.rows:
        key = ("fact_proactive", dict(block.fixed)["item"], row.code_map["category"], col.code_map["metric"])
        c.raw[key], c.truth[key] = "", (None, "blank")
    return col.labels[0]


def _prose(rng: random.Random, agency: Agency, year: int, title_name: str, truth_cells: dict) -> tuple[list, list, str]:
    published = dt.date(year + 1, rng.randint(1, 3), rng.randint(1, 28))
    new = truth_cells[("fact_applications", "new_received", "total")][0]
    head = [f"{title_name}{year}年政府信息公开工作年度报告", "一、总体情况",
            f"{year}年，{agency.name}认真贯彻落实《中华人民共和国政府信息公开条例》，按照上级部署推进政务公开。"
            f"本年报所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
            f"全年共受理政府信息公开申请{int(new or 0)}件，均在法定期限内答复。",
            "二、主动公开政府信息情况"]
    middle = ["三、收到和处理政府信息公开申请情况", "四、政府信息公开行政复议、行政诉讼情况"]
    tail = ["五、存在的主要问题及改进情况", "公开内容的深度和广度仍需拓展，下一步将进一步规范公开流程。",
            "六、其他需要报告的事项", "本年度未收取信息处理费。", agency.name,
            f"{published.year}年{published.month}月{published.day}日"]
    return head, middle, tail


def build(index: int, seed: int, agency: Agency, year: int, fmt: str, break_share: float,
          quirk_share: float) -> SynthReport:
    """The report number `index` of a corpus: deterministic for (seed, index)."""
    rng = random.Random(f"{seed}:{index}")
    version = form_for_year(year).version
    allowed = [q for q in ALL_QUIRKS if q not in UNREPRESENTABLE.get(fmt, set())]
    quirks = {q for q in allowed if rng.random() < quirk_share}
    if {"units", "yuan"} <= quirks:
        quirks.discard("units")
    if rng.random() < break_share:
        quirks.add("breaks_arithmetic")
    c = _Cells(rng, quirks)
    _proactive(c, version)
    breaks = _applications(c, version)
    _appeals(c)
    empty_label = _empty_header(c, version) if "empty_header" in quirks else None
    if "truncated" in quirks:
        _truncate(c, rng)
    if "table_missing" in quirks:
        _drop_table(c, "fact_appeals")
    title_name = agency.name
    head, middle, tail = _prose(rng, agency, year, title_name, c.truth)
    grid_a, grid_b, grid_c = form_grids(version, c.raw)
    if empty_label:
        relabel(grid_a, {empty_label: ""})
    if "vertical_headers" in quirks:
        relabel(grid_b, {"自\n然\n人": "自\n然\n人", "其他": "其\n他", "总计": "总\n计"})
        relabel(grid_c, {"结果维持": "结\n果\n维\n持", "尚未审结": "尚\n未\n审\n结"})
    blocks: Blocks = [*head, grid_a, middle[0], grid_b]
    if "table_missing" not in quirks:
        blocks += [middle[1], grid_c]
    blocks += tail
    return SynthReport(index, year, version, agency, blocks, c.truth, sorted(quirks), breaks)
