"""Reviewers' corrections of misread cells: read from CSV files, applied on top of what was read.

A reviewer who finds a cell the reader got wrong adds a line to a CSV file in the corrections folder
(`data/corrections/`, DISCLOSURE_CORRECTIONS_DIR), by hand or with `disclosure correct`:

    path,sha256,table,cell,value,state,reason,who,when
    003.txt,4a81d0…,applications,new_received/total,3,,总计 printed as 三,wang,2026-05-01T08:00:00Z

A correction names the file by its path and by the content the reviewer saw (`sha256`, the file's
hash in `source_files`), never by report_id alone, so it survives every re-ingest of that content.
It applies while the file at its path still holds that content: a copy under another path is the
same report and shows it too, and a file moved away keeps it (the ledger's last content of its old
path is still that one); a path the warehouse never saw is matched by content alone. After every
load, in one transaction, every corrected cell is set back to what was read, then every correction
that applies is set again (a no-op when nothing changed: nothing is written). The fact row keeps
what was read (`read_value`, `read_state`) and names the correction (`correction_reason`,
`correction_source`), so views, exports and report.html show the corrected number and the read
one is never lost.

A correction is never carried over to other content: when the file at its path changes, the
correction is `stale` and the newly read value stands until a reviewer looks again (the
`corrections_stale` check fails, and the report needs review). A line that cannot be applied as
written (an unknown table or cell code, a value that is no number or does not fit the cell, value
and state both, no reason) stops the run before anything is loaded, naming the file and line:
a reviewer's typo must not let a number they fixed go back to wrong, nor apply half their fixes.
Nothing read from the files is executed: values reach DuckDB as bound data.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl

from pipelines.forms.catalog import FORMS
from pipelines.forms.plan import form_cell_rows
from pipelines.forms.spec import Form
from pipelines.warehouse.load import load_time
from pipelines.warehouse.schema import CORRECTIONS, FACT_APPEALS, FACT_APPLICATIONS, FACT_PROACTIVE, TableDef, polars_schema

DEFAULT_FILE = "corrections.csv"
FIELDS = ("path", "sha256", "table", "cell", "value", "state", "reason", "who", "when")
REQUIRED = ("path", "sha256", "table", "cell", "reason", "who", "when")
STATES = ("blank", "not_applicable", "missing", "unreadable")
STATUSES = ("applied", "stale", "no_report", "unknown_cell", "overridden")
# Where each table's cells live, and their coordinates in the order a cell code joins them.
FACTS: dict[str, tuple[TableDef, tuple[str, ...]]] = {
    "proactive": (FACT_PROACTIVE, ("item", "category", "metric")),
    "applications": (FACT_APPLICATIONS, ("outcome", "applicant")),
    "appeals": (FACT_APPEALS, ("proceeding", "result")),
}
# Files a reviewer may have saved instead of CSV: refused, never silently skipped.
NOT_CSV = (".toml", ".tsv", ".xlsx", ".xls", ".ods", ".json")
AMOUNT_UNIT = "万元"
MAX_INTEGER_DIGITS = 18  # DECIMAL(24,6) holds 18 digits before the point; BIGINT a little more
MAX_DECIMALS = 6
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_LIVE_SQL = """
with versions as (
    select path, sha256, report_id, error_code,
           row_number() over (partition by path order by last_seen_at desc, first_seen_at desc, sha256) as k
    from source_files
    where path in (select path from source_files where sha256 in (select unnest($shas)))
       or path in (select unnest($paths))
)
select path, sha256, report_id, error_code from versions where k = 1
"""


class CorrectionsInvalid(ValueError):
    """A corrections file that cannot be applied as written, or a corrections folder gone missing; the
    message names the file and line."""

    exit_code = 2


@dataclass(frozen=True)
class Correction:
    source_file: str  # relative to the corrections folder
    line: int
    path: str
    sha256: str
    table_name: str
    cell: str
    value: Decimal | None
    cell_state: str
    reason: str
    who: str
    corrected_at: dt.datetime

    @property
    def where(self) -> str:
        return f"{self.source_file}:{self.line}"


def known_cells(forms: tuple[Form, ...] = FORMS) -> dict[tuple[str, str], str | None]:
    """Given the forms, return every (table, cell code) any of them has, with its unit."""
    return {(table, cell): unit for _version, table, _fact, cell, unit in form_cell_rows(forms)}


def _number(text: str, unit: str | None, fail) -> Decimal:
    """Given a value as written and its cell's unit, return it as a Decimal that fits the fact table."""
    if not _NUMBER.fullmatch(text):
        fail(f"value {text!r} is not a number (digits, an optional sign and decimal point; no separators or units)")
    number = Decimal(text)
    if unit != AMOUNT_UNIT and number != number.to_integral_value():
        fail(f"value {text} is a count: it must be a whole number")
    if len(str(abs(int(number)))) > MAX_INTEGER_DIGITS:
        fail(f"value {text} has more than {MAX_INTEGER_DIGITS} digits before the decimal point")
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMALS:
        fail(f"value {text} has more than {MAX_DECIMALS} decimals (amounts are stored in 万元 to {MAX_DECIMALS})")
    return number if unit == AMOUNT_UNIT else Decimal(int(number))


