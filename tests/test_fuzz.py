"""Property-based and mutation tests: whatever the input, a result or a clear error, never a crash."""

from __future__ import annotations

import random
import re
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipelines.document.cells import (
    BLANK,
    CELL_STATES,
    NOT_APPLICABLE_STATE,
    UNREADABLE,
    VALUE,
    Reading,
    is_value_like,
    read_cell,
)
from pipelines.document.model import Cell, Document, Paragraph, Table
from pipelines.forms.catalog import FORMS
from pipelines.forms.interpreter import interpret
from pipelines.forms.plan import cell_plan
from pipelines.ingest.parse import FileRef, parse_file
from pipelines.readers import ReadError, read_document
from tests.conftest import SAMPLE_STEMS, SAMPLES_DIR

LABELS = sorted({label for form in FORMS for table in form.tables for block in table.blocks
                 for line in (*block.rows, *block.columns) for label in line.labels}
                | {s for form in FORMS for table in form.tables for s in table.starts})
# Known quarantine codes; parser_crash would mean an exception escaped a reader or the interpreter.
CODES = {"empty_file", "not_a_report", "corrupt_docx", "no_tables", "encrypted_pdf", "scanned_pdf", "corrupt_pdf",
         "undecodable_text", "undecodable_pdf_text", "too_large", "too_deep", "bad_sidecar", "malformed",
         "needs_ocr_engine", "corrupt_image"}

_SPACED = re.compile(r"\d\s+\d")
cell_texts = st.one_of(
    st.sampled_from(LABELS),
    st.integers(-10**12, 10**12).map(str),
    st.sampled_from(["", " ", "/", "—", "无", "1,234", "12.5", "3万元", "（元）", "\xa0", "1e5", "٣", "½", "00", "-0"]),
    st.text(max_size=12),
)


@given(st.one_of(st.none(), st.text(max_size=30), cell_texts), st.sampled_from(["count", "amount"]),
       st.sampled_from([None, "件", "万元", "元"]))
def test_read_cell_always_gives_a_state(raw, kind, unit):
    reading = read_cell(raw, kind, unit)
    assert reading.state in CELL_STATES
    assert (reading.value is not None) == (reading.state == VALUE)
    if reading.state == VALUE and kind == "count":
        assert reading.value == reading.value.to_integral_value()


FULL_WIDTH = str.maketrans("0123456789,.+-", "０１２３４５６７８９，．＋－")
MINUSES = ["-", "−", "—", "–", "―", "‒", "－", "﹣"]


@given(st.integers(-10**12, 10**12), st.booleans(), st.sampled_from(MINUSES), st.sampled_from(["", " ", "\u3000"]))
def test_any_int_reads_back_in_full_width_or_with_a_dash_minus(n, full_width, minus, pad):
    text = f"{n:,}" if abs(n) > 9999 and full_width else str(n)
    text = text.replace("-", minus)
    if full_width:
        text = text.translate(FULL_WIDTH)
    for kind, unit in (("count", None), ("amount", "件"), ("amount", "万元")):
        assert read_cell(pad + text + pad, kind, unit) == Reading(VALUE, Decimal(n))
    assert is_value_like(text)


@given(st.integers(-10**9, 10**9), st.sampled_from(["", "件", "项", "条", "个"]), st.booleans())
def test_wan_multiplies_a_count(n, unit, brackets):
    text = f"{n}万{unit}"
    text = f"{n}(万{unit})" if brackets else text
    assert read_cell(text, "count") == Reading(VALUE, Decimal(n) * 10000)
    assert read_cell(text, "amount", "件").value == Decimal(n) * 10000


@given(st.decimals(-10**8, 10**8, places=4, allow_nan=False, allow_infinity=False),
       st.sampled_from(["万", "万元", "(万元)", "（万元）"]), st.sampled_from(["万元", "元"]))
def test_wan_in_a_money_column_is_the_number_in_wan_yuan(d, written, column):
    assert read_cell(f"{d}{written}", "amount", column) == Reading(VALUE, d)


@given(st.integers(0, 10**9), st.sampled_from(["元", "万元", "(元)", "(万元)"]), st.sampled_from([None, "件"]))
def test_money_in_a_count_column_is_unreadable(n, written, unit):
    assert read_cell(f"{n}{written}", "count", unit).state == UNREADABLE
    assert read_cell(f"{n}{written}", "amount", "件").state == UNREADABLE


