"""Word .docx files: paragraphs and tables in document order, merged cells resolved.

A merged cell's text belongs to its first grid position; the positions it covers (horizontal
`gridSpan`, vertical `vMerge`) are kept as `merged` cells so that columns stay aligned. Text spread
over several paragraphs of a cell (Word's vertical headers, one character per line) is one cell
with line breaks. A table that a page break or a repeated heading row split in two is stitched back.
Headers, footers and bookmarks are not part of the body and are ignored.

A table whose cells hold tables (a Word layout table, or a report table placed in a one-cell frame)
is layout, as in the HTML reader: its cells are read through, their paragraphs staying paragraphs
and their tables becoming the document's tables, in order. Nesting deeper than
spans.MAX_TABLE_DEPTH is refused as `malformed`.

Spans are read with the bounds of readers.spans: `w:gridSpan` is clamped to 1..MAX_SPAN and
`w:gridBefore` to 0..MAX_SPAN (Word draws at most 63 columns, so only a broken file reaches the
clamp, and the positions cut off are empty); a value that is not an integer is refused as
`malformed` (Word itself refuses to open such a file, and guessing would shift the rest of the row
into other columns); every grid position counts against one budget per document, past which the
file is `malformed`. `w:vMerge` needs no number bound: each covered position is a `w:tc` of its
own, paid for in the file's bytes. Its `w:val` is `continue` when absent (the schema's default);
any value other than `restart` or `continue` (in any case) is read as `restart`, so that a cell's
text is never dropped on a guess.

Only the main document part is read, straight from the zip with lxml (size-checked, entities and
DTDs off): python-docx parses every part of the package, which cost two thirds of a report's time.
"""

from __future__ import annotations

import posixpath
import zipfile

from pipelines.document.model import Cell, Document, Paragraph, ReadError, Table
from pipelines.readers.archive import open_zip, parse_xml, read_member
from pipelines.readers.detect import text_layout
from pipelines.readers.ocr import embedded
from pipelines.readers.spans import GridBudget, check_depth, word_span
from pipelines.readers.stitch import stitch_tables

FORMAT = "docx"
_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "v": "urn:schemas-microsoft-com:vml",
}
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
DEFAULT_MAIN_PART = "word/document.xml"


def qn(name: str) -> str:
    """`w:tbl` → Clark notation `{namespace}tbl`."""
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


W_P, W_T, W_TAB, W_BR, W_CR = qn("w:p"), qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
W_TBL, W_TR, W_TC, W_SDT, W_SDT_CONTENT = qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt"), qn("w:sdtContent")
W_CUSTOM_XML, W_VAL = qn("w:customXml"), qn("w:val")
A_BLIP, R_EMBED, R_ID, V_IMAGEDATA = qn("a:blip"), qn("r:embed"), qn("r:id"), qn("v:imagedata")
WP_EXTENT, W_DRAWING = qn("wp:extent"), qn("w:drawing")
EMU_PER_INCH = 914400


def paragraph_text(p) -> str:
    """A w:p's text as Word shows it: runs' text, tabs and line breaks (deleted text is w:delText, left out).

    Walks the XML once; python-docx's Paragraph.text runs an XPath per run, 3x slower on these forms.
    """
    parts = []
    for el in p.iter(W_T, W_TAB, W_BR, W_CR):
        if el.tag == W_T:
            parts.append(el.text or "")
        elif el.tag == W_TAB:
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _cell_text(tc) -> str:
    return "\n".join(paragraph_text(p) for p in tc.iterchildren(W_P)).strip("\n")


def _continues(vmerge) -> bool:
    """Whether a w:vMerge continues the cell above: its w:val absent or `continue`. `restart`, and any value
    the schema does not know, starts a cell whose text is kept (a guess must never drop text)."""
    val = vmerge.get(W_VAL)
    return val is None or val.strip().lower() == "continue"


def _grid(tbl, budget: GridBudget) -> list[list[Cell]]:
    """A leaf table as rows of cells: a spanned cell's text at its first position, covered positions merged."""
    rows: list[list[Cell]] = []
    for r, tr in enumerate(tbl.iterchildren(W_TR)):
        row: list[Cell] = []
        col = 0
        tr_pr = tr.find(qn("w:trPr"))
        if tr_pr is not None and (before := tr_pr.find(qn("w:gridBefore"))) is not None:
            col = word_span(before.get(W_VAL), "w:gridBefore (empty columns before a row)", default=0, low=0)
        for tc in tr.iterchildren(W_TC):
            tc_pr = tc.find(qn("w:tcPr"))
            span, continued = 1, False
            if tc_pr is not None:
                if (gs := tc_pr.find(qn("w:gridSpan"))) is not None:
                    span = word_span(gs.get(W_VAL), "w:gridSpan (the columns a cell spans)")
                if (vm := tc_pr.find(qn("w:vMerge"))) is not None:
                    continued = _continues(vm)
            budget.take(span)
            text = "" if continued else _cell_text(tc)
            row.append(Cell(text, r, col, merged=continued))
            row.extend(Cell("", r, col + k, merged=True) for k in range(1, span))
            col += span
        rows.append(row)
    return rows


def _holds_table(tbl) -> bool:
    return next(tbl.iterdescendants(W_TBL), None) is not None


