"""Who wrote a report, for which year, when: read from its title, signature and prose.

The report year is the year the statistics cover: from the title, else from the prose
(`2020年我镇…`, `统计期限自2020年1月1日…`), never from document numbers (`〔2019〕60号`), else the
year before the signature. The agency is named by the title, the signature, or prose that uses
the name the way the report refers to itself (我镇 → a name ending in 镇). When none does, the name
stays unknown and the report is flagged, never guessed from a place the prose mentions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from pipelines.document.model import Document
from pipelines.extract.regions import Region, gazetteer

MAX_TITLE_LINES = 3
MAX_TITLE_CHARS = 60
MAX_NAME_CHARS = 40
SIGNATURE_WINDOW = 6
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100

_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_DATE = re.compile(r"(?P<y>(?:19|20)\d\d|[〇○零一二三四五六七八九Ｏ]{4})\s*(?:年|[-./])\s*"
                   r"(?P<m>\d{1,2}|[一二三四五六七八九十]{1,2})\s*(?:月|[-./])\s*"
                   r"(?P<d>\d{1,2}|[一二三四五六七八九十]{1,3})\s*日?")
_YEAR_IN_TEXT = re.compile(r"(?<![〔\[（(\d])((?:19|20)\d\d)(?=\s*年)")
_TITLE_NAME_YEAR = re.compile(r"^(?P<name>.*?)(?:（|\()?(?P<year>(?:19|20)\d\d)\s*年度?(?:）|\))?")
_REPORT_WORDS = ("年度报告", "工作报告", "年报")
AGENCY_SUFFIXES = ("街道办事处", "人民政府", "办事处", "委员会", "管理委员会", "街道", "镇", "乡", "局", "委", "办",
                   "厅", "院", "中心", "办公室", "政府", "部", "署", "所", "站", "队", "社区", "村")
CORE_STRIP_SUFFIXES = ("办事处", "人民政府")
_SELF_REFERENCE = re.compile(r"我(街道|镇|乡|局|委|办|区|县|市|厅|院|中心|所|站|队)")
_PART_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d+)\s*[、.．]")


@dataclass(slots=True)
class ReportMeta:
    title: str | None = None
    agency_name: str | None = None
    agency_core: str | None = None
    year: int | None = None
    year_source: str | None = None
    published_on: dt.date | None = None
    published_text: str | None = None
    region: Region = field(default_factory=Region)
    url: str | None = None
    flags: list[str] = field(default_factory=list)


def _cn_number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if all(ch in _CN_DIGITS for ch in text):
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)
    return None


def parse_date(text: str) -> tuple[dt.date | None, str | None]:
    """Given a line, return (date, the text it was read from); (None, None) when it holds none."""
    m = _DATE.search(text)
    if not m:
        return None, None
    y, mo, d = (_cn_number(m.group(k)) for k in ("y", "m", "d"))
    if y is None or mo is None or d is None:
        return None, m.group(0)
    try:
        return dt.date(y, mo, d), m.group(0)
    except ValueError:
        return None, m.group(0)


def _is_heading(text: str) -> bool:
    return bool(_PART_HEADING.match(text))


def find_title(paragraphs: list[str]) -> str | None:
    """The title: the first lines before part 一, joined, when they name a report."""
    lines: list[str] = []
    for text in paragraphs:
        if not text:
            continue
        if _is_heading(text) or len(lines) >= MAX_TITLE_LINES or len(text) > MAX_TITLE_CHARS \
                or text.rstrip().endswith(("。", "；", ";")):
            break
        lines.append(text)
        joined = "".join(lines)
        if any(w in joined for w in _REPORT_WORDS):
            return joined
    return None


def find_signature(paragraphs: list[str]) -> tuple[str | None, dt.date | None, str | None]:
    """The closing signature: (agency line, date, date as written) from the last lines."""
    tail = [p for p in paragraphs if p][-SIGNATURE_WINDOW:]
    for i in range(len(tail) - 1, -1, -1):
        text = tail[i]
        date, written = parse_date(text)
        if written is None or len(text) > len(written) + 12:
            continue
        name = text[: text.find(written[:4])].strip() or None
        if name is None and i > 0 and _looks_like_agency(tail[i - 1]):
            name = tail[i - 1]
        return name, date, written
    if tail and _looks_like_agency(tail[-1]):
        return tail[-1], None, None
    return None, None, None


def _looks_like_agency(text: str) -> bool:
    s = text.strip()
    return (0 < len(s) <= MAX_NAME_CHARS and s.endswith(AGENCY_SUFFIXES)
            and not any(p in s for p in "。，；：,;:") and not _is_heading(s))


def _title_parts(title: str | None) -> tuple[str | None, int | None]:
    if not title:
        return None, None
    m = _TITLE_NAME_YEAR.match(title)
    if not m:
        return None, None
    name = m.group("name").strip(" 《》“”\"") or None
    if name is None:  # "2020年XX局政府信息公开工作年度报告": the name follows the year
        rest = title[m.end():]
        cut = rest.find("政府信息公开")
        name = rest[:cut].strip() if cut > 0 else None
    return name, int(m.group("year"))


def _prose_years(paragraphs: list[str]) -> Counter[int]:
    counts: Counter[int] = Counter()
    for text in paragraphs:
        for y in _YEAR_IN_TEXT.findall(text):
            if EARLIEST_YEAR <= int(y) <= LATEST_YEAR:
                counts[int(y)] += 1
    return counts


def _prose_name(paragraphs: list[str], prose: str) -> str | None:
    """A name the prose gives the agency: one ending the way the report refers to itself."""
    refs = Counter(_SELF_REFERENCE.findall(prose))
    if not refs:
        return None
    kind = refs.most_common(1)[0][0]
    pattern = re.compile(r"([\u4e00-\u9fff]{2,12}?" + re.escape(kind) + r"(?:办事处|人民政府)?)(?=[\u4e00-\u9fff“《（(，,])")
    counts: Counter[str] = Counter()
    for m in pattern.finditer(prose):
        name = m.group(1)
        if name.startswith(("我", "本", "全", "各", "该", "此")) or "我" in name:
            continue
        counts[name] += 1
    if not counts:
        return None
    name, n = counts.most_common(1)[0]
    return name if n >= 2 else None


def strip_region(name: str, region: Region) -> str:
    """The agency's own name without the places that precede it (哈尔滨市松北区船口街道 → 船口街道)."""
    changed = True
    while changed:
        changed = False
        for place in (region.province, region.city, region.county):
            if place and name.startswith(place) and len(name) > len(place):
                name = name[len(place):]
                changed = True
    return name


