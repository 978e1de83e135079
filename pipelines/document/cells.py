"""The cell grammar: what a number, a blank and a "not applicable" look like in a cell.

One grammar for the whole project. Readers ask `is_value_like` to tell cells from prose where a
layout has no markers; the form interpreter asks `read_cell` for a cell's state and value. Both
answer from the same patterns, so a text a reader took for a value is one the interpreter reads.
States and the rule for amounts in 元 follow the warehouse contract.
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

# A number as agencies write it in a cell (after NFKC folding and whitespace removal): a sign,
# digits with or without thousands separators, decimals, a unit with or without brackets.
NUMBER = re.compile(
    r"^(?P<sign>[+\-−])?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?"
    r"(?:\(?(?P<unit>万元|元|件|个|条|项|家|次)\)?)?$"
)
# Cell texts that say "not applicable".
NOT_APPLICABLE = frozenset({"/", "\\", "-", "--", "—", "——", "–", "－", "无", "不适用", "n/a", "na", "×"})
YUAN_PER_WAN = Decimal(10000)
_SPACED_DIGITS = re.compile(r"\d\s+\d")


@dataclass(frozen=True, slots=True)
class Reading:
    state: str
    value: Decimal | None = None


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
    元 where its header says so). In a 万元 column a cell written in 元 is converted: amounts are
    stored in 万元 whatever the cell says.
    """
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
    if m.group("sign") in ("-", "−"):
        value = -value
    if kind == "count":
        if value != value.to_integral_value():
            return Reading(UNREADABLE)
        return Reading(VALUE, value.to_integral_value())
    if unit in ("万元", "元") and (m.group("unit") or unit) == "元":
        value = value / YUAN_PER_WAN
    return Reading(VALUE, value)
