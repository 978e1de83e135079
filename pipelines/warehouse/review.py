"""The review page: every current report that needs a person's eye, its source beside its parsed tables.

A report is listed when `reports.needs_review` says so (uncertain placement, ambiguous labels, an
unnamed agency, missing tables, tables without rules, damaged bytes, failing error checks: see
`sql/load/update_review.sql`) or when it fails an error-severity check in `dq_results`. For each, the
page shows the three tables of its form as the form prints them (rows and columns labelled from
`pipelines/forms/catalog.py`), each cell with its value or state, and beside each the source table the
cells were read from (`review_source`): a picture of the PDF page region, the Word or web table, or the
text file's lines. Cells a check names, and cells whose place was not proven, are marked on both sides.

The page is one offline HTML file: no script, no network; every string from the data is escaped and
pictures are `data:` URIs. It reads the warehouse (base tables only) and the raw folder; it writes
nothing but the page.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import html
import importlib
import importlib.metadata
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from pipelines.forms.catalog import FORMS, form_by_version
from pipelines.forms.spec import FormTable
from pipelines.warehouse.checks import load_checks
from pipelines.warehouse.review_source import CellKey, CellNote, Source, open_source, render_table

DEFAULT_FILE_NAME = "review.html"
# Reports shown in full on one page (each re-reads its file; a PDF takes a second or two). The table of
# contents lists every report to review; `disclosure review --report ID` writes any one of them.
DEFAULT_LIMIT = 200
# Quarantined files listed at the end of the page (they hold no facts: nothing to compare).
QUARANTINE_LIMIT = 500
# Tables of a file that no cell was read from, shown folded under its report.
MAX_OTHER_TABLES = 10

TABLE_TITLES = {"proactive": "表一 主动公开政府信息情况", "applications": "表二 收到和处理政府信息公开申请情况",
                "appeals": "表三 政府信息公开行政复议、行政诉讼情况"}
STATE_TEXT = {"blank": "", "missing": "missing"}

# Why a report is listed, by the reason's first word: what it means and what to do.
REASON_TEXT = {
    "layout_uncertain": "numbers whose cell the reader could not prove: stored unreadable with the row's "
                        "printed numbers (cells marked uncertain)",
    "label_ambiguous": "a row label almost as close to two form rows: its numbers were not placed "
                       "(listed under cells the form has no place for)",
    "agency_unresolved": "the report never names its agency: add a sidecar <stem>.meta.json "
                         '{"agency_name": …} beside the file',
    "year_unresolved": "the report year could not be read: add a sidecar <stem>.meta.json {\"year\": …}",
    "tables_missing": "a table of the form was not found in the file (a picture, or cut off): its cells are missing",
    "pdf_tables_without_rules": "tables drawn without rules, rebuilt from where the words sit: a column "
                                "empty in every row leaves no trace; compare the picture with the grid",
    "decoded_with_replacements": "bytes no encoding reads were replaced: characters, perhaps digits, were lost",
}

# The reports to review: flagged by the load, or failing an error check (dq_results may be newer than
# the flags). Base tables only: the views' columns are not this page's contract.
SELECT_REPORTS_SQL = """
with errors as (
    select report_id, list(distinct 'check:' || check_name) as checks
    from dq_results
    where severity = 'error' and report_id is not null
    group by report_id
)
select
    r.report_id, r.agency_name, r.year, r.template_version, r.source_path, r.sha256, r.source_format, r.title,
    r.proactive_form, r.applications_form, r.appeals_form,
    list_sort(list_distinct(list_concat(coalesce(r.review_reasons, []), coalesce(e.checks, [])))) as reasons
from reports as r
left join errors as e using (report_id)
where ($report is null and r.is_current and (coalesce(r.needs_review, false) or e.report_id is not null))
   or r.report_id = $report or r.source_path = $report
order by len(reasons) desc, r.agency_name nulls last, r.year, r.source_path
"""

# The shown reports' rows of one fact table in one scan (a query per report scanned the table 200 times);
# a constant list of ids reaches the scan as a filter (an IN subquery is joined after it: twice as slow).
FACTS_SQL = """
select report_id, {coords}, value, cell_state, raw_text, src_table, src_row, src_cell, row_label, column_label,
       {corrected}
from {table}
where list_contains($ids, report_id)
order by report_id, {coords}
"""
# A reviewer's correction of a cell, where the warehouse keeps them beside the cell.
CORRECTION_COLUMNS = ("read_value", "read_state", "correction_reason", "correction_source")

CHECKS_SQL = """
select report_id, check_name, severity, detail
from dq_results
where list_contains($ids, report_id)
order by report_id, case severity when 'error' then 0 else 1 end, check_name, detail
"""

UNMAPPED_SQL = """
select report_id, table_name, row_label, column_label, raw_text, src_table, src_row, src_cell
from fact_unmapped
where list_contains($ids, report_id)
order by report_id, src_table nulls last, src_row nulls last, src_cell nulls last, table_name, row_label,
         column_label, raw_text
