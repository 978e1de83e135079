"""The labels a report prints: the form's wording, or what real reports print instead (variants seen in
tests/real/, typos, fill-in notes, 合计 for 总计, the year inside a header, cut-short headers…).

Which label quirks a report has decides the wording; the tables (tables.py) only lay labels out.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from tools.synth import variants
from tools.synth.forms import (
    APPEALS_HEADING,
    APPLICANT_HEADER,
    APPLICANTS,
    APPLICATIONS_HEADING,
    BALANCE_NOTE,
    CONTENT_HEADER,
    FORMS,
    GROUPS,
    HANDLED_PART,
    LEGAL_PERSON_HEADER,
    LITIGATION,
    PROACTIVE_HEADING,
    PROCEEDINGS,
    RESULTS,
)

# Typos seen in real reports: (what, code, printed instead, where seen).
REAL_TYPOS = (
    ("metrics", "repealed", "本年废纸件数", "fujian-pingtan-gaj-2021-txt"),
    ("outcomes", "carried_over", "二、上年转结政府信息公开申请数量", "zhejiang-kaihua-linshan-2020"),
    ("categories", "fees", "行政事业型收费", "yunnan-suijiang-huiyi-2021"),
    ("parts", "appeals", "四、政府信息公开行政法复议、行政诉讼情况", "fujian-pingtan-shsyj-2022-txt"),
    ("items", "art20_1", "第二十一条第（一）项", "zhejiang-kaihua-linshan-2020"),
    ("items", "art20_5", "第二十一条第（五）项", "zhejiang-kaihua-linshan-2020"),
)
# Local fill-in instructions printed after a label (hubei-wuhan-sthjj-2020-tw, spec "How the cells look").
NOTES = (
    ("categories", "regulation", "（设区的市、自治州人民政府应提供相关数据）"),
    ("categories", "normative_doc", "（行政机关制定发布的决定、公告、通告、意见、通知，以及标题采用“规定”“办法”"
                                    "“细则”“规范”“规程”“规则”等字样的公文，一般情况下属于规范性文件）"),
    ("categories", "other_service", "（指行政许可以外的政务服务事项，含行政确认、行政奖励、行政裁决、行政给付、"
                                    "行政检查、行政征收和其他类，以及公共服务事项）"),
    ("metrics", "prev_count", "（指{prev}年事项数）"),
    ("metrics", "change", "（指{year}年增加或减少的事项数，减用负值表示，如-8）"),
    ("metrics", "decisions", "（指{year}年办件量）"),
    ("metrics", "project_count", "（指{year}年采购项目数）"),
)
# Headers cut short by a narrow cell or a lost second line (neimenggu-wuhai-gxj-2020, sichuan-hongya-qiliping-2020).
CUT_HEADERS = {"本年新制作数量": "本年新", "本年新公开数量": "本年新", "采购项目数量": "采购项目数",
               "现行有效件数": "现行有效件", "对外公开总数量": "对外公开总数"}
TOTAL_WORD, TOTAL_VARIANT = "总计", "合计"
THIS_YEAR = "本年"
# Drop-a-character typos keep a label's numbering (`2.`) and at least this many characters.
MIN_TYPO_LABEL = 6
NOTED = re.compile(r"[（(][^）)]{4,}[）)]$")
NUMBERING = re.compile(r"^[一二三四五六七八九十]、|^[（(][一二三四五六七八九十]+[)）]|^\d+[.、．]|^")


@dataclass
class Labels:
    """Every label of one report, keyed by the contract's codes."""

    parts: dict[str, str]                      # table → the part heading printed before it
    items: dict[str, str]                      # table A item → 第二十条第（一）项
    categories: dict[str, str]                 # table A row
    metrics: dict[str, str]                    # table A column (per form of table A)
    content: str                               # 信息内容
    outcomes: dict[str, str]                   # table B row
    groups: dict[str, str]                     # table B row group → （三）不予公开
    handled: str                               # 三、本年度办理结果
    applicants: dict[str, str]                 # table B column
    legal_person: str
    applicant_header: str
    balance_note: str
    proceedings: dict[str, str]                # table C: 行政复议, 未经复议直接起诉, 复议后起诉
    litigation: str                            # 行政诉讼
    results: dict[str, str]                    # table C column


def form_wording(versions: dict[str, str]) -> Labels:
    """The form's own wording for each table's form."""
    a, b = FORMS[versions["proactive"]], FORMS[versions["applications"]]
    return Labels(
        parts={"proactive": PROACTIVE_HEADING, "applications": APPLICATIONS_HEADING, "appeals": APPEALS_HEADING},
        items={i.code: i.heading for i in a.proactive},
        categories={c: p for i in a.proactive for c, p in i.categories},
        metrics={m.code: m.printed for i in a.proactive for m in i.metrics},
        content=CONTENT_HEADER,
        outcomes={o.code: o.printed for o in b.outcomes},
        groups=dict(GROUPS),
        handled=HANDLED_PART,
        applicants={m.code: m.printed for m in APPLICANTS},
        legal_person=LEGAL_PERSON_HEADER,
        applicant_header=APPLICANT_HEADER,
        balance_note=BALANCE_NOTE,
        proceedings=dict(PROCEEDINGS),
        litigation=LITIGATION,
        results={r.code: r.printed for r in RESULTS},
    )


