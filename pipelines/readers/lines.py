"""Line handling shared by the text layouts."""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Debris that Word leaves in text exports; it is no part of any cell or sentence.
# (A bookmark's name is letters, digits and underscores: no `[` in it, which keeps the scan linear on a
# line of many unclosed `[bookmark: `.)
_DEBRIS = re.compile(r"\[bookmark: [^\[\]\r\n]*\][^\S\r\n]*")
_DEBRIS_MARK = "[bookmark: "
# A page number line in text taken from PDFs: "- 4 -", "— 12 —", "第 3 页", "3/12".
PAGE_NUMBER = re.compile(r"^\s*(?:[-—–]\s*\d+\s*[-—–]|第\s*\d+\s*页(?:\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)\s*$")


def split_lines(text: str) -> list[str]:
    """Given decoded text, return its lines without line terminators and without export debris."""
    if _DEBRIS_MARK in text:
        text = _DEBRIS.sub("", text)
    return _LINE_BREAK.split(text)


def is_blank(line: str) -> bool:
    """A line that separates blocks: nothing but whitespace (no-break spaces included)."""
    return not line.strip()


def paragraph_text(line: str) -> str:
    return line.strip()


# A line this short inside a table is a piece of a cell written vertically or wrapped (`自`/`然`/`人`,
# `（五）不予`/`处理`); part headings and prose lines are longer.
MAX_FRAGMENT_CHARS = 5


def is_fragment(line: str) -> bool:
    return len(line.strip()) <= MAX_FRAGMENT_CHARS
