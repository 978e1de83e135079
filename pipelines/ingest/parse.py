"""One file to one outcome: a parsed report (rows for every table) or a quarantine with a reason.

Runs in worker processes: everything here is a pure function of the file's bytes, its sidecar and
its path, and the outcome is plain data: it goes back to the single writer through the worker pool's
pipe (one machine), and as JSON + Parquet through staging (between machines: never pickled there).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipelines.extract.claims import Claim, extract_claims
from pipelines.extract.metadata import ReportMeta, extract
from pipelines.extract.sections import Section, looks_like_report, split_sections
from pipelines.forms.interpreter import Interpretation, interpret
from pipelines.forms.plan import PlannedCell
from pipelines.readers import ReadError, read_document
from pipelines.warehouse.schema import FACT_TABLES, polars_schema

SIDECAR_SUFFIX = ".meta.json"
# Bump when a reader or the interpreter learns to read files it quarantined before: quarantined
# files are parsed again by the next run.
PARSER_VERSION = "2026.12.2"
DEFAULT_MAX_BYTES = 200 * 1024 * 1024


@dataclass(slots=True)
class FileRef:
    """A file found under the raw folder: where it is and what it holds."""

    path: str  # relative to the raw folder, POSIX separators
    sha256: str
    size_bytes: int
    mtime_ns: int
    sidecar_sha256: str | None = None


@dataclass(slots=True)
class ParseOutcome:
    ref: FileRef
    source_format: str = "unknown"
    error_code: str | None = None
    error_message: str | None = None
    report_id: str | None = None
    meta: ReportMeta | None = None
    template_version: str | None = None
    template_basis: str | None = None
    table_forms: dict[str, str] = field(default_factory=dict)
    # Fact cells as frames built here, in the worker (columnar: cheap to pickle and to concatenate);
    # the writer adds the agency id, which depends on the warehouse.
    facts: dict[str, pl.DataFrame] = field(default_factory=dict)
    unmapped: list[tuple] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error_code is None


def sidecar_name(name: str) -> str:
    """The name of the sidecar of the file named `name` (`report.pdf` → `report.meta.json`)."""
    stem = name[: name.rfind(".")] if "." in name else name
    return stem + SIDECAR_SUFFIX


def sidecar_path(file: Path) -> Path:
    return file.with_name(sidecar_name(file.name))


def report_id_for(sha256: str, sidecar_sha256: str | None) -> str:
    """A report version's id: its content, and the sidecar that overrides its metadata."""
    key = sha256 if sidecar_sha256 is None else hashlib.sha256(f"{sha256}:{sidecar_sha256}".encode()).hexdigest()
    return "r_" + key[:24]


def _read_sidecar(file: Path) -> dict:
    side = sidecar_path(file)
    if side.is_symlink():
        raise ReadError("bad_sidecar", f"The sidecar {side.name} is a symbolic link; links are never followed.")
    if not side.is_file():
        return {}
    try:
        data = json.loads(side.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError) as exc:
        raise ReadError("bad_sidecar", f"The sidecar {side.name} is not valid JSON ({exc}); fix or remove it.") from exc
    if not isinstance(data, dict):
        raise ReadError("bad_sidecar", f"The sidecar {side.name} must hold a JSON object "
                        '({"agency_name": …, "year": …, "url": …}).')
    return data


# Columns of a fact table that depend on the document; the rest (coordinates, unit) are the form's.
_PER_REPORT = ("report_id", "agency_id", "year", "value", "cell_state", "raw_text", "src_table", "src_row",
               "src_cell", "row_label", "column_label", "ocr_confidence")


# By plan identity (plans are cached per form table pair, so the same tuple comes back).
_FORM_COLUMNS: dict[int, tuple[tuple[PlannedCell, ...], pl.DataFrame]] = {}


def _form_columns(fact_table: str, plan: tuple[PlannedCell, ...]) -> pl.DataFrame:
    """The coordinate and unit columns of one table's planned cells, in plan order."""
    cached = _FORM_COLUMNS.get(id(plan))
    if cached is not None and cached[0] is plan:
        return cached[1]
    schema = polars_schema(next(t for t in FACT_TABLES if t.name == fact_table))
    names = [n for n in schema.names() if n not in _PER_REPORT]
    data = {n: [p.unit if n == "unit" else p.coords.get(n) for p in plan] for n in names}
    frame = pl.DataFrame(data, schema={n: schema[n] for n in names})
    _FORM_COLUMNS[id(plan)] = (plan, frame)
    return frame


