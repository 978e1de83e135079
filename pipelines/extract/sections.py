"""The narrative parts of a report (总体情况 … 其他需要报告的事项), for full-text search.

A part heading is a numbered paragraph (`一、`, `5、`, `四.`) whose words name one of the six parts;
numbered lists inside the prose (`一、不断强化…`) name none, so they stay in the body. The part's
number comes from its words, not its numbering, since agencies renumber and skip parts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipelines.document.model import Document, Paragraph

_NUMBERED = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d+)\s*[、.．]\s*")
# Words that name each part, most specific first; section 0 holds any preface before part 1.
PART_KEYWORDS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (4, ("行政复议", "行政诉讼")),
    (3, ("收到和处理", "依申请公开")),
    (2, ("主动公开",)),
    (5, ("存在的主要问题", "存在问题", "改进情况", "整改情况", "改进措施")),
    (6, ("其他需要报告", "其他事项")),
    (1, ("总体情况",)),
)
MAX_HEADING_CHARS = 40


@dataclass(frozen=True, slots=True)
class Section:
    section_no: int
    heading: str | None
    body: str


def part_of(text: str) -> int | None:
    """Given a paragraph, return the part number it heads, or None when it heads none."""
    if not _NUMBERED.match(text) or len(text) > MAX_HEADING_CHARS:
        return None
    for number, words in PART_KEYWORDS:
        if any(w in text for w in words):
            return number
    return None


def split_sections(doc: Document, title: str | None = None) -> list[Section]:
    """Given a document, return its parts in order with their prose (tables left out)."""
    sections: list[Section] = []
    heading: str | None = None
    number = 0
    body: list[str] = []

    def close() -> None:
        text = "\n".join(t for t in body if t)
        if heading is not None or text:
            sections.append(Section(number, heading, text))

    title_lines = set()
    for block in doc.blocks:
        if not isinstance(block, Paragraph):
            continue
        text = block.text
        part = part_of(text)
        if part is not None and part > number - 1 and not any(s.section_no == part for s in sections):
            close()
            heading, number, body = text.strip(), part, []
        elif number == 0 and title and text and text in title and text not in title_lines:
            title_lines.add(text)
        else:
            body.append(text)
    close()
    return sections


# A document with this many of the six parts is a report, whatever happened to its tables.
MIN_REPORT_PARTS = 3


def looks_like_report(doc: Document, title: str | None) -> bool:
    """Whether a document is a 政府信息公开工作年度报告 by its own words: a title naming one, or the
    report's parts (总体情况, 主动公开…, 收到和处理…) as headings. A report whose tables are pictures is
    still a report (its cells are missing); a note that merely mentions the forms' words is not."""
    if title and "政府信息公开" in title and ("报告" in title or "年报" in title):
        return True
    parts = {part_of(b.text) for b in doc.blocks if isinstance(b, Paragraph)}
    return len(parts - {None}) >= MIN_REPORT_PARTS
