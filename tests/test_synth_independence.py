"""The generator knows nothing of the parser (issue #13): no module of tools/synth imports `pipelines`,
writing a corpus loads none of it, and a mistake in the parser's catalog shows up as lost accuracy
instead of being written into the reports and read back as "right"."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import polars as pl
import pytest

from pipelines.forms.catalog import FORMS
from pipelines.forms.interpreter import interpret
from pipelines.forms.plan import cell_plan
from pipelines.forms.spec import Form
from pipelines.readers import read_document
from tools.synth.corpus import write_corpus

ROOT = Path(__file__).resolve().parent.parent
SYNTH = ROOT / "tools" / "synth"
PRODUCT = "pipelines"
# A string that names a module or a file of the product (prose that mentions it is no way into it).
MODULE_OR_PATH = re.compile(rf"(?:\.{{0,2}}/)*{PRODUCT}(?:[./][\w./]*)?")
TEXT_FORMATS = ["tab_text", "pipe_text", "markdown", "separator", "line_text"]
# Codes swapped in the parser's catalog: table B's first two outcomes, and two of table A's metrics.
SWAPS = (("applications", "outcome", "granted", "partly_granted"),
         ("proactive", "metric", "new_made", "total_published"),
         ("proactive", "metric", "issued", "in_force"))


def product_references(source: str) -> list[str]:
    """Given a module's source, return every way it reaches the product: imports of `pipelines` (plain,
    from, importlib, __import__) and paths into it."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == PRODUCT]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == PRODUCT:
            found.append(node.module)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and MODULE_OR_PATH.fullmatch(node.value):
            found.append(node.value)
    return found


@pytest.mark.parametrize("source,found", [
    ("import pipelines.forms.catalog", ["pipelines.forms.catalog"]),
    ("from pipelines.forms import catalog", ["pipelines.forms"]),
    ("import importlib\nimportlib.import_module('pipelines.forms')", ["pipelines.forms"]),
    ("open('pipelines/forms/catalog.py')", ["pipelines/forms/catalog.py"]),
    ("import polars as pl\nfrom tools.synth import forms", []),
])
def test_the_scan_finds_every_way_into_the_product(source, found):
    assert product_references(source) == found


@pytest.mark.parametrize("path", sorted(SYNTH.glob("*.py")), ids=lambda p: p.name)
def test_no_synth_module_reaches_into_the_product(path):
    assert product_references(path.read_text(encoding="utf-8")) == []


def test_writing_a_corpus_loads_nothing_of_the_product(tmp_path):
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from tools.synth.corpus import ALL_FORMATS, write_corpus\n"
        f"write_corpus(Path({str(tmp_path)!r}), 12, seed=3, formats=[f for f in ALL_FORMATS if f != 'pdf'])\n"
        "loaded = sorted(m for m in sys.modules if m == 'pipelines' or m.startswith('pipelines.'))\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True, timeout=300)
    assert len(list((tmp_path / "raw").rglob("*.*"))) == 12


def _swap_codes(codes: tuple[tuple[str, str], ...], key: str, a: str, b: str) -> tuple[tuple[str, str], ...]:
    swap = {a: b, b: a}
    return tuple((k, swap.get(c, c) if k == key else c) for k, c in codes)


def swapped(form: Form) -> Form:
    """The form with the codes of SWAPS exchanged: the labels stay, the cells they name trade places."""
    tables = []
    for table in form.tables:
        blocks = []
        for block in table.blocks:
            rows, columns = block.rows, block.columns
            for name, key, a, b in SWAPS:
                if name == table.name:
                    rows = tuple(replace(r, codes=_swap_codes(r.codes, key, a, b)) for r in rows)
                    columns = tuple(replace(c, codes=_swap_codes(c.codes, key, a, b)) for c in columns)
            blocks.append(replace(block, rows=rows, columns=columns))
        tables.append(replace(table, blocks=tuple(blocks)))
    return replace(form, tables=tuple(tables))


def _read(path: Path, forms: tuple[Form, ...]) -> dict[tuple[str, str], tuple[str, float | None]]:
    result = interpret(read_document(path.read_bytes()), forms=forms)
    out = {}
    for cells in result.tables:
        for planned, state, value in zip(cell_plan(cells.table), cells.state, cells.value, strict=True):
            out[(cells.table.name, planned.key(cells.table))] = (state, None if value is None else float(value))
    return out


def test_a_mistake_in_the_catalog_costs_synthetic_accuracy(tmp_path):
    corpus = tmp_path / "corpus"
    write_corpus(corpus, 4 * len(TEXT_FORMATS), seed=5, formats=TEXT_FORMATS, break_share=0.0, quirk_share=0.0)
    truth = pl.read_parquet(corpus / "truth_cells.parquet")
    expected = {(p, t, c): (s, v) for p, t, c, s, v in
                truth.select("path", "table_name", "cell", "cell_state", "value").iter_rows()}
    mistaken = tuple(swapped(form) for form in FORMS)
    readings = {name: {} for name in ("catalog", "swapped")}
    for path in sorted({p for p, _, _ in expected}):
        for name, forms in (("catalog", FORMS), ("swapped", mistaken)):
            readings[name].update({(path, *key): got for key, got in _read(corpus / "raw" / path, forms).items()})
    right = {name: sum(1 for k, want in expected.items() if got.get(k) == want) for name, got in readings.items()}
    assert right["swapped"] < right["catalog"], right
    # Every swapped cell whose true value differs from its partner's is read wrong with the mistaken catalog.
    partners = {("applications", "granted"): "partly_granted", ("applications", "partly_granted"): "granted",
                ("proactive", "new_made"): "total_published", ("proactive", "total_published"): "new_made",
                ("proactive", "issued"): "in_force", ("proactive", "in_force"): "issued"}
    checked = 0
    for (path, table, cell), want in expected.items():
        parts = cell.split("/")
        code = parts[0] if table == "applications" else parts[-1]
        partner = partners.get((table, code))
        if partner is None:
            continue
        other = "/".join([partner, *parts[1:]]) if table == "applications" else "/".join([*parts[:-1], partner])
        if expected.get((path, table, other)) != want and readings["catalog"].get((path, table, cell)) == want:
            checked += 1
            assert readings["swapped"].get((path, table, cell)) != want, (path, table, cell)
    assert checked > 20
