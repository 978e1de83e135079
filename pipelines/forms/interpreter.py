"""Lay a document's tables onto the forms: every cell of each table's form, with its state, raw text and
the source's own labels of its row and column.

The document's tables are read as one sequence of tokens (cells in document order, with row starts
where the layout marks rows and grid columns where it has a grid). Labels on both axes, never
offsets, say where a form table begins, which block and row a number belongs to and which column:
* a row by its label, matched exactly first across the whole block, then closely (typos, notes, cut
  short); a label almost equally close to two form rows is not placed but flagged;
* a column by its header: the header cell above it where the layout has a grid, else the header's
  labels in order; where the header leaves the order in doubt, every possible order is tried;
* a number is placed only when every layout that fits the form (and its arithmetic) puts the same
  reading in the cell; otherwise the cell is `unreadable` and the report is flagged (forms/place.py).

Each table is read against the form whose rows and columns it has (a 2021 report may keep the 2019
（六）其他处理 row): its cells are that form's, plus the report's own form's cells it lacks, `missing`.

Nothing here names a table: what differs between tables is the forms' data (forms/spec.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from pipelines.document.cells import BLANK, MISSING, UNREADABLE, is_value_like, read_cell
from pipelines.document.model import Document, ReadError, Table
from pipelines.forms.catalog import CLOSING_HEADINGS, FORMS, form_for_year
from pipelines.forms.labels import fold, normalize, squeeze_label, strip_numbering
from pipelines.forms.match import (
    ANCHOR,
    COLUMN,
    FURNITURE,
    GROUP,
    HEADER,
    ROW,
    Ambiguous,
    LabelMatcher,
    Match,
    MatchResult,
    Target,
)
from pipelines.forms.place import DROPPED, UNCERTAIN, Piece, SumRule, place
from pipelines.forms.plan import PlannedCell, table_plan
from pipelines.forms.spec import Block, Form, FormTable

ROW_KINDS = (ANCHOR, ROW, GROUP, FURNITURE)
# A header that leaves more orders open than this says too little to try them all.
MAX_ORDERS = 48


class Token(NamedTuple):
    """A cell of the document with where it was: table ordinal, row (None in a stream), cell ordinal,
    grid column (None where the layout has no grid), and whether the source ran cells together in it.

    A named tuple: a report has hundreds and a tuple is built several times faster than a dataclass.
    """

    text: str
    table: int
    row: int | None
    cell: int
    row_start: bool = False
    col: int | None = None
    joined: bool = False
    padding: bool = False
    confidence: float | None = None  # OCR's, for text read from an image (Cell.confidence)


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
    """Every cell of one form table, in the order of its plan (blocks, rows, columns; then the cells of
    the report's own form that this table's form lacks), as parallel lists.

    Columnar because a report has ~200 cells and a corpus millions: the coordinates are the plan's,
    so only what the document said is kept per cell.
    """

    table: FormTable
    plan: tuple[PlannedCell, ...]
    raw_text: list[str | None] = field(default_factory=list)
    state: list[str] = field(default_factory=list)
    value: list[Decimal | int | None] = field(default_factory=list)
    src: list[Token | None] = field(default_factory=list)
    row_label: list[str | None] = field(default_factory=list)
    column_label: list[str | None] = field(default_factory=list)

    def add(self, raw: str | None, state: str, value: Decimal | None, src: Token | None, row_label: str | None,
            column_label: str | None) -> None:
        if value is not None and self.table.value_kind == "count":
            value = int(value)
        self.raw_text.append(raw)
        self.state.append(state)
        self.value.append(value)
        self.src.append(src)
        self.row_label.append(row_label)
        self.column_label.append(column_label)


@dataclass(slots=True)
class Interpretation:
    form: Form
    tables: list[TableCells]
    unmapped: list[Leftover]
    tables_found: list[str]
    form_basis: str
    table_forms: dict[str, str] = field(default_factory=dict)
    # Why a person should look at the report: placements not proven, labels not told apart.
    uncertain: list[str] = field(default_factory=list)

    @property
    def cells(self) -> list[FactCell]:
        """The cells one by one with their coordinates (for inspection and tests; loading uses `tables`)."""
        out = []
        for t in self.tables:
            for i, planned in enumerate(t.plan):
                out.append(FactCell(t.table.fact_table, planned.coords, planned.unit, t.value[i], t.state[i],
                                    t.raw_text[i], t.src[i], t.row_label[i], t.column_label[i]))
        return out


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
                                 row_start=first and table.has_rows, col=cell.col, joined=cell.joined,
                                 padding=cell.padding, confidence=cell.confidence))
                first = False
    return out


# --- Matchers, per form table (built once per process: they hold only the forms' data) ------------

_MATCHERS: dict[int, tuple[FormTable, LabelMatcher, LabelMatcher]] = {}


def _matchers(table: FormTable) -> tuple[LabelMatcher, LabelMatcher]:
    """(reading matcher, start matcher) of a form table, by identity (a FormTable's hash walks its labels)."""
    cached = _MATCHERS.get(id(table))
    if cached is None or cached[0] is not table:
        cached = (table, LabelMatcher(table, table.header_labels), LabelMatcher(table, table.starts))
        _MATCHERS[id(table)] = cached
    return cached[1], cached[2]


def _vocabulary(forms: tuple[Form, ...]) -> LabelMatcher:
    """One matcher over every label of every form: how text a source ran together is cut into labels."""
    key = tuple(id(t) for f in forms for t in f.tables)
    cached = _VOCABULARIES.get(key)
    if cached is None:
        merged = FormTable(
            name="*", fact_table="", coordinates=(), value_kind="count",
            blocks=tuple(b for f in forms for t in f.tables for b in t.blocks),
            starts=tuple(s for f in forms for t in f.tables for s in t.starts),
            header_labels=tuple(h for f in forms for t in f.tables for h in t.header_labels),
            furniture=(*(x for f in forms for t in f.tables for x in t.furniture), *CLOSING_HEADINGS),
        )
        cached = _VOCABULARIES[key] = LabelMatcher(merged, merged.header_labels + merged.starts)
    return cached


_VOCABULARIES: dict[tuple[int, ...], LabelMatcher] = {}


def expand_joined(tokens: list[Token], vocabulary: LabelMatcher) -> list[Token]:
    """Tokens in which the source ran labels together (`第二十条第（五）项信息内容上一年项目数量…行政许可`) cut
    into one token per label found; digit runs stay whole (placing them is arithmetic's job)."""
    out: list[Token] = []
    for tok in tokens:
        if not tok.joined or is_value_like(tok.text) or _is_digit_run(tok.text):
            out.append(tok)
            continue
        pieces = [piece for piece, _ in vocabulary.segment(tok.text)]
        for i, piece in enumerate(pieces):
            out.append(tok._replace(text=piece, row_start=tok.row_start and i == 0, joined=False))
    return out


def _is_digit_run(text: str) -> bool:
    s = "".join(text.split())
    return bool(s) and s[0] in "0123456789+-−" and all(ch in "0123456789+-−.,元万" for ch in s)


def _numbered(text: str) -> bool:
    return bool(strip_numbering("".join(fold(text).split()))[0])


def _value_like(tok: Token) -> bool:
    return is_value_like(tok.text) or (tok.joined and _is_digit_run(tok.text))


# --- Where each form table is, and which form it follows -------------------------------------------

@dataclass
class _Segment:
    name: str
    tokens: list[Token]
    cut_off: bool  # the document ends inside this table


def _segments(forms: tuple[Form, ...], tokens: list[Token], doc_ends_in_table: bool) -> list[_Segment]:
    """Given all tokens, return each form table found with its tokens, in document order."""
    names = list(dict.fromkeys(t.name for f in forms for t in f.tables))
    starts: list[tuple[int, str]] = []
    for name in names:
        matchers = [_matchers(f.table(name))[1] for f in forms]
        for i, tok in enumerate(tokens):
            if not _value_like(tok) and any(isinstance(m.match(tok.text, (HEADER,)), Match) for m in matchers):
                starts.append((i, name))
                break
    starts.sort()
    closing = {normalize(h) for h in CLOSING_HEADINGS}
    last = starts[-1][0] if starts else 0
    tail = next((i for i in range(last, len(tokens)) if normalize(tokens[i].text) in closing), len(tokens))
    out = []
    for n, (i, name) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else tail
        begin = 0 if n == 0 else i
        out.append(_Segment(name, tokens[begin:end], cut_off=doc_ends_in_table and end == len(tokens)))
    return out


def _coverage(table: FormTable, tokens: list[Token]) -> int:
    """How much of a form table's own wording a segment prints: its columns and anchors found, and its
    rows found with numbers after them (a 2021 table's （六）其他处理 heads rows; the 2019 one has numbers)."""
    matcher = _matchers(table)[0]
    found: set[Target] = set()
    for i, tok in enumerate(tokens):
        if _value_like(tok):
            continue
        result = matcher.match(tok.text, (ANCHOR, ROW, COLUMN))
        if not isinstance(result, Match):
            continue
        if result.target.kind == ROW:
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if following is None or not _value_like(following):
                continue
        found.add(result.target)
    return len(found)


def _choose_forms(forms: tuple[Form, ...], segments: list[_Segment], year_hint: int | None
                  ) -> tuple[Form, dict[str, Form], str]:
    """The report's own form and each table's form, and why (per table: the form whose wording it
    prints most of; a tie goes to the report's form: the newest form a decided table follows, else
    the report year's)."""
    decided: dict[str, Form] = {}
    for seg in segments:
        scores = sorted(((_coverage(f.table(seg.name), seg.tokens), f) for f in forms),
                        key=lambda s: s[0], reverse=True)
        if len(scores) == 1 or scores[0][0] > scores[1][0]:
            decided[seg.name] = scores[0][1]
    if decided:
        report_form = max(decided.values(), key=lambda f: f.first_year)
        basis = "labels (" + ", ".join(f"{name} {f.version}" for name, f in decided.items()) + ")"
    elif year_hint is not None:
        report_form, basis = form_for_year(year_hint, forms), "report year"
    else:
        report_form, basis = max(forms, key=lambda f: f.first_year), "default"
    per_table = {t.name: decided.get(t.name, report_form) for t in report_form.tables}
    return report_form, per_table, basis


def choose_form(tokens: list[Token], year_hint: int | None, forms: tuple[Form, ...] = FORMS) -> tuple[Form, str]:
    """Given the document's cells, return the report's form (the newest its tables print) and why."""
    form, _, basis = _choose_forms(forms, _segments(forms, tokens, False), year_hint)
    return form, basis


# --- Reading a table of labelled rows ----------------------------------------------------------------

@dataclass
class _Header:
    """The header cells of a block in order (None: an empty cell), and how many lines they spanned."""

    slots: list[Token | None] = field(default_factory=list)
    lines: set[tuple[int, int | None]] = field(default_factory=set)

    def add(self, tok: Token | None, where: Token) -> None:
        self.slots.append(tok)
        self.lines.add((where.table, where.row))

    @property
    def flattened(self) -> bool:
        """Whether the header may have been read line by line from several lines: it spans several rows,
        or the layout marks no rows at all."""
        return len(self.lines) > 1 or any(row is None for _, row in self.lines)


@dataclass
class _Row:
    block: int
    line: int | None  # the form row it claims; None: a row the form does not have
    label: Token
    match: MatchResult
    values: list[Token] = field(default_factory=list)
    groups: list[Token] = field(default_factory=list)  # group labels printed in the row before its label


class _RowReader:
    """Reads a table made of labelled rows from its tokens: per block its header, and its rows."""

    def __init__(self, table: FormTable, matcher: LabelMatcher) -> None:
        self.table = table
        self.matcher = matcher
        self.rows: list[_Row] = []
        self.headers: dict[int, _Header] = {}
        self._headers: list[tuple[int, int, _Header]] = []  # (rows read before it, block then, header)
        self.leftovers: list[Leftover] = []
        self.block = 0
        self.collecting: _Header | None = None
        self.current: _Row | None = None
        self.pending_groups: list[Token] = []

    def _finish(self) -> None:
        if self.current is not None:
            self.rows.append(self.current)
        self.current = None

    def _header(self) -> _Header:
        if self.collecting is None:
            self.collecting = _Header()
            self._headers.append((len(self.rows) + (self.current is not None), self.block, self.collecting))
        return self.collecting

    def feed(self, tokens: list[Token]) -> None:
        for tok in tokens:
            if tok.row_start:
                self._finish()
                self.pending_groups = []
            text = tok.text
            if _value_like(tok):
                if self.current is not None:
                    self.current.values.append(tok)
                elif self.collecting is not None:
                    self.collecting.add(tok if text.strip() else None, tok)
                elif text.strip():
                    self.leftovers.append(Leftover(self.table.name, None, None, text, tok))
                continue
            if self.current is not None and tok.row is not None and self.current.values:
                # In a grid row, text after the row's numbers is a value that is no number.
                self.current.values.append(tok)
                continue
            if isinstance(self.matcher.match(text, (HEADER,)), Match):
                self._finish()
                self.collecting = None
                self._header()
                continue
            hit = self.matcher.match(text, ROW_KINDS)
            column = self.matcher.match(text, (COLUMN,), self.block)
            target = hit.target if isinstance(hit, Match) else None
            if self.collecting is not None and self.current is None and isinstance(column, Match) \
                    and (target is None or target.kind != ANCHOR) and not (target is not None and target.kind == ROW
                                                                           and _numbered(text)):
                # In a header, a label that is a column's and a row's (总计) is the column's; a numbered
                # one (（七）总计) starts the first row.
                self.collecting.add(tok, tok)
            elif target is not None and target.kind == ANCHOR:
                self._finish()
                self.block = target.block
                self.collecting = None
            elif target is not None and target.kind == ROW:
                self._finish()
                self.collecting = None
                self.block = target.block
                self.current = _Row(target.block, target.line, tok, hit, groups=list(self.pending_groups))
            elif target is not None:  # a group heading or furniture: no number of its own
                if self.current is not None and (self.current.values or tok.row is None):
                    self._finish()
                if target.kind == GROUP:
                    self.pending_groups.append(tok)
            elif isinstance(column, Match) and self.current is None:
                self._header().add(tok, tok)
            elif self.collecting is not None and self.current is None and not isinstance(hit, Ambiguous) \
                    and not tok.row_start:
                self.collecting.add(tok, tok)  # a header cell the form does not have (a row's first cell
                # that no label names starts an agency's own row instead)
            else:
                self._finish()
                self.collecting = None
                self.current = _Row(self.block, None, tok, hit)
        self._finish()
        self._assign_headers()

    def _assign_headers(self) -> None:
        """Each header belongs to the block of the first form row after it: a copy that lost a block's
        heading (第二十条第（五）项) leaves the header of the next block where the last one was."""
        for position, block, header in self._headers:
            following = next((r for r in self.rows[position:] if r.line is not None), None)
            self.headers[following.block if following is not None else block] = header


def _claim_rows(rows: list[_Row]) -> None:
    """Rows claim their form rows, exact labels first across the whole table, then close ones in
    document order; a second claimant (a repeated or an agency's extra row) keeps no form row."""
    taken: set[tuple[int, int]] = set()
    for exact in (True, False):
        for row in rows:
            if row.line is None or not isinstance(row.match, Match) or row.match.exact is not exact:
                continue
            key = (row.block, row.line)
            if key in taken:
                row.line = None
            else:
                taken.add(key)


# --- Column orders ----------------------------------------------------------------------------------

def _grid_columns(block: Block, b: int, header: _Header | None, matcher: LabelMatcher) -> dict[int, int]:
    """Grid column → form column, from the header cells standing in that grid column (the lowest wins)."""
    out: dict[int, int] = {}
    for tok in (header.slots if header else []):
        if tok is None or tok.col is None:
            continue
        hit = matcher.match(tok.text, (COLUMN,), b)
        if isinstance(hit, Match):
            out[tok.col] = hit.target.line
    return out


def _slot_orders(block: Block, b: int, header: _Header | None, matcher: LabelMatcher) -> list[list[int | None]]:
    return [order for order, _ in _slot_layouts(block, b, header, matcher)]


def _slot_layouts(block: Block, b: int, header: _Header | None, matcher: LabelMatcher
                  ) -> list[tuple[list[int | None], list[Token | None]]]:
    """The orders in which a full row's values may stand, from the header's cells in order, each with
    the header cell over each value (None where the order is not the header's).

    A labelled header cell fixes its column. The columns no label claimed take empty or unknown header
    cells in the form's order (where a header is empty, the column's place among the form's columns is
    the evidence; placeholder headers such as 数据1 say nothing more) — every choice of which cells is an
    order; an unknown cell left over is an agency's own column, an empty one left over is no column
    (a merged cell exported as empty). A header flattened from several lines may also hide the
    visual order (a cell merged over rows comes first): then the form's own order is one more option."""
    n = len(block.columns)
    canonical: list[int | None] = list(range(n))
    bare: tuple[list[int | None], list[Token | None]] = (canonical, [None] * n)
    if header is None or not header.slots:
        return [bare]
    slots = _merge_split_cells(list(header.slots), matcher, b)
    while len(slots) > n and slots[-1] is None:
        slots.pop()  # empty cells past the last column: a merged cell's remains, or padding
    kinds: list[int | str] = []
    claimed: set[int] = set()
    for tok in slots:
        hit = matcher.match(tok.text, (COLUMN,), b) if tok is not None else None
        if isinstance(hit, Match) and hit.target.line not in claimed:
            kinds.append(hit.target.line)
            claimed.add(hit.target.line)
        else:
            kinds.append("empty" if tok is None else "text")
    free_columns = [c for c in range(n) if c not in claimed]
    free_slots = [i for i, k in enumerate(kinds) if not isinstance(k, int)]
    layouts: list[tuple[list[int | None], list[Token | None]]] = []
    if len(free_columns) <= len(free_slots):
        for chosen in itertools.combinations(free_slots, len(free_columns)):
            taken = dict(zip(chosen, free_columns, strict=True))
            order: list[int | None] = []
            over: list[Token | None] = []
            for i, k in enumerate(kinds):
                if isinstance(k, int) or i in taken or k == "text":
                    order.append(k if isinstance(k, int) else taken.get(i))
                    over.append(slots[i])
            if order not in [o for o, _ in layouts]:
                layouts.append((order, over))
            if len(layouts) >= MAX_ORDERS:
                break
    else:  # the header names fewer cells than the form has: it says little about the order
        layouts.append(bare)
    if header.flattened:
        if [o for o, _ in layouts] == [block.flattened_header_order()] != [canonical]:
            return [bare]  # the printed form's own header, flattened: the numbers keep the form's order
        if canonical not in [o for o, _ in layouts]:
            layouts.append(bare)
    return layouts


# A header label split over this many cells at most (`商业` / `企业`, `自` / `然` / `人`) is put back together.
MAX_SPLIT_CELLS = 4


def _merge_split_cells(slots: list[Token | None], matcher: LabelMatcher, b: int) -> list[Token | None]:
    """Header cells that are pieces of one column's label (a layout that put each line of a wrapped
    header cell in a cell of its own: `本年新` / `制作数量`, `商业` / `企业`) joined back into that label."""
    out: list[Token | None] = []
    i = 0
    while i < len(slots):
        tok = slots[i]
        if tok is None or isinstance(matcher.match(tok.text, (COLUMN,), b), Match):
            out.append(tok)
            i += 1
            continue
        merged = None
        for j in range(i + 2, min(len(slots), i + MAX_SPLIT_CELLS) + 1):
            pieces = slots[i:j]
            if any(p is None for p in pieces):
                break
            text = "".join(p.text for p in pieces)  # type: ignore[union-attr]
            hit = matcher.match(text, (COLUMN,), b)
            if isinstance(hit, Match):
                merged = (tok._replace(text="\n".join(p.text for p in pieces)), j)  # type: ignore[union-attr]
                break
        if merged is None:
            out.append(tok)
            i += 1
        else:
            out.append(merged[0])
            i = merged[1]
    return out


def _block_orders(block: Block, b: int, header: _Header | None, matcher: LabelMatcher, rows: list[_Row],
                  kind: str) -> list[list[int | None]]:
    """The header's possible orders that the block's full rows bear out: an order whose layout breaks
    the total column's sum in a row that some other order satisfies is dropped for the whole block
    (data rows share one order). The form's own order goes first: where the rows cannot tell the orders
    apart, their values are the same either way, and the form's order is the likelier for provenance."""
    orders = _slot_orders(block, b, header, matcher)
    canonical = list(range(len(block.columns)))
    orders.sort(key=lambda o: o != canonical)
    if len(orders) == 1 or block.total_column is None:
        return orders
    full = [r for r in rows if r.block == b and r.line is not None and len(r.values) == len(orders[0])]
    failures = [_sum_failures(block, order, full, kind) if len(order) == len(orders[0]) else 0 for order in orders]
    fewest = min(failures)
    # A source may break its own arithmetic in a row or two: the order that breaks it least is the one.
    return [order for order, f in zip(orders, failures, strict=True) if f == fewest]


def _sum_failures(block: Block, order: list[int | None], rows: list[_Row], kind: str) -> int:
    """In how many of the rows the total column is not the sum of the others when values stand in `order`."""
    failed = 0
    for row in rows:
        lay = {order[i]: v for i, v in enumerate(row.values) if order[i] is not None}
        numbers = [read_cell(lay[c].text, kind) if c in lay else None for c in range(len(block.columns))]
        total = numbers[block.total_column]
        if total is None or total.state != "value":
            continue
        parts = [x for c, x in enumerate(numbers) if c != block.total_column]
        if any(x is None or x.state not in ("value", "blank", "not_applicable") for x in parts):
            continue
        if all(x.state != "value" for x in parts):
            continue  # the breakdown was not filled in: nothing to check (the contract's rule)
        if sum((x.value or 0) for x in parts) != total.value:
            failed += 1
    return failed


# --- Emitting the cells ----------------------------------------------------------------------------

@dataclass
class _Cell:
    """What the document says about one form cell."""

    raw: str | None
    state: str
    value: Decimal | None
    src: Token | None
    row_label: str | None = None
    column_label: str | None = None


def _cell_from(placed: object, kind: str, unit: str | None, row_values: Sequence[Token]) -> _Cell:
    if isinstance(placed, Piece):
        reading = read_cell(placed.text, kind, unit)
        return _Cell(placed.text, reading.state, reading.value, placed.token)  # type: ignore[arg-type]
    if placed == DROPPED:
        return _Cell("", BLANK, None, None)
    if placed == UNCERTAIN:
        raw = " | ".join(t.text for t in row_values)
        return _Cell(raw, UNREADABLE, None, row_values[0] if row_values else None)
    return _Cell(None, MISSING, None, None)  # ABSENT, or never printed


def _column_labels(block: Block, b: int, header: _Header | None, matcher: LabelMatcher, grid: bool,
                   order: list[int | None] | None = None) -> dict[int, str]:
    """The source's own label of each form column: the header cells above it (grid), else the header
    cell whose label names it."""
    out: dict[int, str] = {}
    if header is None:
        return out
    if grid:
        col_map = _grid_columns(block, b, header, matcher)
        by_grid: dict[int, list[str]] = {}
        for tok in header.slots:
            if tok is not None and tok.col is not None and tok.text.strip():
                by_grid.setdefault(tok.col, []).append(tok.text.strip())
        for g, c in col_map.items():
            out[c] = " / ".join(by_grid.get(g, []))
        return out
    for tok in _merge_split_cells(list(header.slots), matcher, b):
        if tok is None:
            continue
        hit = matcher.match(tok.text, (COLUMN,), b)
        if isinstance(hit, Match) and hit.target.line not in out:
            out[hit.target.line] = tok.text.strip()
    if order is not None:  # a column whose header cell is no label of it (`本年新` cut short, `数据1`)
        for layout, over in _slot_layouts(block, b, header, matcher):
            if layout == order:
                for c, tok in zip(layout, over, strict=True):
                    if c is not None and c not in out and tok is not None and tok.text.strip():
                        out[c] = tok.text.strip()
                break
    return out


def _short(label: str) -> str:
    """A row's label as a review reason names it: one line, the first 30 characters."""
    return "".join(label.split())[:30]


def _slot_text(slots: list[Token | None], i: int) -> str | None:
    """The header cell over the i-th value, where the header has one (an agency's own row's label)."""
    return slots[i].text if i < len(slots) and slots[i] is not None else None


def _unit(block: Block, c: int, label: str | None) -> str | None:
    """The unit a column holds: the form's, unless its header says 元 where the form has 万元."""
    unit = block.columns[c].unit
    if unit == "万元" and label and "元" in label and "万元" not in label:
        return "元"
    return unit


@dataclass
class _TableReading:
    cells: dict[tuple[int, int, int], _Cell] = field(default_factory=dict)
    leftovers: list[Leftover] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)


