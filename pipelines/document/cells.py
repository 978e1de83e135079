"""The cell grammar: what a number, a blank and a "not applicable" look like in a cell.

One grammar for the whole project. Readers ask `is_value_like` to tell cells from prose where a
layout has no markers; the form interpreter asks `read_cell` for a cell's state and value. Both
answer from the same patterns, so a text a reader took for a value is one the interpreter reads.
States and the rule for amounts in 元 follow the warehouse contract; a unit written in a cell is
checked against its column's (money in a count column is no count).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

VALUE = "value"
BLANK = "blank"
NOT_APPLICABLE_STATE = "not_applicable"
MISSING = "missing"
UNREADABLE = "unreadable"
CELL_STATES = (VALUE, BLANK, NOT_APPLICABLE_STATE, MISSING, UNREADABLE)

# A minus as agencies type it: the hyphen-minus, the minus sign and the dashes (`—3`, `–3`); the
# full-width `－` and small `﹣` are folded to `-` by NFKC, as full-width digits (`１２３`) are to digits.
MINUS = "-−‐‒–—―"
# Units a cell may carry: money (元; 万元 is 万 × 元) and counts. `万` alone multiplies by ten thousand.
MONEY_UNIT = "元"
COUNT_UNITS = ("件", "个", "条", "项", "家", "次")
# A number as agencies write it in a cell (after NFKC folding and whitespace removal): a sign,
# digits with or without thousands separators, decimals, a unit with or without brackets (`万`,
# `万元`, `元`, `件`, `万件`…).
NUMBER = re.compile(
    rf"^(?P<sign>[+{re.escape(MINUS)}])?(?P<num>\d{{1,3}}(?:,\d{{3}})+|\d+)(?P<dec>\.\d+)?"
    rf"(?:\(?(?P<unit>万?(?:{MONEY_UNIT}|{'|'.join(COUNT_UNITS)})|万)\)?)?$"
)
# Cell texts that say "not applicable".
NOT_APPLICABLE = frozenset({"/", "\\", "-", "--", "—", "——", "–", "－", "−", "‒", "―", "――", "‐", "无", "不适用",
                            "n/a", "na", "×"})
WAN = Decimal(10000)  # 万
YUAN_PER_WAN = WAN
_SPACED_DIGITS = re.compile(r"\d\s+\d")


@dataclass(frozen=True, slots=True)
class Reading:
    state: str
    value: Decimal | None = None


# Word's and LibreOffice's default left and right cell margin: 0.19 cm (5.4 pt); a little more, so that a
# line must truly fill its cell to count as wrapped.
CELL_MARGIN_PT = 6.0


def fills_cell(line_width: float, digit_width: float, cell_width: float, margin: float) -> bool:
    """A line of digits that leaves no room for one more digit between its cell's margins (all in one
    unit): a number its cell was too narrow for goes on on the next line (`9587` over `0`). The readers
    that see where a cell's lines end (PDF, OCR) join such lines into one number; lines of digits that
    leave room (`12` over `5` in a wide cell) stay apart, and read unreadable rather than guessed."""
    return line_width + digit_width > cell_width - 2 * margin


def squeeze(text: str) -> str:
    """Given cell text, return it NFKC-folded with all whitespace (no-break spaces too) removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@functools.lru_cache(maxsize=1 << 16)
def is_value_like(text: str) -> bool:
    """True when the text could be a table value: a number, a not-applicable mark or nothing."""
    s = squeeze(text)
    return not s or bool(NUMBER.match(s)) or s.lower() in NOT_APPLICABLE


@functools.lru_cache(maxsize=1 << 16)
def read_cell(raw: str | None, kind: str, unit: str | None = None) -> Reading:
    """Given a cell's raw text, return its state and value.

    `kind` is 'count' (integers only) or 'amount' (decimals); `unit` is the column's unit (件, 万元, or
    元 where its header says so). Amounts are stored in 万元 whatever the cell says: in a 万元 or 元
    column a cell written in 元 (`251000元`) is converted, one written in 万 or 万元 (`1848万`) is kept,
    a bare number is in the column's unit. In a count column (kind 'count', or a unit such as 件) `万`
    multiplies (`3万` is 30000). A unit the column disagrees with — money in a count column (`3元`,
    `1848万元`), a count in a money column (`3件`) — makes the cell unreadable (its raw text kept,
    the report flagged), never a number in the wrong unit. Where the column's unit is not known
    (kind 'amount' without a unit) the number is read as printed, whatever unit it carries.
    """
    reading = _read_cell(raw, kind, unit)
    if reading.value is not None and not _fits_the_warehouse(reading.value):
        return Reading(UNREADABLE)  # past DECIMAL(24,6): no report prints such a number; never rounded away
    return reading


# The warehouse stores DECIMAL(24,6): 18 digits before the point, 6 after.
MAX_ABS_VALUE = Decimal(10) ** 18
DECIMAL_PLACES = 6


def _fits_the_warehouse(value: Decimal) -> bool:
    """A value DECIMAL(24,6) holds: under 10^18, and with no digit past the sixth place that rounding
    would lose beyond what a 元 → 万元 conversion leaves (exponent bounded, so no 400-place decimal)."""
    if not value.is_finite() or abs(value) >= MAX_ABS_VALUE:
        return False
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -(DECIMAL_PLACES + 4)


def _read_cell(raw: str | None, kind: str, unit: str | None) -> Reading:
    if raw is None:
        return Reading(MISSING)
    if _SPACED_DIGITS.search(unicodedata.normalize("NFKC", raw)):
        return Reading(UNREADABLE)  # `0 0 0`: several numbers in one cell, not one number
    s = squeeze(raw)
    if not s:
        return Reading(BLANK)
    if s.lower() in NOT_APPLICABLE:
        return Reading(NOT_APPLICABLE_STATE)
    m = NUMBER.match(s)
    if not m:
        return Reading(UNREADABLE)
    try:
        value = Decimal(m.group("num").replace(",", "") + (m.group("dec") or ""))
    except InvalidOperation:
        return Reading(UNREADABLE)
    if m.group("sign") and m.group("sign") != "+":
        value = -value
    written = m.group("unit") or ""
    wan = written.startswith("万")
    written = written.removeprefix("万")
    if kind == "count" or unit in COUNT_UNITS:
        if written == MONEY_UNIT:
            return Reading(UNREADABLE)  # money in a count column
        if wan:
            value *= WAN
        if kind == "count":
            if value != value.to_integral_value():
                return Reading(UNREADABLE)
            return Reading(VALUE, value.to_integral_value())
        return Reading(VALUE, value)
    if unit not in (MONEY_UNIT, "万元"):
        return Reading(VALUE, value)  # the column's unit is not known: as printed
    if written in COUNT_UNITS:
        return Reading(UNREADABLE)  # a count in a money column
    if not wan and (written or unit) == MONEY_UNIT:
        value = value / YUAN_PER_WAN
    return Reading(VALUE, value)
