"""Stitching tables split by pages: repeated heading rows dropped, a row broken over pages rejoined."""

from __future__ import annotations

from pipelines.document.model import Cell, Paragraph, Table
from pipelines.readers.stitch import stitch_tables


def table(*rows: list[str]) -> Table:
    return Table(rows=[[Cell(t, r, c) for c, t in enumerate(row)] for r, row in enumerate(rows)])


def test_heading_repeated_on_next_page_is_dropped_and_broken_row_rejoined():
    first = table(["项目", "数量"], ["1.属于国家", "3"])
    second = table(["项目", "数量"], ["秘密", ""], ["2.其他", "4"])
    out = stitch_tables([first, Paragraph(""), second])
    assert len(out) == 1
    assert [[c.text for c in row] for row in out[0].rows] == [["项目", "数量"], ["1.属于国家\n秘密", "3"], ["2.其他", "4"]]
    assert [row[0].row for row in out[0].rows] == [0, 1, 2]


def test_tables_of_other_widths_or_with_prose_between_stay_apart():
    a, b = table(["a", "1"]), table(["b", "2", "3"])
    assert len(stitch_tables([a, b])) == 2
    assert len(stitch_tables([table(["a", "1"]), Paragraph("三、收到和处理政府信息公开申请情况"), table(["b", "2"])])) == 3