"""

QUARANTINED_SQL = """
select path, error_code, error_message
from source_files
where status = 'quarantined'
order by error_code, path
limit $n
"""


@dataclass(frozen=True)
class CheckCells:
    """Which cells a check's detail names: the detail starts with a code of `key` (`natural_person: …`);
    the rule reads the cells with that code whose other coordinates are in `only` (all when absent) and
    not in `skip`."""

    fact_table: str
    key: str
    only: tuple[tuple[str, tuple[str, ...]], ...] = ()
    skip: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def names(self, coords: dict[str, str], code: str) -> bool:
        return (coords.get(self.key) == code and all(coords.get(k) in v for k, v in self.only)
                and not any(coords.get(k) in v for k, v in self.skip))


_BALANCE_ROWS = ("new_received", "carried_over", "total_handled", "carried_forward")
# The cells each arithmetic check reads, from its SQL (sql/checks/<name>.sql).
CHECK_CELLS = {
    "applications_balance": CheckCells("fact_applications", "applicant", only=(("outcome", _BALANCE_ROWS),)),
    "applications_outcome_total": CheckCells("fact_applications", "applicant",
                                             skip=(("outcome", ("new_received", "carried_over", "carried_forward")),)),
    "applications_row_total": CheckCells("fact_applications", "outcome"),
    "appeals_total": CheckCells("fact_appeals", "proceeding"),
    "carryover_continuity": CheckCells("fact_applications", "applicant", only=(("outcome", ("carried_over",)),)),
    "in_force_continuity": CheckCells("fact_proactive", "category",
                                      only=(("item", ("art20_1",)), ("metric", ("issued", "repealed", "in_force")))),
}
# prose_table_mismatch names a claim; the cells its table side adds up.
CLAIM_CELLS = {
    "applications_received": ("fact_applications", {"outcome": ("new_received",), "applicant": ("total",)}),
    "admin_reviews": ("fact_appeals", {"proceeding": ("admin_review",), "result": ("total",)}),
    "lawsuits": ("fact_appeals", {"proceeding": ("litigation_direct", "litigation_after_review"),
                                  "result": ("total",)}),
}
_LEADING_CODE = re.compile(r"^([a-z0-9_]+):")


@dataclass
class Fact:
    table: FormTable = field(repr=False)
    coords: dict[str, str]
    value: Decimal | int | None
    state: str
    raw_text: str | None
    src: CellKey | None
    row_label: str | None
    column_label: str | None
    corrected: str | None = None
    marks: list[tuple[str, str]] = field(default_factory=list)  # (error|warn|uncertain, why)

    @property
    def code(self) -> str:
        return "/".join(self.coords[c] for c in self.table.coordinates)

    @property
    def mark(self) -> str | None:
        kinds = {kind for kind, _ in self.marks}
        return next((k for k in ("error", "warn", "uncertain") if k in kinds), None)


@dataclass
class Review:
    """One report to review: its row, what its facts say and what its checks found (once `loaded`: a
    report listed by name only, or whose section is kept as last rendered, is not read further)."""

    row: dict
    facts: dict[str, list[Fact]]
    checks: list[tuple[str, str, str | None]]
    unmapped: list[tuple]
    unplaced_checks: list[tuple[str, str, str | None]] = field(default_factory=list)
    loaded: bool = True


@functools.lru_cache(maxsize=1 << 16)  # a page lists tens of thousands of reports, their reasons mostly alike
def reason_group(reason: str) -> str:
    """A review reason as the page counts it: `layout_uncertain:applications:本年新收` → `layout_uncertain:applications`."""
    head, _, rest = reason.partition(":")
    if head == "check" or head in ("layout_uncertain", "label_ambiguous"):
        return f"{head}:{rest.split(':')[0]}" if rest else head
    return head


def _check_help() -> dict[str, tuple[str, str]]:
    """Each check's severity and first line (`Fails if …`)."""
    return {c.name: (c.severity, c.description.splitlines()[0] if c.description else c.name) for c in load_checks()}


def _reason_text(reason: str, help_: dict[str, tuple[str, str]]) -> str:
    head, _, rest = reason.partition(":")
    if head == "check":
        return help_.get(rest, ("", rest))[1]
    return REASON_TEXT.get(head, "")


def _form_table(row: dict, name: str) -> FormTable:
    version = row[f"{name}_form"] or row["template_version"] or FORMS[-1].version
    try:
        return form_by_version(version).table(name)
    except StopIteration:
        return FORMS[-1].table(name)


