"""`make bench`: generates corpora and measures the pipeline; prints a table and writes docs/benchmarks.md.

Not a test: speed targets are measured here, on whatever machine runs it. Sizes can be lowered for
a quick look: BENCH_SIZES=2000,10000 make bench. Every figure is measured on SYNTHETIC corpora (tools/synth,
every quirk at its default share); accuracy on real reports is `make accuracy` (docs/accuracy.md), and the
page says so in every heading.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from pipelines.ingest.parse import parse_file
from pipelines.ingest.run import ingest, parse_all
from pipelines.ingest.scan import scan
from pipelines.ingest.settings import Settings
from pipelines.readers.legacy import find_soffice
from pipelines.warehouse.checks import refresh_dq_results
from pipelines.warehouse.load import connect
from tools.accuracy.synthetic import evaluate
from tools.synth.corpus import write_corpus

TEXT_FORMATS = ["tab_text", "pipe_text", "markdown", "separator", "line_text", "pdf_text"]
# Large enough that the worker pool's start-up (about a second: spawned processes import the parsers) is a
# small part of the all-cores figure, as it is of a nightly run.
PER_FORMAT = {"docx": 600, "html": 1200, "pdf": 60, **dict.fromkeys(TEXT_FORMATS, 2000), "html_fragment": 1200,
              "word_html": 1200, "store_markdown": 2000, "page_text": 2000}
DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


_CHILD = """
import resource, sys
from pathlib import Path
from pipelines.ingest.run import ingest
from pipelines.ingest.settings import Settings
ingest(Settings(raw_dir=Path(sys.argv[1]), db_path=Path(sys.argv[2])))
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec.
own = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM"))
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(own, workers)
"""


def _ingest_in_child(settings: Settings) -> str:
    """Run an ingest in a fresh process; return its peak RSS (loader process + largest worker), in MB."""
    out = subprocess.run([sys.executable, "-c", _CHILD, str(settings.raw_dir), str(settings.db_path)],
                         check=True, capture_output=True, text=True).stdout.split()
    own, worker = (int(v) / 1024 for v in out[-2:])
    return f"{own:.0f} + {worker:.0f}"


def machine() -> str:
    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM, Python {platform.python_version()}"


def per_format(tmp: Path) -> list[dict]:
    rows = []
    for fmt, n in PER_FORMAT.items():
        if fmt == "pdf" and not find_soffice():
            continue
        corpus = tmp / f"fmt-{fmt}"
        write_corpus(corpus, n, seed=21, formats=[fmt])
        raw = corpus / "raw"
        refs = scan(raw)
        started = time.perf_counter()
        for ref in refs:
            parse_file(raw, ref)
        one = len(refs) / (time.perf_counter() - started)
        started = time.perf_counter()
        for _chunk in parse_all(raw, refs, os.cpu_count() or 1):
            pass
        rows.append({"format": fmt, "reports": len(refs), "reports/s 1 core": round(one, 1),
                     "reports/s all cores": round(len(refs) / (time.perf_counter() - started), 1)})
    return rows


def end_to_end(tmp: Path, n: int) -> dict:
    corpus, db = tmp / f"e2e-{n}", tmp / f"e2e-{n}.duckdb"
    started = time.perf_counter()
    write_corpus(corpus, n, seed=5, formats=TEXT_FORMATS)
    generated = time.perf_counter() - started
    settings = Settings(raw_dir=corpus / "raw", db_path=db)
    started = time.perf_counter()
    rss = _ingest_in_child(settings)  # a fresh process: its peak memory is the ingest's alone
    full = time.perf_counter() - started
    started = time.perf_counter()
    ingest(settings)
    unchanged = time.perf_counter() - started
    files = sorted((corpus / "raw").rglob("*.txt"))
    for path in files[:: 100]:
        with path.open("a", encoding="utf-8") as fh:
            fh.write("\n本报告如有更新，以网站发布版本为准。\n")
    started = time.perf_counter()
    totals = ingest(settings)
    changed = time.perf_counter() - started
    con = connect(db)
    started = time.perf_counter()
    refresh_dq_results(con)
    checks = time.perf_counter() - started
    con.close()
    totals = evaluate(db, corpus).overall()
    cells = sum(totals.values())
    shutil.rmtree(corpus)
    return {"reports": n, "generate s": round(generated, 1), "ingest s": round(full, 1),
            "reports/s": round(n / full), "peak RSS MB (loader + worker)": rss, "unchanged rerun s": round(unchanged, 2),
            "1% changed rerun s": round(changed, 2), "files reparsed": totals["files_parsed"],
            "checks s": round(checks, 1), "synthetic cells right": f"{totals['right'] / cells:.2%}",
            "synthetic cells silently wrong": f"{totals['silent'] / cells:.2%}"}


def _markdown(rows: list[dict]) -> str:
    if not rows:
        return "_not measured (needs LibreOffice to make PDFs)_\n"
    head = list(rows[0])
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join("" if r[h] is None else str(r[h]) for h in head) + " |" for r in rows]
    return "\n".join(out) + "\n"


def main() -> None:
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000").split(",") if s]
    with tempfile.TemporaryDirectory(prefix="disclosure-bench-") as tmp_name:
        tmp = Path(tmp_name)
        fmt_rows = per_format(tmp)
        print(pl.DataFrame(fmt_rows))
        e2e = []
        for n in sizes:
            e2e.append(end_to_end(tmp, n))
            print(pl.DataFrame(e2e[-1:]))
    report = (
        "# Benchmarks (synthetic corpora)\n\n"
        f"Measured by `make bench` on {time.strftime('%Y-%m-%d')}: {machine()}.\n"
        "Every figure on this page is from a **synthetic** corpus generated by `python -m tools.synth` (every quirk "
        "of tools/synth/quirks.py at its default share); none is from real reports. Accuracy on the real reports "
        "of tests/real/ is in [accuracy.md](accuracy.md). Text corpora mix the six text layouts evenly.\n\n"
        "## Parsing, per format (synthetic corpus)\n\n" + _markdown(fmt_rows) +
        "\n## PDF reader against its peers\n\nOn the real corpus's PDFs and on generated ones, side by side with "
        "pdfplumber, camelot and PDFium's bare character pass: [benchmarks_pdf.md](benchmarks_pdf.md) "
        "(`make bench-pdf`; `make bench` runs it too).\n" +
        "\n## End to end into DuckDB (synthetic corpus, text layouts)\n\n" + _markdown(e2e)
    )
    DOCS.parent.mkdir(exist_ok=True)
    DOCS.write_text(report, encoding="utf-8")
    print(f"wrote {DOCS}")


if __name__ == "__main__":
    main()