def _real_variants(rng: random.Random, labels: Labels, versions: dict[str, str]) -> None:
    """Every label drawn from what real reports of that form print (weighted by documents)."""
    a, b, c = versions["proactive"], versions["applications"], versions["appeals"]
    for code, text in labels.categories.items():
        labels.categories[code] = variants.pick(rng, a, "proactive", "rows", code, text)
    for code, text in labels.metrics.items():
        labels.metrics[code] = variants.pick(rng, a, "proactive", "columns", code, text)
    for code, text in labels.items.items():
        labels.items[code] = variants.pick(rng, a, "proactive", "headings", code, text)
    for code, text in labels.outcomes.items():
        labels.outcomes[code] = variants.pick(rng, b, "applications", "rows", code, text)
    for code, text in labels.groups.items():
        labels.groups[code] = variants.pick(rng, b, "applications", "headings", code, text)
    labels.handled = variants.pick(rng, b, "applications", "headings", "handled", labels.handled)
    labels.legal_person = variants.pick(rng, b, "applications", "headings", "legal_person", labels.legal_person)
    labels.applicant_header = variants.pick(rng, b, "applications", "headings", "applicant", labels.applicant_header)
    for code, text in labels.applicants.items():
        labels.applicants[code] = variants.pick(rng, b, "applications", "columns", code, text)
    for code, text in labels.results.items():
        labels.results[code] = variants.pick(rng, c, "appeals", "columns", code, text)
    for code, text in labels.proceedings.items():
        heading = variants.pick(rng, c, "appeals", "headings", code, text)
        labels.proceedings[code] = heading.split(variants.PART_SEPARATOR)[-1]


def _typos(rng: random.Random, labels: Labels) -> None:
    """A real typo where the report has that label, and a row label with characters dropped."""
    for what, code, wrong, _seen in REAL_TYPOS:
        table = getattr(labels, what)
        if code in table and rng.random() < 0.5:
            table[code] = wrong
    numbered = {code: len(NUMBERING.match(text).group(0)) for code, text in labels.outcomes.items()}
    candidates = sorted(code for code, text in labels.outcomes.items() if len(text) - numbered[code] >= MIN_TYPO_LABEL)
    code = rng.choice(candidates)
    text, head = labels.outcomes[code], numbered[code]
    start = rng.randint(head + 2, len(text) - 3)
    labels.outcomes[code] = text[:start] + text[start + rng.randint(1, 2):]


def _notes(labels: Labels, year: int) -> None:
    for what, code, note in NOTES:
        table = getattr(labels, what)
        if code in table and not NOTED.search(table[code]):  # one note to a label
            table[code] += note.format(year=year, prev=year - 1)


def _total_as_sum(labels: Labels) -> None:
    """合计 for 总计: table B's column and （七） row, table C's column."""
    labels.applicants["total"] = labels.applicants["total"].replace(TOTAL_WORD, TOTAL_VARIANT)
    labels.outcomes["total_handled"] = labels.outcomes["total_handled"].replace(TOTAL_WORD, TOTAL_VARIANT)
    labels.results["total"] = labels.results["total"].replace(TOTAL_WORD, TOTAL_VARIANT)


def _year_in_headers(rng: random.Random, labels: Labels, year: int) -> None:
    """本年(2023)制发件数: the report year written into the headers that say 本年."""
    brackets = rng.choice((("(", ")"), ("（", "）")))
    for code, text in labels.metrics.items():
        if text.startswith(THIS_YEAR):
            labels.metrics[code] = f"{THIS_YEAR}{brackets[0]}{year}{brackets[1]}{text[len(THIS_YEAR):]}"


def _spaced(text: str) -> str:
    return " ".join(text)


def choose(rng: random.Random, versions: dict[str, str], year: int, quirks: set[str]) -> Labels:
    """The labels of one report: the form's wording changed by the report's label quirks."""
    labels = form_wording(versions)
    if "label_variants" in quirks:
        _real_variants(rng, labels, versions)
    if "short_doc_label" in quirks and versions["proactive"] == "2021":
        labels.categories["normative_doc"] = "规范性文件"
    if "label_notes" in quirks:
        _notes(labels, year)
    if "heji_total" in quirks:
        _total_as_sum(labels)
    if "year_in_header" in quirks:
        _year_in_headers(rng, labels, year)
    if "header_cut" in quirks:
        labels.metrics = {code: CUT_HEADERS.get(text, text) for code, text in labels.metrics.items()}
    if "label_typos" in quirks:
        _typos(rng, labels)
    if "spaced_chars" in quirks:
        labels.handled = _spaced(labels.handled)
        for code in labels.groups:
            labels.groups[code] = _spaced(labels.groups[code])
        labels.content = _spaced(labels.content)
    return labels