def _timestamp(text: str, fail) -> dt.datetime:
    """Given an ISO date or time (UTC unless it says otherwise), return it as naive UTC."""
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        fail(f"when {text!r} is not an ISO date or time (2026-05-01 or 2026-05-01T08:00:00Z)")
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC).replace(tzinfo=None)
    return when


def parse_row(fields: dict[str, str], source_file: str, line: int,
              cells: dict[tuple[str, str], str | None] | None = None) -> Correction:
    """Given one line's fields by column name, return the correction; CorrectionsInvalid naming the file
    and line (`source_file` alone when line is 0) for anything that cannot be applied as written."""
    cells = known_cells() if cells is None else cells

    def fail(message: str):
        raise CorrectionsInvalid(f"{source_file}{f':{line}' if line else ''}: {message}")

    f = {k: (v or "").strip() for k, v in fields.items()}
    for name in REQUIRED:
        if not f.get(name):
            fail(f"{name} is empty (every correction needs {', '.join(REQUIRED)}; `disclosure correct` fills path, "
                 "sha256, who and when)")
    table = f["table"].lower()
    if table not in FACTS:
        fail(f"unknown table {f['table']!r}: proactive, applications or appeals")
    cell = f["cell"]
    if (table, cell) not in cells:
        fail(f"no form has a cell {cell!r} in table {table} (codes joined by /, as `disclosure explain` prints them: "
             "new_received/total, art20_1/regulation/issued, admin_review/upheld)")
    sha256 = f["sha256"].lower()
    if not _SHA256.fullmatch(sha256):
        fail("sha256 must be the 64 hex digits of the file's SHA-256 (source_files.sha256)")
    value_text, state = f.get("value", ""), f.get("state", "").lower()
    if value_text and state not in ("", "value"):
        fail(f"give a value or a state, not both (value {value_text!r}, state {state!r})")
    if value_text:
        value, state = _number(value_text, cells[(table, cell)], fail), "value"
    elif state in STATES:
        value = None
    else:
        fail(f"give a value (a number) or a state ({' | '.join(STATES)})"
             + (f", not {state!r}" if state else ""))
    return Correction(source_file, line, f["path"], sha256, table, cell, value, state, f["reason"], f["who"],
                      _timestamp(f["when"], fail))


def _read_file(file: Path, name: str, cells: dict[tuple[str, str], str | None]) -> list[Correction]:
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CorrectionsInvalid(f"{name}: not UTF-8 text; save it as CSV UTF-8") from None
    reader = csv.reader(io.StringIO(text), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise CorrectionsInvalid(f"{name}:1: not valid CSV ({exc})") from None
    if header is None:
        return []
    names = [h.strip().lower() for h in header]
    unknown = [n for n in names if n not in FIELDS]
    missing = [n for n in FIELDS if n not in names]
    if unknown or missing or len(set(names)) != len(names):
        raise CorrectionsInvalid(f"{name}:1: the header must name the columns {','.join(FIELDS)}"
                                 + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                                 + (f"; missing: {', '.join(missing)}" if missing else ""))
    out = []
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise CorrectionsInvalid(f"{name}:{line}: not valid CSV ({exc})") from None
        if not any(c.strip() for c in row):
            continue
        if len(row) != len(names):
            raise CorrectionsInvalid(f"{name}:{line}: {len(row)} fields, the header has {len(names)} "
                                     "(quote a reason that holds a comma)")
        out.append(parse_row(dict(zip(names, row, strict=True)), name, line, cells))
    return out


def read_corrections(folder: Path | None, forms: tuple[Form, ...] = FORMS) -> list[Correction]:
    """Given the corrections folder, return every correction in its *.csv files (subfolders included,
    hidden files skipped), in file and line order; none when there is no folder. CorrectionsInvalid,
    naming the file and line, for anything that cannot be applied as written."""
    if folder is None or not folder.exists():
        return []
    if not folder.is_dir():
        raise CorrectionsInvalid(f"the corrections folder {folder} is not a folder; set DISCLOSURE_CORRECTIONS_DIR")
    cells = known_cells(forms)
    out: list[Correction] = []
    for file in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = file.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in file.relative_to(folder).parts):
            continue  # editors' swap and backup files
        suffix = file.suffix.lower()
        if suffix in NOT_CSV:
            raise CorrectionsInvalid(f"{name}: corrections are read from .csv files only (UTF-8, header "
                                     f"{','.join(FIELDS)}); save it as CSV or move it out of {folder}")
        if suffix == ".csv":
            out.extend(_read_file(file, name, cells))
    return out


