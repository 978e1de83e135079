"""Pictures inside .docx files and HTML pages: read by OCR when the document's own text holds no
statistical table (an agency that pasted its three tables as pictures), their blocks put where the
pictures stand.

Which pictures: those the body shows (a .docx's `a:blip`/`v:imagedata` in its paragraphs; an HTML
page's `<img>`), in JPEG, PNG or TIFF. A document whose text already holds a table of numbers is read
from its text, its pictures (logos, seals, photos) left alone: OCR costs seconds a picture.
"""

from __future__ import annotations

from collections.abc import Callable

from pipelines.document.cells import is_value_like
from pipelines.document.model import Block, Table
from pipelines.readers.ocr import load

# JPEG, PNG, TIFF (ocr.images.SIGNATURES, repeated here so that telling needs no image library).
IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*")
# A table holding at least this many numbers is a statistical table (a form's smallest block, 第二十条
# 第（一）项, has six).
MIN_NUMBERS = 6


def has_statistical_table(blocks: list[Block]) -> bool:
    """Whether any table of the blocks holds MIN_NUMBERS numbers or more."""
    for block in blocks:
        if isinstance(block, Table):
            numbers = sum(1 for c in block.cells if c.text.strip() and is_value_like(c.text) and
                          any(ch.isdigit() for ch in c.text))
            if numbers >= MIN_NUMBERS:
                return True
    return False


# A picture: where it stands (the number of blocks before it), how to get its bytes (None when it
# cannot be had: missing, outside the raw folder, not an image), the width it is shown at (inches).
Picture = tuple[int, Callable[[], bytes | None], float | None]


def splice(blocks: list[Block], pictures: list[Picture]) -> list[Block]:
    """Given a document's blocks and its pictures, return the blocks with each picture's OCR blocks
    inserted where it stands."""
    images = load("images")
    out: list[Block] = []
    at = 0
    for index, fetch, inches in sorted(pictures, key=lambda p: p[0]):
        out.extend(blocks[at:index])
        at = max(at, index)
        data = fetch()
        if data is not None and data.startswith(IMAGE_SIGNATURES):
            out.extend(images.read_embedded(data, inches))
    out.extend(blocks[at:])
    return out
