"""A report's numbers and how each cell prints them: values that obey the form's arithmetic (unless a
quirk breaks it, as real tables do), and every cell's printed text with its truth (value and state).

A cell key is (table, cell) with the warehouse's codes: ("applications", "granted/natural_person").
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from tools.synth.forms import APPLICANTS, FORMS, INFLOW, LEGAL_PERSONS, OUTFLOW, PROCEEDINGS, RESULTS

Key = tuple[str, str]
# The share of count cells that are zero, and the usual size of the rest (real tables are mostly 0).
ZERO_SHARE = 0.45
# Dashes agencies print for a minus sign in 本年增/减 (`－3`, `—3`).
DASH_MINUS = ("－", "—", "−")
FULLWIDTH_OFFSET = ord("０") - ord("0")
LEGAL_PERSONS_AND_PEOPLE = tuple(a.code for a in APPLICANTS if a.code != "total")


@dataclass
class Printed:
    """A cell as the report prints it (`text`; None: the source does not have it) and its truth."""

    text: str | None
    value: float | None
    state: str


def count(rng: random.Random, scale: float) -> int:
    return 0 if rng.random() < ZERO_SHARE else int(rng.expovariate(1 / scale))


def _split(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    out = [0] * len(weights)
    for _ in range(total):
        out[rng.choices(range(len(weights)), weights)[0]] += 1
    return out


def fullwidth(text: str) -> str:
    """Digits as full-width characters (`１２`), the way some editors type them."""
    return "".join(chr(ord(c) + FULLWIDTH_OFFSET) if c.isdigit() else c for c in text)


def plain_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value else "0"
    return text


class Cells:
    """The printed cells of one report as they are decided, with the quirks that change how they print."""

    def __init__(self, rng: random.Random, quirks: set[str]) -> None:
        self.rng, self.quirks = rng, quirks
        self.cells: dict[Key, Printed] = {}
        # Legal-person columns printed blank when 0 (quirk legal_person_blank_vs_zero), per report.
        self.blank_columns = {c for c in LEGAL_PERSONS if rng.random() < 0.5}

    def _decorate(self, text: str) -> str:
        if "fullwidth_digits" in self.quirks and self.rng.random() < 0.3:
            text = fullwidth(text)
        if "nbsp" in self.quirks and self.rng.random() < 0.5:
            text = self.rng.choice(("\xa0" + text, text + "\xa0"))
        elif "padded_numbers" in self.quirks and self.rng.random() < 0.5:
            text = self.rng.choice(("  " + text, text + " ", " " + text + " "))
        return text

    def number(self, key: Key, value: int | Decimal, blank_zero: bool = False) -> None:
        if blank_zero and value == 0 and ("zeros_blank" in self.quirks or "empty_cells_dropped" in self.quirks):
            self.cells[key] = Printed("", None, "blank")
            return
        if value == 0 and "legal_person_blank_vs_zero" in self.quirks and key[0] == "applications" \
                and key[1].split("/")[1] in self.blank_columns:
            self.cells[key] = Printed("", None, "blank")
            return
        text = plain_decimal(Decimal(value))
        if value < 0 and "dash_minus" in self.quirks and self.rng.random() < 0.6:
            text = self.rng.choice(DASH_MINUS) + text[1:]
        self.cells[key] = Printed(self._decorate(text), float(value), "value")

    def amount(self, key: Key, wan: Decimal) -> None:
        """An amount in 万元, printed in 万元, in 元, with 万 or with its unit, as the quirks say."""
        if wan and "yuan_fraction" in self.quirks:
            yuan = (wan * 10000).quantize(Decimal("0.1"))
            self.cells[key] = Printed(f"{plain_decimal(yuan)}元", float(yuan / 10000), "value")
        elif wan and "yuan" in self.quirks:
            yuan = (wan * 10000).quantize(Decimal(1))
            self.cells[key] = Printed(f"{yuan}元", float(yuan / 10000), "value")
        elif "units" in self.quirks:
            self.cells[key] = Printed(f"{plain_decimal(wan)}（万元）", float(wan), "value")
        elif wan and "wan_suffix" in self.quirks:
            self.cells[key] = Printed(f"{plain_decimal(wan)}万", float(wan), "value")
        else:
            self.number(key, wan)

    def not_applicable(self, key: Key) -> None:
        self.cells[key] = Printed("/", None, "not_applicable")

    def blank(self, key: Key) -> None:
        self.cells[key] = Printed("", None, "blank")

    def missing(self, key: Key) -> None:
        self.cells[key] = Printed(None, None, "missing")

    def raw(self) -> dict[Key, str | None]:
        return {k: c.text for k, c in self.cells.items()}


def proactive(c: Cells, version: str) -> None:
    """Table A: counts, changes (negative with the quirk) and amounts (6 decimals with the quirk)."""
    rng = c.rng
    for item in FORMS[version].proactive:
        for category, _ in item.categories:
            slash = "na_slash" in c.quirks and rng.random() < 0.4
            for metric in item.metrics:
                key = ("proactive", f"{item.code}/{category}/{metric.code}")
                if slash:
                    c.not_applicable(key)
                elif metric.code == "amount":
                    if rng.random() >= 0.6:
                        wan = Decimal(0)
                    elif "six_decimals" in c.quirks:
                        wan = Decimal(rng.randint(1, 10**10)) / 10**6
                    else:
                        wan = Decimal(rng.randint(0, 300000)) / 100
                    c.amount(key, wan)
                elif metric.code == "change":
                    signed = {"negative_change", "dash_minus"} & c.quirks  # a dash needs a minus to stand for
                    c.number(key, rng.randint(-500, 500) if signed else rng.randint(0, 40))
                else:
                    c.number(key, count(rng, 30))


def applications(c: Cells, version: str) -> list[str]:
    """Table B, column by column so that each applicant column balances; returns the checks it must fail."""
    rng = c.rng
    outcomes = [o.code for o in FORMS[version].outcomes]
    handled = [o for o in outcomes if o not in (*INFLOW, *OUTFLOW)]
    weights = [30 if o == "granted" else 8 if o in ("partly_granted", "unable_not_held") else 1 for o in handled]
    columns: dict[str, dict[str, int]] = {}
    for applicant in LEGAL_PERSONS_AND_PEOPLE:
        scale = 12 if applicant == "natural_person" else 2
        new = count(rng, scale)
        carried = count(rng, 1) if rng.random() < 0.3 else 0
        if applicant != "natural_person" and "carried_legal_person" in c.quirks and rng.random() < 0.4:
            carried = rng.randint(1, 3)  # a legal person's application carried over from last year
        forward = rng.randint(0, min(2, new + carried))
        col = dict(zip(handled, _split(rng, new + carried - forward, weights), strict=True))
        col.update(new_received=new, carried_over=carried, total_handled=new + carried - forward,
                   carried_forward=forward)
        columns[applicant] = col
    columns["total"] = {o: sum(columns[a][o] for a in LEGAL_PERSONS_AND_PEOPLE) for o in outcomes}
    breaks: list[str] = []
    if "breaks_arithmetic" in c.quirks:
        columns["total"]["total_handled"] += 1
        breaks += ["applications_row_total", "applications_outcome_total", "applications_balance"]
    elif "source_total_off" in c.quirks and rng.random() < 0.5:
        columns["total"]["granted"] += 1  # 总计 of （一） one more than its row, as printed
        breaks += ["applications_row_total", "applications_outcome_total"]
    for outcome in outcomes:
        for applicant in (*LEGAL_PERSONS_AND_PEOPLE, "total"):
            c.number(("applications", f"{outcome}/{applicant}"), columns[applicant][outcome],
                     blank_zero=applicant != "total")
    return breaks



def appeals(c: Cells, breaks: list[str]) -> list[str]:
    """Table C; 复议后起诉 may exceed 行政复议 (legitimate: earlier years' reviews)."""
    rng = c.rng
    results = [r.code for r in RESULTS if r.code != "total"]
    off = "source_total_off" in c.quirks and "applications_row_total" not in breaks
    out = list(breaks)
    for proceeding, _ in PROCEEDINGS:
        parts = {r: (rng.randint(0, 3) if rng.random() < 0.3 else 0) for r in results}
        if proceeding == "litigation_after_review" and "review_litigation_larger" in c.quirks:
            parts["upheld"] += rng.randint(2, 5)
        total = sum(parts.values())
        if off and proceeding == "admin_review":
            total += 1
            out.append("appeals_total")
        for result, value in [*parts.items(), ("total", total)]:
            c.number(("appeals", f"{proceeding}/{result}"), value, blank_zero=result != "total")
    return out
