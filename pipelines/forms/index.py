"""Looking labels up in a form: which block, row, column or piece of furniture a cell names."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from pipelines.forms.labels import normalize
from pipelines.forms.spec import Form, FormTable

# Variants shorter than this match only exactly; longer ones also when contained in a label
# (a label with extra words) or when a label is a cut-short prefix of them (`现行有效件`).
MIN_FUZZY_CHARS = 4

ANCHOR, ROW, COLUMN, GROUP, FURNITURE, HEADER = "anchor", "row", "column", "group", "furniture", "header"


@dataclass(frozen=True, slots=True)
class Hit:
    kind: str
    table: str
    block: int = -1
    line: int = -1
    variant: str = ""


class LabelIndex:
    """Every label of one form table, normalized, with what it names."""

    def __init__(self, table: FormTable, header_labels: tuple[str, ...] = ()) -> None:
        self.table = table
        self._by_key: dict[str, list[Hit]] = defaultdict(list)
        for b, block in enumerate(table.blocks):
            for label in block.anchors:
                self._add(label, Hit(ANCHOR, table.name, b))
            for r, row in enumerate(block.rows):
                for label in row.labels:
                    self._add(label, Hit(ROW, table.name, b, r))
            for c, col in enumerate(block.columns):
                for label in col.labels:
                    self._add(label, Hit(COLUMN, table.name, b, c))
            for label in block.groups:
                self._add(label, Hit(GROUP, table.name, b))
        for label in header_labels:
            self._add(label, Hit(HEADER, table.name))
        for label in table.furniture:
            self._add(label, Hit(FURNITURE, table.name))
        self._memo: dict[tuple[str, tuple[str, ...] | None, int | None], Hit | None] = {}

    def _add(self, label: str, hit: Hit) -> None:
        key = normalize(label)
        if key and all(h != hit for h in self._by_key[key]):
            self._by_key[key].append(Hit(hit.kind, hit.table, hit.block, hit.line, key))

    def lookup(self, text: str, kinds: tuple[str, ...] | None = None, block: int | None = None) -> Hit | None:
        """Given cell text, return the best hit among `kinds` (and `block`), or None."""
        key = normalize(text)
        if not key:
            return None
        memo_key = (key, kinds, block)
        if memo_key not in self._memo:
            self._memo[memo_key] = self._search(key, kinds, block)
        return self._memo[memo_key]

    def _search(self, key: str, kinds: tuple[str, ...] | None, block: int | None) -> Hit | None:

        def allowed(h: Hit) -> bool:
            return (kinds is None or h.kind in kinds) and (block is None or h.block in (block, -1))

        exact = [h for h in self._by_key.get(key, ()) if allowed(h)]
        if exact:
            return exact[0]
        if len(key) < MIN_FUZZY_CHARS:
            return None
        best: Hit | None = None
        for variant, hits in self._by_key.items():
            if len(variant) < MIN_FUZZY_CHARS:
                continue
            if variant in key or variant.startswith(key):
                for h in hits:
                    if allowed(h) and (best is None or len(variant) > len(best.variant)):
                        best = h
        return best


def form_evidence(form: Form, keys: list[str]) -> int:
    """Given the normalized table texts of a document, count the labels only this form has."""
    evidence = {normalize(e) for e in form.evidence}
    return sum(1 for k in keys if k in evidence)
