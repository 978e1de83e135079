"""Who wrote a report, for which year, when: read from its title, signature and prose.

The report year is the year the statistics cover: from the title, else from the prose
(`2020年我镇…`, `统计期限自2020年1月1日…`), never from document numbers (`〔2019〕60号`), else the
year before the signature.

The agency is named, in this order, by the title (a page's `标题：` line included; when the title
line holds only the year, by the line beside it), the signature, the page's `发布机构` or `来源` line,
or prose that names the agency as the subject of the report (`2020年七里坪镇严格按照…`, `在认真总结2020年
帽儿山镇政府信息公开工作的基础上`, `成立哈日诺尔苏木政府信息公开领导小组`, `现公布…`, `由…编制`) or the way
the report refers to itself (我镇 → a name ending in 镇). A fuller spelling of the same agency found in
another of these places is preferred. Page furniture (breadcrumbs, toolbars, `登录 | 注册`, metadata
tables) is never part of a name. When nothing names the agency, it stays unknown and the report is
flagged — never guessed from a place or an office the prose mentions.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from pipelines.document.model import Document, Paragraph
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
_REPORT_WORDS = ("年度报告", "工作报告", "年报", "工作的报告")
AGENCY_SUFFIXES = ("街道办事处", "人民政府", "办事处", "委员会", "管理委员会", "街道", "镇", "乡", "苏木", "局", "委",
                   "办", "厅", "院", "中心", "办公室", "政府", "部", "署", "所", "站", "队", "社区", "村")
# Page furniture around a report: never a title, never part of a name.
_CHROME = re.compile(r"登录|注册|当前(?:所在)?位置|当前页面|首页\s*[>＞]|^\s*[>＞]|字体|字号|打印|分享|关怀版|无障碍|"
                     r"智能问答|新媒体矩阵|访问量|点击数|浏览次数|扫一扫")
# Breadcrumbs (首页 > 政务公开 > 年度报告): furniture even where they name the report list.
_BREADCRUMBS = re.compile(r"[>＞].*[>＞]|^\s*[>＞]|首页\s*[>＞]|当前(?:所在)?位置|当前页面")
# A page-metadata line (名称 / 索引号 / 发布机构 …): `key: value`.
_META_LINE = re.compile(r"^\s*[-*•#]*\s*(索\s*引\s*号|信息分类|主题分类|组配分类|发布机构|发文机关|发布日期|发布时间|来源|"
                        r"文号|发文日期|成文日期|标题|名称|分类|公开日期|作者|生效日期|有效性|时间)\s*[:：]\s*(?P<value>.*)$")
MAX_HEAD_LINES = 15
# Names the prose gives the report's agency: a name ending as agencies do, where the report speaks of
# itself. The name is group `name`; words such as 成立 or 总结 before it are no part of it.
_NAME = (r"(?P<name>[\u4e00-\u9fff]{2,20}?"
         r"(?:街道办事处|镇人民政府|乡人民政府|人民政府|办事处|街道|镇|乡|苏木|局|委员会|中心|办公室))")
_PROSE_NAMES = tuple(re.compile(p) for p in (
    r"(?:^|[，,。；;：:\s])(?:\d{4}年度?(?:以来)?[，,]?\s*)?(?:在[^。；，,]{0,30}?[下中][，,]\s*)?" + _NAME +
    r"(?:认真|严格|坚持|按照|进一步|积极|拓宽|高度|全面|切实|持续|不断|深入|始终|围绕|紧紧|扎实)",
    r"总结\d{4}年度?" + _NAME + r"政府信息公开",
    r"成立" + _NAME + r"政府信息公开",
    r"现(?:将|予)?公布" + _NAME + r"\d{4}年",
    r"(?:^|[，,。；\s])" + _NAME + r"特?编制",
    r"由" + _NAME + r"(?:负责)?编制",
))
# References that name no particular agency.
_GENERIC_NAMES = frozenset({"区政府", "县政府", "市政府", "镇政府", "乡政府", "街道办事处", "街道办", "人民政府",
                            "本级政府", "上级政府", "各级政府"})
CORE_STRIP_SUFFIXES = ("办事处", "人民政府")
_SELF_REFERENCE = re.compile(r"我(街道|镇|乡|苏木|局|委|办|区|县|市|厅|院|中心|所|站|队)")
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


def _without_trailing_pipes(text: str) -> str:
    r"""The text without the pipes and spaces a table copy leaves at a line's end (`标题 | |`). A loop,
    not a regular expression: `(\s*\|)+\s*$` backtracks for minutes on a long line of `| | | …x`."""
    end = len(text)
    while end and (text[end - 1] == "|" or text[end - 1].isspace()):
        end -= 1
    return text[:end]


def clean_line(text: str) -> str:
    """A line without the debris a page copy leaves around it (`标题：`, `| |`, markdown marks)."""
    s = _without_trailing_pipes(text).strip().lstrip("#-*• ").strip()
    m = _META_LINE.match(s)
    if m and m.group(1) in ("标题", "名称"):
        s = m.group("value").strip()
    return _without_trailing_pipes(s).strip()


def is_chrome(text: str) -> bool:
    """A line of page furniture: a toolbar, breadcrumbs, a metadata line other than the title's."""
    s = text.strip()
    m = _META_LINE.match(s)
    if m:
        return m.group(1) not in ("标题", "名称")
    if _BREADCRUMBS.search(s):
        return True
    return bool(_CHROME.search(s)) and not any(w in s for w in _REPORT_WORDS)


