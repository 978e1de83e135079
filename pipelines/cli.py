"""`disclosure`: the warehouse from a terminal — ingest with a progress bar, status, read-only
queries, and where every number of one report came from."""

from __future__ import annotations

import argparse
import contextlib
import getpass
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import duckdb
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.ingest.run import OperatorError, ingest, require_raw_dir
from pipelines.ingest.settings import Settings
from pipelines.warehouse.corrections import DEFAULT_FILE, STATES, CorrectionsInvalid, describe, write_correction
from pipelines.warehouse.load import WarehouseBusy
from pipelines.warehouse.lookup import find_reports

MAX_ROWS_SHOWN = 200


@contextlib.contextmanager
def read_only(settings: Settings, console: Console) -> Iterator[duckdb.DuckDBPyConnection]:
    """The warehouse read-only; its published copy when a load holds the file (with a note saying so)."""
    if not settings.db_path.exists():
        raise SystemExit(f"no warehouse at {settings.db_path} yet: run `disclosure ingest` first")
    try:
        con = duckdb.connect(str(settings.db_path), read_only=True)
    except duckdb.IOException:
        if not settings.published_path.exists():
            raise
        console.print(f"[yellow]the warehouse is being written; reading the last published copy "
                      f"{settings.published_path}[/yellow]")
        con = duckdb.connect(str(settings.published_path), read_only=True)
    try:
        yield con
    finally:
        con.close()


def _table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence]) -> Table:
    table = Table(title=title, title_justify="left")
    for c in columns:
        table.add_column(str(c))
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    return table


def _error(exc: Exception) -> int:
    """An operator's error in one line on stderr; its exit code."""
    Console(stderr=True, soft_wrap=True).print(f"[red]error: {exc}[/red]")
    return getattr(exc, "exit_code", 1)


