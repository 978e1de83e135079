"""Label normalization: the variants the contract lets through map to one comparable key.

Variants that must meet (warehouse contract, *Codes*): other punctuation and brackets, spaces and
line breaks inside a label, numbering (`1.`, `1、`, `（一）`, `一、`), a `属于` prefix, `行政` prefixes,
`诉讼` for `起诉`, local fill-in instructions in brackets after a label, `\\` for `/`.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_NUMBERING = re.compile(
    r"^(?:"
    r"[一二三四五六七八九十]+[、.．]"       # 一、
    r"|\([一二三四五六七八九十]+\)[、.．]?"  # (一)
    r"|\(\d+\)[、.．]?"                   # (1)
    r"|\d+[、.．)](?!\d)"                  # 1.  1、  1)
    r")"
)
_TRAILING_NOTE = re.compile(r"\([^()]*\)$")
_PUNCT = re.compile(r"[\s\"'“”‘’「」『』《》〈〉<>:;,.。、!?·…/\\|_~\-—–－*#【】\[\]()]+")


def fold(text: str) -> str:
    """Given label text, return it NFKC-folded (full-width brackets and digits become ASCII)."""
    return unicodedata.normalize("NFKC", text)


def strip_numbering(text: str) -> tuple[str, str]:
    """Given folded, space-free text, return (numbering, rest); numbering may be ''."""
    numbering = ""
    while m := _NUMBERING.match(text):
        if m.end() == len(text):
            break
        numbering += m.group(0)
        text = text[m.end():]
    return numbering, text


@functools.lru_cache(maxsize=1 << 16)
def normalize(text: str) -> str:
    """Given a label as found, return the key it is matched by ('' for empty text).

    Cached: the same labels recur in every report."""
    s = "".join(fold(text).split())
    _, s = strip_numbering(s)
    while (m := _TRAILING_NOTE.search(s)) and m.start() > 0:
        s = s[: m.start()]
    s = _PUNCT.sub("", s)
    s = s.replace("起诉", "诉讼")
    if s.startswith("属于"):
        s = s[2:]
    while s.startswith("行政") and len(s) > 2:
        s = s[2:]
    return s
