"""Label normalization: the variants the contract lets through map to one comparable key.

Variants that must meet (warehouse contract, *Codes*): other punctuation and brackets, spaces and
line breaks inside a label, numbering (`1.`, `1、`, `（一）`, `一、`), a `属于` prefix, `行政` prefixes,
`诉讼` for `起诉`, local fill-in instructions in brackets after a label, `\\` for `/`. Real pages add
traditional characters (mirrors that convert a page: `規範性檔案` is `规范性文件`) and years written into
a header (`本年(2023)制发件数`): digits are no part of any form label once its numbering is gone.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import opencc

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
_DIGITS = re.compile(r"\d+")
# Traditional characters are told by OpenCC's character table (t2s); text that has them is converted
# as Taiwan-standard text, words included (檔案 → 文件: tw2sp). Simplified text is left alone (tw2sp
# would turn its 文件 into 文档).
_CHARACTERS = opencc.OpenCC("t2s")
_TO_SIMPLIFIED = opencc.OpenCC("tw2sp")


def fold(text: str) -> str:
    """Given label text, return it NFKC-folded (full-width brackets and digits become ASCII)."""
    return unicodedata.normalize("NFKC", text)


@functools.lru_cache(maxsize=1 << 16)
def simplified(text: str) -> str:
    """Given text, return it in simplified characters (text already simplified comes back unchanged)."""
    if text.isascii() or _CHARACTERS.convert(text) == text:
        return text
    return _TO_SIMPLIFIED.convert(text)


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
    s = "".join(simplified(fold(text)).split())
    _, s = strip_numbering(s)
    while (m := _TRAILING_NOTE.search(s)) and m.start() > 0:
        s = s[: m.start()]
    s = _PUNCT.sub("", s)
    s = _DIGITS.sub("", s)
    s = s.replace("起诉", "诉讼")
    if s.startswith("属于"):
        s = s[2:]
    while s.startswith("行政") and len(s) > 2:
        s = s[2:]
    return s


def trailing_note(text: str) -> str:
    """Given a label as found, return the bracketed words at its end ('' when none): usually a fill-in
    note, but in `行政诉讼（未经复议直接起诉）` the form's own row named under its group's heading."""
    s = "".join(simplified(fold(text)).split())
    m = _TRAILING_NOTE.search(s)
    return s[m.start() + 1:-1] if m and m.start() > 0 else ""


@functools.lru_cache(maxsize=1 << 16)
def squeeze_label(text: str) -> str:
    """Given text, return it folded, simplified and without whitespace: how a label is searched for
    inside text whose cells the source ran together (`第二十条第（五）项信息内容上一年项目数量…`)."""
    return "".join(simplified(fold(text)).split())
