"""Word .docx files: paragraphs and tables in document order, merged cells resolved.

A merged cell's text belongs to its first grid position; the positions it covers (horizontal
`gridSpan`, vertical `vMerge`) are kept as `merged` cells so that columns stay aligned. Text spread
over several paragraphs of a cell (Word's vertical headers, one character per line) is one cell
with line breaks. A table that a page break or a repeated heading row split in two is stitched back.
Headers, footers and bookmarks are not part of the body and are ignored.

Only the main document part is read, straight from the zip with lxml (size-checked, entities and
DTDs off): python-docx parses every part of the package, which cost two thirds of a report's time.
"""

from __future__ import annotations

import posixpath
import zipfile

from pipelines.document.model import Cell, Document, Paragraph, ReadError, Table
from pipelines.readers.archive import open_zip, parse_xml, read_member
from pipelines.readers.detect import text_layout
from pipelines.readers.stitch import stitch_tables

FORMAT = "docx"
_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
OFFICE_DOCUMENT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
DEFAULT_MAIN_PART = "word/document.xml"


def qn(name: str) -> str:
    """`w:tbl` → Clark notation `{namespace}tbl`."""
    prefix, local = name.split(":")
    return f"{{{_NS[prefix]}}}{local}"


W_P, W_T, W_TAB, W_BR, W_CR = qn("w:p"), qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
W_TR, W_TC = qn("w:tr"), qn("w:tc")


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


def _grid(tbl) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    for r, tr in enumerate(tbl.iterchildren(W_TR)):
        row: list[Cell] = []
        col = 0
        tr_pr = tr.find(qn("w:trPr"))
        if tr_pr is not None and (before := tr_pr.find(qn("w:gridBefore"))) is not None:
            col = int(before.get(qn("w:val"), "0"))
        for tc in tr.iterchildren(W_TC):
            tc_pr = tc.find(qn("w:tcPr"))
            span, continued = 1, False
            if tc_pr is not None:
                if (gs := tc_pr.find(qn("w:gridSpan"))) is not None:
                    span = max(1, int(gs.get(qn("w:val"), "1")))
                if (vm := tc_pr.find(qn("w:vMerge"))) is not None:
                    continued = vm.get(qn("w:val"), "continue") != "restart"
            text = "" if continued else _cell_text(tc)
            row.append(Cell(text, r, col, merged=continued))
            row.extend(Cell("", r, col + k, merged=True) for k in range(1, span))
            col += span
        rows.append(row)
    return rows


def _body_blocks(body) -> list:
    """The body's paragraphs and tables in order, looking inside content controls (w:sdt)."""
    out = []
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            out.append(("p", child))
        elif child.tag == qn("w:tbl"):
            out.append(("t", child))
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                out.extend(_body_blocks(content))
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


def read(data: bytes) -> Document:
    """Given .docx bytes, return its document; raise ReadError when the file is no readable .docx."""
    return read_archive(open_zip(data, "corrupt_docx"))


def read_archive(archive: zipfile.ZipFile) -> Document:
    """Given a .docx already opened (and size-checked by readers.archive.open_zip), return its document."""
    root = parse_xml(read_member(archive, _main_part(archive), "corrupt_docx"), "The .docx body", "corrupt_docx")
    body = root.find(qn("w:body"))
    if body is None:
        raise ReadError("corrupt_docx", "The .docx has no document body; re-download the file or save it again "
                        "from Word.")
    doc = Document(FORMAT)
    raw_lines: list[str] = []
    for kind, element in _body_blocks(body):
        if kind == "p":
            raw = paragraph_text(element)
            raw_lines.append(raw)
            doc.blocks.append(Paragraph(raw.strip()))
        else:
            doc.blocks.append(Table(rows=_grid(element)))
    doc.blocks = stitch_tables(doc.blocks)
    if not doc.tables:
        # Some exports type the tables as tab-separated paragraphs: read those as text.
        text = "\n".join(raw_lines)
        from_text = text_layout(text).read(text)
        if not from_text.tables:
            raise ReadError("no_tables", "The .docx holds no table; its statistics may be pasted as an image, "
                            "which needs a person (OCR is not supported yet).")
        from_text.source_format = FORMAT
        return from_text
    doc.renumber_tables()
    return doc
