"""`disclosure`: the warehouse from a terminal — ingest with a progress bar, status, read-only
queries, and where every number of one report came from."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator, Sequence

import duckdb
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from pipelines.ingest.run import OperatorError, ingest, require_raw_dir
from pipelines.ingest.settings import Settings
from pipelines.warehouse.load import WarehouseBusy

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
        "select regexp_extract(reason, '^[^:]+(:[a-z]+)?'), count(distinct report_id) from "
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


def cmd_query(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    with read_only(settings, console) as con:
        try:
            result = con.execute(args.sql)
        except duckdb.Error as exc:
            console.print(f"[red]{exc}[/red]")
            return 1
        columns = [d[0] for d in result.description or []]
        rows = result.fetchall()
    if args.csv:
        import csv

        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return 0
    console.print(_table(None, columns, rows[:MAX_ROWS_SHOWN]))
    if len(rows) > MAX_ROWS_SHOWN:
        console.print(f"… {len(rows) - MAX_ROWS_SHOWN} more rows (use --csv for all)")
    return 0


EXPLAIN_SQL = """
select table_name, cell, value, cell_state, raw_text, src_table, src_row, src_cell, row_label, column_label
from (
    select 'proactive' as table_name, item || '/' || category || '/' || metric as cell, value, cell_state, raw_text,
           src_table, src_row, src_cell, row_label, column_label, report_id
    from fact_proactive
    union all
    select 'applications', outcome || '/' || applicant, value, cell_state, raw_text, src_table, src_row, src_cell,
           row_label, column_label, report_id
    from fact_applications
    union all
    select 'appeals', proceeding || '/' || result, value, cell_state, raw_text, src_table, src_row, src_cell,
           row_label, column_label, report_id
    from fact_appeals
)
where report_id = $r
order by src_table nulls last, src_row nulls last, src_cell nulls last, table_name, cell
"""


def cmd_explain(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    with read_only(settings, console) as con:
        found = con.execute(
            "select report_id, source_path, source_format, agency_name, year, template_version, is_current "
            "from reports where report_id = $k or source_path = $k or source_path like '%/' || $k "
            "order by is_current desc, first_seen_at desc", {"k": args.report}).fetchall()
        if not found:
            quarantined = con.execute("select path, error_code, error_message from source_files "
                                      "where path = $k or path like '%/' || $k", {"k": args.report}).fetchall()
            for path, code, message in quarantined:
                console.print(f"{path}: no report ({code}): {message}")
            if not quarantined:
                console.print(f"[red]no report or file matches {args.report!r}[/red]")
            return 1
        report_id, path, fmt, agency, year, form, current = found[0]
        console.print(f"report {report_id}: {agency or '(agency not named)'} {year}, form {form}, "
                      f"{'current' if current else 'not current'}")
        console.print(f"file {settings.raw_dir / path} read as {fmt}; src_table/src_row/src_cell are 0-based "
                      "positions in that file's tables (src_row empty for layouts without rows)")
        rows = con.execute(EXPLAIN_SQL, {"r": report_id}).fetchall()
    console.print(_table(None, ["table", "cell", "value", "state", "raw text", "src table", "src row", "src cell",
                                "row label", "column label"], rows))
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
    e = sub.add_parser("explain", help="where every number of one report came from")
    e.add_argument("report", help="a report_id, or a file path (relative to the raw folder, or its name)")
    for command in (ing, st, q, e):  # --raw/--db also after the command; SUPPRESS keeps one given before
        command.add_argument("--raw", default=argparse.SUPPRESS, help="raw folder")
        command.add_argument("--db", default=argparse.SUPPRESS, help="warehouse file")
    return p


COMMANDS = {"ingest": cmd_ingest, "status": cmd_status, "query": cmd_query, "explain": cmd_explain}


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env(args.raw, args.db, allow_removals=getattr(args, "allow_removals", False) or None)
    console = Console(width=200 if not sys.stdout.isatty() else None)
    return COMMANDS[args.command](args, settings, console)


if __name__ == "__main__":
    raise SystemExit(main())
