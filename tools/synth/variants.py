"""The printed labels of the real corpus, with how often each was seen: the generator's label table.

`python -m tools.synth.variants` reads every tests/real/*/truth.csv (the labels people copied from real
documents: `row_label`, `column_label`, ' / ' between the parts of a header printed over several cells)
and each folder's meta.toml (which form each table follows), and writes tools/synth/label_variants.json:

    {form version: {table: {"rows" | "columns" | "headings": {code: {printed label: documents}}}}}

`rows` are a row's own label (the last part of row_label), `columns` a column's own label, `headings`
what is printed above or beside them: table A's article items (art20_1 …), table B's part 三、本年度办理结果
(`handled`), its row groups (`denied` …), 法人或其他组织 (`legal_person`), 申请人情况 (`applicant`), and
table C's proceedings. A count is the number of documents the label was seen in. The generator draws
printed labels from here, weighted by count, and falls back to the form's wording (tools/synth/forms.py).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import tomllib
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "real"
VARIANTS = Path(__file__).resolve().parent / "label_variants.json"
PART_SEPARATOR = " / "
# The part heading of table B's outcome rows (三、本年度办理结果), however it is spaced.
HANDLED_PART_START = "三"
LEGAL_PERSON_WORD = "法人"
APPLICANT_WORD = "申请人"


def _parts(label: str) -> list[str]:
    return [p.strip() for p in label.split(PART_SEPARATOR) if p.strip()]


def _outcome_group(outcome: str) -> str | None:
    """The row group code of a table B outcome (`denied_state_secret` → `denied`); None for the rest."""
    head = outcome.split("_")[0]
    return head if head in ("denied", "unable", "rejected") or outcome.startswith("other_") else None


def labels_of(table: str, cell: str, row_label: str, column_label: str) -> list[tuple[str, str, str]]:
    """Given a keyed cell, return its labels as (kind, code, printed): kind is rows, columns or headings."""
    codes = cell.split("/")
    rows, cols = _parts(row_label), _parts(column_label)
    out: list[tuple[str, str, str]] = []
    if table == "proactive":
        item, category, metric = codes
        if rows:
            out.append(("rows", category, rows[-1]))
            out += [("headings", item, p) for p in rows[:-1]]
        if cols:
            out.append(("columns", metric, cols[-1]))
    elif table == "applications":
        outcome, applicant = codes
        if rows:
            out.append(("rows", outcome, rows[-1]))
            heads = rows[:-1]
            if heads and heads[0].replace(" ", "").startswith(HANDLED_PART_START):
                out.append(("headings", "handled", heads[0]))
                heads = heads[1:]
            group = _outcome_group(outcome)
            if group and heads:
                out.append(("headings", group, PART_SEPARATOR.join(heads)))
        if cols:
            out.append(("columns", applicant, cols[-1]))
            for part in cols[:-1]:
                if LEGAL_PERSON_WORD in part:
                    out.append(("headings", "legal_person", part))
                elif APPLICANT_WORD in part:
                    out.append(("headings", "applicant", part))
    else:
        proceeding, result = codes
        if cols:
            out.append(("columns", result, cols[-1]))
            if len(cols) > 1:
                out.append(("headings", proceeding, PART_SEPARATOR.join(cols[:-1])))
    return out


def gather(corpus: Path = CORPUS) -> dict:
    """Every printed label of the real corpus by form, table, kind and code, with its document count."""
    seen: dict[tuple[str, str, str, str], Counter] = defaultdict(Counter)
    for truth in sorted(corpus.glob("*/truth.csv")):
        forms = tomllib.loads((truth.parent / "meta.toml").read_text(encoding="utf-8")).get("forms", {})
        in_document: set[tuple[str, str, str, str, str]] = set()
        with truth.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                version = forms.get(row["table"])
                if version not in ("2019", "2021"):
                    continue
                for kind, code, printed in labels_of(row["table"], row["cell"], row["row_label"] or "",
                                                     row["column_label"] or ""):
                    in_document.add((version, row["table"], kind, code, printed))
        for version, table, kind, code, printed in in_document:
            seen[(version, table, kind, code)][printed] += 1
    out: dict = {}
    for (version, table, kind, code), counts in seen.items():
        out.setdefault(version, {}).setdefault(table, {}).setdefault(kind, {})[code] = dict(counts)
    return out


def write(path: Path = VARIANTS, corpus: Path = CORPUS) -> dict:
    table = gather(corpus)
    path.write_text(json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return table


@lru_cache(maxsize=1)
def load(path: Path = VARIANTS) -> dict:
    """The committed label table (written by `python -m tools.synth.variants`)."""
    return json.loads(path.read_text(encoding="utf-8"))


def pick(rng: random.Random, version: str, table: str, kind: str, code: str, fallback: str) -> str:
    """A printed label for a code, drawn from the real corpus' variants weighted by how many documents
    showed each; the form's wording when the corpus never showed this label."""
    counts = load().get(version, {}).get(table, {}).get(kind, {}).get(code)
    if not counts:
        return fallback
    labels = sorted(counts)
    return rng.choices(labels, weights=[counts[label] for label in labels])[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.synth.variants", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--out", type=Path, default=VARIANTS)
    args = parser.parse_args(argv)
    table = write(args.out, args.corpus)
    n = sum(len(labels) for tables in table.values() for kinds in tables.values()
            for codes in kinds.values() for labels in codes.values())
    print(f"wrote {args.out}: {n} printed labels")


if __name__ == "__main__":
    main()