def head_lines(doc: Document) -> list[str]:
    """The document's lines in order, table cells included: a page copy may put its title and metadata
    lines (`标题：…`, `发布机构：…`) in a table of the page rather than in prose."""
    out: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Paragraph):
            out.append(block.text)
        else:
            out.extend(c.text for row in block.rows for c in row if c.text.strip() and not c.merged)
        if len(out) > MAX_HEAD_LINES * 4:
            break
    return out


def _head(paragraphs: list[str]) -> list[str]:
    """The lines before part 一 (at most MAX_HEAD_LINES), furniture and blanks left out."""
    out = []
    for text in paragraphs[:MAX_HEAD_LINES * 2]:
        if _is_heading(text):
            break
        if text.strip() and not is_chrome(text):
            out.append(clean_line(text))
        if len(out) >= MAX_HEAD_LINES:
            break
    return out


def _names_nothing(title: str) -> bool:
    """A title line that starts with its year or its subject: the agency stands on a line of its own."""
    s = title.strip(" 《》“”\"")
    return bool(re.match(r"^(?:(?:19|20)\d\d\s*年|政府信息公开|关于)", s))


def find_title(paragraphs: list[str]) -> str | None:
    """The title: the first line before part 一 that names a report. When that line names no agency (a
    title broken over lines: `富阳区鹿山街道2021年政府信息公开工作` / `年度报告`, or `乌海市工业和信息化局` /
    `政府信息公开工作年度报告`), the short lines right above it are its start."""
    head = _head(paragraphs)
    for i, text in enumerate(head):
        if not any(w in text for w in _REPORT_WORDS) or len(text) > MAX_TITLE_CHARS \
                or text.rstrip().endswith(("。", "；", ";")):
            continue
        if _title_parts(text)[0] is not None:
            return text
        start = i
        while start > max(0, i - MAX_TITLE_LINES + 1) and _title_start(head[start - 1]):
            start -= 1
        return "".join(head[start:i + 1])
    return None


def _title_start(line: str) -> bool:
    """A line that can be the start of a title broken over lines: short, no sentence, no report words."""
    s = line.strip()
    return (0 < len(s) <= MAX_NAME_CHARS and not any(w in s for w in _REPORT_WORDS)
            and not s.endswith(("。", "；", ";", "：", ":", "，", ",")) and not _is_heading(s))


