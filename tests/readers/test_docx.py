"""Word .docx: merged cells, vertical and multi-paragraph headers, a table split over two pages, nested
tables, and spans bounded (clamped, or refused as `malformed`)."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from docx import Document as new_docx

from pipelines.readers import ReadError, read_document
from pipelines.readers.spans import MAX_GRID_CELLS, MAX_SPAN, MAX_TABLE_DEPTH
from tests.conftest import SAMPLE_STEMS
from tests.fixtures.layout import SPLIT_SAMPLE, build_docx
from tests.readers.formats import facts, truth


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
def test_docx_gives_the_same_cells_as_the_text(stem):
    assert facts(build_docx(stem)) == truth(stem)


def test_split_table_is_stitched_and_repeated_heading_dropped():
    data = build_docx(SPLIT_SAMPLE)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.read("word/document.xml").count(b"<w:tbl>") == 4
    doc = read_document(data)
    assert len(doc.tables) == 3
    texts = [c.text for c in doc.tables[1].cells]
    assert texts.count("申请人情况") == 1
    assert sum(1 for t in texts if t.startswith("5.要求行政机关确认")) == 1


def test_merged_cells_hold_their_text_once_and_keep_columns_aligned():
    doc = read_document(build_docx("003_4a81d0f783bbd2ce"))
    table_b = doc.tables[1]
    assert {len(row) for row in table_b.rows} == {10}
    caption = [c for c in table_b.cells if c.text.startswith("（本列数据")]
    assert len(caption) == 1 and (caption[0].row, caption[0].col) == (0, 0)
    assert all(c.merged for c in table_b.rows[0][1:3])
    assert "自\n然\n人" in [c.text for c in table_b.cells]


def test_paragraphs_in_order_and_headers_footers_ignored():
    doc = read_document(build_docx("000_957511648368b9cb"))
    kinds = ["T" if hasattr(b, "rows") else "P" for b in doc.blocks if not hasattr(b, "text") or b.text]
    assert "".join(kinds).count("T") == 3
    assert doc.paragraphs[0] == "新碶街道办事处2020年度政府信息公开工作年度报告"
    assert not any("页眉" in p or p == "第 1 页" for p in doc.paragraphs)


def _docx(build) -> bytes:
    document = new_docx()
    build(document)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


@pytest.mark.parametrize("data,code", [
    pytest.param(b"PK\x03\x04" + b"\x00" * 100, "corrupt_docx", id="corrupt-zip"),
    pytest.param(build_docx("003_4a81d0f783bbd2ce")[:5000], "corrupt_docx", id="truncated"),
    pytest.param(_docx(lambda d: d.add_paragraph("本报告的统计表以图片形式附后。")), "no_tables", id="no-tables"),
])
def test_bad_docx_gets_a_stable_code(data, code):
    with pytest.raises(ReadError) as err:
        read_document(data)
    assert err.value.code == code
    assert err.value.source_format == "docx"


def test_docx_whose_tables_are_tab_text_paragraphs():
    lines = ["二、主动公开政府信息情况", "\t第二十条第（一）项", "", "\t信息内容", "\t本年制发件数",
             "\t本年废止件数", "\t现行有效件数", "", "\t规章", "\t1", "\t0", "\t3"]
    data = _docx(lambda d: [d.add_paragraph(line) for line in lines])
    doc = read_document(data)
    assert doc.source_format == "docx" and len(doc.tables) == 1
    got = facts(data)
    assert got[("fact_proactive", "art20_1", "regulation", "in_force")] == (3.0, "value", "3")


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _word(body: str) -> bytes:
    """A minimal .docx (deflated) whose body is the given WordprocessingML."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("word/document.xml", f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>')
    return buf.getvalue()


def _tc(text: str = "", props: str = "") -> str:
    return f"<w:tc>{f'<w:tcPr>{props}</w:tcPr>' if props else ''}<w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def _tbl(*rows: str, row_props: str = "") -> str:
    tr_pr = f"<w:trPr>{row_props}</w:trPr>" if row_props else ""
    return "<w:tbl>" + "".join(f"<w:tr>{tr_pr}{row}</w:tr>" for row in rows) + "</w:tbl>"


def test_a_huge_grid_span_is_clamped_not_built():
    data = _word(_tbl(_tc("a", '<w:gridSpan w:val="3000000"/>') + _tc("b")))
    assert len(data) < 400
    table = read_document(data).tables[0]
    assert len(table.cells) == MAX_SPAN + 1
    assert [(c.text, c.col, c.merged) for c in table.cells if not c.merged] == [("a", 0, False), ("b", MAX_SPAN, False)]


