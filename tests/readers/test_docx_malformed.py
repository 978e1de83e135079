"""Malformed structure through the whole pipeline: parse_file quarantines it as `malformed`, never as
`parser_crash`, and never builds an unbounded grid. The HTML reader shares the bounds (readers.spans)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.ingest.parse import FileRef, parse_file
from pipelines.readers import read_document
from pipelines.readers.spans import MAX_GRID_CELLS, MAX_SPAN, MAX_TABLE_DEPTH
from tests.fixtures.layout import build_docx
from tests.readers.test_docx import _frame, _nested, _tbl, _tc, _word, _wrap_tables

MALFORMED = {
    "grid_span_x": _word(_tbl(_tc("1", '<w:gridSpan w:val="x"/>'))),
    "grid_before_abc": _word(_tbl(_tc("1"), row_props='<w:gridBefore w:val="abc"/>')),
    "spans_past_the_budget": _word(_tbl(_tc("", f'<w:gridSpan w:val="{MAX_SPAN}"/>') * 301)),
    "nested_too_deep": _word(_nested(MAX_TABLE_DEPTH + 1)),
}


def _parse(tmp_path: Path, name: str, data: bytes):
    (tmp_path / name).write_bytes(data)
    return parse_file(tmp_path, FileRef(name, f"sha-{name}", len(data), 0))


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_docx_is_quarantined_as_malformed(tmp_path, name):
    out = _parse(tmp_path, f"{name}.docx", MALFORMED[name])
    assert not out.ok
    assert (out.error_code, out.source_format) == ("malformed", "docx"), out.error_message
    assert out.error_message.endswith(".") and "Traceback" not in out.error_message


def test_a_real_report_with_one_bad_span_is_malformed(tmp_path):
    data = _wrap_tables(build_docx("003_4a81d0f783bbd2ce"),
                        lambda t: t.replace("<w:tcPr>", '<w:tcPr><w:gridSpan w:val="二"/>', 1))
    out = _parse(tmp_path, "report.docx", data)
    assert out.error_code == "malformed"


def test_a_huge_span_alone_is_clamped_and_the_file_judged_on_its_content(tmp_path):
    out = _parse(tmp_path, "span.docx", _word(_tbl(_tc("a", '<w:gridSpan w:val="3000000"/>'))))
    assert out.error_code == "not_a_report"  # a table of one word: read (1000 positions), then no report


def test_a_report_in_frame_tables_loads(tmp_path):
    out = _parse(tmp_path, "framed.docx", _wrap_tables(build_docx("003_4a81d0f783bbd2ce"), _frame))
    assert out.ok, out.error_message
    assert not any(f.startswith("tables_missing") for f in out.meta.flags)


def test_html_spans_past_the_budget_are_malformed(tmp_path):
    rows = "".join(f'<tr><td colspan="{MAX_SPAN}">{i}</td></tr>' for i in range(MAX_GRID_CELLS // MAX_SPAN + 1))
    page = f"<html><body><table>{rows}</table></body></html>".encode()
    out = _parse(tmp_path, "spans.html", page)
    assert (out.error_code, out.source_format) == ("malformed", "html")


def test_html_rowspan_past_the_table_costs_nothing():
    cells = "".join(f'<td rowspan="{MAX_SPAN}" colspan="{MAX_SPAN}">{i}</td>' for i in range(200))
    doc = read_document(f"<html><body><table><tr>{cells}</tr></table></body></html>".encode())
    assert len(doc.tables[0].cells) == 200 * MAX_SPAN


def test_html_spans_keep_their_browser_reading():
    page = ('<html><body><table><tr><td colspan="x">a</td><td colspan=" 2 ">b</td><td>c</td></tr>'
            '<tr><td colspan="-1">1</td><td colspan="99999999999999999999">2</td></tr></table></body></html>')
    rows = read_document(page.encode()).tables[0].rows
    assert [(c.text, c.col, c.merged) for c in rows[0]] == [("a", 0, False), ("b", 1, False), ("", 2, True),
                                                             ("c", 3, False)]
    assert len(rows[1]) == 1 + MAX_SPAN
