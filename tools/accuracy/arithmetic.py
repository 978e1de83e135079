"""The forms' own arithmetic, checked on a hand-keyed truth.csv: where a key does not add up, either the
reader slipped (re-read the document) or the source itself is inconsistent (keep the source's value
and say so in meta.toml's `source_inconsistencies`).

`python -m tools.accuracy.arithmetic tests/real/<slug> [more folders]`. The codes are the warehouse
contract's; this tool reads no table of the product (it checks people's keys, not the parser).
"""

from __future__ import annotations

import argparse
from decimal import Decimal
from pathlib import Path

from tools.accuracy.keys import KeyedCell, read_key

APPLICANTS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org")
HANDLED = ("granted", "partly_granted", "denied_state_secret", "denied_law_prohibited", "denied_three_safety",
           "denied_third_party", "denied_internal", "denied_process", "denied_enforcement_file",
           "denied_admin_query", "unable_not_held", "unable_need_creation", "unable_unclear",
           "rejected_complaint", "rejected_repeat", "rejected_publication", "rejected_mass", "rejected_confirm",
           "other", "other_no_correction", "other_no_fee", "other_misc")
PROCEEDINGS = ("admin_review", "litigation_direct", "litigation_after_review")
RESULTS = ("upheld", "corrected", "other", "pending")


def _number(cells: dict[tuple[str, str], KeyedCell], table: str, cell: str) -> Decimal | None:
    """A keyed cell as a number: blank and not-applicable count as 0 (the contract's rule); None when
    the cell is not keyed, missing or unreadable."""
    c = cells.get((table, cell))
    if c is None or c.state in ("missing", "unreadable"):
        return None
    return c.value if c.state == "value" else Decimal(0)


def _sum_rule(cells, table: str, result: str, addends: list[str], what: str) -> str | None:
    total = _number(cells, table, result)
    parts = [_number(cells, table, a) for a in addends if (table, a) in cells]
    if total is None or not parts or any(p is None for p in parts):
        return None
    if sum(parts) != total:
        return f"{what}: printed {total}, the parts add up to {sum(parts)}"
    return None


def violations(cells: dict[tuple[str, str], KeyedCell]) -> list[str]:
    """Every rule of the forms the keyed cells break."""
    out: list[str] = []
    outcomes = sorted({c.split("/")[0] for t, c in cells if t == "applications"})
    for outcome in outcomes:
        out.append(_sum_rule(cells, "applications", f"{outcome}/total", [f"{outcome}/{a}" for a in APPLICANTS],
                             f"table B {outcome}: 总计 vs the six applicant columns"))
    for applicant in (*APPLICANTS, "total"):
        out.append(_sum_rule(cells, "applications", f"total_handled/{applicant}",
                             [f"{o}/{applicant}" for o in HANDLED], f"table B {applicant}: （七）总计 vs the outcome rows"))
        new, carried, handled, forward = (_number(cells, "applications", f"{o}/{applicant}") for o in
                                          ("new_received", "carried_over", "total_handled", "carried_forward"))
        if None not in (new, carried, handled, forward) and new + carried != handled + forward:
            out.append(f"table B {applicant}: 新收 {new} + 上年结转 {carried} ≠ （七）总计 {handled} + 结转下年度 {forward}")
    for proceeding in PROCEEDINGS:
        out.append(_sum_rule(cells, "appeals", f"{proceeding}/total", [f"{proceeding}/{r}" for r in RESULTS],
                             f"table C {proceeding}: 总计 vs 维持+纠正+其他+尚未审结"))
    return [v for v in out if v]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.accuracy.arithmetic", description=__doc__)
    parser.add_argument("folders", type=Path, nargs="+")
    args = parser.parse_args(argv)
    for folder in args.folders:
        found = violations(read_key(folder / "truth.csv"))
        print(f"{folder.name}: " + ("adds up" if not found else ""))
        for line in found:
            print(f"  {line}")


if __name__ == "__main__":
    main()
