"""Helpers for the format tests: facts of a document, compared with a sample's truth."""

from __future__ import annotations

from pipelines.forms.interpreter import interpret
from pipelines.readers import read_document
from tests.conftest import expected_cells


def facts(data: bytes, with_raw: bool = True) -> dict[tuple, tuple]:
    result = interpret(read_document(data))
    return {(c.fact_table, *c.coords.values()): (None if c.value is None else float(c.value), c.state)
            + ((c.raw_text,) if with_raw else ()) for c in result.cells}


def truth(stem: str, with_raw: bool = True) -> dict[tuple, tuple]:
    return {k: (v if with_raw else v[:2]) for k, v in expected_cells(stem).items()}
