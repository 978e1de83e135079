"""`make bench-pdf` (and the PDF part of `make bench`): our PDF reader side by side with its peers, on the
same PDF files, in one process — speed and cell accuracy.

Contenders, each given the same files:

* ours — `pipelines.readers.pdf.read(data)`: the product's PDF reader;
* pdfplumber — `page.extract_tables()` on every page, nothing else (its rows of str/None become the
  project's Table/Cell model: None, a position covered by a merged cell, becomes a `merged` cell);
* camelot lattice — `camelot.read_pdf(path, flavor="lattice", pages="all")` with its PDFium image backend
  (no Ghostscript), each table's `df` as rows of cells;
* PDFium characters — pypdfium2's bare character pass: every page's text page, every character's unicode
  and box (`FPDFText_GetUnicode`, `FPDFText_GetCharBox`). The floor any PDF reader pays to see the
  text; speed only, it makes no cells (accuracy n/a).

Two corpora: the real corpus's PDFs (tests/real has text copies only, so each real report's printed
cells are laid out in the printed form and converted by LibreOffice: tools/scans/realpdf.py; the
held-out sources skipped; each report with its real numbers and again with every number replaced by a
seeded random one, as `make accuracy-ocr` does) and generated PDFs (tools/synth, format `pdf`, every
quirk at its default share, with their truth).

Speed: reports/s in this one process, warm — one untimed pass over every file first, then the median of
BENCH_PDF_PASSES (≥ 3) timed passes, taken in turn: each round times every contender once, so that the
machine's drift over the run falls on all of them alike. What is timed is each contender's own work on a
file, bytes in, tables out (ours: a Document); the interpreter is not timed (it is the same for all).

Accuracy: each contender's tables, as Documents, go through the project's own path — the ingest's
`parse_chunk` (metadata, interpreter, flags), the loader into a fresh DuckDB warehouse, the data-quality
checks — and the warehouse is scored by tools/accuracy (real.py for real reports, synthetic.py for
generated ones): every truth cell right, unread (missing/unreadable: visibly not read, "missed"), flagged
(wrong, but the report needs review or fails an error check) or silently wrong. Metadata is left aside:
every PDF gets a sidecar with its agency and year from the truth, for every contender alike, so that a
contender that reads no prose (camelot, extract_tables()) loses nothing for it: the differences are the
tables'. Cells only are compared.

Settings (environment):
  BENCH_PDF_REAL=N        real reports to lay out (default: all of tests/real but the held-out; 0: none),
                          or their slugs, comma-separated
  BENCH_PDF_VARIANTS=...  real,random (default both): the real numbers, the digits-varied copy
  BENCH_PDF_SYNTH=N       generated PDFs (default 40; 0: none)
  BENCH_PDF_PASSES=N      timed passes (default 3)
  BENCH_PDF_ONLY=...      contenders to run, by key: ours,pdfplumber,camelot,pdfium (default all)
  BENCH_PDF_WRITE=0       print only; do not write docs/benchmarks_pdf.md
  BENCH_PDF_CACHE=DIR     build the PDFs into DIR and reuse them on the next run (LibreOffice is slow)
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import hashlib
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "benchmarks_pdf.md"
OUTCOMES = ("right", "unread", "flagged", "silent")
CONTENDER_KEYS = ("ours", "pdfplumber", "camelot", "pdfium")
RANDOM_SEED = 7  # the digits-varied copy of a real report (tools/accuracy/ocr.py uses the same)
SYNTH_SEED = 21  # tools/bench.py's PDF corpus


# ---------------------------------------------------------------------------------------------- contenders


@dataclass(frozen=True)
class Contender:
    key: str
    name: str
    extract: Callable[[Path, bytes], object]  # file → Document (or, for the floor, anything)
    makes_cells: bool = True


def _ours(path: Path, data: bytes):
    from pipelines.readers import pdf

    return pdf.read(data)


def _pdfplumber(path: Path, data: bytes):
    import pdfplumber

    from pipelines.document.model import Cell, Document, Table

    doc = Document("pdf")
    with pdfplumber.open(io.BytesIO(data)) as plumber:
        for page in plumber.pages:
            for rows in page.extract_tables():
                doc.blocks.append(Table(rows=[[Cell("", r, c, merged=True) if text is None else Cell(text, r, c)
                                               for c, text in enumerate(row)] for r, row in enumerate(rows)]))
    doc.renumber_tables()
    return doc


def _camelot(path: Path, data: bytes):
    import camelot

    from pipelines.document.model import Cell, Document, Table

    doc = Document("pdf")
    with open(os.devnull, "w") as null, contextlib.redirect_stderr(null):
        tables = camelot.read_pdf(str(path), flavor="lattice", pages="all", backend="pdfium", use_fallback=False,
                                  suppress_stdout=True)
    for t in tables:
        doc.blocks.append(Table(rows=[[Cell(str(v), r, c) for c, v in enumerate(row)]
                                      for r, row in enumerate(t.df.values.tolist())]))
    doc.renumber_tables()
    return doc


def _pdfium_chars(path: Path, data: bytes) -> int:
    """Every character's unicode and box on every page; returns the count (nothing else is made)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    refs = tuple(ctypes.byref(v) for v in (left, right, bottom, top))
    count = 0
    pdf = pdfium.PdfDocument(data)
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            handle = textpage.raw
            n = raw.FPDFText_CountChars(handle)
            for k in range(n):
                raw.FPDFText_GetUnicode(handle, k)
                raw.FPDFText_GetCharBox(handle, k, *refs)
            count += n
            textpage.close()
            page.close()
    finally:
        pdf.close()
    return count


