"""python -m tools.scans --pdf FILE --dpi 200 --out DIR [--seed N] [--noise EFFECT,...] [--clean] [--pdf-out]

Renders every page of FILE at --dpi and writes page-NNN.png (or .jpg) degraded with --noise (a comma
list of lighting,seal,skew,perspective,blur,noise,jpeg; default all; "none" for clean renders) to DIR,
plus manifest.json (per page: effects applied with their parameters and the original→degraded 3x3
matrix). --pdf-out also writes DIR/scanned.pdf: the degraded pages as images only, no text layer.
Deterministic per --seed."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from tools.scans.degrade import ALL_EFFECTS, degrade, render_pdf, save_scanned_pdf


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m tools.scans", description=__doc__.split("\n\n")[1])
    ap.add_argument("--pdf", type=Path, required=True)
    ap.add_argument("--dpi", type=int, default=200, choices=(150, 200, 300))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--noise", default=",".join(ALL_EFFECTS),
                    help=f"comma list of {','.join(ALL_EFFECTS)}, or 'none'")
    ap.add_argument("--photo-rate", type=float, default=0.3, help="share of pages photographed at a slant")
    ap.add_argument("--format", choices=("png", "jpg"), default="png")
    ap.add_argument("--pdf-out", action="store_true", help="also write DIR/scanned.pdf (images only)")
    args = ap.parse_args(argv)
    effects = () if args.noise == "none" else tuple(e.strip() for e in args.noise.split(",") if e.strip())
    unknown = set(effects) - set(ALL_EFFECTS)
    if unknown:
        ap.error(f"unknown effects: {sorted(unknown)}")
    args.out.mkdir(parents=True, exist_ok=True)
    manifest, pages = [], []
    for i, img in enumerate(render_pdf(args.pdf, args.dpi)):
        d = degrade(img, args.seed, args.dpi, effects, page=i, photo_rate=args.photo_rate)
        name = f"page-{i + 1:03d}.{args.format}"
        d.image.save(args.out / name, **({"quality": 92} if args.format == "jpg" else {}))
        pages.append(d.image)
        manifest.append({"page": i + 1, "file": name, "size": d.image.size, "applied": d.applied,
                         "matrix": [[round(v, 6) for v in row] for row in d.matrix.tolist()]})
    if args.pdf_out:
        save_scanned_pdf(pages, args.out / "scanned.pdf", args.dpi)
    (args.out / "manifest.json").write_text(json.dumps({"pdf": str(args.pdf), "dpi": args.dpi, "seed": args.seed,
                                                        "effects": effects, "pages": manifest}, ensure_ascii=False,
                                                       indent=1), encoding="utf-8")
    print(f"{len(pages)} pages -> {args.out}")


if __name__ == "__main__":
    main()
