"""Find the files under the raw folder and what they hold (content hashes).

A file whose path, size and modification time match what the ledger saw last is taken to hold
the same content without being read again: that is what keeps a nightly run over an unchanged
folder fast. Anything else is hashed.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from pipelines.ingest.parse import FileRef, is_sidecar, sidecar_path

HASH_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Known:
    """What the ledger last saw at a path."""

    sha256: str
    size_bytes: int
    mtime_ns: int | None


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(HASH_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def walk(raw_dir: Path) -> Iterator[Path]:
    """Every file under the folder (recursively, in path order), sidecars excepted."""
    for root, dirs, files in os.walk(raw_dir, followlinks=False):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if not is_sidecar(path):
                yield path


def scan(raw_dir: Path, known: Mapping[str, Known] | None = None,
         keep: Callable[[str], bool] | None = None) -> list[FileRef]:
    """Given the raw folder and the ledger's last view, return a FileRef for every file in it (only
    those whose relative path `keep` accepts, when given: nothing else is read)."""
    known = known or {}
    refs: list[FileRef] = []
    for path in walk(raw_dir):
        rel = path.relative_to(raw_dir).as_posix()
        if keep is not None and not keep(rel):
            continue
        if path.is_symlink():
            # Never followed: it may point anywhere. Its target names its "content" in the ledger.
            st = path.lstat()
            refs.append(FileRef(rel, hashlib.sha256(b"symlink:" + os.fsencode(os.readlink(path))).hexdigest(),
                                st.st_size, st.st_mtime_ns))
            continue
        try:
            st = path.stat()
        except OSError:
            st = path.lstat()
        last = known.get(rel)
        if last is not None and last.size_bytes == st.st_size and last.mtime_ns == st.st_mtime_ns:
            digest = last.sha256
        else:
            try:
                digest = sha256_of(path)
            except OSError:
                digest = hashlib.sha256(b"unreadable:" + rel.encode()).hexdigest()
        side = sidecar_path(path)
        side_sha = sha256_of(side) if side.is_file() and not side.is_symlink() else None
        refs.append(FileRef(rel, digest, st.st_size, st.st_mtime_ns, side_sha))
    return refs