def _blocks(container, out: list, depth: int = 0) -> list:
    """The paragraphs and leaf tables of a body or a cell in order, looking inside content controls (w:sdt,
    w:customXml) and through layout tables (tables whose cells hold tables); `depth` counts enclosing tables."""
    for child in container.iterchildren():
        if child.tag == W_P:
            out.append(("p", child))
        elif child.tag == W_TBL:
            check_depth(depth + 1)
            if _holds_table(child):  # a layout table: read through its cells
                for tr in child.iterchildren(W_TR):
                    for tc in tr.iterchildren(W_TC):
                        _blocks(tc, out, depth + 1)
            else:
                out.append(("t", child))
        elif child.tag == W_SDT:
            content = child.find(W_SDT_CONTENT)
            if content is not None:
                _blocks(content, out, depth)
        elif child.tag == W_CUSTOM_XML:
            _blocks(child, out, depth)
    return out


def _main_part(archive) -> str:
    """The main document part named by the package relationships (word/document.xml as a rule)."""
    try:
        rels = parse_xml(read_member(archive, "_rels/.rels", "corrupt_docx"), "The package relationships",
                         "corrupt_docx")
    except ReadError:
        return DEFAULT_MAIN_PART
    for rel in rels.iterchildren(f"{{{_NS['rel']}}}Relationship"):
        if rel.get("Type") == OFFICE_DOCUMENT and rel.get("Target"):
            return posixpath.normpath(rel.get("Target").lstrip("/"))
    return DEFAULT_MAIN_PART


def _pictures_of(p) -> list[tuple[str, float | None]]:
    """Given a w:p, return the pictures it shows: (relationship id, width shown in inches or None)."""
    out = []
    for drawing in p.iter(W_DRAWING):
        extent = next(drawing.iter(WP_EXTENT), None)
        try:
            inches = int(extent.get("cx")) / EMU_PER_INCH if extent is not None else None
        except (TypeError, ValueError):
            inches = None
        out.extend((blip.get(R_EMBED), inches if inches and inches > 0 else None)
                   for blip in drawing.iter(A_BLIP) if blip.get(R_EMBED))
    out.extend((im.get(R_ID), None) for im in p.iter(V_IMAGEDATA) if im.get(R_ID))
    return out


def _relationships(archive, part: str) -> dict[str, str]:
    """A part's relationships to other members of the package: id → member name (external links left
    out: nothing is ever fetched)."""
    folder, name = posixpath.split(part)
    try:
        rels = parse_xml(read_member(archive, posixpath.join(folder, "_rels", name + ".rels"), "corrupt_docx"),
                         "The document's relationships", "corrupt_docx")
    except ReadError:
        return {}
    out = {}
    for rel in rels.iterchildren(f"{{{_NS['rel']}}}Relationship"):
        target, rid = rel.get("Target"), rel.get("Id")
        if not target or not rid or (rel.get("TargetMode") or "").lower() == "external":
            continue
        member = posixpath.normpath(target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target))
        out[rid] = member
    return out


def _picture_fetcher(archive, member: str | None):
    def fetch() -> bytes | None:
        if member is None or member not in archive.namelist():
            return None
        return read_member(archive, member, "corrupt_docx")
    return fetch


def read(data: bytes) -> Document:
    """Given .docx bytes, return its document; raise ReadError when the file is no readable .docx."""
    return read_archive(open_zip(data, "corrupt_docx"))


def read_archive(archive: zipfile.ZipFile) -> Document:
    """Given a .docx already opened (and size-checked by readers.archive.open_zip), return its document."""
    main = _main_part(archive)
    root = parse_xml(read_member(archive, main, "corrupt_docx"), "The .docx body", "corrupt_docx")
    body = root.find(qn("w:body"))
    if body is None:
        raise ReadError("corrupt_docx", "The .docx has no document body; re-download the file or save it again "
                        "from Word.")
    doc = Document(FORMAT)
    raw_lines: list[str] = []
    budget = GridBudget()
    pictures: list[tuple[int, str, float | None]] = []
    for kind, element in _blocks(body, []):
        if kind == "p":
            raw = paragraph_text(element)
            raw_lines.append(raw)
            doc.blocks.append(Paragraph(raw.strip()))
            pictures.extend((len(doc.blocks), rid, inches) for rid, inches in _pictures_of(element))
        else:
            doc.blocks.append(Table(rows=_grid(element, budget)))
    from_text = None
    if not doc.tables:
        # Some exports type the tables as tab-separated paragraphs: read those as text.
        text = "\n".join(raw_lines)
        from_text = text_layout(text).read(text)
        from_text.source_format = FORMAT
    if pictures and not embedded.has_statistical_table(from_text.blocks if from_text else doc.blocks):
        # The tables pasted as pictures: read them by OCR where they stand.
        rels = _relationships(archive, main)
        spliced = embedded.splice(doc.blocks, [(i, _picture_fetcher(archive, rels.get(rid)), inches)
                                               for i, rid, inches in pictures])
        if any(isinstance(b, Table) for b in spliced):
            doc.blocks, from_text = spliced, None
    doc.blocks = stitch_tables(doc.blocks)
    if from_text is not None:
        if not from_text.tables:
            raise ReadError("no_tables", "The .docx holds no table, and no picture of one OCR could read; "
                            "its statistics may be elsewhere, which needs a person.")
        return from_text
    doc.renumber_tables()
    return doc
