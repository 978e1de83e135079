"""Accuracy on real reports: the pipeline run over tests/real/ and compared with the hand-keyed truth.

`make accuracy` (or `python -m tools.accuracy.real`) ingests every document of the real corpus into a
temporary warehouse, exactly as a nightly run would, and sorts every keyed cell into one outcome:

* right — the state and value the people read;
* unread — the warehouse says `missing` or `unreadable` (or lacks the cell): visibly not read;
* flagged — a wrong value or state, but the report fails an error check or needs review;
* silent — a wrong value or state with no flag: the worst outcome, an analyst will trust it.

A cell the document does not hold (truncated copies, absent tables) must come out `missing`; any other
reading of it is wrong too (a number where the document has none). Metadata (agency, year) and
provenance (each read cell's row_label/column_label are the source's labels of that cell) are scored
per document. `docs/accuracy.md` gets the tables and every cell that is not right.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import tomllib
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb

from tools.accuracy.keys import KeyedCell, read_key

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "real"
DOCS = ROOT / "docs" / "accuracy.md"
OUTCOMES = ("right", "unread", "flagged", "silent")
UNREAD_STATES = ("missing", "unreadable")
# A report "needs review" when reports.needs_review says so; before that column existed, when a
# reading flag says its tables were rebuilt by guesswork.
UNCERTAIN_FLAGS = ("pdf_tables_without_rules",)
AGENCY_SUFFIXES = ("人民政府", "政府", "办事处")

CELLS_SQL = """
select r.source_path, c.table_name, c.cell, c.value, c.cell_state, c.raw_text, f.row_label, f.column_label
from v_fact_cells as c
join reports as r using (report_id)
left join (
    select report_id, 'proactive' as table_name, item || '/' || category || '/' || metric as cell, row_label,
           column_label from fact_proactive
    union all
    select report_id, 'applications', outcome || '/' || applicant, row_label, column_label from fact_applications
    union all
    select report_id, 'appeals', proceeding || '/' || result, row_label, column_label from fact_appeals
) as f using (report_id, table_name, cell)
"""


@dataclass(frozen=True)
class Document:
    slug: str
    path: Path  # the document file
    kind: str
    meta: dict
    truth: dict[tuple[str, str], KeyedCell]

    @property
    def forms(self) -> dict[str, str]:
        return self.meta.get("forms", {})


@dataclass
class Reading:
    """What the warehouse holds for one document."""

    status: str = "absent"  # loaded | quarantined | absent
    error_code: str | None = None
    agency: str | None = None
    year: int | None = None
    template_version: str | None = None
    flagged: bool = False
    flags: list[str] = field(default_factory=list)
    cells: dict[tuple[str, str], tuple] = field(default_factory=dict)


@dataclass(frozen=True)
class CellResult:
    slug: str
    kind: str
    form: str
    table: str
    cell: str
    outcome: str
    truth: str
    ours: str
    labels_right: bool | None  # None: no label to judge (the cell was not read from the source)


def load_corpus(corpus: Path = CORPUS) -> list[Document]:
    """Every document folder of the real corpus (those with a truth.csv)."""
    out = []
    for folder in sorted(p for p in corpus.iterdir() if (p / "truth.csv").is_file()):
        document = next(p for p in folder.iterdir() if p.name.startswith("document."))
        source = tomllib.loads((folder / "source.toml").read_text(encoding="utf-8"))
        meta = tomllib.loads((folder / "meta.toml").read_text(encoding="utf-8"))
        out.append(Document(folder.name, document, source.get("kind", "unknown"), meta, read_key(folder / "truth.csv")))
    return out


def ingest_corpus(documents: list[Document], work: Path, workers: int = 2) -> Path:
    """Copy the documents into a raw folder (one file each, named after the folder) and ingest them
    with checks, as a nightly run does; return the warehouse file."""
    from pipelines.ingest.run import ingest
    from pipelines.ingest.settings import Settings

    raw = work / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for doc in documents:
        shutil.copyfile(doc.path, raw / f"{doc.slug}{doc.path.suffix}")
    db = work / "warehouse" / "accuracy.duckdb"
    ingest(Settings(raw_dir=raw, db_path=db, workers=workers), checks=True)
    return db


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> set[str]:
    return {c for (c,) in con.execute("select column_name from duckdb_columns() where table_name = $t",
                                      {"t": table}).fetchall()}


def read_warehouse(db: Path, documents: list[Document]) -> dict[str, Reading]:
    """What the warehouse holds for each document, by slug."""
    by_path = {f"{d.slug}{d.path.suffix}": d.slug for d in documents}
    out = {d.slug: Reading() for d in documents}
    con = duckdb.connect(str(db), read_only=True)
    try:
        for path, status, code in con.execute("select path, status, error_code from source_files").fetchall():
            if path in by_path:
                out[by_path[path]].status, out[by_path[path]].error_code = status, code
        review = "needs_review" in _columns(con, "reports")
        rows = con.execute(
            "select r.source_path, r.agency_name, r.year, r.template_version, r.flags, "
            + ("r.needs_review, " if review else "false, ")
            + "exists (select 1 from dq_results d where d.report_id = r.report_id and d.severity = 'error') "
            "from reports as r where r.is_current").fetchall()
        for path, agency, year, version, flags, needs_review, failing in rows:
            if path not in by_path:
                continue
            reading = out[by_path[path]]
            reading.agency, reading.year, reading.template_version = agency, year, version
            reading.flags = list(flags or [])
            reading.flagged = bool(needs_review or failing or any(f in UNCERTAIN_FLAGS for f in reading.flags))
        for path, table, cell, value, state, raw, row_label, column_label in con.execute(CELLS_SQL).fetchall():
            if path in by_path:
                out[by_path[path]].cells[(table, cell)] = (value, state, raw, row_label, column_label)
    finally:
        con.close()
    return out


def _squeeze(text: str | None) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def labels_match(ours: str | None, truth: str) -> bool:
    """Our label names the truth's printed label: it equals the truth's label (header parts joined) or
    one of its trailing parts (`商业企业` for `法人或其他组织 / 商业企业`)."""
    if not truth.strip():
        return True
    mine = "".join(_squeeze(p) for p in (ours or "").split(" / "))
    parts = [_squeeze(p) for p in truth.split(" / ") if p.strip()]
    if any(mine == "".join(parts[i:]) for i in range(len(parts))):
        return True
    # The source's label with its printed note, where the keyer copied the label without it.
    return mine.startswith(parts[-1]) and mine[len(parts[-1]):].startswith(("(", "（"))


def _describe(state: str, value) -> str:
    return f"{Decimal(value).normalize():f}" if state == "value" and value is not None else state


def _same(truth: KeyedCell, state: str, value) -> bool:
    if truth.state != state:
        return False
    return state != "value" or Decimal(str(value)) == truth.value


def score_cells(doc: Document, reading: Reading) -> list[CellResult]:
    """Every keyed cell of a document, and every cell read that the document does not hold."""
    results = []
    for key, truth in doc.truth.items():
        table, cell = key
        form = doc.forms.get(table, "?")
        ours = reading.cells.get(key)
        if ours is None:
            outcome, described, labels = "unread", "(not in the warehouse)", None
        else:
            value, state, raw, row_label, column_label = ours
            described = _describe(state, value)
            if _same(truth, state, value):
                outcome = "right"
            elif state in UNREAD_STATES:
                outcome = "unread"
            else:
                outcome = "flagged" if reading.flagged else "silent"
            labels = None
            if raw is not None and truth.state != "missing":
                labels = labels_match(row_label, truth.row_label) and labels_match(column_label, truth.column_label)
        results.append(CellResult(doc.slug, doc.kind, form, table, cell, outcome,
                                  _describe(truth.state, truth.value), described, labels))
    for key, (value, state, _raw, _r, _c) in reading.cells.items():
        if key in doc.truth or state == "missing":
            continue
        # A cell the document does not hold, read as something: a number (or an emptiness) it never printed.
        results.append(CellResult(doc.slug, doc.kind, doc.forms.get(key[0], "?"), key[0], key[1],
                                  "unread" if state == "unreadable" else ("flagged" if reading.flagged else "silent"),
                                  "(not in the document)", _describe(state, value), None))
    return results


def _agency_key(name: str | None) -> str:
    s = _squeeze(name)
    for suffix in AGENCY_SUFFIXES:
        if s.endswith(suffix) and len(s) > len(suffix):
            s = s[: -len(suffix)]
            break
    return s


def agency_right(doc: Document, reading: Reading) -> bool:
    truth = doc.meta.get("agency", "")
    accepted = {_agency_key(truth), *(_agency_key(a) for a in doc.meta.get("agency_aliases", []))}
    return _agency_key(reading.agency) in accepted


@dataclass
class Evaluation:
    documents: list[Document]
    readings: dict[str, Reading]
    cells: list[CellResult]

    def totals(self, group: str) -> list[tuple[str, Counter]]:
        """Outcome counts per `group` ('kind', 'form', 'kind_form', 'all')."""
        groups: dict[str, Counter] = defaultdict(Counter)
        for c in self.cells:
            name = {"kind": c.kind, "form": c.form, "kind_form": f"{c.kind} · {c.form}", "all": "all"}[group]
            groups[name][c.outcome] += 1
        return sorted(groups.items())

    def overall(self) -> Counter:
        return Counter(c.outcome for c in self.cells)

    def metadata(self) -> dict[str, tuple[int, int]]:
        docs = self.documents
        loaded = [d for d in docs if self.readings[d.slug].status == "loaded"]
        named = [d for d in docs if d.meta.get("agency")]
        labelled = [c for c in self.cells if c.labels_right is not None]
        return {
            "documents loaded": (len(loaded), len(docs)),
            "agency right (documents that name themselves)": (
                sum(1 for d in named if agency_right(d, self.readings[d.slug])), len(named)),
            "agency left empty where the document never names itself": (
                sum(1 for d in docs if not d.meta.get("agency") and self.readings[d.slug].agency is None),
                sum(1 for d in docs if not d.meta.get("agency"))),
            "year right": (sum(1 for d in docs if self.readings[d.slug].year == d.meta.get("year")), len(docs)),
            "provenance labels right (cells read from the source)": (
                sum(1 for c in labelled if c.labels_right), len(labelled)),
        }


def evaluate(corpus: Path = CORPUS, workers: int = 2) -> Evaluation:
    documents = load_corpus(corpus)
    with tempfile.TemporaryDirectory(prefix="disclosure-accuracy-") as tmp:
        db = ingest_corpus(documents, Path(tmp), workers)
        readings = read_warehouse(db, documents)
    cells = [c for d in documents for c in score_cells(d, readings[d.slug])]
    return Evaluation(documents, readings, cells)


def _pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f}%" if total else "–"


def outcome_table(rows: list[tuple[str, Counter]], title: str) -> list[str]:
    lines = [f"| {title} | cells | right | unread | flagged | silently wrong | right % |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, counts in rows:
        total = sum(counts.values())
        lines.append(f"| {name} | {total} | {counts['right']} | {counts['unread']} | {counts['flagged']} | "
                     f"{counts['silent']} | {_pct(counts['right'], total)} |")
    return lines


def render(ev: Evaluation) -> str:
    lines = outcome_table(ev.totals("kind_form") + ev.totals("all"), "document kind · form")
    lines += ["", "| measure | right | of |", "| --- | ---: | ---: |"]
    lines += [f"| {name} | {n} | {total} |" for name, (n, total) in ev.metadata().items()]
    return "\n".join(lines)


def render_markdown(ev: Evaluation) -> str:
    today = dt.date.today().isoformat()
    out = [
        "# Accuracy on real reports",
        "",
        f"Generated by `make accuracy` on {today} from the {len(ev.documents)} documents of `tests/real/` "
        "(hand-keyed truth, read twice). Real documents, not the synthetic corpus.",
        "",
        "Outcomes: **right** (state and value as keyed); **unread** (`missing`/`unreadable`, visibly not read); "
        "**flagged** (wrong, but the report fails an error check or needs review); **silently wrong** (wrong, "
        "no flag). Cells the document does not hold but the warehouse reads as something count as wrong.",
        "",
        *outcome_table(ev.totals("kind_form") + ev.totals("all"), "document kind · form"),
        "",
        "| measure | right | of |",
        "| --- | ---: | ---: |",
        *[f"| {name} | {n} | {total} |" for name, (n, total) in ev.metadata().items()],
        "",
        "## Documents",
        "",
        "| document | kind | status | agency (truth → read) | year | right | unread | flagged | silent |",
        "| --- | --- | --- | --- | --- | ---: | ---: | ---: | ---: |",
    ]
    by_doc: dict[str, Counter] = defaultdict(Counter)
    for c in ev.cells:
        by_doc[c.slug][c.outcome] += 1
    for d in ev.documents:
        r = ev.readings[d.slug]
        status = r.status if r.error_code is None else f"{r.status} ({r.error_code})"
        agency = f"{d.meta.get('agency') or '—'} → {r.agency or '—'}"
        year = f"{d.meta.get('year')} → {r.year}"
        n = by_doc[d.slug]
        out.append(f"| {d.slug} | {d.kind} | {status} | {agency} | {year} | {n['right']} | {n['unread']} | "
                   f"{n['flagged']} | {n['silent']} |")
    out += ["", "## Every cell that is not right", "",
            "| document | cell | outcome | truth | read |", "| --- | --- | --- | --- | --- |"]
    for c in ev.cells:
        if c.outcome != "right":
            out.append(f"| {c.slug} | {c.table}/{c.cell} | {c.outcome} | {c.truth} | {c.ours} |")
    wrong_labels = [c for c in ev.cells if c.labels_right is False]
    out += ["", f"## Cells read with labels that are not the source's ({len(wrong_labels)})", ""]
    out += [f"* {c.slug}: {c.table}/{c.cell}" for c in wrong_labels[:200]]
    if len(wrong_labels) > 200:
        out.append(f"* … and {len(wrong_labels) - 200} more")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.accuracy.real", description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--write", type=Path, default=DOCS, help="markdown report to write (docs/accuracy.md)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    ev = evaluate(args.corpus, args.workers)
    print(render(ev))
    if args.write:
        args.write.write_text(render_markdown(ev), encoding="utf-8")
        print(f"\nwrote {args.write}")


if __name__ == "__main__":
    main()
