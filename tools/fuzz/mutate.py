"""Mutations of real files, by kind: raw bytes, text, HTML, the XML inside a .docx, PDF objects.

`mutate(seed, rng)` applies one to four mutations drawn from those that fit the seed's kind and
returns the new bytes and the names of the mutations. `rng` is a `random.Random`: the tests pass
hypothesis' (its draws shrink), `make fuzz` a seeded one (a case is reproducible from its seed).
A mutation that cannot apply (no table to nest, a PDF pypdf cannot open) falls back to a byte edit.
"""

from __future__ import annotations

import copy
import io
import logging
import random
import re
import struct
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from tools.fuzz.seeds import Seed

# Mutants stay well under the readers' size limits: the property is about odd content, not size.
MAX_BYTES = 4 * 1024 * 1024

# Values for integer attributes (gridSpan, colspan, …) and numbers in text: huge, negative, not integers,
# digits of other scripts, Python's own int() quirks (underscores, surrounding spaces, the 4300-digit limit).
WEIRD_INTS = ("0", "-1", "-7", "2", "1000", "1001", "65536", "2147483647", "-2147483648", "4294967297",
              "99999999999999999999", "1e9", "1.5", "", " ", "abc", "0x10", "+3", " 2 ", "３", "٣", "NaN", "inf",
              "-0", "1_0", "9" * 5000)
HUGE_NUMBERS = ("9" * 40, "1e308", "1e400", "-1e308", "99999999999999999999.99", "0." + "0" * 400 + "1",
                "1,234,567,890,123", "-0", "NaN", "inf", "１２３４５", "٣٤٥", "①", "Ⅻ", "½", "²", "〇", "一千二百",
                "1" * 5000, "3万元", "12.5.6", "1e-9", "--5", "+-3")
ODD_UNICODE = ("\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\ufffd", "\u3000", "\xa0", "\u00ad", "\u0301",
               "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x00", "\x1b", "\udcff", "\U0001f600", "\U00020000",
               "\uf8ff", "ｰ", "﹣", "－", "丨", "︱", "｜", "\t")
TOKENS = ("|", " | ", "||||||", "| |", "|---|---|", "\t", "\t\t\t", "\n", "\r", "\n\n\n", "。", "；", "：",
          "(cid:12)", "[bookmark: _Toc1]", "- 4 -", "第 3 页", "3/12", "（一）", "1、", "2.", "三、", "十、",
          "万元", "元", "件", "合计", "总计", "/", "—", "无", "<", ">", "&amp;", "\\", '"', "自\n然\n人",
          "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
          "四、政府信息公开行政复议、行政诉讼情况", "本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量",
          "（一）予以公开", "行政复议", "行政诉讼", "维持", "纠正", "结果", "商业企业", "自然人", "法人或其他组织",
          "信息内容", "本年制发件数", "规章", "规范性文件", "行政许可", "行政处罚", "2021年度", "2019年", "2020")


@dataclass(frozen=True)
class Mutant:
    data: bytes
    ops: tuple[str, ...]


# At most this many edits of one kind in one mutation ("every number", "every span").
MAX_EDITS = 200


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    """The text with non-overlapping (start, end, replacement) edits made, in one pass."""
    parts, pos = [], 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        parts.append(text[pos:start])
        parts.append(new)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _span(rng: random.Random, n: int) -> tuple[int, int]:
    """A range of a sequence of length n, short more often than long."""
    if n == 0:
        return 0, 0
    i = rng.randrange(n)
    length = rng.choice((1, 1, 2, 4, 16, 64, 512, max(1, n // 8), n))
    return i, min(n, i + length)


# ---------------------------------------------------------------------------------------------------------------
# Bytes


def b_flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 8, 64))):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def b_insert(data: bytes, rng: random.Random) -> bytes:
    i = rng.randint(0, len(data))
    junk = rng.choice((b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\r", b"\n" * 50, b"|", b"\t", b"\x1b",
                       bytes(rng.getrandbits(8) for _ in range(rng.choice((1, 4, 64, 512))))))
    return data[:i] + junk + data[i:]


def b_delete(data: bytes, rng: random.Random) -> bytes:
    i, j = _span(rng, len(data))
    return data[:i] + data[j:]


def b_duplicate(data: bytes, rng: random.Random) -> bytes:
    i, j = _span(rng, len(data))
    k = rng.randint(0, len(data))
    return data[:k] + data[i:j] * rng.choice((1, 1, 2, 10)) + data[k:]


def b_truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randint(0, len(data))]


