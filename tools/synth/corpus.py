"""A corpus of synthetic reports with known truth: files in every format, and Parquet truth files.

`python -m tools.synth --out DIR --n N --seed S --formats tab_text,docx,…` writes the reports to
DIR/raw/<format>/<index>.<ext> (point DISCLOSURE_RAW_DIR at DIR/raw), DIR/truth_cells.parquet
(every cell: value and state) and DIR/truth_reports.parquet (agency, region, year, form, quirks,
the checks it must fail). Deterministic for a seed.
"""

from __future__ import annotations

import random
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq

from pipelines.extract.regions import _frame
from pipelines.readers.legacy import find_soffice
from tools.synth import layout
from tools.synth.report import DEPARTMENTS, TOWN_SUFFIXES, TOWN_SYLLABLES, Agency, SynthReport, build

TEXT_RENDERERS = {
    "tab_text": layout.render_tab_text,
    "pipe_text": layout.render_pipe_text,
    "markdown": layout.render_markdown,
    "separator": layout.render_separator,
    "line_text": layout.render_line_text,
    "pdf_text": layout.render_pdf_text,
}
BINARY_FORMATS = ("docx", "html", "pdf")
ALL_FORMATS = (*TEXT_RENDERERS, *BINARY_FORMATS)
EXTENSION = {**dict.fromkeys(TEXT_RENDERERS, "txt"), "docx": "docx", "html": "html", "pdf": "pdf"}
# The layout each format is stored as in the ledger (markdown and separator are pipe layouts).
SOURCE_FORMAT = {"markdown": "pipe_text", "separator": "pipe_text"}
YEARS = range(2019, 2025)
PDF_BATCH = 100
CELL_FLUSH_ROWS = 200_000
CELL_SCHEMA = pl.Schema({
    "path": pl.String, "format": pl.String, "template_version": pl.String, "table_name": pl.String,
    "cell": pl.String, "value": pl.Float64, "cell_state": pl.String,
})


def _counties(year: int) -> list[tuple[str, str | None, str]]:
    frame = _frame().filter((pl.col("year") == year) & (pl.col("rank") == 3))
    out = []
    for province, city, county in frame.select("province_name", "city_name", "county_name").iter_rows():
        out.append((province, None if city in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划") else city,
                    county))
    return out


def _agency(rng: random.Random, counties: list[tuple[str, str | None, str]]) -> Agency:
    province, city, county = rng.choice(counties)
    if rng.random() < 0.5:
        own = rng.choice(DEPARTMENTS)
    else:
        own = "".join(rng.sample(TOWN_SYLLABLES, 2)) + rng.choice(TOWN_SUFFIXES)
    # A city prefix keeps namesake districts (鼓楼区 is in four cities) apart.
    return Agency(f"{city or ''}{county}{own}", province, city, county)


def generate_reports(n: int, seed: int, formats: list[str], break_share: float = 0.05,
                     quirk_share: float = 0.3) -> Iterator[tuple[str, SynthReport]]:
    """The corpus' reports, one at a time: (format, report), formats in turn, agency-years unique."""
    rng = random.Random(seed)
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
        yield fmt, build(index, seed, agency, year, fmt, break_share, quirk_share)


def _render(fmt: str, report: SynthReport) -> bytes:
    if fmt == "tab_text":
        return layout.render_tab_text(report.blocks, debris="debris" in report.quirks).encode("utf-8")
    if fmt in TEXT_RENDERERS:
        return TEXT_RENDERERS[fmt](report.blocks).encode("utf-8")
    if fmt == "html":
        return layout.render_html(report.blocks, "gbk" if report.index % 2 else "utf-8")
    split = (1, 12) if report.index % 3 == 0 else None
    return layout.render_docx(report.blocks, split=split, running_header="政府信息公开工作年度报告")


def _convert_pdfs(docx_files: list[Path], out_dir: Path) -> None:
    soffice = find_soffice()
    if soffice is None:
        raise SystemExit("the pdf format needs LibreOffice (apt-get install libreoffice-writer-nogui fonts-noto-cjk)")
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(0, len(docx_files), PDF_BATCH):
            subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to",
                            "pdf", "--outdir", str(out_dir), *map(str, docx_files[i:i + PDF_BATCH])],
                           check=True, capture_output=True, timeout=1800)


def write_corpus(out: Path, n: int, seed: int, formats: list[str], break_share: float = 0.05,
                 quirk_share: float = 0.3) -> dict[str, int]:
    """Write the corpus and its truth under `out`; return files per format."""
    unknown = set(formats) - set(ALL_FORMATS)
    if unknown:
        raise ValueError(f"unknown formats {sorted(unknown)}; choose from {', '.join(ALL_FORMATS)}")
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    cell_rows, report_rows = [], []
    pdf_sources: list[Path] = []
    counts: dict[str, int] = {}
    # The cell truth is written in row groups as it is made: memory stays flat for large corpora.
    cells_writer = pq.ParquetWriter(out / "truth_cells.parquet", pl.DataFrame(schema=CELL_SCHEMA).to_arrow().schema)

    def flush_cells() -> None:
        if cell_rows:
            cells_writer.write_table(pl.DataFrame(cell_rows, orient="row", schema=CELL_SCHEMA).to_arrow())
            cell_rows.clear()

    with tempfile.TemporaryDirectory() as tmp:
        for fmt, report in generate_reports(n, seed, formats, break_share, quirk_share):
            rel = f"{fmt}/{report.index:07d}.{EXTENSION[fmt]}"
            (raw / fmt).mkdir(exist_ok=True)
            if fmt == "pdf":
                src = Path(tmp) / f"{report.index:07d}.docx"
                src.write_bytes(layout.render_docx(report.blocks, running_header="政府信息公开工作年度报告",
                                                   repeat_headers=True))
                pdf_sources.append(src)
            else:
                (raw / rel).write_bytes(_render(fmt, report))
            counts[fmt] = counts.get(fmt, 0) + 1
            a = report.agency
            report_rows.append((rel, fmt, SOURCE_FORMAT.get(fmt, fmt), report.version, report.year, a.name,
                                a.province, a.city, a.county, report.quirks, report.breaks))
            for key, (value, state) in report.cells.items():
                table, *coords = key
                cell_rows.append((rel, fmt, report.version, table.removeprefix("fact_"), "/".join(coords), value, state))
            if len(cell_rows) >= CELL_FLUSH_ROWS:
                flush_cells()
        flush_cells()
        cells_writer.close()
        if pdf_sources:
            _convert_pdfs(pdf_sources, raw / "pdf")
    pl.DataFrame(report_rows, orient="row", schema={
        "path": pl.String, "format": pl.String, "source_format": pl.String, "template_version": pl.String,
        "year": pl.Int32, "agency_name": pl.String, "province": pl.String, "city": pl.String, "county": pl.String,
        "quirks": pl.List(pl.String), "breaks": pl.List(pl.String),
    }).write_parquet(out / "truth_reports.parquet")
    return counts