def require_folder(con: duckdb.DuckDBPyConnection, folder: Path | None) -> None:
    """CorrectionsInvalid when the corrections folder is missing while the warehouse holds corrections:
    a mistyped DISCLOSURE_CORRECTIONS_DIR or an unmounted share must not undo every reviewer's fix.
    (An empty folder drops them all, on purpose.)"""
    if folder is not None and folder.is_dir():
        return
    held = con.execute("select count(*) from corrections").fetchall()[0][0]
    if held:
        where = f"the corrections folder {folder} does not exist" if folder else "no corrections folder is set"
        raise CorrectionsInvalid(
            f"{where}, but the warehouse holds {held} corrections read from one; set DISCLOSURE_CORRECTIONS_DIR to "
            "the folder (an empty folder drops every correction). Nothing was changed.")


def corrections_for_run(con: duckdb.DuckDBPyConnection, folder: Path | None) -> list[Correction]:
    """The corrections a run applies: the folder checked against the warehouse, then read."""
    require_folder(con, folder)
    return read_corrections(folder)


@dataclass(frozen=True)
class _Cell:
    coords: tuple[str, ...]
    value: Decimal | None
    state: str
    read_value: Decimal | None
    read_state: str | None
    reason: str | None
    source: str | None

    @property
    def as_read(self) -> tuple[Decimal | None, str]:
        return (self.read_value, self.read_state or "") if self.source else (self.value, self.state)


@dataclass
class Applied:
    """What applying the corrections found and changed."""

    statuses: Counter[str] = field(default_factory=Counter)
    cells_changed: Counter[str] = field(default_factory=Counter)  # by fact table
    table_rows: int | None = None  # rows written to the corrections table; None: unchanged

    def totals(self) -> dict[str, int]:
        """Non-zero counts, for a run's totals."""
        out = {f"corrections_{s}": n for s, n in sorted(self.statuses.items()) if n}
        if self.cells_changed:
            out["corrected_cells_changed"] = sum(self.cells_changed.values())
        return out

    def rows_written(self) -> dict[str, int]:
        """Rows written, by table."""
        return {**self.cells_changed, **({"corrections": self.table_rows} if self.table_rows is not None else {})}


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def _show(value: Decimal | None, state: str | None) -> str:
    if state != "value":
        return state or "?"
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _fact_cells(con: duckdb.DuckDBPyConnection, report_ids: Sequence[str]) -> dict[tuple[str, str, str], _Cell]:
    """The cells of the given reports and every cell corrected now, by (table, report_id, cell code)."""
    out = {}
    for table, (fact, coords) in FACTS.items():
        cols = ", ".join(coords)
        rows = con.execute(
            f"select report_id, {cols}, value, cell_state, read_value, read_state, correction_reason, "
            f"correction_source from {fact.name} "
            "where report_id in (select unnest($ids)) or correction_source is not null",
            {"ids": list(report_ids)}).fetchall()
        n = len(coords)
        for report_id, *rest in rows:
            c = tuple(rest[:n])
            value, state, read_value, read_state, reason, source = rest[n:]
            out[(table, report_id, "/".join(c))] = _Cell(c, _dec(value), state, _dec(read_value), read_state,
                                                         reason, source)
    return out


CellKey = tuple[str, str, str]  # table, report_id, cell code
Wanted = tuple[Decimal | None, str, str, str] | None  # value, state, reason, source; None: as read