def _row_rules(block: Block, b: int, r: int) -> list[SumRule]:
    if block.total_column is None:
        return []
    others = tuple((b, r, c) for c in range(len(block.columns)) if c != block.total_column)
    return [SumRule((b, r, block.total_column), others)]


# Text left over when a label is cut out of a cell that glued it to others is debris (the characters
# of a group label written vertically beside the rows) when it is this short.
MAX_DEBRIS_CHARS = 8


def _unglue(tokens: list[Token], matcher: LabelMatcher) -> list[Token]:
    """A cell that is no label but holds labels glued together (`（三）不予公开1.属于国家秘密`, or
    `结果三、本年（一）予以公开` where a layout wrote a group label vertically into the row's label) becomes
    one token per label it holds; short debris between them is dropped."""
    out: list[Token] = []
    for tok in tokens:
        whole = None if _value_like(tok) else matcher.match(tok.text)
        if (whole is None and _value_like(tok)) or (isinstance(whole, Match) and whole.exact):
            out.append(tok)
            continue
        pieces = matcher.segment(tok.text)
        known = [p for p, printed in pieces if printed]
        debris = [p for p, printed in pieces if not printed]
        # A close match of the whole cell stands unless the cell holds two labels or more; what is left
        # over must be characters of the table's group headings (written vertically into the cell), never
        # words of the cell's own (`涉企` of an agency's 涉企行政规范性文件 row).
        needed = 2 if isinstance(whole, Match) else 1
        if len(pieces) < 2 or len(known) < needed or any(len(p) > MAX_DEBRIS_CHARS or not _group_debris(p, matcher)
                                                         for p in debris):
            out.append(tok)
            continue
        out.extend(tok._replace(text=p, row_start=tok.row_start and i == 0) for i, p in enumerate(known))
    return out


