"""Which form label a piece of text is: exact first, then close (typos, cut-short or annotated labels),
and never a guess between two labels that are almost equally close.

Real labels drop characters (`其他法律行政止公开`), carry notes (`本年新收政府信息公开申请数量`, `规章（设区的市…）`),
are cut short (`现行有效件`) or misspelt (`本年废纸件数`, `上年转结`). A label that merely contains a form label
after words of its own (`涉企行政规范性文件`, an agency's extra row) is no match: in Chinese the words in
front qualify the noun, so it names something else. Scores are 0–100; a close match must beat the
next-closest label by MARGIN, or the answer is `Ambiguous` and the caller flags it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from pipelines.forms.labels import normalize, squeeze_label, trailing_note
from pipelines.forms.spec import FormTable

ANCHOR, ROW, COLUMN, GROUP, FURNITURE, HEADER = "anchor", "row", "column", "group", "furniture", "header"
KIND_PRIORITY = (HEADER, ANCHOR, ROW, COLUMN, GROUP, FURNITURE)

# Keys shorter than this match only exactly (行政处罚 and 行政强制 differ by two characters).
MIN_CLOSE_CHARS = 4
# A close match scores at least this much (exact: 100).
MIN_SCORE = 75.0
# …and beats the next-closest label by this much, or it is ambiguous.
MARGIN = 6.0
# A cut-short label keeps at least this share of the label it stands for.
MIN_CUT_SHARE = 0.6
# Typos weigh less than an annotated or cut-short label with the same characters.
TYPO_WEIGHT = 0.95


@dataclass(frozen=True, slots=True)
class Target:
    """What a label names: its kind, and the block and row/column index where it has one."""

    kind: str
    block: int = -1
    line: int = -1


@dataclass(frozen=True, slots=True)
class Match:
    target: Target
    exact: bool
    score: float


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """Two or more labels almost equally close: the text cannot be placed without a guess."""

    candidates: tuple[Match, ...]


MatchResult = Match | Ambiguous | None


def _close_score(key: str, variant: str) -> float:
    """Given a normalized key and a form variant (not equal), return how close they are (0–100)."""
    if len(variant) >= MIN_CLOSE_CHARS and key.startswith(variant):
        return 85.0 + 15.0 * len(variant) / len(key)  # the label with words of its own after it
    if len(key) >= MIN_CLOSE_CHARS and variant.startswith(key) and len(key) >= MIN_CUT_SHARE * len(variant):
        return 85.0 + 15.0 * len(key) / len(variant)  # cut short
    if min(len(key), len(variant)) < MIN_CLOSE_CHARS:
        return 0.0
    return fuzz.ratio(key, variant) * TYPO_WEIGHT


class LabelMatcher:
    """Every label of one form table, normalized, with what it names; answers exact, close or ambiguous."""

    def __init__(self, table: FormTable, header_labels: tuple[str, ...] = ()) -> None:
        self.table = table
        self._by_key: dict[str, list[Target]] = {}
        self._printed: dict[str, Target] = {}
        for b, block in enumerate(table.blocks):
            for label in block.anchors:
                self._add(label, Target(ANCHOR, b))
            for r, row in enumerate(block.rows):
                kind = ROW
                for label in row.labels:
                    self._add(label, Target(kind, b, r))
            for c, col in enumerate(block.columns):
                for label in col.labels:
                    self._add(label, Target(COLUMN, b, c))
            for label in block.groups:
                self._add(label, Target(GROUP, b))
        for label in header_labels:
            self._add(label, Target(HEADER))
        for label in table.furniture:
            self._add(label, Target(FURNITURE))
        self._memo: dict[tuple, MatchResult] = {}

    def _add(self, label: str, target: Target) -> None:
        key = normalize(label)
        if key and target not in self._by_key.setdefault(key, []):
            self._by_key[key].append(target)
        printed = squeeze_label(label)
        if printed and printed not in self._printed:
            self._printed[printed] = target

    def match(self, text: str, kinds: tuple[str, ...] | None = None, block: int | None = None) -> MatchResult:
        """Given cell text, return the label it is among `kinds` (and `block`), an Ambiguous, or None."""
        memo = (text, kinds, block)
        if memo in self._memo:
            return self._memo[memo]
        key = normalize(text)
        result = self._qualified(text, self._search(key, kinds, block), kinds, block) if key else None
        self._memo[memo] = result
        return result

    def _qualified(self, text: str, result: MatchResult, kinds: tuple[str, ...] | None,
                   block: int | None) -> MatchResult:
        """A group's heading with one of its rows in brackets (`行政诉讼（复议后起诉）`, a table printed per
        group) names the row, not the group: the bracket is read as a label when it is one exactly."""
        if isinstance(result, Match) and result.target.kind not in (GROUP, FURNITURE, ANCHOR):
            return result
        note = trailing_note(text)
        inner = self._search(normalize(note), kinds, block) if note else None
        if isinstance(inner, Match) and inner.exact and inner.target.kind in (ROW, COLUMN):
            return inner
        return result

    def _search(self, key: str, kinds: tuple[str, ...] | None, block: int | None) -> MatchResult:

        def allowed(t: Target) -> bool:
            return (kinds is None or t.kind in kinds) and (block is None or t.block in (block, -1))

        exact = [t for t in self._by_key.get(key, ()) if allowed(t)]
        if exact:
            # One wording may be a block's anchor and a caption (申请人情况), a group and furniture: the
            # more specific kind wins; two targets of one kind (two rows) cannot be told apart.
            first = min(KIND_PRIORITY.index(t.kind) for t in exact)
            exact = [t for t in exact if KIND_PRIORITY.index(t.kind) == first]
            if len(exact) == 1:
                return Match(exact[0], True, 100.0)
            return Ambiguous(tuple(Match(t, True, 100.0) for t in exact))
        best: dict[Target, float] = {}
        for variant, targets in self._by_key.items():
            score = _close_score(key, variant)
            if score < MIN_SCORE:
                continue
            for t in targets:
                if allowed(t) and score > best.get(t, 0.0):
                    best[t] = score
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda item: (-item[1], KIND_PRIORITY.index(item[0].kind)))
        top = Match(ranked[0][0], False, ranked[0][1])
        rivals = [(t, s) for t, s in ranked[1:] if t.kind == top.target.kind]
        if rivals and ranked[0][1] - rivals[0][1] < MARGIN:
            return Ambiguous((top, *(Match(t, False, s) for t, s in rivals[:2])))
        return top

    def segment(self, text: str) -> list[tuple[str, bool]]:
        """Given text whose cells the source ran together (no separators), return its pieces with whether
        each is a printed form label: every label found in it (longest first, left to right), the text
        between them kept as pieces of its own; a bracketed note right after a label stays with it."""
        s = squeeze_label(text)
        lengths = sorted({len(p) for p in self._printed}, reverse=True)
        pieces: list[tuple[str, bool]] = []
        other = ""
        i = 0
        while i < len(s):
            hit = next((s[i:i + n] for n in lengths if i + n <= len(s) and s[i:i + n] in self._printed), None)
            if hit is None:
                if s[i] == "(" and pieces and pieces[-1][1] and not other and ")" in s[i:]:
                    close = s.index(")", i)
                    pieces[-1] = (pieces[-1][0] + s[i:close + 1], True)  # a note after a label (`(区分处理的…)`)
                    i = close + 1
                    continue
                other += s[i]
                i += 1
                continue
            if other:
                pieces.append((other, False))
                other = ""
            pieces.append((hit, True))
            i += len(hit)
        if other:
            pieces.append((other, False))
        return pieces


def best_target(result: MatchResult) -> Target | None:
    """The target of a definite match (None for no match or an ambiguous one)."""
    return result.target if isinstance(result, Match) else None