def _statuses(con: duckdb.DuckDBPyConnection, corrections: Sequence[Correction]
              ) -> tuple[list[tuple], dict[CellKey, _Cell], dict[CellKey, Wanted]]:
    """Given the corrections, return the corrections table's rows, the cells concerned (of the reports
    the corrections name, and every cell corrected now) and what each of them should be."""
    latest: dict[tuple[str, str, str], Correction] = {}
    for c in sorted(corrections, key=lambda c: (c.corrected_at, c.source_file, c.line)):
        latest[(c.sha256, c.table_name, c.cell)] = c
    shas = sorted({c.sha256 for c in corrections})
    live = con.execute(_LIVE_SQL, {"shas": shas, "paths": sorted({c.path for c in corrections})}).fetchall()
    live_by_sha: dict[str, list[tuple]] = {}
    live_by_path: dict[str, tuple[str, str | None]] = {}
    for path, sha, report_id, error_code in live:
        live_by_sha.setdefault(sha, []).append((path, report_id, error_code))
        live_by_path[path] = (sha, report_id)
    seen = {s for (s,) in con.execute("select distinct sha256 from source_files where sha256 in (select unnest($s))",
                                      {"s": shas}).fetchall()}
    held = {sha: sorted({r for _p, r, _e in holders if r}) for sha, holders in live_by_sha.items()}
    report_ids = sorted({r for ids in held.values() for r in ids})
    cells = _fact_cells(con, report_ids)
    current = {r for (r,) in con.execute("select report_id from reports where is_current and report_id in "
                                         "(select unnest($ids))", {"ids": report_ids}).fetchall()}
    rows: list[tuple] = []
    wanted: dict[CellKey, Wanted] = {}
    for c in corrections:
        report_id, read = None, (None, None)
        winner = latest[(c.sha256, c.table_name, c.cell)]
        holders = live_by_sha.get(c.sha256, [])
        now_sha, now_report = live_by_path.get(c.path, (None, None))
        if winner is not c:
            status, detail = "overridden", f"{winner.where}, written later, corrects the same cell"
        elif now_sha is not None and now_sha != c.sha256:
            # The file at its path changed: stale, even where a copy of the old content lies elsewhere.
            status, report_id = "stale", now_report
            detail = (f"{c.path} has changed since the correction was written (sha256 {c.sha256[:12]}…, now "
                      f"{now_sha[:12]}…): the new reading stands; check the cell in the new file and correct it "
                      "again, or delete the line")
        elif holders and not held[c.sha256]:
            path, _r, code = holders[0]
            status, detail = "no_report", f"{path} is quarantined ({code}): it has no cells to correct"
        elif holders:
            found = [r for r in held[c.sha256] if (c.table_name, r, c.cell) in cells]
            if not found:
                report_id = held[c.sha256][0]
                status, detail = "unknown_cell", (f"report {report_id} has no cell {c.table_name} {c.cell} (its table "
                                                  "follows the other form; `disclosure explain` lists its cells)")
            else:
                report_id = next((r for r in found if r in current), found[0])
                read = cells[(c.table_name, report_id, c.cell)].as_read
                for r in found:
                    wanted[(c.table_name, r, c.cell)] = (c.value, c.cell_state, c.reason, c.where)
                status = "applied"
                detail = f"{c.cell}: read {_show(*read)}, corrected to {_show(c.value, c.cell_state)}"
                if report_id not in current:
                    detail += " (the report is not current: another file holds its agency-year)"
        elif c.sha256 in seen:
            status = "stale"
            detail = (f"no file holds the content it was written for (sha256 {c.sha256[:12]}…) any more; "
                      f"{c.path} is not in source_files")
        else:
            status = "no_report"
            detail = (f"no file with sha256 {c.sha256[:12]}… has been loaded ({c.path} is not in source_files; "
                      "ingest it first, or check the hash)")
        rows.append((c.source_file, c.line, c.path, c.sha256, c.table_name, c.cell, c.value, c.cell_state, c.reason,
                     c.who, c.corrected_at, status, detail, report_id, *read))
    # A cell corrected now whose correction is gone (deleted, stale, …) goes back to what was read.
    for key, cell in cells.items():
        if cell.source is not None and key not in wanted:
            wanted[key] = None
    return rows, cells, wanted


def _cell_updates(cells: dict[CellKey, _Cell], wanted: dict[CellKey, Wanted]) -> dict[str, list[tuple]]:
    """Given the cells and what each should be, return per table the rows to write (report_id,
    coordinates, value, cell_state, read_value, read_state, reason, source): only cells that differ."""
    out: dict[str, list[tuple]] = {}
    for key, want in wanted.items():
        table, report_id, _code = key
        cell = cells[key]
        read_value, read_state = cell.as_read
        if want is None:
            row = (read_value, read_state, None, None, None, None)
        else:
            value, state, reason, source = want
            row = (value, state, read_value, read_state, reason, source)
        if row == (cell.value, cell.state, cell.read_value, cell.read_state, cell.reason, cell.source):
            continue
        if FACTS[table][0].columns[[c.name for c in FACTS[table][0].columns].index("value")].type == "BIGINT":
            row = (_int(row[0]), row[1], _int(row[2]), *row[3:])  # counts travel as integers
        out.setdefault(table, []).append((report_id, *cell.coords, *row))
    return out


