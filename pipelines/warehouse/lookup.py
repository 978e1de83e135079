"""Finding a report from whatever a person has at hand: its id or a prefix of it, the file path the
tools print (with or without the raw folder in front), the file's name, or its name without extension.

A key that names nothing is answered with the closest paths, names and ids, never with a guess: the
caller prints them as suggestions and the person chooses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

import duckdb
from rapidfuzz import fuzz, process

# A report-id prefix shorter than this is too likely to be a typo of something else.
MIN_ID_PREFIX = 4
SUGGESTIONS = 5
SUGGESTION_CUTOFF = 60


@dataclass(frozen=True)
class Found:
    """The reports a key names (current first, then newest), or, when none, the files and suggestions."""

    report_ids: list[str]
    quarantined: list[tuple[str, str, str]]  # (path, error_code, error_message)
    suggestions: list[str]
    ambiguous: bool = False


def _candidates(key: str, raw_dir: str | None) -> list[str]:
    """The forms a path key may take in the ledger: as given, relative to the raw folder, POSIX."""
    key = key.strip().replace("\\", "/")
    forms = [key]
    if key.startswith("./"):
        forms.append(key[2:])
    if raw_dir:
        for root in {raw_dir.replace("\\", "/").rstrip("/"), str(PurePosixPath(raw_dir.replace("\\", "/")))}:
            if key.startswith(root + "/"):
                forms.append(key[len(root) + 1:])
    return list(dict.fromkeys(forms))


def _stem(path: str) -> str:
    name = PurePosixPath(path).name
    return name.split(".", 1)[0] if "." in name else name


def find_reports(con: duckdb.DuckDBPyConnection, key: str, raw_dir: str | None = None) -> Found:
    """The reports `key` names, in the order they should be shown; see the module's docstring."""
    rows = con.execute("select report_id, source_path, is_current, loaded_at, agency_name from reports "
                       "order by is_current desc, loaded_at desc, report_id").fetchall()
    paths = _candidates(key, raw_dir)
    stripped = key.strip()

    def matching(pred) -> list[str]:
        return list(dict.fromkeys(r[0] for r in rows if pred(r)))

    tries = [
        lambda r: r[0] == stripped,
        lambda r: r[1] in paths,
        lambda r: any(p and r[1].endswith("/" + p) for p in paths),  # a name, or a path under a subfolder
        lambda r: _stem(r[1]) == stripped or r[1].rsplit(".", 1)[0] in paths,  # without extension
        lambda r: len(stripped) >= MIN_ID_PREFIX and r[0].startswith(stripped),
        lambda r: r[4] == stripped,  # an agency's name: its reports, current first
    ]
    for pred in tries:
        hits = matching(pred)
        if hits:
            # Several files of one stem (.txt, .docx, .pdf of one report) are several reports: say so.
            distinct_files = {r[1] for r in rows if r[0] in hits}
            return Found(hits, [], [], ambiguous=len(distinct_files) > 1 and pred is not tries[0])
    quarantined = con.execute(
        "select path, error_code, error_message from source_files where status = 'quarantined' and "
        "(path in (select unnest($paths)) or list_contains($stems, regexp_extract(path, '([^/.]+)[^/]*$', 1)))",
        {"paths": paths, "stems": [_stem(stripped)]}).fetchall()
    if quarantined:
        return Found([], quarantined, [])
    return Found([], [], suggest(con, stripped, rows))


def suggest(con: duckdb.DuckDBPyConnection, key: str, rows: list[tuple] | None = None) -> list[str]:
    """The closest paths, agency names and report ids to `key`, best first."""
    rows = rows if rows is not None else con.execute("select report_id, source_path from reports").fetchall()
    choices = {r[1] for r in rows} | {r[0] for r in rows}
    choices |= {name for (name,) in con.execute("select distinct agency_name from reports "
                                                "where agency_name is not null").fetchall()}
    choices |= {p for (p,) in con.execute("select path from source_files where status = 'quarantined'").fetchall()}
    found = process.extract(key, list(choices), scorer=fuzz.WRatio, limit=SUGGESTIONS,
                            score_cutoff=SUGGESTION_CUTOFF)
    return [choice for choice, _, _ in found]
