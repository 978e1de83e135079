"""Readers: file bytes to the neutral document model. One module per layout; no form knowledge."""

from __future__ import annotations

from pipelines.readers.detect import sniff_container, text_layout
from pipelines.readers.encoding import decode_text
from pipelines.readers.model import Cell, Document, Paragraph, ReadError, Table

__all__ = ["Cell", "Document", "Paragraph", "ReadError", "Table", "read_document"]

# Containers recognised by their magic bytes whose readers are not built yet.
_NOT_YET_READ = {
    "pdf": ("pdf", "PDF files are recognised but not read yet (reader planned); keep the file, it will be "
            "retried when the reader lands."),
    "zip": ("docx", "Word .docx (zip) files are recognised but not read yet (reader planned); keep the file."),
    "ole": ("doc", "Legacy Word .doc/.wps files are recognised but not read yet (reader planned)."),
    "rtf": ("rtf", "RTF files are recognised but not read yet (reader planned)."),
    "html": ("html", "HTML pages are recognised but not read yet (reader planned)."),
}


def read_document(data: bytes) -> Document:
    """Given a file's bytes, return its document; raise ReadError with a ledger code when impossible."""
    container = sniff_container(data)
    if container in _NOT_YET_READ:
        fmt, message = _NOT_YET_READ[container]
        error = ReadError("unsupported_format", message)
        error.source_format = fmt  # type: ignore[attr-defined]
        raise error
    text, _encoding = decode_text(data)
    return text_layout(text).read(text)
