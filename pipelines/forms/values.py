"""Cell text to (state, value): the contract's cell states and its rule for amounts in 元."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pipelines.readers.tokens import NOT_APPLICABLE

VALUE = "value"
BLANK = "blank"
NOT_APPLICABLE_STATE = "not_applicable"
MISSING = "missing"
UNREADABLE = "unreadable"
CELL_STATES = (VALUE, BLANK, NOT_APPLICABLE_STATE, MISSING, UNREADABLE)

YUAN_PER_WAN = Decimal(10000)
_NUMBER = re.compile(
    r"^(?P<sign>[+\-−])?(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?P<dec>\.\d+)?"
    r"(?:\(?(?P<unit>万元|元|件|个|条|项|家|次)\)?)?$"
)


@dataclass(frozen=True, slots=True)
class Reading:
    state: str
    value: Decimal | None = None


def _squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


@functools.lru_cache(maxsize=1 << 16)
def read_cell(raw: str | None, kind: str, unit: str | None = None) -> Reading:
    """Given a cell's raw text, return its state and value.

    `kind` is 'count' (integers only) or 'amount' (decimals); `unit` is the column's unit (件, 万元, or
    元 where its header says so). In a 万元 column a cell written in 元 is converted: amounts are
    stored in 万元 whatever the cell says.
    """
    if raw is None:
        return Reading(MISSING)
    s = _squeeze(raw)
    if not s:
        return Reading(BLANK)
    if s.lower() in NOT_APPLICABLE:
        return Reading(NOT_APPLICABLE_STATE)
    m = _NUMBER.match(s)
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
