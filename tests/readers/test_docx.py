"""Word .docx: merged cells, vertical and multi-paragraph headers, a table split over two pages."""

from __future__ import annotations

import io
import zipfile

import pytest
from docx import Document as new_docx

from pipelines.readers import ReadError, read_document
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