def contenders(only: list[str] | None = None) -> list[Contender]:
    every = [
        Contender("ours", "ours (pipelines.readers.pdf.read)", _ours),
        Contender("pdfplumber", "pdfplumber extract_tables()", _pdfplumber),
        Contender("camelot", "camelot lattice (pdfium backend)", _camelot),
        Contender("pdfium", "PDFium bare character pass (floor)", _pdfium_chars, makes_cells=False),
    ]
    return [c for c in every if not only or c.key in only]


def camelot_available() -> bool:
    try:
        import camelot  # noqa: F401
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------------------------------------- corpora


@dataclass
class Corpus:
    name: str          # "real" | "synthetic"
    raw: Path          # folder of PDFs (+ sidecars) the ingest scans
    files: list[Path]  # the PDFs, in order
    root: Path | None = None  # synthetic: the corpus folder (truth parquet files)
    documents: list = field(default_factory=list)  # real: tools.accuracy.real.Document per PDF


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert(sources: list[Path], out: Path) -> None:
    """Every .docx to a PDF in `out`, in one LibreOffice run (one start-up, not one per file)."""
    if not sources:
        return
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([_soffice(), "--headless", f"-env:UserInstallation=file://{profile}/profile", "--convert-to",
                        "pdf", "--outdir", str(out), *map(str, sources)], check=True, capture_output=True,
                       timeout=60 + 10 * len(sources))


