"""The saved failing inputs (tests/fuzz_crashes/<reader>/) and the list of those still open.

Every input the fuzzer saved is a regression case: the normal test run parses each and expects no
crash, hang or memory blow-up. A failure whose fix belongs to someone else is listed in
tests/fuzz_crashes/OPEN, one line per saved input:

    <signature pattern>  <reader>/<file>  # where the fix belongs, what goes wrong

The signature pattern (fnmatch) is matched against a failure's signature (`Type@path:function`,
`hang@path:function`, `memory@…`). A listed input is an expected failure in the replay test (strict:
once fixed, the test says so and the line must go); a failure whose signature matches an open
pattern does not fail the property tests either, so that CI stays green while the owner fixes it.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from tools.fuzz.seeds import ROOT

CRASH_DIR = ROOT / "tests" / "fuzz_crashes"
OPEN_FILE = CRASH_DIR / "OPEN"
INPUT_SUFFIXES = (".txt", ".md", ".html", ".docx", ".pdf", ".doc", ".rtf")


@dataclass(frozen=True)
class OpenFailure:
    pattern: str
    path: str  # relative to CRASH_DIR
    note: str

    def matches(self, signature: str | None) -> bool:
        return signature is not None and fnmatch.fnmatchcase(signature, self.pattern)


def open_failures(path: Path = OPEN_FILE) -> list[OpenFailure]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        body, _, note = line.partition("#")
        fields = body.split()
        if len(fields) >= 2:
            out.append(OpenFailure(fields[0], fields[1], note.strip()))
    return out


def is_open(signature: str | None, failures: list[OpenFailure] | None = None) -> OpenFailure | None:
    for failure in open_failures() if failures is None else failures:
        if failure.matches(signature):
            return failure
    return None


def saved_inputs(root: Path = CRASH_DIR) -> list[Path]:
    """Every saved input: files under tests/fuzz_crashes/<reader>/."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob("*/*") if p.is_file() and p.suffix in INPUT_SUFFIXES)


def slug(signature: str) -> str:
    """`ValueError@pipelines/readers/docx.py:_grid` → `docx-_grid-valueerror`."""
    kind, _, site = signature.partition("@")
    path, _, function = site.partition(":")
    module = Path(path).stem if path and path != "?" else "unknown"
    text = "-".join(p for p in (module, function, kind) if p)
    return re.sub(r"[^a-z0-9_]+", "-", text.lower()).strip("-")[:80]


def save(reader: str, signature: str, data: bytes, ext: str, root: Path = CRASH_DIR) -> Path:
    """Save a failing input under <root>/<reader>/, named after its signature and content."""
    folder = root / reader
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{slug(signature)}-{hashlib.sha256(data).hexdigest()[:10]}{ext}"
    path.write_bytes(data)
    return path
