"""Hostile files, written on demand (none is committed: some are hundreds of MB).

Each writer puts one file under a raw folder and returns its relative path; HOSTILE maps the
name to (writer, expected ledger status, expected error code).
"""

from __future__ import annotations

import io
import os
import random
import zipfile
from pathlib import Path

from tests.conftest import SAMPLES_DIR as SAMPLES

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def _docx(path: Path, document_xml: bytes, extra: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("word/document.xml", document_xml)
        for name, data in (extra or {}).items():
            z.writestr(name, data)


def zip_bomb_docx(raw: Path) -> str:
    """A .docx whose one extra member inflates to 1 GB of zeros (about 1 MB packed)."""
    path = raw / "zip_bomb.docx"
    body = f'<w:document xmlns:w="{W_NS}"><w:body><w:p/></w:body></w:document>'.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("word/document.xml", body)
        with z.open("word/media/bomb.bin", "w", force_zip64=True) as fh:
            block = bytes(16 * 2**20)
            for _ in range(64):
                fh.write(block)
    return path.name


def span_bomb_docx(raw: Path) -> str:
    """A .docx of a few hundred bytes whose cells claim three million columns each (issue #15): bounded,
    and refused as malformed once its spans would lay out more cells than any document has."""
    path = raw / "span_bomb.docx"
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="3000000"/></w:tcPr><w:p/></w:tc>'
    rows = "".join(f"<w:tr>{cell * 20}</w:tr>" for _ in range(50))
    _docx(path, f'<w:document xmlns:w="{W_NS}"><w:body><w:tbl>{rows}</w:tbl></w:body></w:document>'.encode())
    return path.name


def bad_span_docx(raw: Path) -> str:
    """A .docx whose merged-cell span is no number: malformed, not a parser crash."""
    path = raw / "bad_span.docx"
    cell = '<w:tc><w:tcPr><w:gridSpan w:val="x"/></w:tcPr><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc>'
    _docx(path, f'<w:document xmlns:w="{W_NS}"><w:body><w:tbl><w:tr>{cell}</w:tr></w:tbl></w:body></w:document>'
          .encode())
    return path.name


def _docx_with_entities(path: Path, declarations: str, text: str) -> str:
    """A .docx whose body declares entities in a DTD and uses one in its only run of text."""
    xml = (f'<?xml version="1.0"?><!DOCTYPE w:document [{declarations}]>'
           f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>')
    _docx(path, xml.encode())
    return path.name


def billion_laughs_docx(raw: Path) -> str:
    lol = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    return _docx_with_entities(raw / "billion_laughs.docx", "".join(lol), "&lol9;")


def xxe_docx(raw: Path) -> str:
    return _docx_with_entities(raw / "xxe.docx", '<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;")


def random_bytes_pdf(raw: Path) -> str:
    path = raw / "random.pdf"
    path.write_bytes(random.Random(7).randbytes(20 * 2**20))
    return path.name


def many_pages_pdf(raw: Path) -> str:
    """A valid PDF of 5,000 blank pages, written by hand (a page object each, one shared content)."""
    n = 5000
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [" + b" ".join(f"{4 + i} 0 R".encode() for i in range(n)) +
               f"] /Count {n} >>".encode(),
               b"<< /Length 0 >>\nstream\n\nendstream"]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>"] * n
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{i} 0 obj\n".encode() + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write(b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets))
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    path = raw / "five_thousand_pages.pdf"
    path.write_bytes(out.getvalue())
    return path.name


def truncated_pdf(raw: Path) -> str:
    source = Path(__file__).resolve().parent.parent / "fixtures" / "pdf" / "001_3e7c7203fb80667c.pdf"
    data = source.read_bytes()
    path = raw / "truncated.pdf"
    path.write_bytes(data[: len(data) // 3])
    return path.name


def encrypted_pdf(raw: Path) -> str:
    source = Path(__file__).resolve().parent.parent / "fixtures" / "pdf" / "encrypted.pdf"
    path = raw / "encrypted.pdf"
    path.write_bytes(source.read_bytes())
    return path.name


def huge_text(raw: Path) -> str:
    """200 MB of report-like text lines (the table of a real sample, repeated)."""
    sample = (SAMPLES / "000_957511648368b9cb.txt").read_bytes()
    path = raw / "huge.txt"
    with path.open("wb") as fh:
        for _ in range(200 * 2**20 // len(sample) + 1):
            fh.write(sample)
    return path.name


def gbk_without_bom(raw: Path) -> str:
    """A real report (another agency's, so that it does not supersede its sample) saved as GBK."""
    text = (SAMPLES / "003_4a81d0f783bbd2ce.txt").read_text(encoding="utf-8").replace("鹿山街道", "鹿鸣街道")
    path = raw / "gbk_report.txt"
    path.write_bytes(text.encode("gb18030"))
    return path.name


def deep_html(raw: Path) -> str:
    path = raw / "deep.html"
    path.write_text("<html><body>" + "<div>" * 10000 + "深" + "</div>" * 10000 + "</body></html>", encoding="utf-8")
    return path.name


def symlink_out(raw: Path) -> str:
    outside = raw.parent / "outside_secret.txt"
    outside.write_text("secret, outside the raw folder\n", encoding="utf-8")
    path = raw / "link_out.txt"
    os.symlink(outside, path)
    return path.name


HOSTILE = {
    "zip_bomb_docx": (zip_bomb_docx, "quarantined", "too_large"),
    "billion_laughs_docx": (billion_laughs_docx, "quarantined", "corrupt_docx"),
    "xxe_docx": (xxe_docx, "quarantined", "corrupt_docx"),
    "random_bytes_pdf": (random_bytes_pdf, "quarantined", "not_a_report"),
    "many_pages_pdf": (many_pages_pdf, "quarantined", "too_large"),
    "truncated_pdf": (truncated_pdf, "quarantined", "corrupt_pdf"),
    "encrypted_pdf": (encrypted_pdf, "quarantined", "encrypted_pdf"),
    "huge_text": (huge_text, "quarantined", "too_large"),
    "gbk_without_bom": (gbk_without_bom, "loaded", None),
    "deep_html": (deep_html, "quarantined", "too_deep"),
    "symlink_out": (symlink_out, "quarantined", "symlink"),
    "span_bomb_docx": (span_bomb_docx, "quarantined", "malformed"),
    "bad_span_docx": (bad_span_docx, "quarantined", "malformed"),
}