def _sidecar(pdf: Path, agency: str, year: int | None) -> None:
    meta = {"agency_name": agency, **({"year": int(year)} if year else {})}
    pdf.with_name(pdf.stem + ".meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def real_corpus(work: Path, limit: int | list[str] | None, variants: list[str]) -> Corpus:
    """The real reports' printed cells laid out in the form, as PDFs, with their truth (tools/scans/realpdf)."""
    from tools.accuracy.ocr import _truth
    from tools.accuracy.real import CORPUS, Document, load_corpus
    from tools.scans.realpdf import HELD_OUT_PREFIXES, laid_out
    from tools.synth.layout import render_docx

    raw = work / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    chosen = [d for d in load_corpus() if not d.slug.startswith(HELD_OUT_PREFIXES)]
    if isinstance(limit, list):
        chosen = [d for d in chosen if d.slug in limit]
    elif limit is not None:
        chosen = chosen[:limit]
    pending: list[Path] = []
    documents: list = []
    skipped: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for doc in chosen:
            for randomized in (False, True):
                if ("random" if randomized else "real") not in variants:
                    continue
                try:
                    blocks, printed = laid_out(CORPUS / doc.slug, random.Random(f"{RANDOM_SEED}:{doc.slug}")
                                               if randomized else None)
                except KeyError:  # the truth keys part of the form only (a truncated copy): nothing to print
                    skipped.append(doc.slug)
                    continue
                if not blocks:
                    continue
                slug = f"{doc.slug}-n{RANDOM_SEED}" if randomized else doc.slug
                target = raw / f"{slug}.pdf"
                if not target.is_file():
                    src = Path(tmp) / f"{slug}.docx"
                    src.write_bytes(render_docx(blocks))
                    pending.append(src)
                # Each copy its own agency: two copies of one agency-year would supersede each other.
                _sidecar(target, slug, doc.meta.get("year"))
                kind = "digits varied" if randomized else "real numbers"
                documents.append(Document(slug, target, kind, doc.meta, _truth(doc, printed, randomized)))
        _convert(pending, raw)
    documents = [d for d in documents if d.path.is_file()]
    if skipped:
        names = sorted(set(skipped))
        print(f"{len(names)} real reports not laid out: their truth keys only part of a table the form prints "
              f"(tools/scans/realpdf.py lays out whole tables): {', '.join(names)}")
    return Corpus("real", raw, [d.path for d in documents], documents=documents)


def synthetic_corpus(work: Path, n: int) -> Corpus:
    """Generated PDFs (tools/synth, every quirk at its default share) and their truth."""
    from tools.synth.corpus import write_corpus

    if not (work / "truth_cells.parquet").is_file():
        write_corpus(work, n, seed=SYNTH_SEED, formats=["pdf"])
    raw = work / "raw"
    reports = pl.read_parquet(work / "truth_reports.parquet")
    for path, agency, year in reports.select("path", "agency_name", "year").iter_rows():
        if (raw / path).is_file():
            _sidecar(raw / path, agency, year)
    files = sorted(raw.rglob("*.pdf"))
    return Corpus("synthetic", raw, files, root=work)


# ---------------------------------------------------------------------------------------------- speed


@dataclass
class Timing:
    pass_seconds: list[float]
    outputs: dict[str, object]  # sha256 of the file → the contender's output (or the ReadError/exception)
    errors: Counter

    @property
    def median(self) -> float:
        return statistics.median(self.pass_seconds)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def time_contenders(chosen: list[Contender], files: list[tuple[Path, bytes]], passes: int) -> dict[str, Timing]:
    """One untimed pass of each contender (its outputs kept for scoring), then `passes` rounds in which each
    contender makes one timed pass over every file, in turn, the order turned by one each round. Taken in
    turn, the contenders share the machine's drift over the run (a shared CPU here ran the same pass 30%
    slower from one minute to the next): timed one after the other, a ratio compared two machines."""
    if not chosen:
        return {}
    if len({c.key for c in chosen}) != len(chosen):
        raise ValueError(f"contenders share a key: {[c.key for c in chosen]}")
    timings: dict[str, Timing] = {}
    for contender in chosen:
        outputs: dict[str, object] = {}
        errors: Counter = Counter()
        for path, data in files:
            try:
                outputs[_sha(data)] = contender.extract(path, data)
            except Exception as exc:  # a contender's failure on a file is that file's outcome, not the bench's
                outputs[_sha(data)] = exc
                errors[getattr(exc, "code", type(exc).__name__)] += 1
        timings[contender.key] = Timing([], outputs, errors)
    # The objects alive before the timed passes (every contender's outputs kept for scoring, the libraries'
    # caches) are set aside from Python's cyclic garbage collector while they run: otherwise each full
    # collection a contender's allocations trigger walks them all, and the contender timed after the
    # others pays for their outputs (ours measured 23 reports/s here against 36 alone, on the same files).
    gc.collect()
    gc.freeze()
    try:
        for round_ in range(passes):
            turn = round_ % len(chosen)
            for contender in chosen[turn:] + chosen[:turn]:
                started = time.perf_counter()
                for path, data in files:
                    with contextlib.suppress(Exception):
                        contender.extract(path, data)
                timings[contender.key].pass_seconds.append(time.perf_counter() - started)
    finally:
        gc.unfreeze()
    return timings


# ---------------------------------------------------------------------------------------------- accuracy


@contextlib.contextmanager
def _documents_from(outputs: dict[str, object]) -> Iterator[None]:
    """The ingest's parse step reads the contender's output for each file's bytes instead of the readers'."""
    import pipelines.ingest.parse as parse
    from pipelines.document.model import Document, ReadError

    def read_document(data: bytes, *_args, **_kwargs) -> Document:  # the readers' other arguments: not needed
        out = outputs.get(_sha(data))
        if isinstance(out, Document):
            return out
        if isinstance(out, ReadError):
            raise out
        if isinstance(out, Exception):
            raise ReadError("contender_failed", f"{type(out).__name__}: {out}")
        raise ReadError("contender_failed", "the contender produced nothing for this file")

    original = parse.read_document
    parse.read_document = read_document
    try:
        yield
    finally:
        parse.read_document = original


def load_warehouse(raw: Path, db: Path, outputs: dict[str, object]) -> None:
    """The ingest's steps in this process (its parse workers are spawned processes, which would read the
    files with the product's readers): scan, parse with the contender's Documents, load, checks."""
    from pipelines.ingest.parse import parse_chunk
    from pipelines.ingest.run import discover
    from pipelines.warehouse.checks import refresh_dq_results
    from pipelines.warehouse.load import connect, load_run, scan_view

    con = connect(db)
    try:
        found = discover(con, raw)
        with _documents_from(outputs):
            outcomes = parse_chunk(raw, found.todo)
        for _ in load_run(con, scan_view(found.scanned), [(outcomes, None)]):
            pass
        refresh_dq_results(con)
    finally:
        con.close()


def score(corpus: Corpus, db: Path) -> Counter:
    """Outcome counts of every truth cell (and every cell read that the truth lacks)."""
    if corpus.name == "real":
        from tools.accuracy.real import read_warehouse, score_cells

        readings = read_warehouse(db, corpus.documents)
        return Counter(c.outcome for d in corpus.documents for c in score_cells(d, readings[d.slug]))
    from tools.accuracy.synthetic import evaluate

    return Counter(evaluate(db, corpus.root).overall())


# ---------------------------------------------------------------------------------------------- the bench


def _pages(data: bytes) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return len(pdf)
    finally:
        pdf.close()


def bench_corpus(corpus: Corpus, chosen: list[Contender], passes: int, work: Path) -> list[dict]:
    files = [(p, p.read_bytes()) for p in corpus.files]
    pages = sum(_pages(d) for _, d in files)
    rows = []
    timings = time_contenders(chosen, files, passes)
    for contender in chosen:
        note = ""
        timing = timings[contender.key]
        row = {"corpus": corpus.name, "contender": contender.name, "PDFs": len(files), "pages": pages,
               "reports/s": round(len(files) / timing.median, 2) if timing.median else None,
               "median pass s": round(timing.median, 3)}
        if contender.makes_cells:
            db = work / f"{corpus.name}-{contender.key}.duckdb"
            try:
                load_warehouse(corpus.raw, db, timing.outputs)
                counts = score(corpus, db)
            except Exception as exc:  # the warehouse code is not the contender's: keep its timing, say why
                print(f"  {corpus.name}: {contender.name}: scoring failed: {type(exc).__name__}: {exc}")
                counts = Counter()
                note = f"scoring failed ({type(exc).__name__})"
            cells = sum(counts[o] for o in OUTCOMES)
            row.update({"cells": cells, "right": counts["right"], "unread (missed)": counts["unread"],
                        "flagged": counts["flagged"], "silently wrong": counts["silent"],
                        "right %": f"{100 * counts['right'] / cells:.1f}" if cells else "–"})
        else:
            row.update({"cells": None, "right": None, "unread (missed)": None, "flagged": None,
                        "silently wrong": None, "right %": "n/a"})
        row["files failed"] = ", ".join(f"{k} {v}" for k, v in sorted(timing.errors.items())) or "0"
        if note:
            row["files failed"] += f"; {note}"
        rows.append(row)
        print(f"  {corpus.name}: {contender.name}: {row['reports/s']} reports/s, right {row['right']} of "
              f"{row['cells']}", flush=True)
    return rows


def ratios(rows: list[dict]) -> list[str]:
    """Ours ÷ pdfplumber and ours ÷ the PDFium floor, per corpus, in reports/s."""
    lines = []
    for corpus in dict.fromkeys(r["corpus"] for r in rows):
        speed = {r["contender"].split(" ")[0]: r for r in rows if r["corpus"] == corpus}
        ours = speed.get("ours")
        if ours is None or not ours["reports/s"]:
            continue
        plumber, floor = speed.get("pdfplumber"), speed.get("PDFium")
        if plumber and plumber["reports/s"]:
            ratio = ours["reports/s"] / plumber["reports/s"]
            lines.append(f"{corpus}: ours ÷ pdfplumber extract_tables() speed = {ratio:.2f}× (target ≥ 5×: "
                         f"{'met' if ratio >= 5 else 'not met'}); right {ours['right']} vs {plumber['right']}, "
                         f"silently wrong {ours['silently wrong']} vs {plumber['silently wrong']}")
        if floor and floor["reports/s"]:
            ratio = floor["reports/s"] / ours["reports/s"]
            lines.append(f"{corpus}: ours is {ratio:.2f}× slower than the PDFium character pass (ours ÷ floor "
                         f"speed = {1 / ratio:.2f}; target: within 3×: {'met' if ratio <= 3 else 'not met'})")
    return lines


def markdown_table(rows: list[dict]) -> str:
    if not rows:
        return "_not measured_\n"
    head = list(rows[0])
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join("" if r.get(h) is None else str(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(out) + "\n"


def render_markdown(rows: list[dict], lines: list[str], settings: dict) -> str:
    from tools.bench import machine

    return (
        "# PDF reader against its peers\n\n"
        f"Measured by `make bench-pdf` (also run by `make bench`) on {time.strftime('%Y-%m-%d')}: {machine()}. "
        "One process; reports/s warm (one untimed pass, then the median of "
        f"{settings['passes']} timed passes, taken in turn: each round times every contender once); "
        "what is timed is each contender's own work, PDF bytes to tables. "
        "The CPU may have been shared with other work while it ran: compare rows of one run, not runs.\n\n"
        "Corpora: **real** — the printed cells of the reports of `tests/real/` (held-out sources skipped), "
        "laid out in the form and converted by LibreOffice (tools/scans/realpdf.py), each with its real numbers "
        "and again with every number varied; **synthetic** — PDFs generated by tools/synth (every quirk at its "
        "default share).\n\n"
        "Accuracy: each contender's tables go through the same path — ingest parse (interpreter, flags), "
        "loader, data-quality checks — and are scored by tools/accuracy: **right**; **unread (missed)** "
        "(missing/unreadable, visibly not read); **flagged** (wrong, but the report needs review or fails an "
        "error check); **silently wrong**. Cells only: every PDF carries a sidecar with its agency and year for "
        "every contender alike, so metadata is left aside. The PDFium character pass makes no cells (n/a): it "
        "is the floor, the cost of seeing every character and its box.\n\n"
        f"Settings: {', '.join(f'{k}={v}' for k, v in settings.items())}.\n\n"
        + markdown_table(rows) + "\n" + "\n".join(f"* {line}" for line in lines) + "\n"
    )


def run(real: int | list[str] | None = None, variants: list[str] | None = None, synth: int = 40, passes: int = 3,
        only: list[str] | None = None, work: Path | None = None, cache: Path | None = None) -> tuple[list[dict], list[str]]:
    """Build the corpora, run every contender on them; return the table's rows and the ratio lines."""
    variants = variants or ["real", "random"]
    chosen = contenders(only)
    if not camelot_available():
        print("camelot is not installed (pip install -e '.[bench]'): its row is left out")
        chosen = [c for c in chosen if c.key != "camelot"]
    if _soffice() is None:
        raise SystemExit("LibreOffice (soffice) is needed to make the PDFs")
    with contextlib.ExitStack() as stack:
        if work is None:
            work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="disclosure-bench-pdf-")))
        build = cache or work
        rows: list[dict] = []
        corpora = []
        started = time.perf_counter()
        if real != 0:
            corpora.append(real_corpus(build / "real", real, variants))
        if synth:
            corpora.append(synthetic_corpus(build / f"synthetic-{synth}", synth))
        print(f"built {sum(len(c.files) for c in corpora)} PDFs in {time.perf_counter() - started:.0f} s", flush=True)
        for corpus in corpora:
            rows += bench_corpus(corpus, chosen, passes, work)
    return rows, ratios(rows)


