"""Figures a report states in its prose (`全年收到依申请公开信息3条`, `接收到两例依申请公开请求`), so
they can be held against its tables.

Patterns are data: each names the claim it makes and the number's place; Chinese numerals (两,
一千二百) are read with cn2an, imported at the first such numeral (its import is 0.13 s of every parse
worker's start, and most figures are written in digits). A sentence that says none happened
(`未引起行政复议`) claims 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

NUMBER = r"(?P<n>[0-9０-９]+|[零〇一二两三四五六七八九十百千万]+)"
UNIT = r"(?:件|条|个|例|起|份|宗|次|篇)"
SENTENCE_END = re.compile(r"[。；;！!\n]")

# (claim, pattern): the first pattern of a claim that matches a sentence wins.
CLAIM_PATTERNS: tuple[tuple[str, str], ...] = (
    ("applications_received",
     rf"(?:收到|接收到|接到|受理|新收)了?(?:各类|群众|公民)?(?:的)?(?:共计?)?{NUMBER}{UNIT}(?:依申请公开|政府信息公开|信息公开)?"
     r"(?:的)?(?:申请|请求)"),
    ("applications_received",
     rf"(?:收到|接收到|接到|受理|新收)(?:政府信息公开|依申请公开|信息公开)(?:申请|请求)?(?:信息)?(?:共计?|总计)?{NUMBER}{UNIT}"),
    ("applications_received", r"(?:未|没有)(?:收到|接到|受理)(?:过)?(?:任何)?(?:政府信息公开|依申请公开)(?P<zero>)"),
    ("proactive_published", rf"主动公开(?:政府)?信息(?:共计?|总计)?{NUMBER}{UNIT}"),
    ("admin_reviews", rf"行政复议(?:案件|申请)?(?:共计?)?{NUMBER}{UNIT}"),
    ("admin_reviews", r"(?:未|没有)(?:引起|发生|收到|涉及|产生)[^。；]{0,6}?行政复议(?P<zero>)"),
    ("lawsuits", rf"行政诉讼(?:案件)?(?:共计?)?{NUMBER}{UNIT}"),
    ("lawsuits", r"(?:未|没有)(?:引起|发生|收到|涉及|产生)[^。；]{0,12}?行政诉讼(?P<zero>)"),
)
_COMPILED = tuple((claim, re.compile(p)) for claim, p in CLAIM_PATTERNS)
MAX_SENTENCE_CHARS = 300


@dataclass(frozen=True, slots=True)
class Claim:
    claim: str
    value: int
    sentence: str


def _number(text: str) -> int | None:
    if text.isdecimal():  # the pattern's digits, ASCII or full-width: int() reads both
        return int(text)
    import cn2an

    try:
        return int(cn2an.cn2an(text, "smart"))
    except (ValueError, KeyError, TypeError):
        return None


def extract_claims(paragraphs: Iterable[str]) -> list[Claim]:
    """Given a report's prose paragraphs, return the figures it states, one per claim and sentence."""
    out: list[Claim] = []
    for paragraph in paragraphs:
        for sentence in SENTENCE_END.split(paragraph):
            sentence = sentence.strip()
            if not sentence or len(sentence) > MAX_SENTENCE_CHARS:
                continue
            found: set[str] = set()
            for claim, pattern in _COMPILED:
                if claim in found:
                    continue
                m = pattern.search(sentence)
                if m is None:
                    continue
                value = 0 if "zero" in m.groupdict() and m.group("zero") is not None else _number(m.group("n"))
                if value is not None:
                    out.append(Claim(claim, value, sentence))
                    found.add(claim)
    return out
