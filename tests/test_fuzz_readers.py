"""Fuzzing every reader with mutated real files (issue #15, item 9): never a crash, never a hang.

The property: a real document (tests/real, the samples, the fixtures, synthetic reports), mutated
the way files get damaged or written oddly — bytes flipped, cut or duplicated; lines dropped, doubled,
shuffled; pipes, tabs, huge numbers and odd Unicode inserted; the XML inside a .docx edited (gridSpan,
vMerge, gridBefore huge, negative, not numbers; elements deleted, duplicated, nested deep); HTML spans
and nesting; PDF objects, streams and the cross-reference table — is parsed as the product parses it
(`parse_file` in a supervised worker process, tools/fuzz/runner.py) and ends as a report or a
quarantine with a named code: never `parser_crash`, never past the time limit (FUZZ_CASE_SECONDS,
5 s here and 10 s in `make fuzz` for text, HTML and .docx, ×3 for PDFs, ×9 for legacy files), never
past the memory ceiling (FUZZ_MEMORY_MB, 2048).

Here a short slice of it runs in every test run, derandomised (the same cases each time, so CI is
reproducible; about a minute). `make fuzz` runs the same mutations for minutes with a fresh seed and
saves what fails under tests/fuzz_crashes/<reader>/; `test_saved_failures_stay_fixed` replays those.
A failure whose fix belongs to someone else is listed in tests/fuzz_crashes/OPEN (tools/fuzz/crashes.py):
an expected failure in the replay, tolerated by the property while it stays open.
FUZZ_TEST_SCALE=10 runs ten times the cases here.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipelines.readers import ReadError, read_document
from pipelines.readers.legacy import find_soffice
from tools.fuzz.crashes import CRASH_DIR, is_open, open_failures, saved_inputs, slug
from tools.fuzz.mutate import mutate
from tools.fuzz.runner import Runner
from tools.fuzz.seeds import KIND, READERS, collect

SCALE = float(os.environ.get("FUZZ_TEST_SCALE", "1"))
# Cases per reader in the default run: text layouts and HTML parse in tens of milliseconds, a .docx in
# about a tenth of a second, a PDF in up to one, a legacy file in three (LibreOffice).
EXAMPLES = {"tab_text": 80, "pipe_text": 80, "line_text": 80, "pdf_text": 60, "glued_text": 60, "html": 120,
            "docx": 120, "pdf": 50, "doc": 3}
# A case's time limit here (×3 for PDFs, ×9 for legacy files): text, HTML and .docx cases parse in well
# under a second, and an open hang (tests/fuzz_crashes/OPEN) costs this much each time it comes up.
CASE_SECONDS = float(os.environ.get("FUZZ_CASE_SECONDS", "5"))


@functools.cache
def seeds() -> dict:
    # The sample split over two pages stands for the five sample .docx (building each costs a second).
    return collect(synthetic_per_format=2, sample_docx=("000_957511648368b9cb",))


@pytest.fixture(scope="module")
def runner():
    with Runner(workers=1, case_seconds=CASE_SECONDS) as r:
        yield r


def _keep(data: bytes, ext: str, reader: str, signature: str | None) -> Path:
    """A failing mutant, kept where the failure message says (copy it under tests/fuzz_crashes/<reader>/
    to make it a regression case)."""
    folder = Path(tempfile.gettempdir()) / "disclosure-fuzz-failures" / reader
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug(signature or 'unknown')}-{hashlib.sha256(data).hexdigest()[:10]}{ext}"
    path.write_bytes(data)
    return path


def _property(reader: str):
    @settings(max_examples=max(1, int(EXAMPLES[reader] * SCALE)), deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(data=st.data())
    def test(runner, data):
        if reader == "doc" and find_soffice() is None:
            pytest.skip("legacy files need LibreOffice")
        by_name = {s.name: s for s in seeds()[reader]}
        seed = by_name[data.draw(st.sampled_from(sorted(by_name)), label="seed")]
        mutant = mutate(seed, data.draw(st.randoms(use_true_random=False), label="rng"))
        verdict = runner.run_one(seed.name, mutant.data, seed.ext)
        event(f"{verdict.source_format}: {verdict.failure or verdict.code or 'report'}")
        if verdict.failure and is_open(verdict.signature):
            event(f"open failure {verdict.signature}")
            return
        assert verdict.failure is None, (
            f"{verdict.describe()}\nseed {seed.name}, mutations {', '.join(mutant.ops)}; the input is kept at "
            f"{_keep(mutant.data, seed.ext, reader, verdict.signature)}")

    test.__name__ = f"test_mutated_{reader}_files_never_crash_nor_hang"
    test.__doc__ = f"Mutants of the {reader} seeds end as a report or a named quarantine code, in time."
    return test


test_mutated_tab_text_files_never_crash_nor_hang = _property("tab_text")
test_mutated_pipe_text_files_never_crash_nor_hang = _property("pipe_text")
test_mutated_line_text_files_never_crash_nor_hang = _property("line_text")
test_mutated_pdf_text_files_never_crash_nor_hang = _property("pdf_text")
test_mutated_glued_text_files_never_crash_nor_hang = _property("glued_text")
test_mutated_html_files_never_crash_nor_hang = _property("html")
test_mutated_docx_files_never_crash_nor_hang = _property("docx")
test_mutated_pdf_files_never_crash_nor_hang = _property("pdf")
test_mutated_doc_files_never_crash_nor_hang = _property("doc")


def test_every_reader_has_seeds_it_reads():
    found = seeds()
    assert set(found) == set(READERS)
    for reader in READERS:
        assert found[reader], f"no seed for {reader}"
        if KIND[reader] == "text":
            seed = found[reader][0]
            assert read_document(seed.data).source_format == reader, seed.name


def test_the_supervised_runner_gives_reports_and_codes(runner):
    sample = (Path(__file__).parent.parent / "data" / "raw" / "001_3e7c7203fb80667c.txt").read_bytes()
    ok = runner.run_one("sample", sample, ".txt")
    assert (ok.failure, ok.code, ok.source_format) == (None, None, "pipe_text")
    assert 0 < ok.seconds < ok.limit == CASE_SECONDS
    empty = runner.run_one("empty", b"   ", ".txt")
    assert (empty.failure, empty.code) == (None, "empty_file")


def test_verdicts_tell_crashes_hangs_and_memory_apart():
    from tools.fuzz.runner import Verdict, _hang_site

    def verdict(code, message="", site=None, seconds=0.1):
        return Verdict("case", seconds, code, message, "unknown", site, limit=5.0)

    crash = verdict("parser_crash", "The parser failed", "ValueError@pipelines/readers/docx.py:_grid:77")
    assert (crash.failure, crash.signature) == ("crash", "ValueError@pipelines/readers/docx.py:_grid")
    memory = verdict("parser_crash", "…", "MemoryError@pipelines/forms/place.py:split_run:88")
    assert (memory.failure, memory.signature) == ("memory", "memory@pipelines/forms/place.py:split_run")
    killed = verdict("too_large", "Parsing needed more than 2,048 MB of memory and was stopped")
    assert (killed.failure, killed.signature) == ("memory", "memory@?")
    stack = ('Thread 0x7f (most recent call first):\n  File "/x/lib/python3.11/re/__init__.py", line 9 in sub\n'
             '  File "/repo/pipelines/extract/metadata.py", line 119 in clean_line\n'
             '  File "/repo/pipelines/ingest/parse.py", line 190 in _parse\n')
    hang = verdict("timeout", "Parsing took longer than 5s and was stopped", _hang_site(stack), seconds=5.2)
    assert (hang.failure, hang.signature) == ("hang", "hang@pipelines/extract/metadata.py:clean_line")
    assert verdict(None, None, seconds=6.0).failure == "hang"  # finished, past its limit
    for fine in (verdict(None, None), verdict("corrupt_docx", "damaged"), verdict("timeout", "LibreOffice did not…"),
                 verdict("too_large", "The file is 300,000,000 bytes")):
        assert fine.failure is None and fine.signature is None


# ---------------------------------------------------------------------------------------------------------------
# The saved failures, replayed


def _replay_params():
    listed: dict = {}
    for failure in open_failures():
        listed.setdefault(failure.path, failure)  # an input listed under two patterns: its first line says
    params = []
    for path in saved_inputs():
        rel = str(path.relative_to(CRASH_DIR))
        marks = ()
        if rel in listed:
            slow_to_fail = listed[rel].pattern.startswith(("hang@", "memory@"))
            # An open hang or blow-up costs a whole time limit to confirm: not run unless asked.
            marks = pytest.mark.xfail(strict=True, reason=f"open: {listed[rel].note}",
                                      run=not slow_to_fail or os.environ.get("FUZZ_REPLAY_OPEN") == "1")
        params.append(pytest.param(path, marks=marks, id=rel))
    return params


@pytest.mark.parametrize("path", _replay_params())
def test_saved_failures_stay_fixed(runner, path):
    verdict = runner.run_one(path.name, path.read_bytes(), path.suffix)
    assert verdict.failure is None, verdict.describe()


def test_the_open_list_names_saved_inputs():
    saved = {str(p.relative_to(CRASH_DIR)) for p in saved_inputs()}
    for failure in open_failures():
        assert failure.path in saved, f"tests/fuzz_crashes/OPEN names {failure.path}, which is not there"
        assert "@" in failure.pattern and failure.note, failure


# ---------------------------------------------------------------------------------------------------------------
# Fixes for what the fuzzer found in the PDF reader (the saved inputs under tests/fuzz_crashes/pdf/ too)


def _pdf(edit) -> bytes:
    from pypdf import PdfReader, PdfWriter

    fixture = Path(__file__).parent / "fixtures" / "pdf" / "003_4a81d0f783bbd2ce.pdf"
    writer = PdfWriter(clone_from=PdfReader(fixture))
    edit(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize("box", ["name", "number", "short"])
def test_a_page_box_that_is_no_rectangle_reads_as_a_viewer_shows_it(box):
    # pdfminer raised TypeError/IndexError while listing the pages (and pdfplumber's close() raised it
    # again: parser_crash, later corrupt_pdf). PDFium, like every viewer, gives the page the default
    # size and the report reads whole: the cells are those of the intact file.
    from pypdf.generic import ArrayObject, NameObject, NumberObject

    from tests.readers.formats import facts, truth

    value = {"name": NameObject("/Bogus"), "number": NumberObject(7), "short": ArrayObject([NumberObject(0)])}[box]
    data = _pdf(lambda w: w.pages[0].__setitem__(NameObject("/MediaBox"), value))
    assert facts(data, with_raw=False) == truth("003_4a81d0f783bbd2ce", with_raw=False)


def test_a_page_pdfium_cannot_load_is_a_corrupt_pdf(monkeypatch):
    import pypdfium2 as pdfium

    from pipelines.readers import pdf as pdf_reader

    class Broken:
        def __init__(self, data):
            pass

        def __len__(self):
            return 1

        def __getitem__(self, i):
            raise pdfium.PdfiumError("Failed to load page.")

        def close(self):
            pass

    monkeypatch.setattr(pdfium, "PdfDocument", Broken)
    with pytest.raises(ReadError) as err:
        pdf_reader.read(b"%PDF-1.4")
    assert err.value.code == "corrupt_pdf"


def test_a_bug_in_the_readers_own_code_is_no_corrupt_pdf(monkeypatch):
    # Only what the PDF libraries raise means a damaged file; an exception in this project's code stays a
    # crash (the fuzzer and the ledger must see it), where the reader used to call any ValueError corrupt.
    from pipelines.readers import pdf as pdf_reader

    def broken(page):
        raise ValueError("a bug of ours")

    monkeypatch.setattr(pdf_reader, "_page_items", broken)
    fixture = Path(__file__).parent / "fixtures" / "pdf" / "003_4a81d0f783bbd2ce.pdf"
    with pytest.raises(ValueError, match="a bug of ours"):
        read_document(fixture.read_bytes())


# ---------------------------------------------------------------------------------------------------------------
# Fixes for what the fuzzer found in the zip container of .docx files (readers/archive.py)


def _docx_with_header(field_offsets: tuple[int, int], value: int) -> bytes:
    """A sample .docx whose word/document.xml member headers (local and central) carry `value` at the
    given offsets: the compression method (8, 10) or the flags (6, 8)."""
    import struct

    data = bytearray(seeds()["docx"][0].data)
    name = b"word/document.xml"
    for sig, name_len_at, name_at, field in ((b"PK\x03\x04", 26, 30, field_offsets[0]),
                                            (b"PK\x01\x02", 28, 46, field_offsets[1])):
        pos = data.find(sig)
        while pos >= 0:
            n = struct.unpack_from("<H", data, pos + name_len_at)[0]
            if bytes(data[pos + name_at: pos + name_at + n]) == name:
                struct.pack_into("<H", data, pos + field, value)
            pos = data.find(sig, pos + 4)
    return bytes(data)


@pytest.mark.parametrize("how, offsets, value", [
    ("compression method zipfile cannot read (NotImplementedError)", (8, 10), 99),
    ("encrypted member (RuntimeError: password required)", (6, 8), 0x1),
    ("strong encryption (NotImplementedError)", (6, 8), 0x41),
])
def test_a_docx_member_zipfile_cannot_inflate_is_a_corrupt_docx(how, offsets, value):
    with pytest.raises(ReadError) as err:
        read_document(_docx_with_header(offsets, value))
    assert err.value.code == "corrupt_docx", how


@pytest.mark.parametrize("method", ["ZIP_DEFLATED", "ZIP_BZIP2", "ZIP_LZMA"])
def test_a_damaged_compressed_stream_is_a_corrupt_docx(method):
    # zlib.error and LZMAError escaped read_member (bzip2's OSError did not).
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seeds()["docx"][0].data)) as src, \
            zipfile.ZipFile(out, "w", getattr(zipfile, method)) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info))
    data = out.getvalue()
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    codes = set()
    for i in range(0, info.compress_size, max(1, info.compress_size // 40)):
        broken = bytearray(data)
        broken[start + i] ^= 0xFF
        try:
            read_document(bytes(broken))
            codes.add("report")
        except ReadError as exc:
            codes.add(exc.code)
    assert codes <= {"corrupt_docx", "report", "no_tables", "malformed"}, codes
    assert "corrupt_docx" in codes


# ---------------------------------------------------------------------------------------------------------------
# Fixes for hangs the fuzzer found in the text layouts: regular expressions that backtracked
# quadratically (or worse) on one long line


# The expressions as they were, to hold the linear replacements to the same answers.
_OLD_RULE = r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$"
_OLD_ROW = r"^\s*\|?[^|]*\S[^|]*(\|[^|]*){1,}\|?\s*$"


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(st.text(alphabet=" \t|-:a\u3000", max_size=14))
def test_the_rule_and_row_tests_answer_as_the_expressions_did(line):
    import re

    from pipelines.readers import pipe_text

    assert pipe_text._is_rule(line) == bool(re.match(_OLD_RULE, line))
    if line.count("|") >= 2:  # the only lines the row expression was asked about
        assert re.match(_OLD_ROW, line)


@pytest.mark.parametrize("unit", [" ", "\t", "- ", "1.", "（一）", "[bookmark: "])
def test_a_long_line_is_read_in_linear_time(unit):
    import time

    line = unit * 50_000
    text = "| 项目 | 数量 |\n|---|---|\n| 规章 | 0 |\n| 规范性文件 | 3 |\n" + line + "\n| 行政许可 | 1 |\n"
    started = time.perf_counter()
    with contextlib.suppress(ReadError):
        read_document(text.encode("utf-8"))
    assert time.perf_counter() - started < 5  # minutes before the fix (`[bookmark: ` on one line: hours)
