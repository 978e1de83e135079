"""Ruled PDFs carrying the real reports' cells: tests/real has no PDF, so each real report's truth
(raw texts as printed) is laid out in the printed form (tools/synth/layout.py: merged header cells,
vertical group labels) with the first prose lines of the real document, written as .docx and converted
by LibreOffice (Noto CJK embedded), as Word → PDF does for most agencies.

    .venv/bin/python -m tools.scans.realpdf --out /tmp/scans/pdf [--only SLUG ...] [--random-numbers SEED]

Needs the project's .venv (python-docx) and LibreOffice. The PDF's text layer is the OCR truth."""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import subprocess
import tempfile
import tomllib
from pathlib import Path

from tools.synth.layout import form_grids, render_docx

ROOT = Path(__file__).resolve().parents[2]
REAL = ROOT / "tests" / "real"
HELD_OUT_PREFIXES = ("fujian-pingtan-2023", "fujian-pingtan-2024", "fujian-pingtan-2025")


def _prose(folder: Path, n: int = 6) -> list[str]:
    doc = next(folder.glob("document.*"))
    lines: list[str] = []
    for line in doc.read_text(encoding="utf-8", errors="replace").splitlines():
        line = line.strip()
        if not line or "|" in line or line.startswith("<") or len(line) < 6:
            continue
        lines.append(line[:400])
        if len(lines) >= n:
            break
    return lines


def _random_number(rng: random.Random) -> str:
    digits = rng.choices((1, 2, 3, 4, 5), weights=(40, 30, 18, 8, 4))[0]
    return str(rng.randrange(10 ** (digits - 1) if digits > 1 else 0, 10 ** digits))


def blocks_for(folder: Path, rng: random.Random | None = None) -> list:
    return laid_out(folder, rng)[0]


def laid_out(folder: Path, rng: random.Random | None = None) -> tuple[list, dict[tuple[str, str], str | None]]:
    """The report's blocks for render_docx, and the text printed in each keyed cell (None: not printed):
    the truth of the PDF it becomes (with `rng`, every value cell a random number)."""
    meta = tomllib.loads((folder / "meta.toml").read_text(encoding="utf-8"))
    forms = meta["forms"]
    present = [t for t in ("proactive", "applications", "appeals") if forms.get(t) != "absent"]
    if not present:
        return [], {}
    version = forms.get("applications") if forms.get("applications") != "absent" else forms[present[0]]
    truth: dict = {}
    with (folder / "truth.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            text = None if row["state"] == "missing" else row["raw_text"]
            if rng is not None and row["state"] == "value":
                text = _random_number(rng)  # real layout and labels, numbers varied (real ones are ~96% 0)
            truth[(row["table"], row["cell"])] = text
    grids = dict(zip(("proactive", "applications", "appeals"), form_grids(version, truth), strict=False))
    prose = _prose(folder)
    title = f"{meta.get('agency') or folder.name}{meta.get('year', '')}年政府信息公开工作年度报告"
    blocks: list = [title, *prose[:3]]
    headings = {"proactive": "二、主动公开政府信息情况", "applications": "三、收到和处理政府信息公开申请情况",
                "appeals": "四、政府信息公开行政复议、行政诉讼情况"}
    for table in present:
        blocks += [headings[table], grids[table]]
    blocks += prose[3:]
    return blocks, {key: text for key, text in truth.items() if key[0] in present}


def build(folder: Path, out: Path, seed: int | None = None, ruled: bool = True) -> Path | None:
    return build_with_truth(folder, out, seed, ruled)[0]


def build_with_truth(folder: Path, out: Path, seed: int | None = None,
                     ruled: bool = True) -> tuple[Path | None, dict[tuple[str, str], str | None]]:
    """The PDF (None when the report has no table to lay out) and the text printed in each cell."""
    blocks, printed = laid_out(folder, None if seed is None else random.Random(f"{seed}:{folder.name}"))
    if not blocks:
        return None, {}
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    with tempfile.TemporaryDirectory() as tmp:
        stem = (folder.name if seed is None else f"{folder.name}-n{seed}") + ("" if ruled else "-unruled")
        src = Path(tmp) / f"{stem}.docx"
        src.write_bytes(render_docx(blocks, ruled=ruled))
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{tmp}/profile", "--convert-to", "pdf",
                        "--outdir", str(out), str(src)], check=True, capture_output=True, timeout=300)
    return out / f"{stem}.pdf", printed


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--random-numbers", type=int, metavar="SEED",
                    help="replace every value cell by a random number (seeded): exercises all digits")
    ap.add_argument("--unruled", action="store_true",
                    help="tables without borders (LibreOffice lays these out differently: no grid truth)")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for folder in sorted(p for p in REAL.iterdir() if (p / "truth.csv").exists()):
        if folder.name.startswith(HELD_OUT_PREFIXES) or (args.only and folder.name not in args.only):
            continue
        path = build(folder, args.out, args.random_numbers, ruled=not args.unruled)
        print(folder.name, path)


if __name__ == "__main__":
    main()