def core_name(name: str, region: Region) -> str:
    """The agency's core name: places and suffixes such as 办事处, 人民政府 removed."""
    core = strip_region(name.strip(), region)
    for suffix in CORE_STRIP_SUFFIXES:
        if core.endswith(suffix) and len(core) > len(suffix):
            core = core[: -len(suffix)]
            break
    return core


def extract(doc: Document, overrides: dict | None = None) -> ReportMeta:
    """Given a document (and a sidecar's overrides), return its metadata."""
    paragraphs = doc.paragraphs
    prose = "\n".join(paragraphs)
    meta = ReportMeta()
    meta.title = find_title(paragraphs)
    title_name, title_year = _title_parts(meta.title)
    sign_name, meta.published_on, meta.published_text = find_signature(paragraphs)
    if sign_name is not None and not _looks_like_agency(sign_name):
        sign_name = None

    if title_year is not None:
        meta.year, meta.year_source = title_year, "title"
    else:
        years = _prose_years(paragraphs)
        if years:
            meta.year, meta.year_source = years.most_common(1)[0][0], "prose"
        elif meta.published_on is not None:
            meta.year, meta.year_source = meta.published_on.year - 1, "signature"

    names = [n for n in (title_name, sign_name) if n]
    if not names and (found := _prose_name(paragraphs, prose)):
        names.append(found)
    overrides = overrides or {}
    if overrides.get("agency_name"):
        names = [str(overrides["agency_name"]).strip()]
    if overrides.get("year") is not None:
        meta.year, meta.year_source = int(overrides["year"]), "sidecar"
    meta.url = overrides.get("url")

    meta.region = gazetteer(meta.year).resolve(names, prose)
    if names:
        meta.agency_name = max(names, key=len)
        meta.agency_core = core_name(meta.agency_name, meta.region)
    else:
        meta.flags.append("agency_unresolved")
    if meta.year is None:
        meta.flags.append("year_unresolved")
    return meta
