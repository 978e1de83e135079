"""Hand-keyed truth files (tests/real/<slug>/truth.csv): reading them, and comparing two readers' keys.

`python -m tools.accuracy.keys A.csv B.csv` prints every cell on which two independent keys of one
document disagree (value, state, or a cell only one of them keyed), so that each disagreement is
resolved against the document and recorded in its meta.toml.
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

TRUTH_COLUMNS = ("table", "cell", "value", "state", "raw_text", "row_label", "column_label")
STATES = ("value", "blank", "not_applicable", "missing", "unreadable")
TABLES = ("proactive", "applications", "appeals")


@dataclass(frozen=True, slots=True)
class KeyedCell:
    table: str
    cell: str
    value: Decimal | None
    state: str
    raw_text: str
    row_label: str
    column_label: str


def read_key(path: Path) -> dict[tuple[str, str], KeyedCell]:
    """Given a truth.csv, return its cells by (table, cell); raise ValueError naming a malformed row."""
    out: dict[tuple[str, str], KeyedCell] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in TRUTH_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: columns {missing} missing")
        for n, row in enumerate(reader, start=2):
            if row["table"] not in TABLES or row["state"] not in STATES:
                raise ValueError(f"{path}:{n}: table {row['table']!r} or state {row['state']!r} unknown")
            value = None
            if row["value"].strip():
                try:
                    value = Decimal(row["value"].strip())
                except InvalidOperation as exc:
                    raise ValueError(f"{path}:{n}: value {row['value']!r} is no number") from exc
            if (value is None) != (row["state"] != "value"):
                raise ValueError(f"{path}:{n}: a value goes with state 'value' and only with it")
            key = (row["table"], row["cell"])
            if key in out:
                raise ValueError(f"{path}:{n}: {key} keyed twice")
            out[key] = KeyedCell(row["table"], row["cell"], value, row["state"], row["raw_text"] or "",
                                 row["row_label"] or "", row["column_label"] or "")
    return out


def write_key(path: Path, cells: list[KeyedCell]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(TRUTH_COLUMNS)
        for c in cells:
            writer.writerow([c.table, c.cell, "" if c.value is None else _plain(c.value), c.state, c.raw_text,
                             c.row_label, c.column_label])


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def disagreements(a: dict[tuple[str, str], KeyedCell], b: dict[tuple[str, str], KeyedCell]) -> list[str]:
    """Given two keys of one document, return a line per cell on which they disagree."""
    out = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x is None or y is None:
            only = "A" if y is None else "B"
            cell = x or y
            out.append(f"{key[0]}/{key[1]}: only {only} keyed it ({cell.state} {cell.value} {cell.raw_text!r})")
        elif (x.state, x.value) != (y.state, y.value):
            out.append(f"{key[0]}/{key[1]}: A {x.state} {x.value} {x.raw_text!r}, B {y.state} {y.value} {y.raw_text!r}")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.accuracy.keys", description=__doc__)
    parser.add_argument("a", type=Path)
    parser.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    lines = disagreements(read_key(args.a), read_key(args.b))
    print("\n".join(lines) if lines else "the two keys agree on every cell")


if __name__ == "__main__":
    main()