def b_overwrite(data: bytes, rng: random.Random) -> bytes:
    """A range overwritten by bytes from elsewhere in the file (structure in the wrong place)."""
    i, j = _span(rng, len(data))
    k = rng.randint(0, len(data))
    chunk = data[i:j]
    return data[:k] + chunk + data[k + len(chunk):]


def b_interesting(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice((1, 4, 16))):
        if out:
            out[rng.randrange(len(out))] = rng.choice((0x00, 0xFF, 0x7F, 0x80, 0x0A, 0x0D, 0x25, 0x3C, 0x7C))
    return bytes(out)


BYTE_OPS: tuple[Callable[[bytes, random.Random], bytes], ...] = (
    b_flip, b_insert, b_delete, b_duplicate, b_truncate, b_overwrite, b_interesting)


def byte_op(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    op = rng.choice(BYTE_OPS)
    return op(data, rng), op.__name__


# ---------------------------------------------------------------------------------------------------------------
# Text


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def t_delete_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    i, j = _span(rng, len(lines))
    return "".join(lines[:i] + lines[j:])


def t_duplicate_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    i, j = _span(rng, len(lines))
    k = rng.randint(0, len(lines))
    return "".join(lines[:k] + lines[i:j] * rng.choice((1, 2, 3, 50)) + lines[k:])


def t_shuffle_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    i, j = _span(rng, len(lines))
    block = lines[i:j]
    rng.shuffle(block)
    return "".join(lines[:i] + block + lines[j:])


def t_insert_token(text: str, rng: random.Random) -> str:
    out = text
    for _ in range(rng.choice((1, 1, 3, 20))):
        i = rng.randint(0, len(out))
        out = out[:i] + rng.choice(TOKENS + ODD_UNICODE) + out[i:]
    return out


_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def t_replace_number(text: str, rng: random.Random) -> str:
    found = list(_NUMBER.finditer(text))
    if not found:
        return t_insert_token(text, rng)
    chosen = rng.sample(found, min(len(found), rng.choice((1, 1, 5, MAX_EDITS))))
    return _splice(text, [(m.start(), m.end(), rng.choice(HUGE_NUMBERS)) for m in chosen])


def t_long_line(text: str, rng: random.Random) -> str:
    unit = rng.choice(("|", "| ", "1 ", "12 ", "\t", "一", "0", "合计", " ", "（一）", "-", "万元1"))
    line = unit * rng.choice((300, 5000, 200_000))
    lines = _lines(text)
    k = rng.randint(0, len(lines))
    return "".join([*lines[:k], line + "\n", *lines[k:]])


def t_line_endings(text: str, rng: random.Random) -> str:
    new = rng.choice(("\r", "\r\n", "\n\n", "\u2028", "\x0b", "\x0c", "\x85", "", "\n\r"))
    if rng.random() < 0.5:
        return text.replace("\n", new)
    lines = _lines(text)
    i, j = _span(rng, len(lines))
    return "".join(lines[:i] + [ln.replace("\n", new) for ln in lines[i:j]] + lines[j:])


def t_delimiters(text: str, rng: random.Random) -> str:
    """Lines whose spaces become pipes or tabs, or that gain a leading tab or a trailing ` |`."""
    lines = _lines(text)
    i, j = _span(rng, len(lines))
    how = rng.choice(("pipes", "tabs", "lead_tab", "trail_pipe", "strip", "wrap_pipes"))
    changed = []
    for ln in lines[i:j]:
        body, end = ln.rstrip("\r\n"), ln[len(ln.rstrip("\r\n")):]
        body = {"pipes": lambda b: b.replace(" ", "|"), "tabs": lambda b: b.replace(" ", "\t"),
                "lead_tab": lambda b: "\t" + b, "trail_pipe": lambda b: b + " |", "strip": lambda b: b.strip(" \t|"),
                "wrap_pipes": lambda b: "| " + b + " |"}[how](body)
        changed.append(body + end)
    return "".join(lines[:i] + changed + lines[j:])


def t_unicode_noise(text: str, rng: random.Random) -> str:
    out = list(text)
    for _ in range(rng.choice((1, 8, 64))):
        if out:
            out[rng.randrange(len(out))] = rng.choice(ODD_UNICODE + HUGE_NUMBERS[:8])
    return "".join(out)


def t_join_split(text: str, rng: random.Random) -> str:
    if rng.random() < 0.5:
        i = text.find("\n", rng.randint(0, len(text)))
        return text if i < 0 else text[:i] + text[i + 1:]
    i = rng.randint(0, len(text))
    return text[:i] + "\n" + text[i:]


TEXT_OPS: tuple[Callable[[str, random.Random], str], ...] = (
    t_delete_lines, t_duplicate_lines, t_shuffle_lines, t_insert_token, t_replace_number, t_long_line,
    t_line_endings, t_delimiters, t_unicode_noise, t_join_split)

ENCODINGS = ("utf-8", "utf-8", "utf-8", "utf-8-sig", "gb18030", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
             "big5", "latin-1-mojibake")


def decode(data: bytes) -> tuple[str, str]:
    """Text and the codec to write it back with (bytes that are no text come back through latin-1)."""
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def encode(text: str, codec: str) -> bytes:
    if codec == "latin-1-mojibake":
        return text.encode("utf-8", "surrogateescape").decode("latin-1").encode("utf-8")
    errors = "surrogateescape" if codec == "utf-8" else "replace"
    try:
        return text.encode(codec, errors)
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogatepass")


# ---------------------------------------------------------------------------------------------------------------
# HTML (as text: a mutation may leave the markup unbalanced, which is the point)

_TAG = re.compile(r"</?(?:td|th|tr|table|tbody|thead|div|p|body|html|span|br|font|b)\b[^>]*>", re.IGNORECASE)
_SPAN_ATTR = re.compile(r"""\b(colspan|rowspan)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*)""", re.IGNORECASE)
_CELL_OPEN = re.compile(r"<t[dh]\b", re.IGNORECASE)
CHARSETS = ("utf-8", "gbk", "gb2312", "big5", "utf-16", "utf-32", "utf-7", "x-bogus", "undefined", "idna",
            "punycode", "unicode_escape", "raw_unicode_escape", "base64", "rot13", "hz", "iso-2022-jp", "cp037",
            "latin-1", "ascii", "utf-8-sig", "mbcs", "palmos", "x-user-defined", "")


def _element_spans(text: str, tag: str) -> list[tuple[int, int]]:
    """(start, end) of `<tag …>…</tag>` pieces (first closing tag after the opening one: not nesting-aware)."""
    spans = []
    lower = text.lower()
    for m in re.finditer(rf"<{tag}\b", text, re.IGNORECASE):
        end = lower.find(f"</{tag}>", m.start())
        if end > 0:
            spans.append((m.start(), end + len(tag) + 3))
        if len(spans) > 2000:
            break
    return spans


def h_span_value(text: str, rng: random.Random) -> str:
    found = list(_SPAN_ATTR.finditer(text))
    if not found:
        return h_add_span(text, rng)
    chosen = rng.sample(found, min(len(found), rng.choice((1, 1, 3, MAX_EDITS))))
    return _splice(text, [(m.start(), m.end(), f'{m.group(1)}="{rng.choice(WEIRD_INTS)}"') for m in chosen])


def h_add_span(text: str, rng: random.Random) -> str:
    cells = list(_CELL_OPEN.finditer(text))
    if not cells:
        return t_insert_token(text, rng)
    chosen = rng.sample(cells, min(len(cells), rng.choice((1, 2, 10))))
    return _splice(text, [(m.end(), m.end(), f' {rng.choice(("colspan", "rowspan"))}="{rng.choice(WEIRD_INTS)}"')
                          for m in chosen])


def h_drop_tag(text: str, rng: random.Random) -> str:
    tags = list(_TAG.finditer(text))
    if not tags:
        return t_delete_lines(text, rng)
    chosen = rng.sample(tags, min(len(tags), rng.choice((1, 1, 5, 50))))
    return _splice(text, [(m.start(), m.end(), "") for m in chosen])


def h_duplicate_element(text: str, rng: random.Random) -> str:
    spans = _element_spans(text, rng.choice(("tr", "td", "table", "p", "th")))
    if not spans:
        return t_duplicate_lines(text, rng)
    i, j = rng.choice(spans)
    return text[:j] + text[i:j] * rng.choice((1, 2, 30)) + text[j:]


def h_deep_nest(text: str, rng: random.Random) -> str:
    opener, closer = rng.choice((("<div>", "</div>"), ("<table><tr><td>", "</td></tr></table>"), ("<span>", "</span>"),
                                 ("<b>", "</b>"), ("<ul><li>", "</li></ul>"), ("<font>", "</font>"), ("<p>", "</p>"),
                                 ("<td>", "</td>"), ("<table>", "</table>")))
    n = rng.choice((20, 100, 250, 300, 3000))
    tags = list(_TAG.finditer(text))
    at = rng.choice(tags).start() if tags else rng.randint(0, len(text))
    end = text.find("<", at + 1) if rng.random() < 0.7 else -1
    inner = text[at:end] if end > at else ""
    tail = text[end:] if end > at else text[at:]
    closing = closer * n if rng.random() < 0.7 else ""
    return text[:at] + opener * n + inner + closing + tail


def h_nested_table(text: str, rng: random.Random) -> str:
    tables = _element_spans(text, "table")
    cells = list(_CELL_OPEN.finditer(text))
    if not tables or not cells:
        return h_deep_nest(text, rng)
    i, j = rng.choice(tables)
    m = rng.choice(cells)
    at = text.find(">", m.end())
    at = at + 1 if at >= 0 else m.end()
    return text[:at] + text[i:j] + text[at:]


def h_charset(text: str, rng: random.Random) -> str:
    meta = f'<meta charset="{rng.choice(CHARSETS)}">'
    m = re.search(r"""charset\s*=\s*["']?\s*[A-Za-z0-9_\-]*""", text[:4096], re.IGNORECASE)
    if m and rng.random() < 0.6:
        return text[: m.start()] + f"charset={rng.choice(CHARSETS)}" + text[m.end():]
    return meta + text


def h_insert_markup(text: str, rng: random.Random) -> str:
    junk = rng.choice(("<!--", "-->", "<script>", "</script>", "<style>", "<![CDATA[", "<textarea>", "<plaintext>",
                       "<title>", "</html>", "<html>", "<body>", "</body>", "<table>", "</table>", "<tr>", "<td>",
                       "</td>", "<th colspan=3>", "<br>" * 50, "&#0;", "&#xD800;", "&#99999999999;", "&nbsp;" * 40,
                       "<td rowspan=1000 colspan=1000>x</td>", "<?xml version='1.0'?>", "<!DOCTYPE x [<!ENTITY a 'b'>]>",
                       "<svg><table><tr><td>1</td></tr></table></svg>", "<nav><table><tr><td>1</td></tr></table></nav>",
                       "\x00", "<tbody><tbody><tr>"))
    i = rng.randint(0, len(text))
    return text[:i] + junk + text[i:]


HTML_OPS: tuple[Callable[[str, random.Random], str], ...] = (
    h_span_value, h_add_span, h_drop_tag, h_duplicate_element, h_deep_nest, h_nested_table, h_charset,
    h_insert_markup, h_span_value, h_drop_tag, h_duplicate_element, h_deep_nest,
    t_delete_lines, t_insert_token, t_replace_number, t_unicode_noise, t_duplicate_lines)


# ---------------------------------------------------------------------------------------------------------------
# .docx: the XML of word/document.xml, the package around it, the zip itself

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


MERGE_ELEMENTS = ("gridSpan", "vMerge", "gridBefore", "gridAfter", "hMerge", "gridCol", "tcW", "tblW")
VMERGE_VALUES = ("restart", "continue", "", "bogus", "Restart", "0", "1")


def _pick(root, names: tuple[str, ...], rng: random.Random):
    found = [el for name in names for el in root.iter(_w(name))]
    return rng.choice(found) if found else None


def d_attr_weird(root, rng: random.Random) -> None:
    """A merge attribute (gridSpan, vMerge, gridBefore…) set to a huge, negative or non-integer value."""
    el = _pick(root, MERGE_ELEMENTS, rng)
    if el is None:
        d_add_merge(root, rng)
        return
    value = rng.choice(VMERGE_VALUES) if el.tag == _w("vMerge") and rng.random() < 0.6 else rng.choice(WEIRD_INTS)
    el.set(_w("val") if el.tag not in (_w("gridCol"), _w("tcW"), _w("tblW")) else _w("w"), value)
    if rng.random() < 0.2:  # or the attribute gone
        el.attrib.clear()


def _properties(parent, name: str):
    props = parent.find(_w(name))
    if props is None:
        from lxml import etree

        props = etree.Element(_w(name))
        parent.insert(0, props)
    return props


def d_add_merge(root, rng: random.Random) -> None:
    """gridSpan/vMerge on cells, gridBefore/gridAfter on rows, where the document had none."""
    from lxml import etree

    if rng.random() < 0.6:
        cells = list(root.iter(_w("tc")))
        for tc in rng.sample(cells, min(len(cells), rng.choice((1, 3, 30)))):
            name = rng.choice(("gridSpan", "vMerge", "vMerge", "hMerge"))
            el = etree.SubElement(_properties(tc, "tcPr"), _w(name))
            value = rng.choice(VMERGE_VALUES) if name.endswith("Merge") else rng.choice(WEIRD_INTS)
            if value or rng.random() < 0.5:
                el.set(_w("val"), value)
    else:
        rows = list(root.iter(_w("tr")))
        for tr in rng.sample(rows, min(len(rows), rng.choice((1, 3, 30)))):
            el = etree.SubElement(_properties(tr, "trPr"), _w(rng.choice(("gridBefore", "gridAfter"))))
            el.set(_w("val"), rng.choice(WEIRD_INTS))


STRUCTURAL = ("tc", "tr", "tbl", "p", "r", "t", "tcPr", "trPr", "tblGrid", "tblPr", "sdt", "sdtContent", "body")


def d_delete(root, rng: random.Random) -> None:
    names = STRUCTURAL if rng.random() < 0.05 else STRUCTURAL[:-1]
    for _ in range(rng.choice((1, 1, 5, 40))):
        el = _pick(root, names, rng)
        if el is not None and el.getparent() is not None:
            el.getparent().remove(el)


def d_duplicate(root, rng: random.Random) -> None:
    el = _pick(root, ("tc", "tr", "tbl", "p", "tc", "tr"), rng)
    if el is None or el.getparent() is None:
        return
    parent, at = el.getparent(), el.getparent().index(el)
    for k in range(rng.choice((1, 2, 20))):
        parent.insert(at + 1 + k, copy.deepcopy(el))


def d_move(root, rng: random.Random) -> None:
    """An element moved where Word never puts it: a table inside a cell, a row inside a cell, a cell
    straight in a table, a table row in the body."""
    el = _pick(root, ("tbl", "tr", "tc", "p"), rng)
    target = _pick(root, ("tc", "tbl", "body", "tr", "p", "sdtContent"), rng)
    if el is None or target is None or el is target or el in target.iterancestors():
        return
    moved = copy.deepcopy(el) if rng.random() < 0.5 else el
    if moved is el and el.getparent() is not None:
        el.getparent().remove(el)
    target.insert(rng.randint(0, len(target)), moved)


def d_deep_nest(root, rng: random.Random) -> None:
    """An element wrapped in many levels: content controls (w:sdt) or tables in cells."""
    from lxml import etree

    el = _pick(root, ("tbl", "p"), rng)
    if el is None or el.getparent() is None:
        return
    parent, at = el.getparent(), el.getparent().index(el)
    parent.remove(el)
    n = rng.choice((5, 50, 80, 120, 400))
    outer = inner = None
    for _ in range(n):
        if rng.random() < 0.5:
            level = etree.Element(_w("sdt"))
            content = etree.SubElement(level, _w("sdtContent"))
        else:
            level = etree.Element(_w("tbl"))
            content = etree.SubElement(etree.SubElement(level, _w("tr")), _w("tc"))
        if inner is None:
            outer = level
        else:
            inner.append(level)
        inner = content
    inner.append(el)
    if outer.tag == _w("sdt") or parent.tag in (_w("body"), _w("tc"), _w("sdtContent")):
        parent.insert(at, outer)
    else:
        parent.insert(at, el)


def d_text_noise(root, rng: random.Random) -> None:
    texts = list(root.iter(_w("t")))
    for t in rng.sample(texts, min(len(texts), rng.choice((1, 5, 50)))):
        value = rng.choice(TOKENS + HUGE_NUMBERS + ("",))
        value = "".join(ch for ch in value if ch in "\t\n\r" or ch >= " ")  # XML cannot hold the others
        t.text = value.replace("\udcff", "")
    if rng.random() < 0.3:  # tabs and breaks inside runs
        from lxml import etree

        runs = list(root.iter(_w("r")))
        for r in rng.sample(runs, min(len(runs), 10)):
            etree.SubElement(r, _w(rng.choice(("tab", "br", "cr"))))


DOCX_TREE_OPS: tuple[Callable, ...] = (d_attr_weird, d_add_merge, d_delete, d_duplicate, d_move, d_deep_nest,
                                       d_text_noise, d_attr_weird, d_add_merge)
MAIN = "word/document.xml"
RELS_TARGETS = ("word/missing.xml", "/word/document.xml", "../../../etc/passwd", "", "/", "word/", ".",
                "word/styles.xml", "[Content_Types].xml", "word/document.xml#x", "WORD/DOCUMENT.XML", "word\\document.xml")
# Zip compression methods: stored, deflate, bzip2, lzma are readable; the rest are not.
ODD_COMPRESSION = (1, 6, 9, 12, 14, 97, 98, 99, 65535)


def _unzip(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [(info, archive.read(info)) for info in archive.infolist()]
    except Exception:
        return None


def _zip(members: list[tuple[zipfile.ZipInfo, bytes]], rng: random.Random) -> bytes:
    out = io.BytesIO()
    method = rng.choice((zipfile.ZIP_DEFLATED, zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED, zipfile.ZIP_BZIP2,
                         zipfile.ZIP_LZMA))
    with warnings.catch_warnings(), zipfile.ZipFile(out, "w", method) as archive:
        warnings.simplefilter("ignore")  # duplicate names are one of the mutations
        for info, data in members:
            archive.writestr(info.filename, data)
    return out.getvalue()


def _patch_headers(data: bytes, name: str, rng: random.Random) -> bytes:
    """Patch the local and central headers of member `name`: its compression method or its flags
    (encrypted, data descriptor), which zipfile reads as written."""
    out = bytearray(data)
    encoded = name.encode("utf-8")
    field = rng.choice(("method", "flags"))
    value = rng.choice(ODD_COMPRESSION) if field == "method" else rng.choice((0x1, 0x8, 0x41, 0x2001))
    for sig, off_name_len, off_name, off_field in ((b"PK\x03\x04", 26, 30, 8 if field == "method" else 6),
                                                   (b"PK\x01\x02", 28, 46, 10 if field == "method" else 8)):
        pos = out.find(sig)
        while pos >= 0:
            n = struct.unpack_from("<H", out, pos + off_name_len)[0] if pos + off_name_len + 2 <= len(out) else 0
            if bytes(out[pos + off_name: pos + off_name + n]) == encoded:
                struct.pack_into("<H", out, pos + off_field, value)
            pos = out.find(sig, pos + 4)
    return bytes(out)


def mutate_docx(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    from lxml import etree

    members = _unzip(data)
    if members is None:
        out, name = byte_op(data, rng)
        return out, [name]
    ops: list[str] = []
    names = [info.filename for info, _ in members]
    main = names.index(MAIN) if MAIN in names else None
    root = None
    if main is not None:
        try:
            root = etree.fromstring(members[main][1], etree.XMLParser(resolve_entities=False, huge_tree=True))
        except etree.XMLSyntaxError:
            root = None
    for _ in range(rng.choice((1, 1, 2, 3, 4))):
        where = rng.random()
        if root is not None and where < 0.7:
            op = rng.choice(DOCX_TREE_OPS)
            op(root, rng)
            ops.append(op.__name__)
        elif where < 0.78 and main is not None:  # the body's bytes, as text: unbalanced XML, odd encodings
            info, body = members[main]
            if root is not None:
                body, root = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True), None
            text, codec = decode(body)
            op = rng.choice((*TEXT_OPS, t_xml_noise))
            members[main] = (info, encode(op(text, rng)[:MAX_BYTES], codec))
            ops.append("xml:" + op.__name__)
        elif where < 0.86:
            i = rng.randrange(len(members))
            ops.append(f"drop:{members[i][0].filename}")
            if i == main and root is not None:
                root = None
            del members[i]
            names = [info.filename for info, _ in members]
            main = names.index(MAIN) if MAIN in names else None
        elif where < 0.93:
            rels = [i for i, (info, _) in enumerate(members) if info.filename.endswith(".rels")]
            if rels:
                i = rng.choice(rels)
                text = members[i][1].decode("utf-8", "replace")
                text = re.sub(r'Target="[^"]*"', lambda _m: f'Target="{rng.choice(RELS_TARGETS)}"', text, count=1) \
                    if rng.random() < 0.8 else text[: rng.randint(0, len(text))]
                members[i] = (members[i][0], text.encode("utf-8"))
                ops.append("rels")
        else:
            i = rng.randrange(len(members))
            members.insert(rng.randint(0, len(members)), members[i])
            ops.append("duplicate_member")
            names = [info.filename for info, _ in members]
            main = names.index(MAIN) if MAIN in names else None
    if root is not None and main is not None:
        members[main] = (members[main][0], etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                                          standalone=True))
    out = _zip(members, rng)
    tail = rng.random()
    if tail < 0.1 and members:
        out = _patch_headers(out, rng.choice(members)[0].filename, rng)
        ops.append("zip_headers")
    elif tail < 0.25:
        out, name = byte_op(out, rng)
        ops.append("zip:" + name)
    return out, ops


def t_xml_noise(text: str, rng: random.Random) -> str:
    junk = rng.choice(("<w:tbl>", "</w:tbl>", "<w:tc>", "</w:tr>", "<!DOCTYPE x>", "&amp;", "&#0;", "&undefined;",
                       "<![CDATA[", '<?xml version="1.0" encoding="UTF-16"?>', "\x00", "<w:gridSpan w:val='9999999'/>",
                       "<w:vMerge/>", "<x:y xmlns:x='urn:x'>"))
    i = rng.randint(0, len(text))
    return text[:i] + junk + text[i:]


# ---------------------------------------------------------------------------------------------------------------
# PDF: the objects (through pypdf), the cross-reference table, the bytes

CONTENT_JUNK = ("q " * 2000, "Q " * 50, "BT ", "ET ", "0 Tz ", "1e38 0 0 1e38 0 0 cm ", "0 0 0 0 0 0 cm ",
                "/F1 0 Tf ", "/F99 12 Tf ", "(x) Tj ", "[ (a) -99999999 (b) ] TJ ", "1e38 1e38 m 1e38 -1e38 l S ",
                "0 0 1e9 1e9 re f ", "0 0 10 10 re S " * 3000, "NaN 0 m ", "[] 0 d ", "-5 w ", "/Im0 Do ",
                "10 0 0 10 0 0 Tm ", "0 0 0 0 0 0 Tm ", "100000 TL T* ", "(\\377\\376) Tj ", "<FFFE> Tj ",
                "1 0 0 1 99999 99999 Tm (far) Tj ", "3 Tr ", "q 0 0 1 1 re W n " * 200, "0 0 m 612 0 l S " * 500)
PDF_NUMBERS = ("0", "-1", "1e38", "-1e38", "99999999999", "0.00001", "NaN", "1e400", "3.4.5", "-0", "65536")


def _pdf_value(rng: random.Random):
    from pypdf.generic import ArrayObject, FloatObject, NameObject, NullObject, NumberObject, TextStringObject

    return rng.choice((
        lambda: NumberObject(rng.choice((0, -1, 2**31, -(2**31), 10**12, 45, 361))),
        lambda: FloatObject(rng.choice(("1e30", "-1e30", "0.0", "1e-30"))),
        lambda: NameObject("/Bogus"),
        lambda: NullObject(),
        lambda: TextStringObject("x"),
        lambda: ArrayObject(),
        lambda: ArrayObject([NumberObject(0)] * rng.choice((1, 2, 3, 5, 7))),
        lambda: ArrayObject([FloatObject("1e30"), NumberObject(-5), NumberObject(0), NameObject("/x")]),
    ))()


def _pdf_struct(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject, NumberObject

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data), strict=False))
        pages = list(writer.pages)
        if not pages:
            raise ValueError("no pages")
        page = rng.choice(pages)
        what = rng.choice(("box", "box", "rotate", "font", "font", "content", "content", "content", "tree",
                           "resources"))
        if what == "box":
            page[NameObject(rng.choice(("/MediaBox", "/CropBox", "/TrimBox", "/UserUnit")))] = _pdf_value(rng)
        elif what == "rotate":
            page[NameObject("/Rotate")] = NumberObject(rng.choice((45, -90, 270, 10**9, 1)))
        elif what == "font":
            fonts = page.get("/Resources", {}).get("/Font", {})
            if not fonts:
                raise ValueError("no fonts")
            font = fonts[rng.choice(list(fonts.keys()))].get_object()
            targets = [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]
            target = rng.choice(targets)
            key = rng.choice(("/FontMatrix", "/Widths", "/FirstChar", "/LastChar", "/W", "/DW", "/ToUnicode",
                              "/Encoding", "/Subtype", "/FontDescriptor", "/CIDSystemInfo", "/DescendantFonts",
                              "/FontBBox"))
            if key == "/ToUnicode" and "/ToUnicode" in target and rng.random() < 0.7:
                cmap = target["/ToUnicode"].get_object()
                text, codec = decode(cmap.get_data())
                cmap.set_data(encode(rng.choice((t_replace_number, t_delete_lines, t_duplicate_lines,
                                                 t_insert_token))(text, rng), codec))
            elif rng.random() < 0.25:
                target.pop(NameObject(key), None)
            else:
                target[NameObject(key)] = _pdf_value(rng)
        elif what == "content":
            contents = page.get_contents()
            if contents is None:
                raise ValueError("no contents")
            text, codec = decode(contents.get_data())
            if rng.random() < 0.5:
                op = rng.choice((t_replace_number, t_delete_lines, t_duplicate_lines, t_shuffle_lines))
                text = op(text, rng)
            else:
                i = rng.randint(0, len(text))
                text = text[:i] + " " + rng.choice(CONTENT_JUNK) + text[i:]
            stream = DecodedStreamObject()
            stream.set_data(encode(text, codec))
            page.replace_contents(stream)
        elif what == "tree":
            root_pages = writer._root_object["/Pages"]
            if rng.random() < 0.5:
                root_pages.get_object()[NameObject("/Count")] = NumberObject(rng.choice((-1, 0, 999999, 2**31)))
            else:  # a page tree that contains itself
                kids = root_pages.get_object()["/Kids"]
                kids.append(writer._root_object.raw_get("/Pages"))
                root_pages.get_object()[NameObject("/Kids")] = ArrayObject(kids)
        else:
            page[NameObject("/Resources")] = _pdf_value(rng)
        out = io.BytesIO()
        writer.write(out)
    return out.getvalue(), "pdf_" + what