def fact_frames(reports: list[tuple[Interpretation, str, int | None]]) -> dict[str, pl.DataFrame]:
    """Given (interpretation, report_id, year) of several reports, return one frame per fact table
    holding all their cells, in the table's declared schema (agency_id still null: the writer knows it)."""
    frames = {}
    for fact in FACT_TABLES:
        schema = polars_schema(fact)
        columns: dict[str, list] = {name: [] for name in _PER_REPORT}
        form_parts: list[pl.DataFrame] = []
        for result, report_id, year in reports:
            for cells in result.tables:
                if cells.table.fact_table != fact.name:
                    continue
                n = len(cells.state)
                form_parts.append(_form_columns(fact.name, cells.plan))
                columns["report_id"].extend([report_id] * n)
                columns["agency_id"].extend([None] * n)
                columns["year"].extend([year] * n)
                columns["value"].extend(cells.value)
                columns["cell_state"].extend(cells.state)
                columns["raw_text"].extend(cells.raw_text)
                for src in cells.src:
                    if src is None:
                        columns["src_table"].append(None)
                        columns["src_row"].append(None)
                        columns["src_cell"].append(None)
                        columns["ocr_confidence"].append(None)
                    else:
                        columns["src_table"].append(src.table)
                        columns["src_row"].append(src.row)
                        columns["src_cell"].append(src.cell)
                        columns["ocr_confidence"].append(src.confidence)
                columns["row_label"].extend(cells.row_label)
                columns["column_label"].extend(cells.column_label)
        per_report = pl.DataFrame(columns, schema={n: schema[n] for n in _PER_REPORT})
        form_cols = pl.concat(form_parts) if form_parts else pl.DataFrame(schema={
            n: schema[n] for n in schema.names() if n not in _PER_REPORT})
        frames[fact.name] = pl.concat([per_report, form_cols], how="horizontal").select(schema.names())
    return frames


# Below this recognition confidence an OCR'd cell is not trusted: its report needs review. Measured on
# rasterized real reports (tools/scans/RESULTS.md): no wrong number read scored 0.90 or more, and 0.5–0.9%
# of right ones scored less.
OCR_MIN_CONFIDENCE = 0.90


def ocr_flags(result: Interpretation, threshold: float = OCR_MIN_CONFIDENCE) -> list[str]:
    """`ocr_read:<n>` when n of the report's cells were read by OCR, and `ocr_low_confidence:<table>:<m>`
    for each table with m cells below the threshold (a review reason: update_review.sql)."""
    read = 0
    low: dict[str, int] = {}
    for cells in result.tables:
        for src in cells.src:
            if src is None or src.confidence is None:
                continue
            read += 1
            if src.confidence < threshold:
                low[cells.table.name] = low.get(cells.table.name, 0) + 1
    if not read:
        return []
    return [f"ocr_read:{read}", *(f"ocr_low_confidence:{table}:{n}" for table, n in low.items())]


def parse_chunk(raw_dir: Path, refs: list[FileRef], max_bytes: int = DEFAULT_MAX_BYTES,
                on_file: Callable[[int], None] | None = None) -> list[ParseOutcome]:
    """Parse several files; their cells travel as one set of frames on the first outcome (building a
    frame has a fixed cost: one per chunk, not one per file). `on_file(i)` is told before the i-th
    file starts (a supervisor uses it to know which file a stuck worker was reading)."""
    outcomes, cells, owners = [], [], []
    for i, ref in enumerate(refs):
        if on_file is not None:
            on_file(i)
        out, found = _parse(raw_dir, ref, max_bytes)
        outcomes.append(out)
        if found is not None:
            cells.append((found, out.report_id, out.meta.year if out.meta else None))
            owners.append(out)
    if outcomes and cells:
        try:
            outcomes[0].facts = fact_frames(cells)
        except Exception:  # one report's cells the frames refuse must cost that report, not the chunk
            outcomes[0].facts = _frames_one_by_one(cells, owners)
    return outcomes