def _group_debris(text: str, matcher: LabelMatcher) -> bool:
    """Text made only of characters of the table's group and block headings (and numbering)."""
    heading_chars = {ch for b in matcher.table.blocks for label in (*b.groups, *b.anchors) for ch in squeeze_label(label)}
    return all(ch in heading_chars or not ch.isalpha() or ch in "一二三四五六七八九十" for ch in squeeze_label(text))


def _read_rows(table: FormTable, matcher: LabelMatcher, tokens: list[Token], cut_off: bool,
               dropping: frozenset[int]) -> _TableReading:
    """A table of labelled rows (tables A and B; table C printed a row per proceeding)."""
    reader = _RowReader(table, matcher)
    reader.feed(_unglue(tokens, matcher))
    _claim_rows(reader.rows)
    out = _TableReading(leftovers=list(reader.leftovers))
    last_row = reader.rows[-1] if reader.rows else None
    block_orders: dict[int, list[list[int | None]]] = {}
    grids: dict[int, dict[int, int]] = {}
    block_labels: dict[int, dict[int, str]] = {}
    for row in reader.rows:
        block = table.blocks[row.block]
        header = reader.headers.get(row.block)
        label = row.label.text
        values = [v for v in row.values if v.text.strip() or v.row is not None or not v.joined]
        if isinstance(row.match, Ambiguous):
            out.uncertain.append(f"label_ambiguous:{table.name}:{_short(label)}")
        if row.line is None:
            slots = [s for s in header.slots] if header is not None else []
            out.leftovers.extend(Leftover(table.name, label, _slot_text(slots, i), v.text, v)
                                 for i, v in enumerate(values) if v.text.strip())
            continue
        cells = [(row.block, row.line, c) for c in range(len(block.columns))]
        if row.block not in block_orders:  # a block's header says the same for each of its rows
            block_orders[row.block] = _block_orders(block, row.block, header, matcher, reader.rows, table.value_kind)
            grids[row.block] = _grid_columns(block, row.block, header, matcher)
            block_labels[row.block] = _column_labels(block, row.block, header, matcher, bool(grids[row.block]),
                                                     block_orders[row.block][0])
        grid, labels = grids[row.block], block_labels[row.block]
        # A row short of numbers was cut short where the layout keeps empty cells (or the copy ends in
        # it); where empty cells leave no trace, they may have been anywhere.
        ends_copy = cut_off and row is last_row
        row_cut = ends_copy or row.label.table not in dropping
        width = max(len(o) for o in block_orders[row.block])
        while len(values) > width and not values[-1].text.strip():
            values.pop()  # empty cells past the last column: padding (`|||`), no cell of the form
        # A row whose empty cells the source moved to its end: short of numbers, its numbers may have
        # stood anywhere, and the cells that get none were there, empty.
        moved_empties = any(v.padding for v in values) and sum(not v.padding for v in values) < width
        if moved_empties:
            values = [v for v in values if not v.padding]
            row_cut, ends_copy = False, False
        # Grid columns hold only within the header's own table: a table continued on the next page may
        # lay its cells out on another grid (a label column fewer), where the same position is another column.
        # Within one table, a row that stops short of the header's last column has fewer cells than the
        # header's grid (a repeated header over rows that lost a label column): its positions prove nothing.
        in_header_table = header is not None and {v.table for v in values} <= {t for t, _ in header.lines}
        # An empty cell under no labelled header, between labelled ones, is a column whose header is
        # empty: the header's order (the form's, for that cell) places it, not the grid.
        on_grid = not moved_empties and bool(grid) and bool(values) and in_header_table and all(
            v.col is not None and (v.col in grid or (not v.text.strip() and not min(grid) < v.col < max(grid)))
            for v in values) and max(v.col if v.col is not None else -1 for v in values) >= max(grid)
        if on_grid:
            orders = [[(row.block, row.line, grid[v.col]) if v.col in grid else None for v in values]]
            placement = place(values, orders, cells, _row_rules(block, row.block, row.line), table.value_kind,
                              cut_off=row_cut, ends_copy=ends_copy)
        else:
            orders = [[(row.block, row.line, c) if c is not None else None for c in order]
                      for order in block_orders[row.block]]
            placement = place(values, orders, cells, _row_rules(block, row.block, row.line), table.value_kind,
                              cut_off=row_cut, ends_copy=ends_copy, empties_known=moved_empties)
        if placement.reason:
            out.uncertain.append(f"layout_uncertain:{table.name}:{_short(label)}")
        for piece in placement.extras:
            out.leftovers.append(Leftover(table.name, label, None, piece.text, piece.token))  # type: ignore[arg-type]
        for cell in cells:
            c = cell[2]
            got = _cell_from(placement.cells[cell], table.value_kind, _unit(block, c, labels.get(c)), values)
            got.row_label, got.column_label = label, labels.get(c)
            out.cells[cell] = got
    return out