def _keeping_corrections(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The fact tables that keep reviewers' corrections beside the cells (a warehouse from before they did
    has none: the page shows its cells without)."""
    rows = con.execute("select table_name, list(column_name) from duckdb_columns() group by table_name").fetchall()
    return {table for table, columns in rows if set(CORRECTION_COLUMNS) <= set(columns)}


def _fact_queries(rows: list[dict], corrections: set[str]) -> Iterator[tuple[str, dict[str, FormTable],
                                                                           tuple[str, ...], list[str], str]]:
    """The queries that read the given reports' facts: (form table name, each report's form table, the
    coordinates, the reports, FACTS_SQL), one per fact table and set of coordinates."""
    for name in TABLE_TITLES:
        tables = {row["report_id"]: _form_table(row, name) for row in rows}
        groups: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        for rid, table in tables.items():
            groups.setdefault((table.fact_table, tuple(table.coordinates)), []).append(rid)
        for (fact_table, coordinates), ids in groups.items():
            kept = fact_table in corrections
            corrected = ", ".join(CORRECTION_COLUMNS if kept else ["null"] * len(CORRECTION_COLUMNS))
            yield name, tables, coordinates, ids, FACTS_SQL.format(coords=", ".join(coordinates), table=fact_table,
                                                                   corrected=corrected)


def _facts(con: duckdb.DuckDBPyConnection, rows: list[dict],
           corrections: set[str]) -> dict[str, dict[str, list[Fact]]]:
    """The facts of the given reports, by report id and form table name: one query per fact table and
    set of coordinates, whatever the number of reports."""
    out: dict[str, dict[str, list[Fact]]] = {row["report_id"]: {name: [] for name in TABLE_TITLES} for row in rows}
    for name, tables, coordinates, ids, sql in _fact_queries(rows, corrections):
        n = len(coordinates)
        for rec in con.execute(sql, {"ids": ids}).fetchall():
            rid = rec[0]
            coords = dict(zip(coordinates, rec[1:n + 1], strict=True))
            value, state, raw, s_table, s_row, s_cell, row_label, column_label = rec[n + 1:n + 9]
            read_value, read_state, reason, source = rec[n + 9:]
            src = None if s_table is None or s_cell is None else (s_table, s_row or 0, s_cell)
            note = None if reason is None else (
                f"corrected by a reviewer ({source}): read {_number(read_value) or '—'} ({read_state or state}); "
                f"{reason}")
            out[rid][name].append(Fact(tables[rid], coords, value, state, raw, src, row_label, column_label,
                                       note))
    return out


def section_digests(con: duckdb.DuckDBPyConnection, rows: list[dict]) -> dict[str, str]:
    """What each report's section shows of the warehouse besides its row, hashed where it lies: the rows of
    the queries `fill` reads (facts with their corrections, checks, unplaced cells), counted and hash-summed
    per report by DuckDB, so that a kept section is found without reading its cells into Python."""
    parts: dict[str, list[str]] = {row["report_id"]: [] for row in rows}
    if not parts:
        return {}
    queries = [(name, ids, sql) for name, _, _, ids, sql in _fact_queries(rows, _keeping_corrections(con))]
    ids = list(parts)
    queries += [("checks", ids, CHECKS_SQL), ("unmapped", ids, UNMAPPED_SQL)]
    for name, ids, sql in queries:
        for rid, n, h in con.execute(f"select report_id, count(*), sum(hash(t)) from ({sql}) as t group by 1",
                                     {"ids": ids}).fetchall():
            parts[rid].append(f"{name}:{n}:{h}")
    return {rid: "|".join(sorted(p)) for rid, p in parts.items()}


def _by_report(con: duckdb.DuckDBPyConnection, sql: str, ids: list[str]) -> dict[str, list[tuple]]:
    """A query's rows (report id first) grouped by report, the id dropped."""
    out: dict[str, list[tuple]] = {rid: [] for rid in ids}
    for rec in con.execute(sql, {"ids": ids}).fetchall():
        out[rec[0]].append(tuple(rec[1:]))
    return out


def _mark_checks(review: Review) -> None:
    """Mark the cells each failing check names; a check whose cells cannot be told is listed as such."""
    by_fact_table = {facts[0].table.fact_table: facts for facts in review.facts.values() if facts}
    for check, severity, detail in review.checks:
        kind = "error" if severity == "error" else "warn"
        why = f"{check} ({severity}): {detail or ''}"
        code = _LEADING_CODE.match(detail or "")
        hits: list[Fact] = []
        if check in CHECK_CELLS and code:
            rule = CHECK_CELLS[check]
            hits = [f for f in by_fact_table.get(rule.fact_table, []) if rule.names(f.coords, code.group(1))]
        elif check == "prose_table_mismatch" and code and code.group(1) in CLAIM_CELLS:
            fact_table, wanted = CLAIM_CELLS[code.group(1)]
            hits = [f for f in by_fact_table.get(fact_table, [])
                    if all(f.coords.get(k) in v for k, v in wanted.items())]
        elif code:  # a check this page does not know: a detail that starts with a code names its cells
            hits = [f for facts in review.facts.values() for f in facts if code.group(1) in f.coords.values()]
        for fact in hits:
            fact.marks.append((kind, why))
        if not hits:
            review.unplaced_checks.append((check, severity, detail))


def _mark_uncertain(review: Review) -> None:
    """Mark the cells whose place the reader could not prove: the unreadable cells of each row a
    `layout_uncertain:<table>:<row>` reason names (of every row, when it names only the table)."""
    unreadable: dict[str, dict[str, list[Fact]]] = {}  # table name → row label as a reason spells it → cells
    for name, facts in review.facts.items():
        for fact in facts:
            if fact.state == "unreadable":
                label = "".join((fact.row_label or "").split())[:30]
                unreadable.setdefault(name, {}).setdefault(label, []).append(fact)
    for reason in review.row["reasons"]:
        head, _, rest = reason.partition(":")
        if head != "layout_uncertain":
            continue
        name, _, label = rest.partition(":")
        rows = unreadable.get(name, {})
        for fact in ([f for facts in rows.values() for f in facts] if not label else rows.get(label, [])):
            fact.marks.append(("uncertain", f"placement not proven ({reason}): the row's numbers are "
                                            f"{fact.raw_text!r}"))


