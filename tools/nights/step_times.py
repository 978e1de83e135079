"""Per-step wall time of a Dagster run, from the instance's event log (DAGSTER_HOME).

    python tools/nights/step_times.py [RUN_ID] [--samples FILE] [--json OUT]

RUN_ID defaults to the latest run. With --samples (written by tools/nights/sampled.py) each step also
gets the peak RSS of the run's main process and of the largest other process while the step ran.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from dagster import DagsterEventType, DagsterInstance


def step_times(instance: DagsterInstance, run_id: str) -> dict:
    starts: dict[str, float] = {}
    ends: dict[str, float] = {}
    run_start = run_end = None
    for record in instance.all_logs(run_id):
        event = record.dagster_event
        if event is None:
            continue
        kind, t = event.event_type, record.timestamp
        if kind == DagsterEventType.RUN_START:
            run_start = t
        elif kind in (DagsterEventType.RUN_SUCCESS, DagsterEventType.RUN_FAILURE):
            run_end = t
        elif kind == DagsterEventType.STEP_START:
            starts[event.step_key] = t
        elif kind in (DagsterEventType.STEP_SUCCESS, DagsterEventType.STEP_FAILURE):
            ends[event.step_key] = t
    created = instance.get_run_record_by_id(run_id).create_timestamp.timestamp()
    steps = [{"step": k, "start": starts[k], "end": ends.get(k, starts[k]), "s": ends.get(k, starts[k]) - starts[k]}
             for k in sorted(starts, key=starts.get)]
    return {"run_id": run_id, "created": created, "run_start": run_start, "run_end": run_end, "steps": steps}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("run_id", nargs="?")
    parser.add_argument("--samples", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    instance = DagsterInstance.get()
    run_id = args.run_id or instance.get_runs(limit=1)[0].run_id
    times = step_times(instance, run_id)
    samples: list[tuple[float, int, int, float, str]] = []
    if args.samples:
        for line in args.samples.read_text().splitlines():
            t, pid, ppid, rss, cmd = [*line.split("\t"), ""][:5]
            samples.append((float(t), int(pid), int(ppid), float(rss), cmd))
    main_pid = None
    if samples:  # the run's process: the largest one whose command is the dagster CLI
        by_pid = defaultdict(float)
        for _t, pid, _pp, rss, cmd in samples:
            if "dagster" in cmd and "job execute" in cmd:
                by_pid[pid] = max(by_pid[pid], rss)
        main_pid = max(by_pid, key=by_pid.get) if by_pid else None
    total = (times["run_end"] or 0) - (times["run_start"] or 0)
    print(f"run {run_id}: run start→end {total:.2f} s; steps sum "
          f"{sum(s['s'] for s in times['steps']):.2f} s")
    for s in times["steps"]:
        extra = ""
        if samples:
            window = [x for x in samples if s["start"] - 0.25 <= x[0] <= s["end"] + 0.25]
            own = max((x[3] for x in window if x[1] == main_pid), default=0.0)
            other = max((x[3] for x in window if x[1] != main_pid), default=0.0)
            s["rss_main_mb"], s["rss_other_mb"] = own, other
            extra = f"  main {own:7.0f} MB  other {other:6.0f} MB"
        print(f"  {s['step']:<42} {s['s']:8.2f} s{extra}")
    if samples:
        times["rss_main_peak_mb"] = max((x[3] for x in samples if x[1] == main_pid), default=0.0)
        print(f"  main process peak {times['rss_main_peak_mb']:.0f} MB")
    if args.json:
        args.json.write_text(json.dumps(times, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
