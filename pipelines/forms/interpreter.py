"""Lay a document's tables onto a form: every cell of the form, with its state and raw text.

The document's tables are read as one sequence of tokens (cells in document order, with row
starts where the layout marks rows). Labels, never offsets, say where a form table begins, which
block and row a number belongs to, and which column: the header's labels where present, a
column's place among the form's columns where its header cell is empty, and the form's own
arithmetic (a block's total column = the sum of the others) where the order is in doubt.

Nothing here names a table: what differs between tables is the forms' data (forms/spec.py) — a
table of labelled rows or one read by its header, a block's total column, its column groups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from pipelines.document.cells import BLANK, MISSING, VALUE, is_value_like, read_cell
from pipelines.document.model import Document, ReadError
from pipelines.forms.catalog import CLOSING_HEADINGS, FORMS, form_for_year
from pipelines.forms.index import ANCHOR, COLUMN, FURNITURE, GROUP, HEADER, ROW, LabelIndex, form_evidence
from pipelines.forms.labels import normalize
from pipelines.forms.plan import cell_plan
from pipelines.forms.spec import Block, Form, FormColumn, FormTable

HEADER_KINDS = (HEADER,)


class Token(NamedTuple):
    """A cell of the document with where it was: table ordinal, row (None in a stream), cell ordinal.

    A named tuple: a report has hundreds and a tuple is built several times faster than a dataclass.
    """

    text: str
    table: int
    row: int | None
    cell: int
    row_start: bool = False


@dataclass(slots=True)
class FactCell:
    fact_table: str
    coords: dict[str, str]
    unit: str | None
    value: Decimal | None
    state: str
    raw_text: str | None
    src: Token | None
    row_label: str | None
    column_label: str | None


@dataclass(slots=True)
class Leftover:
    """A non-empty cell the form has no place for (an agency's own row, a cell past the last column)."""

    table_name: str
    row_label: str | None
    column_label: str | None
    raw_text: str
    src: Token


@dataclass(slots=True)
class TableCells:
    """Every cell of one form table, in the form's order (blocks, rows, columns), as parallel lists.

    Columnar because a report has ~200 cells and a corpus millions: the coordinates are the form's
    (`cell_plan`), so only what the document said is kept per cell.
    """

    table: FormTable
    raw_text: list[str | None] = field(default_factory=list)
    state: list[str] = field(default_factory=list)
    value: list[Decimal | int | None] = field(default_factory=list)
    src: list[Token | None] = field(default_factory=list)
    row_label: list[str | None] = field(default_factory=list)
    column_label: list[str | None] = field(default_factory=list)

    def add(self, tok: Token | None, reading_unit: str | None, row_label: str | None,
            column_label: str | None, dropped: bool = False) -> None:
        if tok is None:
            raw, state, value = None, BLANK if dropped else MISSING, None
        else:
            raw = tok.text
            reading = read_cell(raw, self.table.value_kind, reading_unit)
            state, value = (BLANK if dropped else reading.state), reading.value
            if value is not None and self.table.value_kind == "count":
                value = int(value)
        self.raw_text.append(raw)
        self.state.append(state)
        self.value.append(value)
        self.src.append(tok)
        self.row_label.append(row_label)
        self.column_label.append(column_label)


@dataclass(slots=True)
class Interpretation:
    form: Form
    tables: list[TableCells]
    unmapped: list[Leftover]
    tables_found: list[str]
    form_basis: str

    @property
    def cells(self) -> list[FactCell]:
        """The cells one by one with their coordinates (for inspection and tests; loading uses `tables`)."""
        out = []
        for t in self.tables:
            for i, planned in enumerate(cell_plan(t.table)):
                out.append(FactCell(t.table.fact_table, planned.coords, planned.unit, t.value[i], t.state[i],
                                    t.raw_text[i], t.src[i], t.row_label[i], t.column_label[i]))
        return out


@dataclass(slots=True)
class _ParsedRow:
    block: int
    line: int | None  # None: a row the form does not have
    label: Token
    values: list[Token] = field(default_factory=list)


def tokens_of(doc: Document) -> list[Token]:
    """Given a document, return its table cells in order (merged grid positions left out)."""
    out: list[Token] = []
    for table in doc.tables:
        for r, row in enumerate(table.rows):
            first = True
            for c, cell in enumerate(row):
                if cell.merged:
                    continue
                out.append(Token(cell.text, table.index, r if table.has_rows else None, c,
                                 row_start=first and table.has_rows))
                first = False
    return out


def choose_form(tokens: list[Token], year_hint: int | None, forms: tuple[Form, ...] = FORMS) -> tuple[Form, str]:
    """Given the document's cells, return the form its labels name (else the year's form) and why."""
    keys = [normalize(t.text) for t in tokens if not is_value_like(t.text)]
    scores = [(form_evidence(form, keys), form) for form in forms]
    scores.sort(key=lambda s: s[0], reverse=True)
    if scores[0][0] > (scores[1][0] if len(scores) > 1 else 0):
        return scores[0][1], f"labels ({scores[0][0]} found)"
    if year_hint is not None:
        return form_for_year(year_hint, forms), "report year"
    return max(forms, key=lambda f: f.first_year), "default"


@dataclass(frozen=True)
class _FormIndexes:
    """A form's label indexes: one per table for reading it, one per table for finding where it starts."""

    reading: dict[str, LabelIndex]
    starts: dict[str, LabelIndex]


# By form identity (a Form's hash walks every label); built once per process, they hold only form data.
_INDEXES: dict[int, tuple[Form, _FormIndexes]] = {}


def _indexes(form: Form) -> _FormIndexes:
    cached = _INDEXES.get(id(form))
    if cached is None or cached[0] is not form:
        cached = (form, _FormIndexes(
            reading={t.name: LabelIndex(t, header_labels=t.header_labels) for t in form.tables},
            starts={t.name: LabelIndex(t, header_labels=t.starts) for t in form.tables},
        ))
        _INDEXES[id(form)] = cached
    return cached[1]


def _segments(form: Form, tokens: list[Token]) -> list[tuple[FormTable, list[Token]]]:
    """Given all tokens, return each form table found with its tokens, in document order."""
    starts: list[tuple[int, FormTable]] = []
    start_indexes = _indexes(form).starts
    for table in form.tables:
        index = start_indexes[table.name]
        for i, tok in enumerate(tokens):
            if not is_value_like(tok.text) and index.lookup(tok.text, (HEADER,)):
                starts.append((i, table))
                break
    starts.sort(key=lambda s: s[0])
    closing = {normalize(h) for h in CLOSING_HEADINGS}
    last = starts[-1][0] if starts else 0
    tail = next((i for i in range(last, len(tokens)) if normalize(tokens[i].text) in closing), len(tokens))
    out = []
    for n, (i, table) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else tail
        begin = 0 if n == 0 else i
        out.append((table, tokens[begin:end]))
    return out


def _label_text(tok: Token | None) -> str | None:
    return tok.text if tok is not None else None


class _BlockReader:
    """Reads a table made of labelled rows (tables A and B) from its tokens."""

    def __init__(self, table: FormTable, index: LabelIndex) -> None:
        self.table = table
        self.index = index
        self.rows: list[_ParsedRow] = []
        self.leftovers: list[Leftover] = []
        self.block = 0
        self.slots: dict[int, list[Token | None]] = {}
        self.collecting: list[Token | None] | None = None
        self.current: _ParsedRow | None = None
        self.row_has_label = False

    def _finish(self) -> None:
        if self.current is not None:
            self.rows.append(self.current)
        self.current = None

    def _start_header(self) -> None:
        self._finish()
        self.collecting = []
        self.slots[self.block] = self.collecting

    def feed(self, tokens: list[Token]) -> None:
        for tok in tokens:
            if tok.row_start:
                self._finish()
                self.collecting = None
                self.row_has_label = False
            text = tok.text
            if is_value_like(text):
                if self.current is not None:
                    self.current.values.append(tok)
                elif self.collecting is not None:
                    self.collecting.append(tok if text.strip() else None)
                elif text.strip():
                    self.leftovers.append(Leftover(self.table.name, None, None, text, tok))
                continue
            if self.current is not None and tok.row is not None and self.row_has_label and self.current.values:
                # In a grid row, text after the row's numbers is a value that is no number.
                self.current.values.append(tok)
                continue
            if self.index.lookup(text, HEADER_KINDS) is not None:
                self._start_header()
                continue
            hit = self.index.lookup(text, (ANCHOR, ROW, GROUP, FURNITURE))
            column = self.index.lookup(text, (COLUMN,), self.block)
            if self.collecting is not None and column is not None and (hit is None or hit.kind != ANCHOR):
                self.collecting.append(tok)
            elif hit is not None and hit.kind == ANCHOR:
                self._finish()
                self.block = hit.block
                self.collecting = None
            elif hit is not None and hit.kind == ROW:
                self._finish()
                self.collecting = None
                self.block = hit.block
                self.current = _ParsedRow(hit.block, hit.line, tok)
                self.row_has_label = True
            elif hit is not None:  # group heading or furniture: no number of its own
                if self.current is not None and (self.current.values or tok.row is None):
                    self._finish()
            elif column is not None and self.current is None:
                if self.collecting is None:
                    self.collecting = []
                    self.slots[self.block] = self.collecting
                self.collecting.append(tok)
            elif self.collecting is not None and self.current is None:
                self.collecting.append(tok)  # a header cell the form does not have
            else:
                self._finish()
                self.current = _ParsedRow(self.block, None, tok)
                self.row_has_label = True
        self._finish()


def _column_order(block: Block, index: LabelIndex, b: int, slots: list[Token | None] | None) -> list[int | None]:
    """Given a block's header slots, return for each value position the column index (None: extra)."""
    n = len(block.columns)
    if not slots:
        return list(range(n))
    slots = list(slots)
    while len(slots) > n and slots[-1] is None:
        slots.pop()
    order: list[int | None] = [None] * len(slots)
    taken: set[int] = set()
    for i, tok in enumerate(slots):
        if tok is None:
            continue
        hit = index.lookup(tok.text, (COLUMN,), b)
        if hit is not None and hit.line not in taken:
            order[i] = hit.line
            taken.add(hit.line)
    unknown = {i for i, tok in enumerate(slots) if tok is not None and order[i] is None}
    for i in range(len(slots)):
        if order[i] is None and i not in unknown:
            free = [c for c in range(n) if c not in taken]
            if not free:
                break
            pick = i if i in free else free[0]
            order[i] = pick
            taken.add(pick)
    order.extend(c for c in range(n) if c not in taken and c not in order)
    return order


def _numbers(values: list[Token]) -> list[Decimal] | None:
    out = []
    for tok in values:
        r = read_cell(tok.text, "count")
        if r.state != VALUE:
            return None
        out.append(r.value)
    return out


def _total_votes(rows: list[_ParsedRow], order: list[int], total_col: int) -> int:
    """How many rows agree that `total_col` holds the sum of the others when the values are in `order`."""
    votes = 0
    for row in rows:
        nums = _numbers(row.values[: len(order)])
        if nums is None or len(nums) != len(order):
            continue
        by_col = {order[i]: v for i, v in enumerate(nums)}
        if by_col[total_col] == sum(v for c, v in by_col.items() if c != total_col):
            votes += 1
    return votes


def _total_order(block: Block, index: LabelIndex, b: int, slots: list[Token | None] | None,
                 rows: list[_ParsedRow]) -> list[int | None]:
    """A block with a total column: data rows keep the visual order, but a flattened header may not
    (a header cell merged over several rows can come first): trust the arithmetic."""
    canonical: list[int | None] = list(range(len(block.columns)))
    labeled = [index.lookup(t.text, (COLUMN,), b) for t in (slots or []) if t is not None]
    header = [h.line for h in labeled if h is not None]
    if sorted(header) != list(range(len(block.columns))) or header == canonical:
        return canonical
    total = block.total_column
    assert total is not None
    if _total_votes(rows, header, total) > _total_votes(rows, canonical, total):  # type: ignore[arg-type]
        return header  # type: ignore[return-value]
    return canonical


def _place_short_row(row: _ParsedRow, block: Block) -> dict[int, Token] | None:
    """A row with fewer numbers than columns whose last is the sum of the rest, in a block whose last
    column is its total: the empties were dropped by the export, so the numbers are the first columns
    and the last is the total."""
    n = len(block.columns)
    if block.total_column != n - 1:
        return None
    nums = _numbers(row.values)
    if nums is None or not 2 <= len(nums) < n or nums[-1] != sum(nums[:-1]):
        return None
    placed = {i: tok for i, tok in enumerate(row.values[:-1])}
    placed[n - 1] = row.values[-1]
    return placed


def _slot_label(slots: list[Token | None] | None, i: int) -> str | None:
    return _label_text(slots[i]) if slots and i < len(slots) else None


def _emit_blocks(table: FormTable, index: LabelIndex,
                 reader: _BlockReader) -> tuple[TableCells, list[Leftover]]:
    """Given the rows a reader found, return every cell of the table's blocks and the leftovers."""
    leftovers = list(reader.leftovers)
    # (block, row) → {column: token}; a column mapped to None was dropped by the export (a blank).
    placed_rows: dict[tuple[int, int], dict[int, Token | None]] = {}
    row_labels: dict[tuple[int, int], Token] = {}
    col_labels: dict[tuple[int, int], str | None] = {}
    orders: dict[int, list[int | None]] = {}
    known_rows = [r for r in reader.rows if r.line is not None]
    for row in reader.rows:
        block = table.blocks[row.block]
        slots = reader.slots.get(row.block)
        if row.block not in orders:
            orders[row.block] = (_total_order(block, index, row.block, slots, known_rows)
                                 if block.total_column is not None else _column_order(block, index, row.block, slots))
        order = orders[row.block]
        key = (row.block, row.line)
        if row.line is None or key in placed_rows:  # a row the form lacks, or a second copy of one
            leftovers.extend(Leftover(table.name, row.label.text, _slot_label(slots, i), tok.text, tok)
                             for i, tok in enumerate(row.values) if tok.text.strip())
            continue
        short = _place_short_row(row, block)
        if short is not None:
            placed_rows[key] = {c: short.get(c) for c in range(len(block.columns))}
        else:
            placed: dict[int, Token | None] = {}
            for i, tok in enumerate(row.values):
                col = order[i] if i < len(order) else None
                if col is None:
                    if tok.text.strip():
                        leftovers.append(Leftover(table.name, row.label.text, _slot_label(slots, i), tok.text, tok))
                    continue
                placed[col] = tok
                col_labels[(row.block, col)] = _slot_label(slots, i)
            placed_rows[key] = placed
        row_labels[key] = row.label

    cells = TableCells(table)
    for b, block in enumerate(table.blocks):
        slots = reader.slots.get(b)
        units = [_header_unit(col, slots, index, b) for col in block.columns]
        col_names = [col_labels.get((b, c)) for c in range(len(block.columns))]
        for r in range(len(block.rows)):
            placed = placed_rows.get((b, r), {})
            row_tok = row_labels.get((b, r))
            row_label = row_tok.text if row_tok is not None else None
            for c in range(len(block.columns)):
                tok = placed.get(c)
                cells.add(tok, units[c], row_label, col_names[c], dropped=tok is None and c in placed)
    return cells, leftovers


def _header_unit(col: FormColumn, slots: list[Token | None] | None, index: LabelIndex, b: int) -> str | None:
    """The unit a column holds: the form's, unless its header says 元 where the form has 万元."""
    if col.unit != "万元" or not slots:
        return col.unit
    for tok in slots:
        if tok is None:
            continue
        hit = index.lookup(tok.text, (COLUMN,), b)
        if hit is not None and "元" in tok.text and "万元" not in tok.text:
            return "元"
    return col.unit


def _read_by_header(table: FormTable, index: LabelIndex,
                    tokens: list[Token]) -> tuple[TableCells, list[Leftover]]:
    """A table of one block read by its header (table C): a header of groups (proceedings) and
    columns (results), then one row of numbers."""
    block = table.blocks[0]
    group = block.column_group or len(block.columns)
    leftovers: list[Leftover] = []
    header_kinds = (COLUMN, GROUP, FURNITURE, ANCHOR, HEADER)
    hits = [None if is_value_like(t.text) else index.lookup(t.text, header_kinds) for t in tokens]
    last_label = max((i for i, h in enumerate(hits) if h is not None), default=-1)
    results = [h.line % group for h in hits if h is not None and h.kind == COLUMN]
    for tok, hit in zip(tokens[: last_label + 1], hits, strict=False):
        if hit is None and tok.text.strip():
            leftovers.append(Leftover(table.name, None, None, tok.text, tok))
    values: list[Token] = []
    for k, tok in enumerate(tokens[last_label + 1:]):
        if not is_value_like(tok.text):
            leftovers.extend(Leftover(table.name, None, None, t.text, t)
                             for t in tokens[last_label + 1 + k:] if t.text.strip())
            break
        values.append(tok)
    order = _grouped_order(results, len(block.columns), group)
    placed: dict[int, Token] = {}
    for i, tok in enumerate(values):
        if i < len(order):
            placed[order[i]] = tok
        elif tok.text.strip():
            leftovers.append(Leftover(table.name, None, None, tok.text, tok))
    cells = TableCells(table)
    for c, col in enumerate(block.columns):
        cells.add(placed.get(c), col.unit, None, None)
    return cells, leftovers


def _grouped_order(results: list[int], n_columns: int, k: int) -> list[int]:
    """The column of each value: the header's order within each group of `k` columns, when it gives one."""
    if len(results) == n_columns:
        chunks = [results[i:i + k] for i in range(0, len(results), k)]
        if all(sorted(ch) == list(range(k)) for ch in chunks):
            return [p * k + r for p, ch in enumerate(chunks) for r in ch]
    return list(range(n_columns))


def _missing_table(table: FormTable) -> TableCells:
    cells = TableCells(table)
    for block in table.blocks:
        for _row in block.rows:
            for col in block.columns:
                cells.add(None, col.unit, None, None)
    return cells


def interpret(doc: Document, year_hint: int | None = None, forms: tuple[Form, ...] = FORMS) -> Interpretation:
    """Given a document, return every cell of its form (one of `forms`, the State Council's by default);
    raise ReadError when it holds none of the tables."""
    tokens = tokens_of(doc)
    form, basis = choose_form(tokens, year_hint, forms)
    indexes = _indexes(form).reading
    segments = _segments(form, tokens)
    if not segments:
        raise ReadError("not_a_report", "None of the three statistical tables (主动公开, 收到和处理申请, "
                        "行政复议/诉讼) was found; check that the file is a 政府信息公开工作年度报告.")
    by_name: dict[str, TableCells] = {}
    leftovers: list[Leftover] = []
    for table, seg in segments:
        index = indexes[table.name]
        if table.read_by_header:
            c, lo = _read_by_header(table, index, seg)
        else:
            reader = _BlockReader(table, index)
            reader.feed(seg)
            c, lo = _emit_blocks(table, index, reader)
        by_name[table.name] = c
        leftovers.extend(lo)
    tables = [by_name[t.name] if t.name in by_name else _missing_table(t) for t in form.tables]
    return Interpretation(form, tables, leftovers, [t.name for t, _ in segments], basis)
