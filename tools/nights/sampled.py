"""Run a command and sample the resident memory of its whole process tree every INTERVAL seconds.

    python tools/nights/sampled.py --samples /tmp/x.tsv --interval 0.5 -- dagster job execute ...

Writes one line per process per sample (epoch seconds, pid, ppid, RSS MB, command) to --samples, and
prints, when the command ends, the wall time, the peak of the tree's sum and the peak of each process.
Line the samples up with a Dagster run's step times with tools/nights/step_times.py --samples.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


def _procs() -> dict[int, tuple[int, int, str]]:
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


def _tree(root: int, procs: dict[int, tuple[int, int, str]]) -> set[int]:
    found, frontier = {root}, {root}
    while frontier:
        frontier = {p for p, (parent, _, _) in procs.items() if parent in frontier} - found
        found |= frontier
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=Path, required=True)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    started = time.time()
    process = subprocess.Popen(command)
    peak_total, peaks = 0, {}
    with args.samples.open("w") as out:
        while process.poll() is None:
            now = time.time()
            procs = _procs()
            tree = [p for p in _tree(process.pid, procs) if p in procs]
            total = 0
            for pid in tree:
                ppid, rss, cmd = procs[pid]
                total += rss
                out.write(f"{now:.3f}\t{pid}\t{ppid}\t{rss / 2**20:.1f}\t{cmd[:120]}\n")
                if rss > peaks.get(pid, (0, ""))[0]:
                    peaks[pid] = (rss, cmd[:100])
            peak_total = max(peak_total, total)
            out.flush()
            time.sleep(args.interval)
    wall = time.time() - started
    print(f"wall {wall:.2f} s; exit {process.returncode}; peak RSS of the tree {peak_total / 2**20:,.0f} MB",
          file=sys.stderr)
    for pid, (rss, cmd) in sorted(peaks.items(), key=lambda kv: -kv[1][0])[:6]:
        print(f"  pid {pid}: peak {rss / 2**20:,.0f} MB  {cmd}", file=sys.stderr)
    return process.returncode


if __name__ == "__main__":
    raise SystemExit(main())