def _int(value: Decimal | None) -> int | None:
    return None if value is None else int(value)


def _write_cells(con: duckdb.DuckDBPyConnection, updates: dict[str, list[tuple]]) -> Counter[str]:
    changed: Counter[str] = Counter()
    for table, rows in updates.items():
        fact, coords = FACTS[table]
        names = ["report_id", *coords, "value", "cell_state", "read_value", "read_state", "correction_reason",
                 "correction_source"]
        schema = polars_schema(fact)
        frame = pl.DataFrame(rows, schema={n: schema[n] for n in names}, orient="row")
        con.register("cell_updates_view", frame.to_arrow())
        try:
            con.execute("create or replace temp table cell_updates as select * from cell_updates_view")
        finally:
            con.unregister("cell_updates_view")
        match = " and ".join(f"f.{c} = u.{c}" for c in ("report_id", *coords))
        con.execute(f"""
            update {fact.name} as f
            set value = u.value, cell_state = u.cell_state, read_value = u.read_value, read_state = u.read_state,
                correction_reason = u.correction_reason, correction_source = u.correction_source
            from cell_updates as u
            where {match}
        """)
        con.execute("drop table cell_updates")
        changed[fact.name] += len(rows)
    return changed


def _write_table(con: duckdb.DuckDBPyConnection, rows: list[tuple]) -> int | None:
    """Replace the corrections table's rows when they differ from `rows`; the rows written, None if none."""
    names = CORRECTIONS.column_names
    rows = sorted(rows, key=lambda r: (r[0], r[1]))
    have = con.execute(f"select {', '.join(names)} from corrections order by source_file, line").fetchall()
    if have == rows:
        return None
    con.execute("delete from corrections")
    if rows:
        frame = pl.DataFrame(rows, schema=polars_schema(CORRECTIONS), orient="row")
        con.register("incoming_corrections", frame.to_arrow())
        try:
            con.execute("insert into corrections by name select * from incoming_corrections")
        finally:
            con.unregister("incoming_corrections")
    return len(rows)


def apply_corrections(con: duckdb.DuckDBPyConnection, corrections: Sequence[Correction],
                      now: dt.datetime | None = None) -> Applied:
    """Set every corrected cell back to what was read, then apply every correction that applies, and
    record each correction's status in the corrections table: one transaction, and nothing written
    when nothing changed. Run after every load, before the checks."""
    con.execute("begin transaction")
    try:
        rows, cells, wanted = _statuses(con, corrections)
        applied = Applied(statuses=Counter(r[11] for r in rows))
        applied.cells_changed = _write_cells(con, _cell_updates(cells, wanted))
        applied.table_rows = _write_table(con, rows)
        if applied.cells_changed or applied.table_rows is not None:
            con.execute("insert or replace into warehouse_state (key, value) values ('last_change_at', $now)",
                        {"now": now or load_time()})
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    return applied


# --- `disclosure correct`: one correction written from the command line -------------------------------


@dataclass(frozen=True)
class Target:
    """The file (and its report) a correction is written for."""

    report_id: str
    path: str
    sha256: str
    is_current: bool


def locate(con: duckdb.DuckDBPyConnection, key: str) -> Target:
    """Given a report_id, a raw-folder path or a file name, return the file it names as the warehouse
    holds it now; CorrectionsInvalid when it names none, several, or a file without a report."""
    found = con.execute("select report_id, source_path, sha256, is_current from reports where report_id = $k",
                        {"k": key}).fetchall()
    if found:
        return Target(*found[0])
    live = con.execute("""
        with versions as (
            select path, sha256, report_id, error_code,
                   row_number() over (partition by path order by last_seen_at desc, first_seen_at desc, sha256) as k
            from source_files
            where path = $k or ends_with(path, '/' || $k)
        )
        select v.path, v.sha256, v.report_id, v.error_code, coalesce(r.is_current, false)
        from versions as v left join reports as r using (report_id)
        where v.k = 1 order by v.path
    """, {"k": key}).fetchall()
    if not live:
        raise CorrectionsInvalid(f"no report or file matches {key!r} (give a report_id, or a path under the raw "
                                 "folder as source_files.path has it)")
    if len(live) > 1:
        raise CorrectionsInvalid(f"{key!r} names {len(live)} files: {', '.join(p for p, *_ in live)}; give the path")
    path, sha256, report_id, code, current = live[0]
    if report_id is None:
        raise CorrectionsInvalid(f"{path} is quarantined ({code}): it has no cells to correct")
    return Target(report_id, path, sha256, current)


