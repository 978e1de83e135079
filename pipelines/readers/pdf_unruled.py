"""Tables drawn without rules, rebuilt from where the words sit on the page.

Numbers line up in columns: their x-centres, clustered, give a table's value columns; whatever lies
left of them is the row label. A line with numbers starts a row. A line without numbers just below
a row (closer than a line and a half) continues it: a wrapped label, or a header written over two
lines. Single characters left of the labels are vertically written group labels (三、本年度办理结果),
attached to the nearest row. Long lines and part headings are prose and end the table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipelines.document.cells import is_value_like
from pipelines.document.model import Cell, Table

COLUMN_TOLERANCE = 9.0
MIN_COLUMN_WORDS = 2
CONTINUATION_LINES = 1.45
LINE_TOLERANCE = 2.0
PROSE_CHARS = 25
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+|\d+)\s*[、.．]\s*\S{4,}")


@dataclass
class _Line:
    top: float
    bottom: float
    words: list[dict]

    @property
    def text(self) -> str:
        return " ".join(w["text"] for w in sorted(self.words, key=lambda w: w["x0"]))


@dataclass
class _Row:
    top: float
    numeric: bool
    label: list[dict] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)
    last_top: float = 0.0


def _lines(words: list[dict]) -> list[_Line]:
    lines: list[_Line] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1].top - w["top"]) <= LINE_TOLERANCE:
            lines[-1].words.append(w)
            lines[-1].bottom = max(lines[-1].bottom, w["bottom"])
        else:
            lines.append(_Line(w["top"], w["bottom"], [w]))
    return lines


def _is_number(word: dict) -> bool:
    return bool(word["text"].strip()) and is_value_like(word["text"])


def _is_prose(line: _Line) -> bool:
    text = line.text
    return not any(_is_number(w) for w in line.words) and (
        len(text.replace(" ", "")) >= PROSE_CHARS or bool(_HEADING.match(text)))


def _columns(rows_words: list[dict], min_words: int) -> list[float]:
    centers = sorted((w["x0"] + w["x1"]) / 2 for w in rows_words)
    clusters: list[list[float]] = []
    for c in centers:
        if clusters and c - clusters[-1][-1] <= COLUMN_TOLERANCE:
            clusters[-1].append(c)
        else:
            clusters.append([c])
    return [sum(cl) / len(cl) for cl in clusters if len(cl) >= min_words]


def _segments(lines: list[_Line]) -> list[list[_Line]]:
    """Split a table region where a heading row follows numbers: each block of a form table has its
    own columns (table A's blocks have three, two or one), so columns are found per block."""
    segments: list[list[_Line]] = [[]]
    seen_numbers = False
    for line in lines:
        numeric = any(_is_number(w) for w in line.words)
        heading_row = not numeric and not all(len(w["text"]) <= 2 for w in line.words)
        if heading_row and seen_numbers and segments[-1]:
            gap = line.top - segments[-1][-1].top
            height = line.bottom - line.top
            if gap > CONTINUATION_LINES * height:
                segments.append([])
                seen_numbers = False
        segments[-1].append(line)
        seen_numbers = seen_numbers or numeric
    return [seg for seg in segments if seg]


def _extent(words: list[dict], page_no: int) -> tuple[int, float, float, float, float] | None:
    """Given words on a page, return the box around them (a cell's `box`), or None without words."""
    if not words:
        return None
    return (page_no, min(w["x0"] for w in words), min(w["top"] for w in words), max(w["x1"] for w in words),
            max(w["bottom"] for w in words))


def _confidence(words: list[dict]) -> float | None:
    """The confidence of a cell made of words read by OCR (they carry the engine's `score`): the lowest
    of theirs; None for words from a text layer, and for no words."""
    scores = [w["score"] for w in words if w.get("score") is not None]
    return min(scores) if scores else None


def _rows(lines: list[_Line], r0: int, page_no: int = 0) -> list[list[Cell]] | None:
    """Given the lines of one block, return its grid rows (numbered from r0), or None without numbers."""
    numbers = [w for line in lines for w in line.words if _is_number(w)]
    numeric_lines = sum(1 for line in lines if any(_is_number(w) for w in line.words))
    columns = _columns(numbers, min(MIN_COLUMN_WORDS, numeric_lines))
    if not columns:
        return None
    value_left = min(w["x0"] for w in numbers if min(abs((w["x0"] + w["x1"]) / 2 - c) for c in columns)
                     <= COLUMN_TOLERANCE) - 2
    height = sorted(line.bottom - line.top for line in lines)[len(lines) // 2]
    rows: list[_Row] = []
    fragments: list[dict] = []
    for line in lines:
        in_values = [w for w in line.words if w["x1"] > value_left]
        in_labels = [w for w in line.words if w["x1"] <= value_left]
        numeric = any(_is_number(w) for w in in_values)
        prev = rows[-1] if rows else None
        close = prev is not None and line.top - prev.last_top <= CONTINUATION_LINES * height
        if numeric:
            rows.append(_Row(line.top, True, in_labels, in_values, line.top))
        elif in_labels and not in_values and all(len(w["text"]) <= 2 for w in in_labels) and not close:
            fragments.extend(in_labels)
        elif close and (not prev.numeric or not in_values):
            prev.label.extend(in_labels)
            prev.values.extend(in_values)
            prev.last_top = line.top
        else:
            rows.append(_Row(line.top, False, in_labels, in_values, line.top))
    first_top = rows[0].top if rows else 0.0
    leading = [w for w in fragments if w["top"] < first_top - LINE_TOLERANCE]
    if leading:  # the end of a label broken by the page break above: a row of its own, rejoined when stitching
        rows.insert(0, _Row(leading[0]["top"], False, leading, [], leading[-1]["top"]))
    for w in fragments:
        if w in leading:
            continue
        nearest = min(rows, key=lambda r: abs(r.top - w["top"]), default=None)
        if nearest is not None:
            nearest.label.append(w)
    grid: list[list[Cell]] = []
    has_labels = any(row.label for row in rows)  # table C has no label column
    for i, row in enumerate(rows):
        r = r0 + i
        label = "".join(w["text"] for w in sorted(row.label, key=lambda w: (round(w["x0"] / 4), w["top"])))
        cells = [Cell(label, r, 0, box=_extent(row.label, page_no), confidence=_confidence(row.label))] if has_labels else []
        by_column: dict[int, list[dict]] = {}
        for w in row.values:
            center = (w["x0"] + w["x1"]) / 2
            col = min(range(len(columns)), key=lambda k: abs(columns[k] - center))
            by_column.setdefault(col, []).append(w)
        if row.numeric or by_column:
            for c in range(len(columns)):
                words = sorted(by_column.get(c, []), key=lambda w: (w["top"], w["x0"]))
                cells.append(Cell("\n".join(w["text"] for w in words), r, c + 1, box=_extent(words, page_no),
                                  confidence=_confidence(words)))
        grid.append(cells)
    return grid


def _table(lines: list[_Line], page_no: int = 0) -> Table | None:
    """Given the lines of one table region, return the table, or None when it holds no numbers."""
    grid: list[list[Cell]] = []
    for segment in _segments(lines):
        rows = _rows(segment, len(grid), page_no)
        if rows is None:
            grid.extend([Cell(line.text, len(grid) + i, 0, box=_extent(line.words, page_no),
                              confidence=_confidence(line.words))]
                        for i, line in enumerate(segment))
        else:
            grid.extend(rows)
    if not any(len(row) > 1 for row in grid):
        return None
    region = _extent([w for line in lines for w in line.words], page_no)
    return Table(rows=grid, regions=[(page_no, region[1:])] if region else [])


def page_words(page) -> list[dict]:
    """The words a page's tables without rules are rebuilt from."""
    return page.extract_words(x_tolerance=1.5, y_tolerance=LINE_TOLERANCE, keep_blank_chars=False)


def items_from_words(words: list[dict], page_no: int) -> list[tuple[float, object]]:
    """Given a page's words (pdfplumber-style dicts: text, x0, x1, top, bottom in points; the OCR reader
    gives the boxes it read), return (top, Table | line text) in reading order."""
    items: list[tuple[float, object]] = []
    region: list[_Line] = []

    def close() -> None:
        if not region:
            return
        table = _table(region, page_no)
        if table is not None:
            items.append((region[0].top, table))
        else:
            items.extend((line.top, line.text) for line in region)
        region.clear()

    for line in _lines(words):
        if _is_prose(line):
            close()
            items.append((line.top, line.text))
        else:
            region.append(line)
    close()
    return items
