"""python -m tools.synth --out DIR --n N --seed S --formats tab_text,pipe_text,docx,html,… [--quirks legacy]"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tools.synth.corpus import ALL_FORMATS, write_corpus
from tools.synth.quirks import LEGACY, QUIRKS

DEFAULT_FORMATS = [f for f in ALL_FORMATS if f != "pdf"]


def _quirks(text: str) -> list[str] | None:
    if text == "all":
        return None
    if text == "legacy":
        return list(LEGACY)
    names = [q.strip() for q in text.split(",") if q.strip()]
    unknown = set(names) - {q.name for q in QUIRKS}
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown quirks {sorted(unknown)} (see tools/synth/quirks.py)")
    return names


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tools.synth", description=__doc__)
    parser.add_argument("--out", type=Path, required=True, help="corpus folder (reports go to OUT/raw)")
    parser.add_argument("--n", type=int, default=100, help="number of reports")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same corpus)")
    parser.add_argument("--formats", default=",".join(DEFAULT_FORMATS),
                        help=f"comma-separated, from: {', '.join(ALL_FORMATS)} (pdf needs LibreOffice)")
    parser.add_argument("--break-share", type=float, default=0.05, help="share of reports that break the arithmetic")
    parser.add_argument("--quirk-share", type=float, default=0.3,
                        help="chance of each quirk per report (× the quirk's own share in tools/synth/quirks.py)")
    parser.add_argument("--quirks", type=_quirks, default=None,
                        help="'all' (default), 'legacy' (the quirks known before tests/real/), or a comma-separated list")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    counts = write_corpus(args.out, args.n, args.seed, [f.strip() for f in args.formats.split(",") if f.strip()],
                          args.break_share, args.quirk_share, args.quirks)
    print(f"wrote {sum(counts.values())} reports to {args.out / 'raw'} in {time.perf_counter() - started:.1f}s: "
          + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