def _beside_title(paragraphs: list[str], title: str | None) -> str | None:
    """The agency line printed beside a title that names none (`2022年政府信息公开工作年度报告` /
    `桃江县松木塘镇人民政府`)."""
    if not title:
        return None
    head = _head(paragraphs)
    if title not in head:
        return None
    i = head.index(title)
    for j in (i + 1, i - 1):
        if 0 <= j < len(head) and _looks_like_agency(head[j]):
            return head[j]
    return None


def _meta_names(paragraphs: list[str]) -> list[str]:
    """The agencies a page's metadata lines name: 发布机构 first, then 来源."""
    found: dict[str, str] = {}
    for text in paragraphs[:MAX_HEAD_LINES * 3]:
        for part in re.split(r"\s{2,}|\|", text):
            m = _META_LINE.match(part.strip())
            if m and m.group(1) in ("发布机构", "发文机关", "来源"):
                value = clean_line(m.group("value"))
                if _looks_like_agency(value):
                    found.setdefault(m.group(1), value)
    return [found[k] for k in ("发布机构", "发文机关", "来源") if k in found]


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
            and not any(p in s for p in "。，；：,;:《》") and not _is_heading(s))


def _title_parts(title: str | None) -> tuple[str | None, int | None]:
    if not title:
        return None, None
    m = _TITLE_NAME_YEAR.match(title)
    if not m:  # a title without its year: the name is what comes before the subject
        cut = min((i for i in (title.find("政府信息公开"), title.find("关于")) if i > 0), default=-1)
        name = title[:cut].strip(" 《》“”\"") if cut > 0 else ""
        return (name if _looks_like_agency(name) else None), None
    name = re.sub(r"\s*关于\s*$", "", m.group("name")).strip(" 《》“”\"") or None
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


def _bare(name: str) -> str:
    for suffix in ("办事处", "人民政府", "政府"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _same_agency(fuller: str, name: str) -> bool:
    """`fuller` spells the agency `name` names, with more of it (its region, 人民政府)."""
    return fuller != name and _bare(name) in _bare(fuller)


def _prose_agency(paragraphs: list[str], prose: str) -> str | None:
    """The agency as the prose names it where it speaks of itself: the report's subject
    (`2020年七里坪镇严格按照…`), `总结…年X政府信息公开`, `成立X政府信息公开…`, `现公布X…`, `由X编制`, or a name
    ending the way it refers to itself (我镇 → …镇). The most frequent; None when the prose names only
    offices in general (区政府, 镇政府) or nothing."""
    counts: Counter[str] = Counter()
    for text in paragraphs:
        for pattern in _PROSE_NAMES:
            for m in pattern.finditer(text):
                name = m.group("name")
                for lead in ("成立", "总结", "公布", "现将", "由", "在", "对", "与", "为", "了", "的", "年", "度"):
                    if name.startswith(lead) and len(name) > len(lead) + 2:
                        name = name[len(lead):]
                if _proper_name(name):
                    counts[name] += 1
    if (found := _prose_name(paragraphs, prose)) and _proper_name(found):
        counts[found] += 1
    if not counts:
        return None
    return max(counts.items(), key=lambda item: (item[1], len(item[0])))[0]


def _proper_name(name: str) -> bool:
    """A name of one agency, not a general reference (镇政府, 我局, 各街道)."""
    if name in _GENERIC_NAMES or name.startswith(("我", "本", "全", "各", "该", "此", "上级", "区委", "县委", "市委")):
        return False
    core = _bare(name)
    for suffix in sorted(AGENCY_SUFFIXES, key=len, reverse=True):
        if core.endswith(suffix):
            return len(core) - len(suffix) >= 2
    return False


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
    lines = head_lines(doc)
    meta = ReportMeta()
    meta.title = find_title(lines)
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

    beside = _beside_title(lines, meta.title) if title_name is None else None
    named = [n for n in (title_name, beside, sign_name, *_meta_names(lines)) if n]
    names: list[str] = []
    if named:
        # The first is the report's agency; the others only lend a fuller spelling of it (a page's
        # 发布机构 may be the government that publishes for its departments).
        names = [named[0], *(n for n in named[1:] if _same_agency(n, named[0]))]
    elif found := _prose_agency(paragraphs, prose):
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
