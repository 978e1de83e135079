"""HTML pages (lxml): data tables with rowspan/colspan resolved, prose in document order.

Government sites wrap content in layout tables and surround it with navigation, scripts and
footers. A table whose cells hold other tables is layout: its content is read through. Only leaf
tables are data. `<br>` inside a cell is a line break of the cell's text. The page's declared
charset is honoured (GBK pages are common); undeclared pages are decoded like text files.
Spans are clamped and every grid position is counted against a bound (readers.spans): a page whose
tables would exceed it is refused as `malformed`; a non-numeric span is 1, as browsers read it.
A page whose text holds no table of numbers but shows pictures (`<img>`: a `data:` URI, or a file next
to the page inside the raw folder; never a URL) has them read by OCR (readers.ocr.embedded).
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import urllib.parse
from pathlib import Path

from lxml import etree

from pipelines.document.model import Cell, Document, Paragraph, ReadError, Table
from pipelines.readers.encoding import decode_text, decoding_notes
from pipelines.readers.ocr import embedded
from pipelines.readers.spans import GridBudget, html_span
from pipelines.readers.stitch import stitch_tables

FORMAT = "html"
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_SKIP = {"script", "style", "noscript", "template", "head", "nav", "iframe", "object", "svg", "select", "button"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "header", "footer",
          "blockquote", "pre", "center", "ul", "ol", "dl", "dt", "dd", "form", "main", "aside", "body"}
# Page furniture by its class or id: navigation, menus, headers and footers of the site.
_FURNITURE = re.compile(r"(^|[\s_-])(nav|navbar|menu|breadcrumb|crumb|header|footer|sidebar|share|toolbar)"
                        r"([\s_-]|$)", re.IGNORECASE)
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "utf8": "utf-8"}


def decode_html(data: bytes) -> str:
    """Given page bytes, return text decoded by the declared charset, else like a text file.

    An undeclared page (or one its declared charset does not decode) is told GB18030 from Big5 from
    UTF-8 by `decode_text`; a declared Big5 is read as code page 950, Big5 as Windows writes it.
    """
    m = _CHARSET.search(data[:4096])
    if m:
        codec = m.group(1).decode("ascii").lower()
        # Big5 as code page 950 (encoding.BIG5), a superset Taiwan's files need.
        codec = _ALIASES.get(codec) or {"big5": "cp950", "x-x-big5": "cp950"}.get(codec, codec)
        try:
            return data.decode(codec)
        except (LookupError, UnicodeError, ValueError):  # unknown, undecodable, or `undefined` (UnicodeError)
            pass
    return decode_text(data)[0]


def _text(el) -> str:
    """An element's text with <br> and block boundaries as line breaks, other whitespace as written."""
    if len(el) == 0:  # most cells: one text node
        return _clean(el.text or "")
    parts: list[str] = []

    def walk(node) -> None:
        if not isinstance(node.tag, str) or node.tag in _SKIP:
            if node.tail:
                parts.append(node.tail)
            return
        if node.tag == "br" or (node.tag in _BLOCK and parts and not parts[-1].endswith("\n")):
            parts.append("\n")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
        if node.tag in _BLOCK and parts and not parts[-1].endswith("\n"):
            parts.append("\n")
        if node.tail:
            parts.append(node.tail)

    if el.text:
        parts.append(el.text)
    for child in el:
        walk(child)
    return _clean("".join(parts))