def load_reviews(con: duckdb.DuckDBPyConnection, report: str | None = None,
                 limit: int | None = DEFAULT_LIMIT, facts: bool = True) -> list[Review]:
    """The reports to review in page order (or the one report `report` names: an id or a source path).
    Only the first `limit` (those the page shows in full) carry their facts and checks: the rest are
    listed by name, and a warehouse with tens of thousands to review must not hold all their cells
    (20,000 reports, 9,384 to review: 2.3 GB and 210 s before this bound, tools/nights/NIGHTS.md).
    `facts=False` reads the rows only: the page `fill`s the shown reports whose kept section is stale."""
    cursor = con.execute(SELECT_REPORTS_SQL, {"report": report})
    columns = [d[0] for d in cursor.description]
    rows = [dict(zip(columns, rec, strict=True)) for rec in cursor.fetchall()]
    for row in rows:
        row["reasons"] = list(row["reasons"] or [])
    out = [Review(row, {}, [], [], loaded=False) for row in rows]
    if facts:
        fill(con, out if limit is None else out[:limit])
    return out


def fill(con: duckdb.DuckDBPyConnection, reviews: list[Review]) -> None:
    """Read the facts, checks and unplaced cells of the reviews not yet `loaded`, and mark their cells."""
    todo = [r for r in reviews if not r.loaded]
    if not todo:
        return
    rows = [r.row for r in todo]
    ids = [row["report_id"] for row in rows]
    facts = _facts(con, rows, _keeping_corrections(con))
    checks = _by_report(con, CHECKS_SQL, ids)
    unmapped = _by_report(con, UNMAPPED_SQL, ids)
    for review in todo:
        rid = review.row["report_id"]
        review.facts, review.checks, review.unmapped, review.unplaced_checks = facts[rid], checks[rid], unmapped[rid], []
        _mark_checks(review)
        _mark_uncertain(review)
        review.loaded = True


# --- the sections as last rendered ------------------------------------------------------------------

SECTION_CACHE_DIR = ".review-sections"
# What a section's HTML depends on besides its review and its file: the code that renders it — this page,
# the source pane, the readers that read the file again, the document model and the forms (the grid's
# labels) — and the libraries that draw the pictures and parse the pages.
_RENDERER_PACKAGES = ("pipelines.warehouse.review", "pipelines.warehouse.review_source", "pipelines.readers",
                      "pipelines.document", "pipelines.forms")
_RENDERER_LIBRARIES = ("pypdfium2", "pillow", "lxml", "pdfplumber")
# Sources whose section is never kept: a web page reads the pictures saved beside it, which can change
# without the page (its hash and time) changing.
_UNCACHED_FORMATS = ("html",)


def renderer_sources() -> list[Path]:
    """The source files of the code that renders the page (`_RENDERER_PACKAGES`): the review_page asset
    writes the page again, and each kept section is rendered again, when one of them changes."""
    out = []
    for name in _RENDERER_PACKAGES:
        module = Path(importlib.import_module(name).__file__)
        out.extend(sorted(module.parent.rglob("*.py")) if module.name == "__init__.py" else [module])
    return out