def cmd_ingest(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    try:
        require_raw_dir(settings.raw_dir)  # before anything is drawn or opened
    except OperatorError as exc:
        return _error(exc)
    with Progress(TextColumn("parsing and loading"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                  TimeElapsedColumn(), console=console, transient=False) as progress:
        task = progress.add_task("ingest", total=None)

        def on_progress(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        try:
            totals = ingest(settings, retry_quarantined=args.retry_quarantined, checks=True, publish_copy=True,
                            on_wait=lambda msg: console.print(f"[yellow]{msg}[/yellow]"), on_progress=on_progress)
        except (WarehouseBusy, OperatorError) as exc:
            progress.stop()
            return _error(exc)
    console.print(_table("this run", ["", "count"], [(k, v) for k, v in totals.items()]))
    with read_only(settings, console) as con:
        _status_tables(con, console)
    return 0


def _status_tables(con: duckdb.DuckDBPyConnection, console: Console) -> None:
    console.print(_table("files by status", ["status", "error_code", "files"], con.execute(
        "select status, coalesce(error_code, ''), count(*) from source_files group by 1, 2 order by 1, 2").fetchall()))
    console.print(_table("failing checks", ["check", "severity", "rows"], con.execute(
        "select check_name, severity, count(*) from dq_results group by 1, 2 order by 2, 1").fetchall()))
    console.print(_table("current reports that need review, by reason", ["reason", "reports"], con.execute(
        "select regexp_extract(reason, '^[^:]+(:[a-z_]+)?'), count(distinct report_id) from "
        "(select report_id, unnest(review_reasons) as reason from reports where is_current and needs_review) "
        "group by 1 order by 2 desc, 1").fetchall()))


def _last_run(console: Console) -> None:
    """The last Dagster run (make run, the UI, the schedule): how it ended, and why a failed one failed."""
    from pipelines.defs.run_history import last_run

    try:
        run = last_run()
    except Exception as exc:  # the run history is a courtesy: its absence must not hide the warehouse
        console.print(f"last Dagster run: unknown ({type(exc).__name__}: {exc})")
        return
    if run is None:
        console.print("last Dagster run: none recorded (DAGSTER_HOME unset and no .dagster/ here)")
        return
    when = f"{run.started:%Y-%m-%d %H:%M} UTC" if run.started else "not started"
    style = "red" if run.status == "FAILURE" else "green" if run.status == "SUCCESS" else "yellow"
    console.print(f"last Dagster run: {run.job} [{style}]{run.status}[/{style}] {when} (run {run.run_id[:8]})")
    for step, cause in run.failures:
        console.print(f"  failed step {step}: [red]{cause}[/red]", soft_wrap=True)


def cmd_status(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    _last_run(console)
    with read_only(settings, console) as con:
        last = con.execute("select max(loaded_at), arg_max(files_seen, loaded_at), count(*) from load_log").fetchall()[0]
        reports = con.execute("select count(*) filter (where is_current), count(distinct agency_id), min(year), "
                              "max(year) from reports").fetchall()[0]
        console.print(f"warehouse {settings.db_path}")
        console.print(f"last load {last[0]} UTC (its scan saw {last[1]} files); {last[2]} batches loaded in all")
        review = con.execute("select count(*) from reports where is_current and needs_review").fetchall()[0][0]
        console.print(f"{reports[0]} current reports of {reports[1]} agencies, years {reports[2]}–{reports[3]}; "
                      f"{review} need review")
        _status_tables(con, console)
    return 0


def _print_rows(columns: Sequence[str], rows: Sequence[Sequence], as_csv: bool, console: Console) -> None:
    """Rows as CSV on stdout (all of them), or as a table of the first MAX_ROWS_SHOWN."""
    if as_csv:
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    console.print(_table(None, columns, rows[:MAX_ROWS_SHOWN]))
    if len(rows) > MAX_ROWS_SHOWN:
        console.print(f"… {len(rows) - MAX_ROWS_SHOWN} more rows (use --csv for all)")


def cmd_query(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    with read_only(settings, console) as con:
        try:
            result = con.execute(args.sql)
        except duckdb.Error as exc:
            console.print(f"[red]{exc}[/red]")
            return 1
        columns = [d[0] for d in result.description or []]
        rows = result.fetchall()
    _print_rows(columns, rows, args.csv, console)
    return 0


EXPLAIN_SQL = """
select f.table_name, f.cell, f.value, f.cell_state, f.raw_text, f.src_table, f.src_row, f.src_cell, f.row_label,
       f.column_label, f.read_value, f.read_state, f.correction_reason, f.correction_source, c.who
from (
    select 'proactive' as table_name, item || '/' || category || '/' || metric as cell, value, cell_state, raw_text,
           src_table, src_row, src_cell, row_label, column_label, report_id, read_value, read_state,
           correction_reason, correction_source
    from fact_proactive
    union all
    select 'applications', outcome || '/' || applicant, value, cell_state, raw_text, src_table, src_row, src_cell,
           row_label, column_label, report_id, read_value, read_state, correction_reason, correction_source
    from fact_applications
    union all
    select 'appeals', proceeding || '/' || result, value, cell_state, raw_text, src_table, src_row, src_cell,
           row_label, column_label, report_id, read_value, read_state, correction_reason, correction_source
    from fact_appeals
) as f
left join corrections as c on f.correction_source = c.source_file || ':' || c.line
where f.report_id = $r
order by f.src_table nulls last, f.src_row nulls last, f.src_cell nulls last, f.table_name, f.cell
"""
# Corrections written for this report's file that do not apply (stale: the file changed since).
EXPLAIN_CORRECTIONS_SQL = """
select source_file || ':' || line, table_name, cell, status, detail
from corrections
where report_id = $r and status not in ('applied', 'overridden')
order by source_file, line
"""


def cmd_explain(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    with read_only(settings, console) as con:
        hit = find_reports(con, args.report, str(settings.raw_dir))
        if not hit.report_ids:
            for path, code, message in hit.quarantined:
                console.print(f"{path}: no report ({code}): {message}", markup=False)
            if not hit.quarantined:
                console.print(f"no report or file matches {args.report!r}", style="red", markup=False)
                if hit.suggestions:
                    console.print("did you mean: " + ", ".join(hit.suggestions), markup=False)
            return 1
        if hit.ambiguous:
            console.print(f"{args.report!r} names {len(hit.report_ids)} reports; showing the first (current, newest). "
                          "The others: " + ", ".join(hit.report_ids[1:6]), style="yellow", markup=False)
        found = con.execute("select report_id, source_path, source_format, agency_name, year, template_version, "
                            "is_current from reports where report_id = $r", {"r": hit.report_ids[0]}).fetchall()
        report_id, path, fmt, agency, year, form, current = found[0]
        console.print(f"report {report_id}: {agency or '(agency not named)'} {year}, form {form}, "
                      f"{'current' if current else 'not current'}")
        console.print(f"file {settings.raw_dir / path} read as {fmt}; src_table/src_row/src_cell are 0-based "
                      "positions in that file's tables (src_row empty for layouts without rows)")
        rows = con.execute(EXPLAIN_SQL, {"r": report_id}).fetchall()
        not_applied = con.execute(EXPLAIN_CORRECTIONS_SQL, {"r": report_id}).fetchall()
    console.print(_table(None, ["table", "cell", "value", "state", "raw text", "src table", "src row", "src cell",
                                "row label", "column label"], [r[:10] for r in rows]))
    corrected = [(r[0], r[1], describe(r[2], r[3]), describe(r[10], r[11], r[4]), r[12], r[14], r[13])
                 for r in rows if r[13]]
    if corrected:  # value and state above are a reviewer's: what was read, and why it was corrected
        console.print(_table("corrected by a reviewer (value and state above are the correction's)",
                             ["table", "cell", "corrected", "read", "reason", "who", "correction"], corrected))
    for where, table, cell, status, detail in not_applied:
        console.print(f"correction {where} ({table} {cell}) {status}: {detail}", style="red", markup=False)
    return 0


def _reviewer() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (a container without USER): --who is then required
        return ""


def cmd_correct(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    """Append a reviewer's correction of one cell to the corrections folder; the next load applies it."""
    who = args.who or _reviewer()
    try:
        if not who:
            raise CorrectionsInvalid("who corrects? give --who NAME")
        with read_only(settings, console) as con:
            w = write_correction(con, settings.corrections_dir, args.report, args.table, args.cell, args.value,
                                 args.state, args.reason, who, args.file)
    except CorrectionsInvalid as exc:
        return _error(exc)
    c = w.correction

    def say(text: str) -> None:
        console.print(text, markup=False, highlight=False)  # paths and reasons as given, never as markup

    say(f"wrote {w.file}:{c.line}")
    say(f"  file    {c.path} (sha256 {c.sha256[:12]}…, report {w.target.report_id}"
        f"{'' if w.target.is_current else ', not current'})")
    say(f"  cell    {c.table_name} {c.cell}: read {describe(*w.read)}, corrected to {describe(c.value, c.cell_state)}")
    say(f"  reason  {c.reason} ({c.who}, {c.corrected_at:%Y-%m-%d %H:%M:%S} UTC)")
    if w.replaces:
        say(f"  replaces {', '.join(w.replaces)} (of two corrections of a cell the later wins)")
    say(f"The next load applies it (`disclosure ingest`, or the next Dagster run); `disclosure explain {c.path}` "
        f"then shows it. Commit {w.file} with your change.")
    return 0


REPORTS_SQL = """
select r.report_id, r.agency_name, r.year, r.template_version as form, r.source_format as format, r.source_path,
       r.is_current as current, coalesce(r.needs_review, false) as needs_review,
       (select string_agg(distinct d.check_name, ', ' order by d.check_name) from dq_results as d
        where d.report_id = r.report_id and d.severity = 'error') as failing_errors
from reports as r
where ($all or r.is_current)
  and ($agency is null or r.agency_name ilike '%' || $agency || '%' or r.agency_id = $agency)
  and ($year is null or r.year = $year)
  and (not $needs_review or coalesce(r.needs_review, false))
order by r.year, r.agency_name nulls last, r.source_path
"""


def cmd_reports(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    with read_only(settings, console) as con:
        result = con.execute(REPORTS_SQL, {"all": args.all, "agency": args.agency, "year": args.year,
                                           "needs_review": args.needs_review})
        columns = [d[0] for d in result.description]
        rows = result.fetchall()
    _print_rows(columns, rows, args.csv, console)
    if not args.csv:
        console.print(f"{len(rows)} reports. `disclosure explain REPORT_ID` shows where each number came from.")
    return 0


def cmd_review(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    """Write the review page: the reports to review (or one), each file's tables beside the parsed cells."""
    from pipelines.warehouse.review import DEFAULT_FILE_NAME, load_reviews, reason_counts, write_review

    target = Path(args.out) if args.out else settings.db_path.parent / DEFAULT_FILE_NAME
    with read_only(settings, console) as con:
        report = None
        if args.report is not None:
            hit = find_reports(con, args.report, str(settings.raw_dir))
            if not hit.report_ids:
                console.print(f"no report or file matches {args.report!r}", style="red", markup=False)
                if hit.suggestions:
                    console.print("did you mean: " + ", ".join(hit.suggestions), markup=False)
                return 1
            report = hit.report_ids[0]
        reviews = load_reviews(con, report, args.limit, facts=False)
        path = write_review(con, settings.raw_dir, target, report=report, limit=args.limit, reviews=reviews)
        current = con.execute("select count(*) from reports where is_current").fetchall()[0][0]
    size = path.stat().st_size / 2**20
    if report is not None:
        console.print(f"wrote {path} ({size:.1f} MB): report {report}", markup=False)
        return 0
    shown = f", the first {args.limit} in full" if len(reviews) > args.limit else ""
    console.print(f"wrote {path} ({size:.1f} MB): {len(reviews)} of {current} current reports need review{shown}",
                  markup=False)
    counts = reason_counts(reviews)
    if counts:
        console.print(_table("reports to review, by reason", ["reason", "reports"],
                             sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="disclosure", description="The government information-disclosure warehouse.")
    p.add_argument("--raw", help="raw folder (default: DISCLOSURE_RAW_DIR, else data/raw)")
    p.add_argument("--db", help="warehouse file (default: DISCLOSURE_DB_PATH, else data/warehouse/disclosure.duckdb)")
    sub = p.add_subparsers(dest="command", required=True)
    ing = sub.add_parser("ingest", help="scan, parse and load the raw folder; run the checks; publish")
    ing.add_argument("--retry-quarantined", action="store_true", help="parse every quarantined file again")
    ing.add_argument("--allow-removals", action="store_true",
                     help="mark files gone from the raw folder removed even when more than "
                          "DISCLOSURE_MAX_REMOVED_SHARE (20%%) of the known files are gone")
    st = sub.add_parser("status", help="files by status, the last load, failing checks")
    q = sub.add_parser("query", help="run one SQL statement on a read-only connection")
    q.add_argument("sql")
    q.add_argument("--csv", action="store_true", help="print every row as CSV")
    rp = sub.add_parser("reports", help="list reports (current ones unless --all), filtered")
    rp.add_argument("--agency", help="part of the agency's name, or its agency_id")
    rp.add_argument("--year", type=int, help="report year")
    rp.add_argument("--needs-review", action="store_true", help="only reports a person should check")
    rp.add_argument("--all", action="store_true", help="superseded report versions too")
    rp.add_argument("--csv", action="store_true", help="print every row as CSV")
    e = sub.add_parser("explain", help="where every number of one report came from")
    e.add_argument("report", help="a report_id or a prefix of it, a file path (as printed, relative to the raw "
                                   "folder, or its name, with or without extension), or an agency's name")
    cr = sub.add_parser("correct", help="write a reviewer's correction of one misread cell to the corrections folder "
                                        "(DISCLOSURE_CORRECTIONS_DIR); the next load applies it")
    cr.add_argument("report", help="a report_id, or the file's path (relative to the raw folder, or its name)")
    cr.add_argument("table", help="proactive | applications | appeals")
    cr.add_argument("cell", help="the cell's codes joined by /, as `disclosure explain` prints them "
                                 "(new_received/total, art20_1/regulation/issued, admin_review/upheld)")
    what = cr.add_mutually_exclusive_group(required=True)
    what.add_argument("--value", help="the number the cell holds (amounts in 万元)")
    what.add_argument("--state", choices=STATES, help="the cell holds no number: its state")
    cr.add_argument("--reason", required=True, help="why, for the next reviewer (what the file shows)")
    cr.add_argument("--who", help="the reviewer (default: the login name)")
    cr.add_argument("--file", default=DEFAULT_FILE, help=f"the corrections file in the folder (default {DEFAULT_FILE})")
    rv = sub.add_parser("review", help="write the review page: every report that needs review, its file's tables "
                                       "beside the cells read from them (offline HTML)")
    rv.add_argument("--out", help="the page to write (default: review.html beside the warehouse)")
    rv.add_argument("--report", help="one report, needing review or not: a report_id, a file path or name")
    rv.add_argument("--limit", type=int, default=200, help="reports shown in full (default 200; the list names all)")
    for command in (ing, st, q, rp, e, cr, rv):  # --raw/--db also after the command; SUPPRESS keeps one given before
        command.add_argument("--raw", default=argparse.SUPPRESS, help="raw folder")
        command.add_argument("--db", default=argparse.SUPPRESS, help="warehouse file")
    return p


COMMANDS = {"ingest": cmd_ingest, "status": cmd_status, "query": cmd_query, "reports": cmd_reports,
            "explain": cmd_explain,
            "correct": cmd_correct, "review": cmd_review}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env(args.raw, args.db, allow_removals=getattr(args, "allow_removals", False) or None)
    console = Console(width=200 if not sys.stdout.isatty() else None)
    return COMMANDS[args.command](args, settings, console)


if __name__ == "__main__":
    raise SystemExit(main())