def _clean(text: str) -> str:
    """Lines trimmed, empty lines dropped (spaces inside a line kept as written)."""
    lines = [line.strip("\r\n\t ") for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _rows_of(table) -> list:
    rows = []
    for child in table:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(tr for tr in child if isinstance(tr.tag, str) and tr.tag == "tr")
    return rows


def _grid(table, budget: GridBudget) -> list[list[Cell]]:
    """A leaf table as a grid: a spanned cell's text at its first position, covered positions merged.

    Spans are clamped to 1..spans.MAX_SPAN, a rowspan also to the table's last row (positions past it
    are never shown, as in a browser); every position counts against the document's budget (past it
    the page is refused as `malformed`, see readers.spans).
    """
    taken: dict[tuple[int, int], bool] = {}
    rows: list[list[Cell]] = []
    trs = _rows_of(table)
    for r, tr in enumerate(trs):
        row: dict[int, Cell] = {}
        col = 0
        for td in tr:
            if not isinstance(td.tag, str) or td.tag not in ("td", "th"):
                continue
            while (r, col) in taken:
                row[col] = Cell("", r, col, merged=True)
                col += 1
            rowspan = min(html_span(td.get("rowspan")), len(trs) - r)
            colspan = html_span(td.get("colspan"))
            budget.take(rowspan * colspan)
            row[col] = Cell(_text(td), r, col)
            for dr in range(rowspan):
                for dc in range(colspan):
                    if dr or dc:
                        taken[(r + dr, col + dc)] = True
                        if dr == 0:
                            row[col + dc] = Cell("", r, col + dc, merged=True)
            col += colspan
        while (r, col) in taken:
            row[col] = Cell("", r, col, merged=True)
            col += 1
        rows.append([row[c] for c in sorted(row)])
    return rows


def _has_table(el) -> bool:
    return any(True for _ in el.iterdescendants("table"))


def _paragraphs(text: str | None, doc: Document) -> None:
    for line in (text or "").split("\n"):
        if line.strip():
            doc.blocks.append(Paragraph(line.strip()))


def _is_furniture(el) -> bool:
    return el.tag in ("nav", "header", "footer") or bool(
        _FURNITURE.search(el.get("class", "")) or _FURNITURE.search(el.get("id", "")))


def _walk(el, doc: Document, budget: GridBudget, pictures: list) -> None:
    """Add an element's prose and data tables to the document, in order; note its pictures (<img>, each
    with the number of blocks before it) in `pictures`."""
    _paragraphs(el.text, doc)
    for child in el:
        if not isinstance(child.tag, str) or child.tag in _SKIP or _is_furniture(child):
            pass
        elif child.tag == "table" and _has_table(child):  # a layout table: read through its cells
            for tr in _rows_of(child):
                for td in tr:
                    if isinstance(td.tag, str) and td.tag in ("td", "th"):
                        _walk(td, doc, budget, pictures)
        elif child.tag == "table":
            grid = _grid(child, budget)
            if any(c.text for row in grid for c in row):
                doc.blocks.append(Table(rows=grid))
        elif _has_table(child):
            _walk(child, doc, budget, pictures)
        else:
            _paragraphs(_text(child), doc)
            imgs = [child] if child.tag == "img" else list(child.iterdescendants("img"))
            pictures.extend((len(doc.blocks), img) for img in imgs)
        _paragraphs(child.tail, doc)


# A picture's bytes are read only up to this size (a report's table picture is well under 10 MB).
MAX_PICTURE_BYTES = 50 * 1024 * 1024
CSS_PX_PER_INCH = 96


def _data_uri(src: str) -> bytes | None:
    """The bytes of a `data:` URI (base64 or percent-encoded), or None when malformed or too large."""
    head, sep, payload = src.partition(",")
    if not sep or len(payload) > MAX_PICTURE_BYTES * 4 // 3 + 4:
        return None
    try:
        if head.lower().endswith(";base64"):
            return base64.b64decode("".join(payload.split()), validate=False)
        return urllib.parse.unquote_to_bytes(payload)
    except (ValueError, binascii.Error):
        return None


def _beside(src: str, base: Path | None, root: Path | None) -> bytes | None:
    """The bytes of a picture named by a relative `src`: a file next to the page, inside the raw folder.
    Never a URL (nothing is fetched), never a path that leaves the raw folder or passes a symbolic link."""
    if base is None or root is None:
        return None
    parts = urllib.parse.urlsplit(src)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith(("/", "\\")):
        return None
    relative = Path(urllib.parse.unquote(parts.path))
    if relative.is_absolute() or ".." in relative.parts:
        return None
    root = Path(os.path.abspath(root))
    path = Path(os.path.abspath(base)) / relative
    if not path.is_relative_to(root):
        return None
    step = root
    for part in path.relative_to(root).parts:  # no link anywhere on the way (never followed)
        step = step / part
        if step.is_symlink():
            return None
    try:
        if not path.is_file() or path.stat().st_size > MAX_PICTURE_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def _picture(img, base: Path | None, root: Path | None) -> tuple:
    """An <img> as a picture to read: how to fetch its bytes, and the width it is shown at (inches)."""
    src = (img.get("src") or "").strip()
    width = (img.get("width") or "").strip().removesuffix("px")
    inches = int(width) / CSS_PX_PER_INCH if width.isdigit() and int(width) > 0 else None
    if src.lower().startswith("data:"):
        return (lambda: _data_uri(src)), inches
    return (lambda: _beside(src, base, root)), inches


def read(data: bytes, base: Path | None = None, root: Path | None = None) -> Document:
    """Given page bytes, return its document. `base` is the page's folder and `root` the raw folder: a
    picture of a table the page shows (when its text holds none) is read by OCR from a `data:` URI, or
    from a file next to the page inside the raw folder; without them, only from `data:` URIs."""
    text = decode_html(data)
    # lxml.etree's parser, not lxml.html's: the same tree without a Python class lookup per element
    # (a third of the reader's time); only generic element methods are used here.
    parser = etree.HTMLParser(no_network=True, huge_tree=False)
    try:
        tree = etree.fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise ReadError("not_a_report", f"The page cannot be parsed as HTML ({exc}).") from exc
    if tree is None:
        raise ReadError("not_a_report", "The page holds no HTML elements.")
    if any("depth" in e.message.lower() for e in parser.error_log):
        # libxml2 stops at its nesting limit and keeps what came before: refuse rather than lose the rest.
        raise ReadError("too_deep", "The page nests elements deeper than the HTML parser allows (256 levels); "
                        "no report page does. Check that it is a report.")
    body = tree.find("body")
    doc = Document(FORMAT, notes=decoding_notes(text))
    pictures: list = []
    _walk(body if body is not None else tree, doc, GridBudget(), pictures)
    if pictures and not embedded.has_statistical_table(doc.blocks):
        # The tables shown as pictures: read them by OCR where they stand.
        doc.blocks = embedded.splice(doc.blocks, [(i, *_picture(img, base, root)) for i, img in pictures])
    doc.blocks = stitch_tables(doc.blocks)
    doc.renumber_tables()
    return doc
