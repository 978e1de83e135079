"""Seed files for the fuzzer: real documents first, then the fixtures, then synthetic reports.

* text (every text layout): tests/real/*/document.{md,txt} (real copies as sources store them), the
  five samples (data/raw, and ../shared/seeds when that folder is there), synthetic reports in each
  text layout (tools.synth: tab, pipe, markdown, separator, line, pdf text, page text, store markdown);
* html: tests/real/*/document.html, the samples laid out as a government page (tests/fixtures/layout.py),
  synthetic pages (whole pages, article fragments, Word's "save as web page");
* docx: the samples as Word lays out the forms (merged cells, a table split over pages), synthetic ones;
* pdf: every PDF fixture (ruled, unruled, scanned, encrypted, fonts without a Unicode map), and the
  same PDFs with their streams decompressed (so that content-stream edits reach the operators);
* doc: the legacy Word fixture (LibreOffice converts it; slow, so few cases).

Each seed is tagged with the reader that reads it (a text layout's name, html, docx, pdf, doc): the
fuzzer's tallies and its crash folders are per reader.
"""

from __future__ import annotations

import functools
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "real"
FIXTURES = ROOT / "tests" / "fixtures"
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"
SAMPLES = ROOT / "data" / "raw"
TEXT_READERS = ("tab_text", "pipe_text", "line_text", "pdf_text", "glued_text")
READERS = (*TEXT_READERS, "html", "docx", "pdf", "doc")
# The container a reader's files come in: what the mutations work on.
KIND = {**dict.fromkeys(TEXT_READERS, "text"), "html": "html", "docx": "docx", "pdf": "pdf", "doc": "doc"}
EXTENSION = {"text": ".txt", "html": ".html", "docx": ".docx", "pdf": ".pdf", "doc": ".doc"}


@dataclass(frozen=True)
class Seed:
    name: str
    reader: str
    data: bytes

    @property
    def kind(self) -> str:
        return KIND[self.reader]

    @property
    def ext(self) -> str:
        return EXTENSION[self.kind]

    def __repr__(self) -> str:  # hypothesis prints the seed of a failing example: its name says which
        return f"Seed({self.name!r}, {self.reader})"


def text_reader(data: bytes) -> str:
    """The text layout that reads these bytes (as the product detects it)."""
    from pipelines.readers.detect import text_layout
    from pipelines.readers.encoding import decode_text

    return text_layout(decode_text(data)[0]).FORMAT


def _files() -> list[tuple[str, bytes]]:
    found = [(f"real/{p.parent.name}/{p.name}", p.read_bytes()) for p in sorted(REAL.glob("*/document.*"))]
    found += [(f"sample/{p.name}", p.read_bytes()) for p in sorted(SAMPLES.glob("*.txt"))]
    if SHARED_SEEDS.is_dir():
        found += [(f"shared/{p.name}", p.read_bytes()) for p in sorted(SHARED_SEEDS.iterdir()) if p.is_file()]
    found += [(f"fixture/{p.name}", p.read_bytes()) for p in sorted((FIXTURES / "pdf").glob("*.pdf"))]
    found += [(f"fixture/{p.name}", p.read_bytes()) for p in sorted((FIXTURES / "legacy").glob("*.doc"))]
    return found


def _reader_of(name: str, data: bytes) -> str | None:
    from pipelines.readers.detect import sniff_container
    from pipelines.readers.encoding import ReadError

    container = sniff_container(data)
    if container is None:
        try:
            return text_reader(data)
        except ReadError:
            return None
    return {"html": "html", "zip": "docx", "pdf": "pdf", "ole": "doc", "rtf": "doc"}[container]


def decompressed_pdf(data: bytes) -> bytes | None:
    """The PDF with every stream stored without filters (content operators readable), or None."""
    try:
        from pypdf import PdfReader, PdfWriter
        from pypdf.generic import NameObject, StreamObject
    except ImportError:
        return None
    try:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
        for obj in writer._objects:
            if isinstance(obj, StreamObject) and "/Filter" in obj:
                raw = obj.get_data()
                obj.pop(NameObject("/Filter"), None)
                obj.pop(NameObject("/DecodeParms"), None)
                obj._data = raw  # set_data would encode it again with the filter just removed
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()
    except Exception:  # an encrypted or odd fixture: its compressed copy is seed enough
        return None


def _synthetic(per_format: int) -> list[tuple[str, bytes]]:
    from tools.synth.corpus import ALL_FORMATS, generate_reports, render

    formats = [f for f in ALL_FORMATS if f != "pdf"]  # PDFs need LibreOffice: the fixtures stand in
    reports = generate_reports(per_format * len(formats), 15, formats, break_share=0.1, quirk_share=0.6)
    return [(f"synth/{fmt}-{report.index}", render(fmt, report)) for fmt, report in reports]


def _sample_layouts(docx_stems: tuple[str, ...] | None) -> list[tuple[str, bytes]]:
    """The samples as a government page (cheap) and as Word documents (about a second each: `docx_stems`
    limits which; None: all five)."""
    from tests.fixtures.layout import build_docx, build_html

    stems = sorted(p.stem for p in (FIXTURES / "expected").glob("*.json"))
    pages = [(f"fixture/{s}.html", build_html(s, "gbk" if i % 2 else "utf-8")) for i, s in enumerate(stems)]
    return pages + [(f"fixture/{s}.docx", build_docx(s)) for s in stems
                    if docx_stems is None or s in docx_stems]


@functools.cache
def collect(synthetic_per_format: int = 2, sample_docx: tuple[str, ...] | None = None) -> dict[str, tuple[Seed, ...]]:
    """Every seed, by reader, duplicates (same bytes) dropped. `sample_docx`: the samples to lay out as
    .docx (None: all)."""
    files = _files() + _sample_layouts(sample_docx)
    if synthetic_per_format:
        files += _synthetic(synthetic_per_format)
    seen: set[str] = set()
    by_reader: dict[str, list[Seed]] = {r: [] for r in READERS}
    for name, data in files:
        digest = hashlib.sha256(data).hexdigest()
        reader = _reader_of(name, data)
        if digest in seen or reader is None:
            continue
        seen.add(digest)
        by_reader[reader].append(Seed(name, reader, data))
        if reader == "pdf" and (plain := decompressed_pdf(data)) is not None:
            by_reader[reader].append(Seed(name + "#decompressed", reader, plain))
    return {r: tuple(s) for r, s in by_reader.items()}