def _read_grouped(table: FormTable, matcher: LabelMatcher, tokens: list[Token], cut_off: bool,
                  dropping: frozenset[int]) -> _TableReading:
    """A block whose rows the form lays side by side under one header, with one line of numbers (table
    C): which group (row) and which column each number is, from the header's labels — by grid column
    where the layout has a grid, else by their order; the form's order only where the header is silent."""
    b, block = 0, table.blocks[0]
    out = _TableReading()
    groups: list[tuple[Token, int]] = []
    columns: list[tuple[Token, int]] = []
    values = _value_line(tokens)
    for tok in tokens:
        if _value_like(tok):
            continue
        hit = matcher.match(tok.text, (ROW, COLUMN, GROUP, FURNITURE, ANCHOR, HEADER))
        if isinstance(hit, Match) and hit.target.kind == ROW:
            groups.append((tok, hit.target.line))
        elif isinstance(hit, Match) and hit.target.kind == COLUMN:
            columns.append((tok, hit.target.line))
        elif hit is None and tok.text.strip():
            out.leftovers.append(Leftover(table.name, None, None, tok.text, tok))
    n_rows, n_cols = len(block.rows), len(block.columns)
    cells = [(b, r, c) for r in range(n_rows) for c in range(n_cols)]
    group_order = list(dict.fromkeys(r for _, r in groups))
    if sorted(group_order) != list(range(n_rows)):
        group_order = list(range(n_rows))
    runs = [[c for _, c in columns[i:i + n_cols]] for i in range(0, len(columns), n_cols)]
    canonical_run = list(range(n_cols))
    if len(runs) == n_rows and all(sorted(run) == canonical_run for run in runs):
        per_group = runs
    elif len(runs) == 1 and sorted(runs[0]) == canonical_run:
        per_group = runs * n_rows
    else:
        per_group = [canonical_run] * n_rows
    orders: list[list] = [[(b, g, c) for g, run in zip(group_order, per_group, strict=True) for c in run]]
    canonical = [(b, g, c) for g in range(n_rows) for c in range(n_cols)]
    if canonical not in orders and (len(columns) < n_cols or len(groups) < n_rows):
        orders.append(canonical)
    rules = [rule for r in range(n_rows) for rule in _row_rules(block, b, r)]
    live = list(values)
    while len(live) > n_rows * n_cols and not live[-1].text.strip():
        live.pop()
    # Empty cells the source moved to the line's end (see _read_rows): the numbers' places are unknown.
    moved_empties = any(v.padding for v in live) and sum(not v.padding for v in live) < n_rows * n_cols
    if moved_empties:
        live = [v for v in live if not v.padding]
    order = None if moved_empties else _grid_order(tokens, groups, columns, live, b)
    if order is not None:
        placement = place(live, [order], cells, rules, table.value_kind, cut_off=True)
    elif moved_empties:
        placement = place(live, orders, cells, rules, table.value_kind, empties_known=True)
    else:
        cut = cut_off or (bool(live) and live[0].table not in dropping)
        placement = place(live, orders, cells, rules, table.value_kind, cut_off=cut, ends_copy=cut_off)
    if placement.reason:
        out.uncertain.append(f"layout_uncertain:{table.name}")
    for piece in placement.extras:
        out.leftovers.append(Leftover(table.name, None, None, piece.text, piece.token))  # type: ignore[arg-type]
    group_labels = {r: tok.text.strip() for tok, r in reversed(groups)}
    column_labels = {c: tok.text.strip() for tok, c in reversed(columns)}
    for cell in cells:
        _, r, c = cell
        got = _cell_from(placement.cells[cell], table.value_kind, block.columns[c].unit, live)
        if got.src is not None:
            got.column_label = " / ".join(x for x in (group_labels.get(r), column_labels.get(c)) if x) or None
        out.cells[cell] = got
    return out


