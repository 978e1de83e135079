"""`make fuzz` (`python -m tools.fuzz`): mutate real files for every reader for a while, report, save.

Runs rounds of cases, one per reader each round (a legacy .doc every fourth: LibreOffice converts
it first), parsed by supervised workers in parallel. Prints the cases tried per reader and what
became of them, then every failure (crash, hang, memory) by signature: each new one is reduced and
saved under tests/fuzz_crashes/<reader>/, where the normal test run replays it.

Settings (environment, or the options of the same name):
  FUZZ_SECONDS=300     how long to mutate (the reduction of new failures comes on top)
  FUZZ_EXAMPLES=0      stop a reader after this many cases (0: no limit but time)
  FUZZ_READERS=        readers to fuzz, comma-separated (default: all; see tools/fuzz/seeds.py)
  FUZZ_SEED=           seed of the run (default: from the clock; printed, so a run can be repeated)
  FUZZ_WORKERS=2       parser processes
  FUZZ_CASE_SECONDS=10 a case's time limit (×3 for PDFs, ×9 for legacy files): past it, a hang
  FUZZ_MEMORY_MB=2048  a case's memory ceiling: past it, a memory failure
  FUZZ_SAVE=1          save (reduced) new failures under tests/fuzz_crashes/ (0: under the temporary folder)
  FUZZ_SYNTHETIC=4     synthetic seed reports per generator format (tools.synth)
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tools.fuzz.crashes import CRASH_DIR, is_open, open_failures, save, saved_inputs
from tools.fuzz.mutate import mutate
from tools.fuzz.reduce import reduce
from tools.fuzz.runner import CASE_SECONDS, MEMORY_MB, Runner, Verdict
from tools.fuzz.seeds import READERS, collect


@dataclass
class Failure:
    signature: str
    reader: str
    ext: str
    data: bytes
    verdict: Verdict
    count: int = 0
    readers: Counter = field(default_factory=Counter)


def _options(argv: list[str] | None) -> argparse.Namespace:
    env = os.environ.get
    p = argparse.ArgumentParser(prog="python -m tools.fuzz", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=float(env("FUZZ_SECONDS", "300")))
    p.add_argument("--examples", type=int, default=int(env("FUZZ_EXAMPLES", "0")))
    p.add_argument("--readers", default=env("FUZZ_READERS", ""))
    p.add_argument("--seed", type=int, default=int(env("FUZZ_SEED") or time.time_ns() % 10**9))
    p.add_argument("--workers", type=int, default=int(env("FUZZ_WORKERS", "2")))
    p.add_argument("--case-seconds", type=float, default=CASE_SECONDS)
    p.add_argument("--memory-mb", type=int, default=MEMORY_MB)
    p.add_argument("--save", type=int, default=int(env("FUZZ_SAVE", "1")))
    p.add_argument("--synthetic", type=int, default=int(env("FUZZ_SYNTHETIC", "4")),
                   help="synthetic seed reports per generator format")
    return p.parse_args(argv)


def _known_signatures(runner: Runner) -> dict[str, list[str]]:
    """Signatures of the inputs saved already (replayed): a failure seen there is not saved twice."""
    known: dict[str, list[str]] = defaultdict(list)
    paths = saved_inputs()
    if not paths:
        return known
    for path, verdict in zip(paths, runner.run([(p.name, p.read_bytes(), p.suffix) for p in paths]), strict=True):
        if verdict.signature:
            known[verdict.signature].append(str(path.relative_to(CRASH_DIR)))
    return known


def main(argv: list[str] | None = None) -> int:
    opts = _options(argv)
    readers = [r for r in (opts.readers.split(",") if opts.readers else READERS) if r]
    unknown = set(readers) - set(READERS)
    if unknown:
        sys.exit(f"unknown readers {sorted(unknown)}; choose from {', '.join(READERS)}")
    print(f"fuzz: seed {opts.seed}, {opts.seconds:.0f}s, readers {','.join(readers)}, {opts.workers} workers, "
          f"case limit {opts.case_seconds:.0f}s, memory {opts.memory_mb} MB", flush=True)
    seeds = collect(synthetic_per_format=opts.synthetic)
    readers = [r for r in readers if seeds.get(r)]
    print("seeds: " + ", ".join(f"{r} {len(seeds[r])}" for r in readers), flush=True)
    rng = random.Random(opts.seed)
    tried: Counter = Counter()
    outcomes: dict[str, Counter] = defaultdict(Counter)
    formats: dict[str, Counter] = defaultdict(Counter)
    failures: dict[str, Failure] = {}
    slowest: dict[str, float] = defaultdict(float)
    with Runner(workers=opts.workers, case_seconds=opts.case_seconds, memory_mb=opts.memory_mb) as runner:
        known = _known_signatures(runner)
        started, round_no = time.monotonic(), 0
        while time.monotonic() - started < opts.seconds:
            batch: list[tuple[str, bytes, str]] = []
            meta: list[str] = []
            for reader in readers:
                if reader == "doc" and round_no % 4:
                    continue
                if opts.examples and tried[reader] >= opts.examples:
                    continue
                for _ in range(1 if reader == "doc" else max(1, opts.workers // 2)):
                    seed = rng.choice(seeds[reader])
                    mutant = mutate(seed, random.Random(rng.getrandbits(64)))
                    batch.append((f"{seed.name} {'+'.join(mutant.ops)}", mutant.data, seed.ext))
                    meta.append(reader)
            if not batch:
                break
            round_no += 1
            # Legacy files run apart: a batch runs under the longest limit of its cases, and a hang among
            # the others should cost their own limit, not LibreOffice's.
            legacy = [i for i, r in enumerate(meta) if r == "doc"]
            rest = [i for i, r in enumerate(meta) if r != "doc"]
            verdicts: dict[int, Verdict] = {}
            for part in (rest, legacy):
                if part:
                    verdicts.update(zip(part, runner.run([batch[i] for i in part]), strict=True))
            for i, reader in enumerate(meta):
                _, data, ext = batch[i]
                verdict = verdicts[i]
                tried[reader] += 1
                slowest[reader] = max(slowest[reader], verdict.seconds)
                outcomes[reader][verdict.failure or verdict.code or "report"] += 1
                formats[reader][verdict.source_format] += 1
                sig = verdict.signature
                if sig is None:
                    continue
                failure = failures.get(sig)
                if failure is None or len(data) < len(failure.data):  # keep the smallest example
                    failures[sig] = failure = Failure(sig, reader, ext, data, verdict,
                                                      failure.count if failure else 0,
                                                      failure.readers if failure else Counter())
                failure.count += 1
                failure.readers[reader] += 1
        elapsed = time.monotonic() - started
        _report(tried, outcomes, formats, slowest, elapsed)
        saved = _report_failures(runner, failures, known, opts.save)
    print(f"\n{sum(tried.values())} files tried in {elapsed:.0f}s (seed {opts.seed}); "
          f"{len(failures)} distinct failures, {saved} saved under {CRASH_DIR.relative_to(CRASH_DIR.parents[1])}/.")
    return 0


def _report(tried: Counter, outcomes: dict, formats: dict, slowest: dict, elapsed: float) -> None:
    print(f"\n{'reader':<11} {'tried':>6} {'report':>6} {'crash':>5} {'hang':>4} {'mem':>4} {'slowest':>8}  "
          "quarantined (code: files) | read as")
    for reader in READERS:
        if not tried[reader]:
            continue
        o = outcomes[reader]
        codes = ", ".join(f"{c}: {n}" for c, n in o.most_common() if c not in ("report", "crash", "hang", "memory"))
        read_as = ", ".join(f"{f}: {n}" for f, n in formats[reader].most_common())
        print(f"{reader:<11} {tried[reader]:>6} {o['report']:>6} {o['crash']:>5} {o['hang']:>4} {o['memory']:>4} "
              f"{slowest[reader]:>7.1f}s  {codes or '-'} | {read_as}")


def _report_failures(runner: Runner, failures: dict[str, Failure], known: dict[str, list[str]], save_new: int) -> int:
    if not failures:
        print("\nno crash, no hang, no memory blow-up.")
        return 0
    print("\nfailures (signature: cases, readers → status):")
    opened = open_failures()
    saved = 0
    for sig, f in sorted(failures.items(), key=lambda kv: -kv[1].count):
        listed = is_open(sig, opened)
        status = f"open ({listed.note})" if listed else ("saved, NOT FIXED" if known.get(sig) else "NEW")
        where = ", ".join(f"{r} {n}" for r, n in f.readers.most_common())
        print(f"  {sig}: {f.count} ({where}) → {status}")
        print(f"      e.g. {f.verdict.describe()[:300]}")
        if known.get(sig) or listed:  # one saved input per failure is enough
            print(f"      saved already: {', '.join(known.get(sig) or [listed.path])}")
            continue
        if not save_new:
            path = save(f.reader, sig, f.data, f.ext, root=Path(tempfile.gettempdir()) / "disclosure-fuzz-failures")
            print(f"      not saved (FUZZ_SAVE=0); the example is at {path}")
            continue
        data = f.data
        if f.verdict.failure == "crash":  # a hang or a blow-up costs a time limit per check: saved as found
            before = len(data)
            data = reduce(data, f.ext, lambda b, s=sig, e=f.ext: runner.run_one("reduce", b, e).signature == s)
            print(f"      reduced {before:,} → {len(data):,} bytes")
        path = save(f.reader, sig, data, f.ext)
        saved += 1
        print(f"      saved: {path.relative_to(CRASH_DIR.parents[1])}")
    return saved


if __name__ == "__main__":
    sys.exit(main())
