"""Peak memory of a command and every process it starts: `python -m tools.peak_rss -- make run`.

Samples /proc every 50 ms and sums the resident memory of the command's whole process tree (the
Dagster run, its parser workers, LibreOffice…); prints the peak of that sum and of the largest single
process. A sample can miss a spike shorter than 50 ms: the per-process kernel limit (RLIMIT_AS) is
what bounds those, this measures what a machine must hold.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree() -> dict[int, tuple[int, int]]:
    """pid → (parent pid, resident bytes) of every process."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            rss = int((entry / "statm").read_text().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
        out[int(entry.name)] = (int(stat[1]), rss)
    return out


def _descendants(root: int, tree: dict[int, tuple[int, int]]) -> set[int]:
    found, frontier = {root}, {root}
    while frontier:
        frontier = {p for p, (parent, _) in tree.items() if parent in frontier} - found
        found |= frontier
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    process = subprocess.Popen(command)
    peak_total = peak_single = 0
    while process.poll() is None:
        tree = _tree()
        sizes = [tree[p][1] for p in _descendants(process.pid, tree) if p in tree]
        peak_total, peak_single = max(peak_total, sum(sizes)), max(peak_single, max(sizes, default=0))
        time.sleep(0.05)
    print(f"peak RSS of the process tree: {peak_total / 2**20:,.0f} MB; of one process: {peak_single / 2**20:,.0f} MB "
          f"(exit {process.returncode})", file=sys.stderr)
    return process.returncode


if __name__ == "__main__":
    raise SystemExit(main())