@given(st.integers(0, 10**9), st.sampled_from(["件", "个", "条", "项", "家", "次", "万件"]), st.sampled_from(["万元", "元"]))
def test_a_count_in_a_money_column_is_unreadable(n, written, column):
    assert read_cell(f"{n}{written}", "amount", column).state == UNREADABLE


@given(st.one_of(cell_texts, st.text(alphabet="0123456789０１２３万元件—－-−.,/（）() ", max_size=8)))
def test_what_the_interpreter_reads_the_readers_take_for_a_value(text):
    """One grammar: a text read_cell reads as a number, a blank or a mark, is_value_like takes for a value."""
    if read_cell(text, "amount").state in (VALUE, BLANK, NOT_APPLICABLE_STATE):
        assert is_value_like(text)
    if is_value_like(text) and not _SPACED.search(unicodedata.normalize("NFKC", text)):
        assert read_cell(text, "amount").state != UNREADABLE


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(st.lists(cell_texts, max_size=9), max_size=30), min_size=1, max_size=4),
       st.booleans(), st.sampled_from([None, 2019, 2020, 2021, 2024]))
def test_any_cells_give_a_whole_form_or_a_clear_error(tables, has_rows, year):
    doc = Document("fuzz", [Paragraph("标题")] + [
        Table(rows=[[Cell(t) for t in row] for row in rows], has_rows=has_rows) for rows in tables])
    doc.renumber_tables()
    try:
        result = interpret(doc, year)
    except ReadError as exc:
        assert exc.code == "not_a_report"
        return
    keys = [(c.fact_table, *c.coords.values()) for c in result.cells]
    assert len(keys) == len(set(keys))  # every cell once
    # every cell of the report's form, and of the form each table follows
    for table in result.tables:
        wanted = {p.key(table.table) for p in cell_plan(table.table)} | {
            p.key(table.table) for p in cell_plan(result.form.table(table.table.name))}
        assert {p.key(table.table) for p in table.plan} == wanted


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(LABELS), st.text(max_size=15), st.integers(0, 999).map(str)), max_size=80),
       st.sampled_from(["\t", " | ", "\n", "  ", "|"]))
def test_any_text_gives_a_document_or_a_clear_error(pieces, joiner):
    data = joiner.join(pieces).encode("utf-8")
    try:
        doc = read_document(data)
    except ReadError as exc:
        assert exc.code in CODES
        return
    try:
        interpret(doc)
    except ReadError as exc:
        assert exc.code == "not_a_report"


def _mutants(data: bytes, rng: random.Random, text: str | None) -> dict[str, bytes]:
    """Truncations, byte flips, shuffled lines and swapped encodings of one file."""
    out = {f"cut{k}": data[: len(data) * k // 5] for k in (1, 2, 3, 4)}
    for k in range(3):
        flipped = bytearray(data)
        for _ in range(max(1, len(data) // 200)):
            i = rng.randrange(len(flipped))
            flipped[i] ^= 1 << rng.randrange(8)
        out[f"flip{k}"] = bytes(flipped)
    if text is not None:
        lines = text.splitlines()
        rng.shuffle(lines)
        out["shuffled"] = "\n".join(lines).encode("utf-8")
        out["gb18030"] = text.encode("gb18030")
        out["utf16"] = text.encode("utf-16")
        out["utf16_no_bom"] = text.encode("utf-16-le")
        out["latin1_mojibake"] = text.encode("utf-8").decode("latin-1").encode("utf-8")
    return out


SOURCES = [SAMPLES_DIR / f"{s}.txt" for s in SAMPLE_STEMS] + sorted(
    (Path(__file__).parent / "fixtures" / "pdf").glob("00*.pdf"))[:2]


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.name)
def test_mutated_samples_never_crash_the_parser(source, tmp_path):
    rng = random.Random(source.name)
    data = source.read_bytes()
    text = data.decode("utf-8") if source.suffix == ".txt" else None
    for name, mutant in _mutants(data, rng, text).items():
        path = tmp_path / f"{name}{source.suffix}"
        path.write_bytes(mutant)
        out = parse_file(tmp_path, FileRef(path.name, name, len(mutant), 0))
        assert out.ok or out.error_code in CODES, (name, out.error_code, out.error_message)
        if text is not None and name in ("gb18030", "utf16", "utf16_no_bom"):
            assert out.ok, f"{name}: the same report in another encoding must load"