def cell_now(con: duckdb.DuckDBPyConnection, table: str, report_id: str, cell: str) -> tuple | None:
    """Given a report's cell, return (value, cell_state, raw_text, read_value, read_state, correction_source),
    or None when the report has no such cell."""
    fact, coords = FACTS[table]
    code = " || '/' || ".join(coords)
    found = con.execute(
        f"select value, cell_state, raw_text, read_value, read_state, correction_source from {fact.name} "
        f"where report_id = $r and {code} = $cell",
        {"r": report_id, "cell": cell}).fetchall()
    return found[0] if found else None


@dataclass(frozen=True)
class Written:
    """A correction `disclosure correct` wrote, and what it corrects."""

    file: Path
    correction: Correction
    target: Target
    read: tuple  # (value, cell_state, raw_text) as read
    replaces: list[str]  # file:line of earlier corrections of the same cell


def _append(file: Path, fields: dict[str, str]) -> int:
    """Append one line to a corrections file (created with its header when absent); return its line number."""
    file.parent.mkdir(parents=True, exist_ok=True)
    text = file.read_text(encoding="utf-8-sig") if file.exists() else ""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if not text.strip():
        writer.writerow(FIELDS)
        names: list[str] = list(FIELDS)
        line, prefix, mode = 2, "", "w"
    else:
        names = [h.strip().lower() for h in next(csv.reader(io.StringIO(text)))]
        prefix = "" if text.endswith("\n") else "\n"
        line, mode = text.count("\n") + (1 if prefix else 0) + 1, "a"
    writer.writerow([fields[n] for n in names])
    with file.open(mode, encoding="utf-8", newline="") as handle:
        handle.write(prefix + out.getvalue())  # one write: a line appended whole
    return line


def write_correction(con: duckdb.DuckDBPyConnection, folder: Path, key: str, table: str, cell: str,
                     value: str | None, state: str | None, reason: str, who: str,
                     file_name: str = DEFAULT_FILE, now: dt.datetime | None = None) -> Written:
    """Append one correction for the file `key` names (a report_id, path or file name) to
    `folder/file_name`, keyed by that file's current content hash; the warehouse is only read (the
    next load applies it). CorrectionsInvalid, before anything is written, when the folder already
    holds a line that cannot be applied, or the correction cannot be."""
    if Path(file_name).suffix.lower() != ".csv" or Path(file_name).name != file_name:
        raise CorrectionsInvalid(f"--file {file_name!r}: a .csv file name inside the corrections folder")
    existing = read_corrections(folder)
    target = locate(con, key)
    when = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = {"path": target.path, "sha256": target.sha256, "table": table, "cell": cell, "value": value or "",
              "state": state or "", "reason": reason, "who": who, "when": when}
    correction = parse_row(fields, "the correction", 0)
    found = cell_now(con, correction.table_name, target.report_id, correction.cell)
    if found is None:
        raise CorrectionsInvalid(f"report {target.report_id} ({target.path}) has no cell {correction.table_name} "
                                 f"{correction.cell}; `disclosure explain {target.path}` lists its cells")
    value_now, state_now, raw_text, read_value, read_state, source = found
    read = (read_value, read_state, raw_text) if source else (value_now, state_now, raw_text)
    if correction.value is not None:
        fields["value"] = _show(correction.value, "value")
    else:
        fields["state"] = correction.cell_state
    fields["table"] = correction.table_name
    line = _append(folder / file_name, fields)
    replaces = [c.where for c in existing
                if (c.sha256, c.table_name, c.cell) == (target.sha256, correction.table_name, correction.cell)]
    return Written(folder / file_name, dataclasses.replace(correction, source_file=file_name, line=line), target,
                   read, replaces)


def describe(value, state: str | None, raw_text: str | None = None) -> str:
    """A cell's reading in words: `3`, `blank`, `unreadable '三'`."""
    shown = _show(_dec(value), state)
    return f"{shown} {raw_text!r}" if state in ("unreadable", "not_applicable") and raw_text else shown