def _grid_order(tokens: list[Token], groups: list[tuple[Token, int]], columns: list[tuple[Token, int]],
                live: list[Token], b: int) -> list | None:
    """Where the layout has a grid, each number's (group, column) from the labels above it: its column's
    label is the nearest one above it in the same grid column; its group's, the nearest one above it
    that starts at or left of it — the rightmost such heading when proceedings sit side by side under
    one header, the latest when the table is printed as one small table per group. None when a number
    has no label above it, or two numbers would share a cell (then the order of the labels decides)."""
    if not any(tok.col is not None for tok, _ in groups) or not live:
        return None
    position = {id(tok): i for i, tok in enumerate(tokens)}
    order: list = []
    for v in live:
        at = position.get(id(v))
        if at is None or v.col is None:
            return None
        column = max(((position[id(t)], c) for t, c in columns if t.col == v.col and position[id(t)] < at),
                     default=None)
        group = max(((t.col, position[id(t)], r) for t, r in groups
                     if t.col is not None and t.col <= v.col and position[id(t)] < at), default=None)
        if column is None or group is None:
            if v.text.strip():
                return None
            order.append(None)
            continue
        order.append((b, group[2], column[1]))
    placed = [o for o in order if o is not None]
    if len(placed) != len(set(placed)):
        return None  # two numbers under one label: a heading the matcher did not know; the grid proves nothing
    return order


