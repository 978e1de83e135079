"""Merged-cell spans and table nesting read with bounds: no file builds more cells than a report could hold.

A span is a number the file states and the reader multiplies into grid positions: a 300-byte .docx
with `gridSpan="3000000"` (or a page with `colspan="3000000"`) would otherwise build three million
cells, and a larger one gigabytes, before any other guard looks. Three bounds, shared by the HTML
and Word readers:

* `MAX_SPAN` (1000): a span is clamped to 1..MAX_SPAN (an offset such as `gridBefore` to
  0..MAX_SPAN). Browsers clamp `colspan` at 1000 and Word draws at most 63 columns, so only a
  broken or hostile file reaches the clamp, and what it cuts off is empty merged positions that
  hold no text: clamping loses nothing a reader could use, so it is silent.
* `MAX_GRID_CELLS` (300,000): every grid position a reader builds for one document (cells, the
  positions spans cover, in all its tables) is counted by a `GridBudget`; past it the file is
  refused as `malformed`. The largest real report in tests/real/ builds about 400 positions, a
  long unrelated data table on a page a few thousand; 300,000 positions (a few tens of MB of cells)
  leaves three orders of magnitude of room and still bounds memory, which clamping alone does not
  (the zip guards let a .docx body hold a million cells, each of which may span 1000).
* `MAX_TABLE_DEPTH` (32): tables nested in table cells deeper than this are refused as
  `malformed`; Word layouts nest two or three levels.

A span that is not a whole number is handled as the format's own software does: a browser reads a
bad `colspan` as 1 (`html_span`), while Word refuses to open a file whose `w:gridSpan` is not an
integer (`word_span`), so no real report carries one, and guessing would silently shift every
later cell of the row into another column: it is refused as `malformed`.
"""

from __future__ import annotations

import re

from pipelines.document.model import ReadError

MAX_SPAN = 1000
MAX_GRID_CELLS = 300_000
MAX_TABLE_DEPTH = 32
_INTEGER = re.compile(r"\s*([+-]?)([0-9]+)\s*\Z")
# More digits than this is past MAX_SPAN whatever they say (and int() refuses >4300 digits).
_MAX_DIGITS = 9


def _integer(raw: str) -> int | None:
    """An integer written as XML Schema and HTML write one (ASCII digits, optional sign), else None."""
    m = _INTEGER.match(raw)
    if m is None:
        return None
    sign, digits = m.groups()
    value = int(digits) if len(digits.lstrip("0")) <= _MAX_DIGITS else 10 ** _MAX_DIGITS
    return -value if sign == "-" else value


def clamp(value: int, low: int = 1) -> int:
    """A span (low=1) or an offset (low=0) within low..MAX_SPAN."""
    return max(low, min(MAX_SPAN, value))


def html_span(raw: str | None) -> int:
    """An HTML colspan/rowspan: 1..MAX_SPAN, a missing, empty or non-numeric value is 1 (as browsers read it)."""
    value = _integer(raw) if raw is not None and raw.strip() else 1
    return clamp(1 if value is None else value)


def word_span(raw: str | None, what: str, default: int = 1, low: int = 1) -> int:
    """A Word span or offset (`w:gridSpan`, `w:gridBefore`…) within low..MAX_SPAN; `default` when absent.

    Raise ReadError("malformed") when it is present but not an integer.
    """
    if raw is None:
        return default
    value = _integer(raw)
    if value is None:
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise ReadError("malformed", f"A table in the file gives {what} as {shown!r}, not a whole number; Word "
                        "refuses such a file, so it is damaged or was not written by a word processor. Save it "
                        "again from Word or WPS, or report it with the file.")
    return clamp(value, low)


class GridBudget:
    """The grid positions a reader may still build for one document; taking more raises `malformed`."""

    def __init__(self, limit: int = MAX_GRID_CELLS) -> None:
        self.limit = limit
        self.left = limit

    def take(self, positions: int) -> None:
        self.left -= positions
        if self.left < 0:
            raise ReadError("malformed", f"The file's tables would hold more than {self.limit:,} cells once their "
                            "merged-cell spans are laid out (a report's hold a few hundred): the file is damaged "
                            "or built to exhaust the parser. Check that it opens as a report.")


def check_depth(depth: int) -> None:
    """Refuse a table nested in `depth` tables' cells past MAX_TABLE_DEPTH as `malformed`."""
    if depth > MAX_TABLE_DEPTH:
        raise ReadError("malformed", f"The file nests tables inside table cells more than {MAX_TABLE_DEPTH} levels "
                        "deep (Word layouts nest two or three): the file is damaged or built to exhaust the "
                        "parser. Check that it opens as a report.")