def test_spans_that_multiply_past_the_budget_are_malformed():
    # 301 cells of 1000 columns each: 301,000 positions from a file of about a kilobyte.
    data = _word(_tbl(_tc("", '<w:gridSpan w:val="1000"/>') * 301))
    assert len(data) < 2000
    with pytest.raises(ReadError) as err:
        read_document(data)
    assert err.value.code == "malformed" and err.value.source_format == "docx"
    assert "cells" in err.value.message


def test_many_tables_share_one_budget():
    one = _tbl(_tc("1", '<w:gridSpan w:val="1000"/>'))
    with pytest.raises(ReadError) as err:
        read_document(_word((one + "<w:p/>") * (MAX_GRID_CELLS // 1000 + 1)))
    assert err.value.code == "malformed"


@pytest.mark.parametrize("value", ["x", "3.5", "", "1e3", "0x10", "３"])
@pytest.mark.parametrize("where", ["gridSpan", "gridBefore"])
def test_a_span_that_is_no_integer_is_malformed(where, value):
    if where == "gridSpan":
        body = _tbl(_tc("1", f'<w:gridSpan w:val="{value}"/>'))
    else:
        body = _tbl(_tc("1"), row_props=f'<w:gridBefore w:val="{value}"/>')
    with pytest.raises(ReadError) as err:
        read_document(_word(body))
    assert err.value.code == "malformed"
    assert f"w:{where}" in err.value.message


def test_negative_and_zero_spans_are_clamped():
    body = _tbl(_tc("a", '<w:gridSpan w:val="-5"/>') + _tc("b", '<w:gridSpan w:val="0"/>') + _tc("c"),
                row_props='<w:gridBefore w:val="-3"/>')
    table = read_document(_word(body)).tables[0]
    assert [(c.text, c.col) for c in table.cells] == [("a", 0), ("b", 1), ("c", 2)]
    before = _tbl(_tc("a"), row_props='<w:gridBefore w:val=" 2 "/>')
    assert read_document(_word(before)).tables[0].cells[0].col == 2


@pytest.mark.parametrize("val,merged", [(None, True), ("continue", True), ("Continue", True), ("restart", False),
                                        ("bogus", False), ("", False)])
def test_vmerge_continues_only_when_it_says_so(val, merged):
    vmerge = '<w:vMerge w:val="restart"/>'
    below = "<w:vMerge/>" if val is None else f'<w:vMerge w:val="{val}"/>'
    table = read_document(_word(_tbl(_tc("head", vmerge) + _tc("1"), _tc("kept", below) + _tc("2")))).tables[0]
    cell = table.rows[1][0]
    assert cell.merged == merged
    assert cell.text == ("" if merged else "kept")


def _wrap_tables(data: bytes, wrap) -> bytes:
    """The same .docx with each top-level table replaced by wrap(table_xml)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = src.read(info.filename)
            if info.filename == "word/document.xml":
                member = re.sub(r"<w:tbl>.*?</w:tbl>", lambda m: wrap(m.group(0)), member.decode(),
                                flags=re.DOTALL).encode()
            dst.writestr(info, member)
    return out.getvalue()


def _frame(inner: str) -> str:
    """A one-cell frame table holding a caption paragraph and the table."""
    return f"<w:tbl><w:tr><w:tc><w:p><w:r><w:t>表框</w:t></w:r></w:p>{inner}</w:tc></w:tr></w:tbl>"


def _layout(inner: str) -> str:
    """A two-column layout table (a side note left, the table in a frame right): two levels deep."""
    return f"<w:tbl><w:tr>{_tc('侧栏')}<w:tc><w:p/>{_frame(inner)}</w:tc></w:tr></w:tbl>"


@pytest.mark.parametrize("wrap", [_frame, _layout], ids=["frame", "layout"])
def test_nested_tables_are_read_through_their_frames(wrap):
    stem = "003_4a81d0f783bbd2ce"
    data = _wrap_tables(build_docx(stem), wrap)
    doc = read_document(data)
    assert len(doc.tables) == 3
    assert doc.paragraphs.count("表框") == 3
    assert facts(data) == truth(stem)


def _nested(levels: int) -> str:
    body = _tbl(_tc("12") + _tc("34"))
    for _ in range(levels - 1):
        body = f"<w:tbl><w:tr><w:tc>{body}</w:tc></w:tr></w:tbl>"
    return body


def test_nesting_is_bounded():
    doc = read_document(_word(_nested(MAX_TABLE_DEPTH)))
    assert [c.text for c in doc.tables[0].cells] == ["12", "34"]
    with pytest.raises(ReadError) as err:
        read_document(_word(_nested(MAX_TABLE_DEPTH + 1)))
    assert err.value.code == "malformed"
