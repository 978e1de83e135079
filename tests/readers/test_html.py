"""HTML pages: rowspan/colspan, <br> in cells, layout tables, charset, scripts and navigation ignored."""

from __future__ import annotations

import pytest

from pipelines.forms.interpreter import interpret
from pipelines.readers import ReadError, read_document
from tests.conftest import SAMPLE_STEMS
from tests.fixtures.layout import build_html
from tests.readers.formats import facts, truth


@pytest.mark.parametrize("stem", SAMPLE_STEMS)
@pytest.mark.parametrize("charset", ["utf-8", "gbk"])
def test_html_gives_the_same_cells_as_the_text(stem, charset):
    assert facts(build_html(stem, charset)) == truth(stem)


def test_spans_resolved_and_br_kept_as_line_break():
    doc = read_document(build_html("002_5ff8cf655acdf111"))
    table_b = doc.tables[1]
    assert {len(row) for row in table_b.rows} == {10}
    assert "自\n然\n人" in [c.text for c in table_b.cells]
    assert sum(1 for c in table_b.cells if c.text == "申请人情况") == 1


def test_scripts_navigation_and_footer_are_not_content():
    doc = read_document(build_html("000_957511648368b9cb"))
    assert doc.paragraphs[0] == "新碶街道办事处2020年度政府信息公开工作年度报告"
    assert not any("首页" in p or "网站标识码" in p or "document.title" in p for p in doc.paragraphs)
    assert len(doc.tables) == 3


def test_txt_file_that_is_really_html_is_read_as_html():
    doc = read_document(build_html("003_4a81d0f783bbd2ce"))
    assert doc.source_format == "html"


def test_html_without_the_forms_is_not_a_report():
    page = "<html><head><meta charset='utf-8'></head><body><p>通知</p><table><tr><td>a</td></tr></table></body></html>"
    with pytest.raises(ReadError) as err:
        interpret(read_document(page.encode()))
    assert err.value.code == "not_a_report"