def _value_line(tokens: list[Token]) -> list[Token]:
    """The numbers of a table read by its header: where the layout marks rows, the rows that hold
    nothing but values (a header row's empty cells are a merged cell's remains, not values); in a
    stream, the values after the last label, and runs of values between labels that hold a number
    (a table printed as one small table per group)."""
    if any(tok.row is not None for tok in tokens):
        rows: dict[tuple[int, int | None], list[Token]] = {}
        for tok in tokens:
            rows.setdefault((tok.table, tok.row), []).append(tok)
        return [tok for row in rows.values() if all(_value_like(t) for t in row) for tok in row]
    runs: list[list[Token]] = [[]]
    for tok in tokens:
        if _value_like(tok):
            runs[-1].append(tok)
        elif runs[-1]:
            runs.append([])
    last_is_values = bool(tokens) and _value_like(tokens[-1])
    out = []
    for i, run in enumerate(runs):
        if (i == len(runs) - 1 and last_is_values) or any(t.text.strip() for t in run):
            out.extend(run)
    return out


def _transposed(table: FormTable, matcher: LabelMatcher, tokens: list[Token]) -> bool:
    """A block whose rows the form lays side by side, printed instead with a row per group: a group
    label with its numbers right after it."""
    for i, tok in enumerate(tokens[:-1]):
        hit = matcher.match(tok.text, (ROW,)) if not _value_like(tok) else None
        following = tokens[i + 1]
        if isinstance(hit, Match) and _value_like(following) and following.text.strip():
            return True
    return False


