"""Text copies that collapsed a page's whitespace: every cell of a table run together on one line.

A crawler that keeps a page's text but drops its markup writes `规章000规范性文件3336第二十条第（五）项…`:
no separator between cells, labels glued to each other and to the digits after them. Nothing in the
text says where one cell ends. The reader cuts the line where text turns into digits and back, and
hands the pieces on marked `joined` — which label pieces and how many numbers each digit run holds is
for the forms to say (they know the labels and the arithmetic), or to leave unread. Sentences of prose
(those with few numbers) stay paragraphs.
"""

from __future__ import annotations

import re

from pipelines.document.model import Cell, Document, Paragraph
from pipelines.readers.builder import CellBudget, TableBuilder
from pipelines.readers.lines import split_lines

FORMAT = "glued_text"
# A sentence (no 。 in it) this long holding this many runs of digits, one every few characters, is a
# table whose cells ran together; prose states a number now and then.
MIN_GLUED_SENTENCE_CHARS = 300
MIN_GLUED_RUNS = 30
MAX_CHARS_PER_RUN = 40
_SENTENCE = re.compile(r"(?<=[。；！？])")
# A number as it stands in the run: digits with a sign, decimals, a unit; spaces separate numbers.
_NUMBER_RUN = re.compile(r"[+\-−]?\d+(?:\.\d+)?(?:[+\-−]\d+(?:\.\d+)?)*(?:万元|元)?")
# Digits right before `2.` / `3、` and a label: the last digit numbers the next row, not a cell.
_NUMBERING = re.compile(r"(\d)[.、．](?=[^\d\s])")
# A number followed by one of these is a date or a count in a sentence, never a table cell.
_PROSE_UNIT = re.compile(r"[年月日号条件个次份人项家%％]")
# After a run-together table, a sentence with this many numbers is more of it (a table that a
# sentence of prose interrupted).
MIN_TABLE_RUNS = 4


def _is_glued(sentence: str) -> bool:
    runs = len(_NUMBER_RUN.findall(sentence))
    return (len(sentence) >= MIN_GLUED_SENTENCE_CHARS and runs >= MIN_GLUED_RUNS
            and len(sentence) / runs <= MAX_CHARS_PER_RUN)


def _glued_lines(lines: list[str]) -> list[str]:
    return [ln for ln in lines if len(ln) >= MIN_GLUED_SENTENCE_CHARS and any(_is_glued(s) for s in _SENTENCE.split(ln))]


def score(lines: list[str]) -> float:
    """1.0 when a long line runs text and digits together over and over: a collapsed table."""
    return 1.0 if _glued_lines(lines) else 0.0


def _pieces(text: str) -> list[tuple[str, bool]]:
    """Given a table's run-together text, return (piece, is_number) in order: digit runs (split at
    spaces) and the text between them (labels run together)."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for m in _NUMBER_RUN.finditer(text):
        start, end = m.start(), m.end()
        number = m.group(0)
        if _PROSE_UNIT.match(text, end):
            continue  # `2021年`, `3条`: prose, not a cell
        numbering = _NUMBERING.match(text, max(start, end - 1))
        if numbering is not None and numbering.start() == end - 1 and len(number) > 1:
            # `00000002.其他法律…`: the last digit opens the next row's label.
            number, end = number[:-1], end - 1
        elif numbering is not None and numbering.start() == end - 1:
            continue  # a label's own numbering (`2.其他`), part of the text
        if start > pos:
            out.append((text[pos:start], False))
        out.append((number, True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    merged: list[tuple[str, bool]] = []
    for piece, is_number in out:
        if not is_number and merged and not merged[-1][1]:
            merged[-1] = (merged[-1][0] + piece, False)
        else:
            merged.append((piece, is_number))
    return merged


def read(text: str) -> Document:
    """Given a text copy with run-together tables, return its prose as paragraphs and each table as a
    stream of joined pieces (rows unmarked; empty cells leave no trace)."""
    doc = Document(FORMAT)
    budget = CellBudget()
    for line in split_lines(text):
        if not line.strip():
            continue
        if line not in _glued_lines([line]):
            doc.blocks.append(Paragraph(line.strip()))
            continue
        for sentence in _SENTENCE.split(line):
            if not sentence.strip():
                continue
            pieces = _pieces(sentence)
            if not _is_glued(sentence) and sum(1 for _, n in pieces if n) < MIN_TABLE_RUNS:
                doc.blocks.append(Paragraph(sentence.strip()))
                continue
            stream = TableBuilder(doc, has_rows=False, keeps_empty_cells=False, budget=budget)
            for piece, is_number in pieces:
                for part in (piece.split() if is_number else [piece]):
                    if part.strip():
                        stream.add_cell(Cell(part.strip(), joined=True))
            stream.close()
    doc.renumber_tables()
    return doc
