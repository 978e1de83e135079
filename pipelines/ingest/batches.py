"""Which batch a file belongs to: a stable key from its path.

Extraction is partitioned by this key (never one partition per file), so a batch can be parsed,
staged and re-run alone, and batches can travel to other machines. The key depends on the path
only, so a file stays in its batch when its content changes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

# 16 batches: at 100,000 new reports a year, ~6,000 files each on a full re-parse, a few hundred
# on a nightly run.
BATCH_KEYS: tuple[str, ...] = tuple(f"{i:x}" for i in range(16))


def batch_of(path: str) -> str:
    """Given a path relative to the raw folder, return its batch key (a hex digit)."""
    return hashlib.sha1(path.encode("utf-8")).hexdigest()[0]


def in_batches(keys: Iterable[str] | None):
    """A path filter keeping the given batches (None: every batch)."""
    if keys is None:
        return None
    wanted = frozenset(keys)
    return lambda path: batch_of(path) in wanted
