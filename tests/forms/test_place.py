"""Placing a row's numbers: a cell is placed only where every layout the arithmetic leaves gives it the same
reading; one layout left places every cell as it lies."""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.forms.place import ABSENT, Piece, SumRule, place

TOTAL, A, B = "total", "a", "b"
RULE = SumRule(TOTAL, (A, B))


@dataclass(frozen=True)
class Tok:
    text: str
    joined: bool = False


def texts(placement) -> dict:
    return {c: v.text if isinstance(v, Piece) else v for c, v in placement.cells.items()}


def test_one_layout_places_every_cell_and_keeps_the_agencys_own_column():
    got = place([Tok("5"), Tok("9"), Tok("2"), Tok("3")], [(TOTAL, None, A, B)], [TOTAL, A, B], [RULE], "count")
    assert texts(got) == {TOTAL: "5", A: "2", B: "3"}
    assert [p.text for p in got.extras] == ["9"]
    assert (got.layouts, got.reason) == (1, None)


def test_the_arithmetic_rules_out_the_order_that_does_not_add_up():
    """Two orders of the slots; 3 = 5 + 2 fails, so only total-first is left."""
    got = place([Tok("5"), Tok("2"), Tok("3")], [(TOTAL, A, B), (A, B, TOTAL)], [TOTAL, A, B], [RULE], "count")
    assert texts(got) == {TOTAL: "5", A: "2", B: "3"}
    assert got.layouts == 1


def test_a_blank_addend_counts_as_zero():
    """6 = blank + 5 fails (a blank counts 0), so the order with the total blank is the one left."""
    got = place([Tok("6"), Tok(""), Tok("5")], [(TOTAL, A, B), (A, TOTAL, B)], [TOTAL, A, B], [RULE], "count")
    assert texts(got) == {TOTAL: "", A: "6", B: "5"}
    assert got.layouts == 1


def test_an_unreadable_cell_checks_nothing_and_what_differs_stays_uncertain():
    got = place([Tok("6"), Tok("x"), Tok("5")], [(TOTAL, A, B), (A, TOTAL, B)], [TOTAL, A, B], [RULE], "count")
    assert set(got.uncertain) == {TOTAL, A}
    assert texts(got)[B] == "5"  # the same in both orders
    assert got.layouts == 2 and "2 layouts fit the form, 2 cells differ" in got.reason


def test_numbers_dropped_from_a_row_leave_uncertain_what_the_layouts_read_differently():
    """Two numbers for three cells, empty cells dropped: 3 = 3 + 0, 3 = 0 + 3, and no total all add up."""
    got = place([Tok("3"), Tok("3")], [(TOTAL, A, B)], [TOTAL, A, B], [RULE], "count")
    assert set(got.uncertain) == {TOTAL, A, B}
    assert got.layouts == 3


def test_a_row_cut_short_fills_from_the_left():
    got = place([Tok("5"), Tok("5")], [(TOTAL, A, B)], [TOTAL, A, B], [RULE], "count", cut_off=True, ends_copy=True)
    assert texts(got) == {TOTAL: "5", A: "5", B: ABSENT}


def test_a_row_read_as_cut_short_whose_total_then_fails_had_its_empty_cells_dropped():
    """5, 2 from the left: 5 = 2 + nothing fails; dropped instead, only the no-total layout adds up."""
    got = place([Tok("5"), Tok("2")], [(TOTAL, A, B)], [TOTAL, A, B], [RULE], "count", cut_off=True, ends_copy=True)
    assert texts(got) == {TOTAL: ABSENT, A: "5", B: "2"}