def _read_table(table: FormTable, tokens: list[Token], cut_off: bool, dropping: frozenset[int]) -> _TableReading:
    matcher = _matchers(table)[0]
    if any(b.rows_as_column_groups for b in table.blocks) and not _transposed(table, matcher, tokens):
        return _read_grouped(table, matcher, tokens, cut_off, dropping)
    return _read_rows(table, matcher, tokens, cut_off, dropping)


def _emit(table: FormTable, report_table: FormTable, reading: _TableReading | None) -> TableCells:
    """Every cell of the table's plan: what the reading found, `missing` for the rest."""
    plan = table_plan(table, report_table)
    cells = TableCells(table, plan)
    positions = {}
    for b, block in enumerate(table.blocks):
        for r in range(len(block.rows)):
            for c in range(len(block.columns)):
                positions[len(positions)] = (b, r, c)
    for i in range(len(plan)):
        found = reading.cells.get(positions[i]) if reading is not None and i in positions else None
        if found is None:
            cells.add(None, MISSING, None, None, None, None)
        else:
            cells.add(found.raw, found.state, found.value, found.src, found.row_label, found.column_label)
    return cells


NO_TABLES = ("not_a_report", "None of the three statistical tables (主动公开, 收到和处理申请, 行政复议/诉讼) was "
             "found, and the text does not read as a 政府信息公开工作年度报告; check that the file is one.")


