"""Peak memory of a command and every process it starts: `python -m tools.peak_rss -- make run`.

Samples /proc every 50 ms (`--interval`) and sums the resident memory of the command's whole process
tree (the Dagster run, its parser workers, LibreOffice…); prints the peak of that sum and of the largest
single process, and the largest processes with their peaks. A sample can miss a spike shorter than the
interval: the per-process kernel limit (RLIMIT_AS) is what bounds those, this measures what a machine
must hold. `--samples FILE` also writes every sample, one line per process (epoch seconds, pid, ppid, RSS
MB, command), to line up with a Dagster run's step times (tools/nights/step_times.py --samples).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _tree() -> dict[int, tuple[int, int, str]]:
    """pid → (parent pid, resident bytes, command line) of every process."""
    out = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            rss = int((entry / "statm").read_text().split()[1]) * _PAGE
            cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, IndexError, ValueError):
            continue
        out[int(entry.name)] = (int(stat[1]), rss, cmd)
    return out


def _descendants(root: int, tree: dict[int, tuple[int, int, str]]) -> set[int]:
    found, frontier = {root}, {root}
    while frontier:
        frontier = {p for p, (parent, _, _) in tree.items() if parent in frontier} - found
        found |= frontier
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interval", type=float, default=0.05, help="seconds between samples")
    parser.add_argument("--samples", type=Path, help="write every sample here (TSV)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    started = time.time()
    process = subprocess.Popen(command)
    peak_total, peaks = 0, {}
    out = args.samples.open("w") if args.samples else None
    try:
        while process.poll() is None:
            now, tree = time.time(), _tree()
            total = 0
            for pid in (p for p in _descendants(process.pid, tree) if p in tree):
                ppid, rss, cmd = tree[pid]
                total += rss
                if out:
                    out.write(f"{now:.3f}\t{pid}\t{ppid}\t{rss / 2**20:.1f}\t{cmd[:120]}\n")
                if rss > peaks.get(pid, (0, ""))[0]:
                    peaks[pid] = (rss, cmd[:100])
            peak_total = max(peak_total, total)
            time.sleep(args.interval)
    finally:
        if out:
            out.close()
    peak_single = max((rss for rss, _ in peaks.values()), default=0)
    print(f"peak RSS of the process tree: {peak_total / 2**20:,.0f} MB; of one process: {peak_single / 2**20:,.0f} MB "
          f"(exit {process.returncode}; wall {time.time() - started:.2f} s)", file=sys.stderr)
    for pid, (rss, cmd) in sorted(peaks.items(), key=lambda kv: -kv[1][0])[:6]:
        print(f"  pid {pid}: peak {rss / 2**20:,.0f} MB  {cmd}", file=sys.stderr)
    return process.returncode


if __name__ == "__main__":
    raise SystemExit(main())