def _pdf_xref(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    what = rng.choice(("startxref", "xref_count", "trailer", "eof", "offsets", "tail_dup", "objnum"))
    if what == "startxref":
        out = re.sub(rb"startxref\s+\d+", lambda _m: b"startxref\n" + rng.choice(
            (b"0", b"1", b"999999999", b"-5", str(len(data) // 2).encode())), data)
    elif what == "xref_count":
        out = re.sub(rb"xref\s+0\s+\d+", lambda _m: b"xref\n0 " + rng.choice((b"0", b"1", b"99999999")), data)
    elif what == "trailer":
        out = data.replace(b"trailer", rng.choice((b"", b"trailerx", b"trailer << >>")))
    elif what == "eof":
        out = data.replace(b"%%EOF", b"") if rng.random() < 0.5 else data + b"%%EOF\n" * 3
    elif what == "offsets":
        out = re.sub(rb"\b\d{10} \d{5} n", lambda m: rng.choice((b"0000000000", b"9999999999",
                                                                 m.group(0)[:10])) + m.group(0)[10:]
                     if rng.random() < 0.3 else m.group(0), data)
    elif what == "objnum":
        out = re.sub(rb"\b(\d+) 0 R\b", lambda m: rng.choice((b"0", b"99999", m.group(1))) + b" 0 R"
                     if rng.random() < 0.2 else m.group(0), data)
    else:
        out = data + data[-rng.choice((200, 2000, 20000)):]
    return out, "xref_" + what


def mutate_pdf(data: bytes, rng: random.Random) -> tuple[bytes, list[str]]:
    ops: list[str] = []
    for _ in range(rng.choice((1, 1, 2, 3))):
        where = rng.random()
        try:
            if where < 0.5:
                data, name = _pdf_struct(data, rng)
            elif where < 0.7:
                data, name = _pdf_xref(data, rng)
            elif where < 0.8:  # content operators edited in place (a decompressed seed): lengths now lie
                text, codec = decode(data)
                edit = rng.choice((t_replace_number, t_duplicate_lines, t_delete_lines))
                data, name = encode(edit(text, rng)[:MAX_BYTES], codec), "pdf_text_edit"
            else:
                data, name = byte_op(data, rng)
        except Exception:  # pypdf could not open or write this one: a byte edit instead
            data, name = byte_op(data, rng)
            name = "fallback:" + name
        ops.append(name)
    return data, ops


# ---------------------------------------------------------------------------------------------------------------


def mutate_text(data: bytes, rng: random.Random, html: bool = False) -> tuple[bytes, list[str]]:
    text, codec = decode(data[:MAX_BYTES])
    ops: list[str] = []
    for _ in range(rng.choice((1, 1, 1, 2, 3, 4))):
        if rng.random() < 0.15:  # bytes of the encoded text
            data, name = byte_op(encode(text, codec), rng)
            text, codec = decode(data)
            ops.append(name)
            continue
        op = rng.choice(HTML_OPS if html else TEXT_OPS)
        text = op(text, rng)[:MAX_BYTES]  # (a doubled range doubled again would grow without bound)
        ops.append(op.__name__)
    if not html and rng.random() < 0.15:
        codec = rng.choice(ENCODINGS)
        ops.append("encode:" + codec)
    return encode(text, codec), ops


def mutate(seed: Seed, rng: random.Random) -> Mutant:
    """One mutant of a seed file: its bytes and the mutations that made it."""
    if seed.kind == "docx":
        data, ops = mutate_docx(seed.data, rng)
    elif seed.kind == "pdf":
        data, ops = mutate_pdf(seed.data, rng)
    elif seed.kind in ("text", "html"):
        data, ops = mutate_text(seed.data, rng, html=seed.kind == "html")
    else:  # doc: LibreOffice reads it; bytes are all there is to change
        ops = []
        data = seed.data
        for _ in range(rng.choice((1, 2, 3))):
            data, name = byte_op(data, rng)
            ops.append(name)
    return Mutant(data[:MAX_BYTES], tuple(ops))