def _frames_one_by_one(cells: list[tuple[Interpretation, str, int | None]],
                       owners: list[ParseOutcome]) -> dict[str, pl.DataFrame]:
    """The chunk's frames built report by report; a report whose cells cannot be framed is quarantined."""
    good = []
    for item, out in zip(cells, owners, strict=True):
        try:
            fact_frames([item])
        except Exception as exc:
            out.error_code, out.report_id, out.meta = "parser_crash", None, None
            out.error_message = (f"The parser failed on this file's cells ({type(exc).__name__}: {exc}); "
                                 "report it with the file.")
            continue
        good.append(item)
    return fact_frames(good)


# A report small enough to parse in a millisecond, touching what every report touches.
_WARM_UP_REPORT = ("2021年政府信息公开工作年度报告\n二、主动公开政府信息情况\n"
                   "\t第二十条第（一）项\n\n\t信息内容\n\t本年制发件数\n\t本年废止件数\n\t现行有效件数\n\n"
                   "\t规章\n\t0\n\t0\n\t0\n")


def warm_up() -> None:
    """Import the readers and run one tiny report through reading, interpreting and framing, so that a
    worker's libraries have set themselves up (polars maps its allocator and thread pool on first use:
    some 700 MB of address space) before the worker's memory limit is measured from where it stands."""
    import pipelines.readers.docx
    import pipelines.readers.html
    import pipelines.readers.pdf  # noqa: F401 - imported for its side effect of loading PDFium

    doc = read_document(_WARM_UP_REPORT.encode("utf-8"))
    result = interpret(doc, 2021, is_report=True)
    fact_frames([(result, "warm-up", 2021)])


def parse_file(raw_dir: Path, ref: FileRef, max_bytes: int = DEFAULT_MAX_BYTES) -> ParseOutcome:
    """Given a file under the raw folder, return its outcome; never raises for bad input."""
    return parse_chunk(raw_dir, [ref], max_bytes)[0]


def _parse(raw_dir: Path, ref: FileRef, max_bytes: int) -> tuple[ParseOutcome, Interpretation | None]:
    """The outcome of one file, and its form cells when it became a report."""
    out = ParseOutcome(ref)
    file = raw_dir / ref.path
    try:
        if ref.size_bytes > max_bytes:
            raise ReadError("too_large", f"The file is {ref.size_bytes:,} bytes, over the {max_bytes:,}-byte limit; "
                            "raise DISCLOSURE_MAX_FILE_BYTES if it is a real report.")
        if file.is_symlink():
            raise ReadError("symlink", "The file is a symbolic link; links are never followed (they may point "
                            "outside the raw folder). Copy the report itself into the raw folder.")
        data = file.read_bytes()
        overrides = _read_sidecar(file)
        # a web page's pictures saved beside it are read too (never from outside the raw folder)
        doc = read_document(data, folder=file.parent, raw_root=raw_dir)
        out.source_format = doc.source_format
        meta = extract(doc, overrides)
        result = interpret(doc, meta.year, is_report=looks_like_report(doc, meta.title))
    except ReadError as exc:
        out.source_format = getattr(exc, "source_format", out.source_format)
        out.error_code, out.error_message = exc.code, exc.message
        return out, None
    except MemoryError:
        # The worker's kernel memory limit (workers.limit_memory) stopped an allocation: the file, not the run.
        out.error_code = "too_large"
        out.error_message = ("Parsing needed more memory than a worker may use and was stopped; raise "
                             "DISCLOSURE_WORKER_MEMORY_MB if it is a real report.")
        return out, None
    except Exception as exc:  # a parser bug must cost one file, not the run
        out.error_code = "parser_crash"
        out.error_message = f"The parser failed on this file ({type(exc).__name__}: {exc}); report it with the file."
        return out, None
    meta.flags.extend(doc.notes)
    meta.flags.extend(dict.fromkeys(result.uncertain))
    meta.flags.extend(ocr_flags(result))
    missing_tables = [t.name for t in result.form.tables if t.name not in result.tables_found]
    if missing_tables:
        meta.flags.append("tables_missing:" + ",".join(missing_tables))
    out.meta = meta
    out.report_id = report_id_for(ref.sha256, ref.sidecar_sha256)
    out.template_version = result.form.version
    out.template_basis = result.form_basis
    out.table_forms = dict(result.table_forms)
    out.unmapped = [(u.table_name, u.row_label, u.column_label, u.raw_text, u.src.table, u.src.row, u.src.cell)
                    for u in result.unmapped]
    out.sections = split_sections(doc, meta.title)
    out.claims = extract_claims(doc.paragraphs)
    return out, result
