"""Which reader a file needs, decided from its content, never from its name."""

from __future__ import annotations

import re

from pipelines.readers import glued_text, line_text, pdf_text, pipe_text, tab_text
from pipelines.readers.lines import split_lines

# Magic bytes of the binary formats; their readers arrive with the formats' own issue.
BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),
    (b"{\\rtf", "rtf"),
    # Pictures (a scanned page, a photographed table): JPEG, PNG, TIFF in either byte order.
    (b"\xff\xd8\xff", "image"),
    (b"\x89PNG\r\n\x1a\n", "image"),
    (b"II*\x00", "image"),
    (b"MM\x00*", "image"),
)
# Markup that makes a text a web page: a whole page, or an article body saved as a fragment (`<p>`,
# `<table>`, `<div>` without `<html>` or `<body>`).
_MARKUP = re.compile(rb"<\s*(?:!doctype\s+html|html|table|body|head|meta|p|div|span|tr|td|br)\b[^>]*>",
                     re.IGNORECASE)

# Text layouts, most specific (and cheapest to recognise) first: a layout must win on the shape of
# the whole text. A score this high settles it without trying the rest.
TEXT_LAYOUTS = (tab_text, pipe_text, glued_text, pdf_text, line_text)
MIN_LAYOUT_SCORE = 0.05
CLEAR_LAYOUT_SCORE = 0.3


def sniff_container(data: bytes) -> str | None:
    """Given a file's first bytes, return its container ('pdf', 'zip', 'ole', 'rtf', 'image', 'html') or None."""
    head = data[:8].lstrip(b"\xef\xbb\xbf")
    for magic, kind in BINARY_SIGNATURES:
        if head.startswith(magic):
            return kind
    if _MARKUP.search(data[:4096]):
        return "html"
    return None


def text_layout(text: str):
    """Given decoded text, return the reader module of its layout (line_text when none fits better)."""
    lines = split_lines(text)
    best, best_score = line_text, 0.0
    for module in TEXT_LAYOUTS:
        marker = getattr(module, "MARKER", None)
        if marker is not None and marker not in text:
            continue  # a layout's delimiter that never occurs: no need to score it
        s = module.score(lines)
        if s >= CLEAR_LAYOUT_SCORE and module is not line_text:
            return module
        if s > best_score:
            best, best_score = module, s
    return best if best_score >= MIN_LAYOUT_SCORE else line_text
