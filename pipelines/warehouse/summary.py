"""A short account of the warehouse after a run: files by status, reports, failing checks.

Read from the published copy the run has just swapped in, never from the warehouse file itself: a
second run may be writing that (DuckDB lets no other process open it then), and the summary must
not fail a run that succeeded. Without a published copy it waits for the writer, and says so.
"""

from __future__ import annotations

import sys

from pipelines.ingest.settings import Settings
from pipelines.warehouse.load import WarehouseBusy, connect, connect_waiting


def _open(settings: Settings):
    """(connection, what it is): the published copy when there is one, else the warehouse once free."""
    if settings.published_path.exists():
        return connect(settings.published_path, read_only=True), f"{settings.db_path} (published copy)"
    con = connect_waiting(settings.db_path, read_only=True, wait_seconds=settings.lock_wait_s,
                          on_wait=lambda msg: print(msg, file=sys.stderr, flush=True))
    return con, str(settings.db_path)


def summary(settings: Settings) -> str:
    if not settings.db_path.exists():
        return f"no warehouse at {settings.db_path} yet"
    con, what = _open(settings)
    try:
        lines = [f"warehouse: {what}"]
        files = con.execute("select status, count(*) from source_files group by 1 order by 1").fetchall()
        lines.append("files: " + (", ".join(f"{s} {n}" for s, n in files) or "none"))
        codes = con.execute("select error_code, count(*) from source_files where status = 'quarantined' "
                            "group by 1 order by 1").fetchall()
        if codes:
            lines.append("quarantined: " + ", ".join(f"{c} {n}" for c, n in codes))
        n_reports, n_current = con.execute("select count(*), count(*) filter (where is_current) from reports").fetchall()[0]
        lines.append(f"reports: {n_reports} loaded, {n_current} current")
        checks = con.execute("select check_name, severity, count(*) from dq_results group by 1, 2 order by 2, 1").fetchall()
        lines.append("checks failing: " + (", ".join(f"{c} ({s}) {n}" for c, s, n in checks) or "none"))
        outputs = [(what, path) for what, path in (
            ("read-only copy", settings.published_path), ("report", settings.db_path.parent / "report.html"),
            ("review page", settings.db_path.parent / "review.html"),
            ("Parquet", settings.db_path.parent / "export")) if path.exists()]
        if outputs:
            lines.append("published: " + ", ".join(f"{what} {path}" for what, path in outputs))
        return "\n".join(lines)
    finally:
        con.close()


def main() -> int:
    try:
        print(summary(Settings.from_env()))
    except WarehouseBusy as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