def renderer_libraries() -> str:
    """The versions of the libraries that draw the page's pictures and parse its files, as one line."""
    versions = []
    for library in _RENDERER_LIBRARIES:
        try:
            versions.append(f"{library} {importlib.metadata.version(library)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(f"{library} absent")
    return "; ".join(versions)


class SectionCache:
    """Each report's section body as last rendered, one file a section named by a hash of everything it
    shows: the report's row and reasons, the rows its cells, corrections, checks and unplaced cells are
    read from (hashed by DuckDB: `section_digests`; the marks follow from them and the code), the raw
    file's size and times (the source pane reads it again), the checks' descriptions, and the code and
    libraries that render it (this page, the source pane, the readers, the document model, the forms;
    PDFium, Pillow, lxml, pdfplumber). Rendering a section reads its file again and lays out ~200 cells
    (35 ms; 7–8 s for the 200 sections of a page), so a night that changed a few reports reads and
    renders only theirs. Web pages are always rendered (they read pictures saved beside them). The
    folder is this page's own output, beside it; sections no longer shown are deleted after each page."""

    def __init__(self, folder: Path, help_: dict[str, tuple[str, str]]) -> None:
        self.folder = folder
        h = hashlib.sha256(repr(sorted(help_.items())).encode())
        for source in renderer_sources():
            h.update(source.read_bytes())
        h.update(renderer_libraries().encode())
        self.version = h.hexdigest()
        self.used: set[str] = set()

    def keeps(self, review: Review) -> bool:
        return review.row["source_format"] not in _UNCACHED_FORMATS

    def key(self, review: Review, raw_dir: Path, digest: str) -> str:
        """The name of the section: `digest` is what it shows of the warehouse (`section_digests`)."""
        path = raw_dir / review.row["source_path"]
        try:
            st = path.lstat()
            file = (str(path.resolve()), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, path.is_symlink())
        except OSError as exc:
            file = (str(path), type(exc).__name__)
        shown = (self.version, sorted(review.row.items()), digest, file)
        return hashlib.sha256(repr(shown).encode()).hexdigest()

    def get(self, key: str) -> str | None:
        self.used.add(key)
        try:
            return (self.folder / f"{key}.html").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None

    def put(self, key: str, body: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        partial = self.folder / f".{key}.partial"
        partial.write_text(body, encoding="utf-8")
        partial.replace(self.folder / f"{key}.html")

    def prune(self) -> None:
        """Delete the sections this page did not show (the folder holds one page's sections)."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.suffix in (".html", ".partial") and path.stem.lstrip(".") not in self.used:
                path.unlink(missing_ok=True)


# --- HTML ------------------------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei",sans-serif;margin:1.5em;color:#222;
 font-size:14px}
h1{font-size:1.5em} h2{font-size:1.25em;margin-top:2.5em;border-top:3px solid #345;padding-top:.6em}
h3{font-size:1.05em;margin:1.4em 0 .4em}
.meta,.where,figcaption{color:#666;font-size:.9em} .problem{color:#a00}
table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:2px 5px;vertical-align:top}
th{background:#f3f5f7;font-weight:normal;text-align:left}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1.2em;align-items:start}
.pane{overflow:auto;max-height:48em;border:1px solid #dde;padding:.4em;background:#fff}
.pane h4{margin:.1em 0 .5em;font-size:.95em;color:#345}
table.form td{text-align:right;min-width:3em} table.form th.block{background:#e6ebf0;font-weight:bold}
table.src td{font-size:.9em} table.src .ix{color:#999;font-size:.8em;background:#fafafa}
td.merged{background:repeating-linear-gradient(45deg,#f4f4f4,#f4f4f4 4px,#e9e9e9 4px,#e9e9e9 8px)}
td.absent{border:none}
.backs{background:#eef6ff}
td.blank{background:#fafafa} td.not_applicable{color:#777} td.missing{color:#999;font-style:italic;font-size:.85em}
td.unreadable{color:#b45309;font-style:italic} td.corrected{border-left:4px solid #1a8f3c}
.mark-error{outline:3px solid #dc1e1e;outline-offset:-3px;background:#fde8e8}
.mark-warn{outline:3px solid #e68c00;outline-offset:-3px;background:#fff4e0}
.mark-uncertain{outline:3px dashed #963cc8;outline-offset:-3px;background:#f5ecfb}
span.backs{border-bottom:1px solid #8ab} span.mark-error,span.mark-warn,span.mark-uncertain{outline-offset:0}
pre.text{white-space:pre-wrap;word-break:break-all;font-size:.9em;margin:0}
img.pdf-region{max-width:100%;border:1px solid #ccc} figure{margin:0 0 .8em}
.reasons li{margin:.15em 0} code{background:#f3f3f3;padding:0 .2em}
.legend span{display:inline-block;padding:0 .5em;margin-right:.5em;border:1px solid #ccc}
nav ol li{margin:.1em 0}
"""


def _esc(value: object) -> str:
    return html.escape("" if value is None else str(value))


def _number(value: Decimal | int | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


def _fact_title(fact: Fact, report_id: str) -> str:
    where = ("not in the file" if fact.src is None
             else f"source table {fact.src[0]}, row {fact.src[1]}, cell {fact.src[2]}")
    parts = [f"{fact.code}: {fact.state}", f"raw {fact.raw_text!r}" if fact.raw_text is not None else "no raw text",
             where]
    labels = " / ".join(x for x in (fact.row_label, fact.column_label) if x)
    if labels:
        parts.append("labels as printed: " + " ".join(labels.split()))
    if fact.corrected:
        parts.append(fact.corrected)
    parts.extend(why for _, why in fact.marks)
    if fact.marks:
        parts.append(f"if the file says otherwise: disclosure correct {report_id} {fact.table.name} {fact.code} "
                     "--value N --reason '…'")
    return "\n".join(parts)


def _fact_cell(fact: Fact | None, report_id: str) -> str:
    if fact is None:
        return '<td class="missing">—</td>'
    classes = [fact.state]
    if fact.mark:
        classes.append(f"mark-{fact.mark}")
    if fact.corrected:
        classes.append("corrected")
    if fact.state == "value":
        shown = _number(fact.value)
    elif fact.state in STATE_TEXT:
        shown = STATE_TEXT[fact.state]
    else:  # not_applicable, unreadable: the text as printed
        shown = fact.raw_text or fact.state
    return f'<td class="{" ".join(classes)}" title="{_esc(_fact_title(fact, report_id))}">{_esc(shown)}</td>'


def _form_grid(table: FormTable, facts: list[Fact], report_id: str) -> str:
    """The form's table as printed (labels from the catalog), each cell with its value or state."""
    by_coords = {tuple(f.coords[c] for c in table.coordinates): f for f in facts}
    shown: set[tuple] = set()
    out = ['<table class="form">']
    for block in table.blocks:
        anchor = block.anchors[0] if block.anchors else ""
        out.append(f'<tr><th class="block">{_esc(anchor)}</th>')
        out.extend(f'<th class="block">{_esc(col.labels[0])}</th>' for col in block.columns)
        out.append("</tr>")
        for form_row in block.rows:
            out.append(f"<tr><th>{_esc(form_row.labels[0])}</th>")
            for col in block.columns:
                coords = {**dict(block.fixed), **form_row.code_map, **col.code_map}
                key = tuple(coords.get(c) for c in table.coordinates)
                shown.add(key)
                out.append(_fact_cell(by_coords.get(key), report_id))
            out.append("</tr>")
    out.append("</table>")
    rest = [f for key, f in by_coords.items() if key not in shown]
    if rest:  # cells of the other form kept for this table (a 2021 report keeping the 2019 （六） row)
        out.append('<p class="meta">cells of the other form stored for this table:</p><table class="form">')
        for fact in sorted(rest, key=lambda f: f.code):
            out.append(f"<tr><th>{_esc(fact.code)}</th>{_fact_cell(fact, report_id)}</tr>")
        out.append("</table>")
    return "".join(out)


def _notes(facts: list[Fact]) -> dict[CellKey, CellNote]:
    """The source cells behind the facts, with the worst mark of the facts each backs."""
    notes: dict[CellKey, CellNote] = {}
    for fact in facts:
        if fact.src is None:
            continue
        notes.setdefault(fact.src, CellNote()).add(
            f"{fact.code} = {_number(fact.value) if fact.state == 'value' else fact.state}", fact.mark,
            [why for _, why in fact.marks])
    return notes


def _source_pane(source: Source | None, facts: list[Fact], notes: dict[CellKey, CellNote], shown: dict[int, str],
                 anchor: str) -> str:
    """The source tables this form table's cells were read from (one already shown is linked to)."""
    if source is None or source.problem:
        problem = source.problem if source is not None else "the file was not read"
        return f'<p class="problem">Source not shown: {_esc(problem)}.</p>'
    indices = sorted({f.src[0] for f in facts if f.src is not None})
    if not indices:
        return ('<p class="problem">No cell of this table was read from the file (its cells are missing); the '
                "file's tables are shown beside the others, or under “other tables of the file” below.</p>")
    out = []
    for index in indices:
        if index in shown:
            name = shown[index].rsplit("-", 1)[-1]
            out.append(f'<p class="meta">source table {index}: shown above, beside '
                       f'<a href="#{_esc(shown[index])}">{_esc(TABLE_TITLES.get(name, name))}</a>.</p>')
            continue
        shown[index] = anchor
        fmt = {"pdf": "PDF page region", "text": "text lines", "grid": "table"}[source.kind]
        out.append(f"<h4>source table {index} ({fmt})</h4>{render_table(source, index, notes)}")
    return "".join(out)


def _report_section(review: Review, raw_dir: Path, help_: dict[str, tuple[str, str]], number: int,
                    kept: str | None = None) -> str:
    """One report's section of the page: its heading (numbered in page order) and its body (`kept`: as
    last rendered, nothing it shows having changed since)."""
    row = review.row
    agency = row["agency_name"] or "(agency not named)"
    head = (f'<section class="report" id="{_esc(row["report_id"])}">'
            f"<h2>{number}. {_esc(agency)} · {_esc(row['year'])}</h2>")
    return head + (kept if kept is not None else _report_body(review, raw_dir, help_))


def _sections(con: duckdb.DuckDBPyConnection, reviews: list[Review], raw_dir: Path,
              help_: dict[str, tuple[str, str]], cache: SectionCache | None) -> Iterator[str]:
    """The shown reports' sections in page order: those `cache` keeps as they would be rendered now are
    taken from it; only the others' cells are read and rendered (and kept)."""
    kept: dict[int, str | None] = {}
    keys: dict[int, str] = {}
    if cache is not None:
        cached = [i for i, r in enumerate(reviews) if cache.keeps(r)]
        digests = section_digests(con, [reviews[i].row for i in cached])
        for i in cached:
            keys[i] = cache.key(reviews[i], raw_dir, digests[reviews[i].row["report_id"]])
            kept[i] = cache.get(keys[i])
    fill(con, [r for i, r in enumerate(reviews) if kept.get(i) is None])
    for i, review in enumerate(reviews):
        body = kept.get(i)
        if body is None and i in keys:
            body = _report_body(review, raw_dir, help_)
            cache.put(keys[i], body)
        yield _report_section(review, raw_dir, help_, i + 1, body)


def _report_body(review: Review, raw_dir: Path, help_: dict[str, tuple[str, str]]) -> str:
    row = review.row
    rid = row["report_id"]
    out = [f'<p class="meta">file <code>{_esc(row["source_path"])}</code> read as {_esc(row["source_format"])}; '
           f"report <code>{_esc(rid)}</code>; form {_esc(row['template_version'])}"
           f"{'; title ' + _esc(row['title']) if row['title'] else ''}. "
           f"<code>disclosure explain {_esc(rid)}</code> lists every cell.</p>"]
    if row["reasons"]:
        out.append('<ul class="reasons">')
        for reason in row["reasons"]:
            text = _reason_text(reason, help_)
            out.append(f"<li><code>{_esc(reason)}</code>{' — ' + _esc(text) if text else ''}</li>")
        out.append("</ul>")
    if review.checks:
        out.append('<table class="checks"><tr><th>check</th><th>severity</th><th>detail</th><th>cells</th></tr>')
        unplaced = set(review.unplaced_checks)
        for check, severity, detail in review.checks:
            where = "not tied to cells" if (check, severity, detail) in unplaced else "marked below"
            out.append(f'<tr class="sev-{_esc(severity)}"><td><code>{_esc(check)}</code></td><td>{_esc(severity)}'
                       f"</td><td>{_esc(detail)}</td><td>{where}</td></tr>")
        out.append("</table>")
    try:
        source: Source | None = open_source(raw_dir, row["source_path"], row["sha256"])
    except OSError as exc:
        source = Source(raw_dir / row["source_path"], problem=f"the file cannot be opened ({exc})")
    shown: dict[int, str] = {}
    notes = _notes([f for facts in review.facts.values() for f in facts])
    for name, title in TABLE_TITLES.items():
        facts = review.facts.get(name, [])
        table = facts[0].table if facts else _form_table(row, name)
        anchor = f"{rid}-{name}"
        states = Counter(f.state for f in facts)
        summary = ", ".join(f"{n} {s}" for s, n in sorted(states.items()))
        form = row[f"{name}_form"] or row["template_version"]
        out.append(f'<h3 id="{_esc(anchor)}">{_esc(title)} <span class="meta">(form {_esc(form)}; '
                   f"{_esc(summary)})</span></h3>")
        try:
            source_html = _source_pane(source, facts, notes, shown, anchor)
        except Exception as exc:  # one table's source view must not cost the page
            source_html = f'<p class="problem">The source could not be shown ({_esc(type(exc).__name__)}: {_esc(exc)}).</p>'
        parsed_html = _form_grid(table, facts, rid)
        out.append(f'<div class="pair"><div class="pane source">{source_html}</div>'
                   f'<div class="pane parsed"><h4>as read into the warehouse</h4>{parsed_html}</div></div>')
    if source is not None and source.document is not None and not source.problem:
        out.append(_other_tables(source, set(shown), notes))
    if review.unmapped:
        out.append("<h3>cells the form has no place for (fact_unmapped)</h3>"
                   '<table class="unmapped"><tr><th>table</th><th>row label</th><th>column label</th><th>text</th>'
                   "<th>source table / row / cell</th></tr>")
        for table_name, row_label, column_label, raw, s_table, s_row, s_cell in review.unmapped:
            out.append(f"<tr><td>{_esc(table_name)}</td><td>{_esc(row_label)}</td><td>{_esc(column_label)}</td>"
                       f"<td>{_esc(raw)}</td><td>{_esc(s_table)} / {_esc(s_row)} / {_esc(s_cell)}</td></tr>")
        out.append("</table>")
    out.append('<p class="meta"><a href="#top">back to the list</a></p></section>')
    return "".join(out)


def _other_tables(source: Source, shown: set[int], notes: dict[CellKey, CellNote]) -> str:
    """The file's tables no warehouse cell was read from (a table the reader did not recognise, prose set
    in a table), folded: where a table of the form is missing, it may be among them."""
    rest = [t.index for t in source.document.tables if t.index not in shown] if source.document else []
    if not rest:
        return ""
    out = [f'<details class="other-tables"><summary>{len(rest)} other table{"s" if len(rest) > 1 else ""} of the '
           "file (no cell read from them)</summary>"]
    for index in rest[:MAX_OTHER_TABLES]:
        try:
            out.append(f"<h4>source table {index}</h4>{render_table(source, index, notes)}")
        except Exception as exc:  # a courtesy view must not cost the page
            out.append(f'<p class="problem">source table {index} could not be shown ({_esc(type(exc).__name__)}).</p>')
    if len(rest) > MAX_OTHER_TABLES:
        out.append(f'<p class="meta">… and {len(rest) - MAX_OTHER_TABLES} more.</p>')
    out.append("</details>")
    return "".join(out)


def _legend() -> str:
    return ('<p class="legend">cells: <span>12</span>a number · <span class="blank" style="background:#fafafa">'
            '&nbsp;</span>blank · <span style="color:#777">/</span>not applicable (as printed) · '
            '<span style="color:#999;font-style:italic">missing</span>not in the file · '
            '<span style="color:#b45309;font-style:italic">text</span>unreadable (as printed) · '
            '<span class="mark-error">error</span>named by a failing error check · '
            '<span class="mark-warn">warn</span>named by a warning · '
            '<span class="mark-uncertain">uncertain</span>placement not proven · '
            '<span style="border-left:4px solid #1a8f3c">7</span>corrected by a reviewer · '
            '<span class="backs">source</span>a source cell behind a warehouse cell. '
            "Hover over a cell for its code, raw text, position and checks.</p>")


def reason_counts(reviews: list[Review]) -> Counter[str]:
    """Reports by reason group (a report counts once per group)."""
    return Counter(group for r in reviews for group in dict.fromkeys(reason_group(x) for x in r.row["reasons"]))


def review_html(con: duckdb.DuckDBPyConnection, raw_dir: Path, report: str | None = None,
                limit: int = DEFAULT_LIMIT, now: dt.datetime | None = None,
                reviews: list[Review] | None = None, cache_dir: Path | None = None) -> str:
    """The review page of the reports to review (or of the one report `report` names). With `cache_dir`,
    the page of all reports reuses each report's section as last rendered there while nothing it shows
    changed (`SectionCache`)."""
    now = now or dt.datetime.now(dt.UTC)
    reviews = load_reviews(con, report, limit) if reviews is None else reviews
    help_ = _check_help()
    counts = reason_counts(reviews)
    head = (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
            f"<title>政府信息公开工作年度报告 · reports to review</title><style>{CSS}</style></head>"
            f'<body><h1 id="top">Reports to review</h1>')
    out = [head]
    if report is not None and not reviews:
        out.append(f"<p>No report matches <code>{_esc(report)}</code>.</p>")
    elif report is not None:
        out.append(f'<p class="meta">The report <code>{_esc(report)}</code>, generated {now:%Y-%m-%d %H:%M} UTC.</p>')
    elif not reviews:
        out.append(f'<p>No current report needs review: every report read without doubt and passes every error '
                   f'check (generated {now:%Y-%m-%d %H:%M} UTC).</p>')
    else:
        current = con.execute("select count(*) from reports where is_current").fetchall()[0][0]
        out.append(f'<p class="meta">{len(reviews)} of {current} current reports need review '
                   f"(flagged while reading, or failing an error check); generated {now:%Y-%m-%d %H:%M} UTC. "
                   f"Each report shows the file's tables (left) beside the cells read into the warehouse (right), "
                   f"in the order of the form.</p>")
        out.append('<table class="counts"><tr><th>reason</th><th>reports</th><th>what it means</th></tr>')
        for group, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"<tr><td><code>{_esc(group)}</code></td><td>{n}</td>"
                       f"<td>{_esc(_reason_text(group, help_))}</td></tr>")
        out.append("</table>")
    if reviews:
        out.append(_legend())
        out.append("<nav><ol>")
        for i, review in enumerate(reviews):
            row = review.row
            name = f"{row['agency_name'] or '(agency not named)'} · {row['year']} · {row['source_path']}"
            reasons = ", ".join(dict.fromkeys(reason_group(x) for x in row["reasons"]))
            link = f'<a href="#{_esc(row["report_id"])}">{_esc(name)}</a>' if i < limit else _esc(name)
            out.append(f"<li>{link} — {_esc(reasons)}</li>")
        out.append("</ol></nav>")
        if len(reviews) > limit:
            out.append(f'<p class="meta">The first {limit} are shown in full; '
                       f"<code>disclosure review --report REPORT_ID</code> writes any other.</p>")
        cache = None if report is not None or cache_dir is None else SectionCache(cache_dir, help_)
        out.extend(_sections(con, reviews[:limit], raw_dir, help_, cache))
        if cache is not None:
            cache.prune()
    if report is None:
        out.append(_quarantined(con))
    out.append("</body></html>\n")
    return "".join(out)


def _quarantined(con: duckdb.DuckDBPyConnection) -> str:
    total = con.execute("select count(*) from source_files where status = 'quarantined'").fetchall()[0][0]
    if not total:
        return ""
    rows = con.execute(QUARANTINED_SQL, {"n": QUARANTINE_LIMIT}).fetchall()
    out = [f'<h2 id="quarantined">Files not read ({total} quarantined)</h2><details><summary>They hold no facts to '
           "compare; each waits for the fix its message names (a scan needs OCR, a damaged file a new copy)."
           '</summary><table><tr><th>file</th><th>code</th><th>message</th></tr>']
    out.extend(f"<tr><td><code>{_esc(p)}</code></td><td>{_esc(c)}</td><td>{_esc(m)}</td></tr>" for p, c, m in rows)
    out.append("</table></details>")
    if total > len(rows):
        out.append(f'<p class="meta">… and {total - len(rows)} more: <code>select * from source_files where '
                   "status = 'quarantined'</code>.</p>")
    return "".join(out)


def write_review(con: duckdb.DuckDBPyConnection, raw_dir: Path, target: Path, report: str | None = None,
                 limit: int = DEFAULT_LIMIT, now: dt.datetime | None = None,
                 reviews: list[Review] | None = None, cached: bool = True) -> Path:
    """Write the review page to `target` (atomically); return it. `reviews` (from `load_reviews`) saves
    reading them twice when the caller needs them too. The page of all reports keeps its sections in
    `SECTION_CACHE_DIR` beside `target` (`cached=False`: render every section afresh, keep nothing)."""
    cache_dir = target.parent / SECTION_CACHE_DIR if cached else None
    page = review_html(con, raw_dir, report, limit, now, reviews, cache_dir)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(target)
    return target
