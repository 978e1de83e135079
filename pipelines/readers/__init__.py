"""Readers: file bytes to the neutral document model. One module per layout; no form knowledge."""

from __future__ import annotations

import zipfile
from pathlib import Path

from pipelines.document.model import Cell, Document, Paragraph, ReadError, Table
from pipelines.readers.archive import open_zip
from pipelines.readers.detect import sniff_container, text_layout
from pipelines.readers.encoding import decode_text, decoding_notes

__all__ = ["Cell", "Document", "Paragraph", "ReadError", "Table", "read_document"]


def _word_archive(data: bytes) -> zipfile.ZipFile:
    """A zip container that holds a Word document, opened once (sizes checked); else raise ReadError."""
    archive = open_zip(data, "corrupt_docx")
    if "word/document.xml" in archive.namelist():
        return archive
    raise ReadError("not_a_report", "A zip archive that holds no Word document (word/document.xml); "
                    "unpack it into the raw folder if it bundles reports.")


# Text exports of a report are tens of KB; scanning a huge text for layouts would cost minutes.
MAX_TEXT_BYTES = 20 * 1024 * 1024


def read_document(data: bytes, converter_timeout: float = 120.0, folder: Path | None = None,
                  raw_root: Path | None = None) -> Document:
    """Given a file's bytes, return its document; raise ReadError with a ledger code when impossible.

    The format is told from the content (magic bytes, zip members, markup), never from the name.
    `folder` (the file's folder) and `raw_root` (the raw folder) let an HTML page's pictures stored next
    to it be read (never outside `raw_root`); without them only pictures inside the file are.
    """
    container = sniff_container(data)
    try:
        if container == "zip":
            archive = _word_archive(data)
            from pipelines.readers import docx

            return docx.read_archive(archive)
        if container == "pdf":
            from pipelines.readers import pdf

            return pdf.read(data)
        if container == "html":
            from pipelines.readers import html

            return html.read(data, base=folder, root=raw_root)
        if container in ("ole", "rtf"):
            from pipelines.readers import legacy

            return legacy.read(data, container, timeout=converter_timeout)
        if container == "image":
            from pipelines.readers.ocr import load

            return load("images").read(data)
    except ReadError as exc:
        exc.source_format = getattr(exc, "source_format", None) or {
            "zip": "docx", "pdf": "pdf", "html": "html", "ole": "doc", "rtf": "rtf", "image": "image"}[container]
        raise
    if len(data) > MAX_TEXT_BYTES:
        raise ReadError("too_large", f"A text file of {len(data):,} bytes; a report's text is well under "
                        f"{MAX_TEXT_BYTES // 2**20} MB. Check that it is a report, not a data dump.")
    text, _encoding = decode_text(data)
    doc = text_layout(text).read(text)
    doc.notes.extend(decoding_notes(text))
    return doc