def interpret(doc: Document, year_hint: int | None = None, forms: tuple[Form, ...] = FORMS,
              is_report: bool = False) -> Interpretation:
    """Given a document, return every cell of its tables' forms (one of `forms`, the State Council's by
    default). A document that reads as a report (`is_report`: its title, its parts) but holds no table
    in text (pictures of tables) has every cell missing; anything else without a number in the forms'
    tables raises ReadError `not_a_report`."""
    tokens = expand_joined(tokens_of(doc), _vocabulary(forms))
    doc_ends_in_table = bool(doc.blocks) and isinstance(doc.blocks[-1], Table)
    segments = _segments(forms, tokens, doc_ends_in_table)
    if not segments:
        if not is_report:
            raise ReadError(*NO_TABLES)
        report_form, basis = choose_form([], year_hint, forms)
        return Interpretation(report_form, [_emit(t, t, None) for t in report_form.tables], [], [], basis,
                              {t.name: report_form.version for t in report_form.tables})
    report_form, table_forms, basis = _choose_forms(forms, segments, year_hint)
    dropping = frozenset(t.index for t in doc.tables if not t.keeps_empty_cells)
    readings: dict[str, _TableReading] = {}
    for seg in segments:
        readings[seg.name] = _read_table(table_forms[seg.name].table(seg.name), seg.tokens, seg.cut_off, dropping)
    tables, leftovers, uncertain = [], [], []
    for report_table in report_form.tables:
        table = table_forms[report_table.name].table(report_table.name)
        reading = readings.get(report_table.name)
        tables.append(_emit(table, report_table, reading))
        if reading is not None:
            leftovers.extend(reading.leftovers)
            uncertain.extend(reading.uncertain)
    if not is_report and not any(s != MISSING for t in tables for s in t.state):
        raise ReadError(*NO_TABLES)  # the forms' words, none of their cells: a note about reports, a contents page
    return Interpretation(report_form, tables, leftovers, [s.name for s in segments], basis,
                          {name: f.version for name, f in table_forms.items()}, uncertain)
