"""The PDF reader's own versions of pdfplumber's grid steps give pdfplumber's answers: on random grids with
rules missing, merged cells and tables apart, and on the characters of a real-layout fixture page."""

from __future__ import annotations

import itertools
import random

import pypdfium2 as pdfium
import pytest
from pdfplumber.table import cells_to_tables, edges_to_intersections, intersections_to_cells, merge_edges

from pipelines.readers import pdf_pages
from tests.conftest import SAMPLE_STEMS
from tests.readers.test_pdf import pdf_bytes


def _edge(x0: float, top: float, x1: float, bottom: float) -> dict:
    return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0, "height": bottom - top,
            "orientation": "v" if x0 == x1 else "h", "object_type": "line_edge"}


def _random_rules(rng: random.Random) -> list[dict]:
    """Rules of one or two grids: each grid's outer frame, and inner rule segments kept or left out at
    random (merged cells), sometimes one rule running past the next column."""
    edges = []
    for left in rng.sample([20, 320], rng.randint(1, 2)):
        xs = sorted(rng.sample(range(left, left + 280, 10), rng.randint(2, 8)))
        ys = sorted(rng.sample(range(20, 700, 12), rng.randint(2, 12)))
        for j, y in enumerate(ys):
            for a, b in itertools.pairwise(xs):
                if j in (0, len(ys) - 1) or rng.random() < 0.8:
                    edges.append(_edge(a, y, b + (10 if rng.random() < 0.05 else 0), y))
        for k, x in enumerate(xs):
            for a, b in itertools.pairwise(ys):
                if k in (0, len(xs) - 1) or rng.random() < 0.8:
                    edges.append(_edge(x, a, x, b))
    return edges


@pytest.mark.parametrize("seed", range(60))
def test_cells_and_tables_are_pdfplumbers_on_random_grids(seed):
    rng = random.Random(seed)
    edges = merge_edges(_random_rules(rng), 3, 3, 3, 3)
    points = edges_to_intersections(edges, 3, 3)
    cells = pdf_pages._cells(points)
    assert cells == intersections_to_cells(points)
    assert pdf_pages._cells_to_tables(cells) == cells_to_tables(cells)


def test_tables_apart_are_found_apart_in_pdfplumbers_order():
    """Cells touching no other cell's corner make a table of their own; one-cell tables are dropped."""
    a = [(0, 0, 10, 10), (10, 0, 20, 10), (0, 10, 10, 20)]
    b = [(50, 50, 60, 60), (60, 50, 70, 60)]
    lone = [(100, 100, 110, 110)]
    cells = [b[0], a[2], lone[0], a[0], b[1], a[1]]
    assert pdf_pages._cells_to_tables(cells) == cells_to_tables(cells)
    assert len(pdf_pages._cells_to_tables(cells)) == 2


def _char(text: str, x0: float, top: float) -> dict:
    return {"text": text, "x0": x0, "x1": x0 + 8, "top": top, "bottom": top + 10, "doctop": top, "upright": True}


def _in_row(chars: list[dict]) -> list[tuple]:
    return [(i, (c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2, c) for i, c in enumerate(chars)]


def _each_cell_tests_every_char(in_row: list[tuple], cells: list) -> list[list[dict]]:
    """pdfplumber's rule, written plainly: a cell holds the characters whose centre it holds."""
    return [[] if cell is None else [ch for _, h, v, ch in in_row if cell[0] <= h < cell[2] and cell[1] <= v < cell[3]]
            for cell in cells]


@pytest.mark.parametrize("cells", [
    [(0, 0, 30, 20), None, (30, 0, 60, 40), (60, 0, 90, 20)],  # side by side, one taller (merged down)
    [(0, 0, 60, 20), (30, 0, 90, 20)],  # overlapping side by side: each cell tests every character
    [(30, 0, 60, 20), (0, 0, 30, 20)],  # out of order
    [(0, 0, 30, 20), (30, 0, 30, 20), (30, 0, 60, 20)],  # an empty cell between two
])
def test_characters_go_to_the_cells_pdfplumber_puts_them_in(cells):
    rng = random.Random(len(cells))
    chars = [_char(str(k % 10), rng.uniform(-10, 95), rng.uniform(-5, 35)) for k in range(80)]
    in_row = _in_row(chars)
    assert pdf_pages._chars_by_cell(in_row, cells) == _each_cell_tests_every_char(in_row, cells)


@pytest.mark.parametrize("name", [*SAMPLE_STEMS, "unruled"])
def test_text_lines_outside_the_tables_are_the_same_read_either_way(name):
    """Leaving out the lines of characters that lie within a table gives the same lines outside it as
    reading every line and then leaving out those whose middle lies within it."""
    doc = pdfium.PdfDocument(pdf_bytes(name))
    seen = 0
    for i in range(len(doc)):
        page = pdf_pages.read_page(doc, i)
        spans = [(t.bbox[1] - 1, t.bbox[3] + 1) for t in page.find_tables()]
        spans += [(100, 300), (310.5, 311)]  # bands that cut lines, and one no line fits in

        def outside(lines: list[dict], spans=spans) -> list[dict]:
            return [line for line in lines if not any(a <= (line["top"] + line["bottom"]) / 2 <= b for a, b in spans)]

        everything = page.extract_text_lines()
        left_out = page.extract_text_lines(spans)
        assert outside(left_out) == outside(everything), f"page {i + 1}"
        assert len(left_out) < len(everything) or not page.find_tables()
        seen += len(everything)
    assert seen


@pytest.mark.parametrize("seed", range(40))
def test_a_cells_lines_read_as_the_general_line_reading_reads_them(seed):
    """A cell's text over several lines, as `_lines` (pdfplumber's rules, checked against pdfplumber by
    test_pdf.py) reads it: each line of characters one line where its words lie level, the words
    clustered again where they do not (tops that chain, 100 / 102.5 / 105)."""
    rng = random.Random(seed)
    tops = rng.choice([[100, 112, 124], [100, 102.5, 105, 118], [100, 101, 130]])
    chars = [_char(rng.choice("0123456789 规章"), rng.uniform(0, 80), rng.choice(tops) + rng.uniform(-0.4, 0.4))
             for _ in range(rng.randint(2, 30))]
    expected = "\n".join(text for text, _, _ in pdf_pages._lines(chars, preserve_order=False))
    assert pdf_pages._lines_text(chars) == expected