def main() -> None:
    env = os.environ
    real: int | list[str] | None = None
    if env.get("BENCH_PDF_REAL", "").isdigit():
        real = int(env["BENCH_PDF_REAL"])
    elif env.get("BENCH_PDF_REAL"):
        real = [s for s in env["BENCH_PDF_REAL"].split(",") if s]
    variants = [v for v in env.get("BENCH_PDF_VARIANTS", "real,random").split(",") if v]
    synth = int(env.get("BENCH_PDF_SYNTH", "40"))
    passes = max(1, int(env.get("BENCH_PDF_PASSES", "3")))
    only = [k for k in env.get("BENCH_PDF_ONLY", "").split(",") if k] or None
    cache = Path(env["BENCH_PDF_CACHE"]) if env.get("BENCH_PDF_CACHE") else None
    rows, lines = run(real, variants, synth, passes, only, cache=cache)
    with pl.Config(tbl_rows=50, tbl_cols=20, tbl_width_chars=250, tbl_hide_dataframe_shape=True,
                   tbl_hide_column_data_types=True):
        print(pl.DataFrame(rows))
    print("\n".join(lines))
    if env.get("BENCH_PDF_WRITE", "1") != "0":
        shown = "all" if real is None else ",".join(real) if isinstance(real, list) else real
        settings = {"real reports": shown, "variants": "+".join(variants), "synthetic PDFs": synth, "passes": passes}
        DOCS.write_text(render_markdown(rows, lines, settings), encoding="utf-8")
        print(f"wrote {DOCS}")


if __name__ == "__main__":
    main()
