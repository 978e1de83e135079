"""What a piece of cell text looks like, for readers that must find cells without markers."""

from __future__ import annotations

import functools
import re
import unicodedata

# A number as agencies write it in a cell: sign, thousands separators, decimals, a unit.
NUMBER = re.compile(r"^[+\-−]?\d[\d,]*(?:\.\d+)?\s*(?:\(?(?:万元|元|件|个|条|项|家|次)\)?)?$")
# Cell texts that say "not applicable".
NOT_APPLICABLE = frozenset({"/", "\\", "-", "--", "—", "——", "–", "－", "无", "不适用", "n/a", "na", "×"})


def squeeze(text: str) -> str:
    """Given cell text, return it NFKC-folded with all whitespace (no-break spaces too) removed."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@functools.lru_cache(maxsize=1 << 16)
def is_value_like(text: str) -> bool:
    """True when the text could be a table value: a number, a not-applicable mark or nothing."""
    s = squeeze(text)
    return not s or bool(NUMBER.match(s)) or s.lower() in NOT_APPLICABLE


# A line this short inside a table is a piece of a cell written vertically or wrapped (`自`/`然`/`人`,
# `（五）不予`/`处理`); part headings and prose lines are longer.
MAX_FRAGMENT_CHARS = 5


def is_fragment(line: str) -> bool:
    return len(line.strip()) <= MAX_FRAGMENT_CHARS
