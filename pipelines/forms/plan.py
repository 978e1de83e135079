"""The cells of a form, in the order every reading of it holds them: blocks, then rows, then columns.

A report has ~200 cells and a corpus millions, so the interpreter keeps only what a document said per
cell (columnar) and the coordinates come from this plan, the same for every report of a form table.
"""

from __future__ import annotations

from dataclasses import dataclass

from pipelines.forms.spec import Form, FormColumn, FormRow, FormTable


@dataclass(frozen=True, slots=True)
class PlannedCell:
    """A cell of the form: its coordinates and unit, and the form row and column it lies in."""

    coords: dict[str, str]
    unit: str | None
    row: FormRow
    column: FormColumn

    def key(self, table: FormTable) -> str:
        """The cell's codes joined by '/', in the fact table's coordinate order (v_fact_cells.cell)."""
        return "/".join(self.coords[c] for c in table.coordinates)


# Plans by table identity: a FormTable's hash walks all its labels, and forms live as long as the process.
_PLANS: dict[int, tuple[FormTable, tuple[PlannedCell, ...]]] = {}


def cell_plan(table: FormTable) -> tuple[PlannedCell, ...]:
    """The cells of a form table in the order `TableCells` holds them."""
    cached = _PLANS.get(id(table))
    if cached is not None and cached[0] is table:
        return cached[1]
    plan = tuple(
        PlannedCell({**dict(block.fixed), **row.code_map, **col.code_map}, col.unit, row, col)
        for block in table.blocks for row in block.rows for col in block.columns
    )
    _PLANS[id(table)] = (table, plan)
    return plan


def form_cell_rows(forms: tuple[Form, ...]) -> list[tuple[str, str, str, str, str | None]]:
    """(form version, table name, fact table, cell key, unit) of every cell of every form."""
    return [(form.version, table.name, table.fact_table, cell.key(table), cell.unit)
            for form in forms for table in form.tables for cell in cell_plan(table)]


_UNION_PLANS: dict[tuple[int, int], tuple[FormTable, FormTable, tuple[PlannedCell, ...]]] = {}


def table_plan(table: FormTable, report_table: FormTable) -> tuple[PlannedCell, ...]:
    """The cells a report stores for one table: those of the form the table follows, then those of the
    report's own form that it lacks (`missing`: a 2021 report keeping the 2019 （六） row stores `other`,
    and the three 2021 （六） rows as missing). The same tuple for the same pair, so it can key caches."""
    if table is report_table:
        return cell_plan(table)
    key = (id(table), id(report_table))
    cached = _UNION_PLANS.get(key)
    if cached is not None and cached[0] is table and cached[1] is report_table:
        return cached[2]
    own = cell_plan(table)
    keys = {p.key(table) for p in own}
    plan = own + tuple(p for p in cell_plan(report_table) if p.key(report_table) not in keys)
    _UNION_PLANS[key] = (table, report_table, plan)
    return plan
