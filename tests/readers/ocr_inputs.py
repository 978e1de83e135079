"""Inputs for the OCR tests, made in the test session from committed PDFs with fixed seeds (a scan is
megabytes a page: never committed), and the scoring of an outcome against a truth."""

from __future__ import annotations

import csv
import hashlib
import io
import random
from pathlib import Path

from PIL import Image

from pipelines.ingest.parse import OCR_MIN_CONFIDENCE, FileRef, ParseOutcome, parse_file
from tests.conftest import COORDINATES
from tools.scans.degrade import ALL_EFFECTS, degrade, render_pdf, save_scanned_pdf
from tools.scans.realpdf import REAL, _random_number

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLE_PDF = FIXTURES / "pdf" / "001_3e7c7203fb80667c.pdf"
SAMPLE_STEM = "001_3e7c7203fb80667c"
REAL_SLUG, REAL_SEED = "fujian-pingtan-jjpq-2022", 7
REAL_PDF = FIXTURES / "ocr" / f"{REAL_SLUG}-n{REAL_SEED}.pdf"
# What a scanned page goes through, less the slanted photo (its own test) — seal, light, skew, blur,
# noise, JPEG.
SCAN = tuple(e for e in ALL_EFFECTS if e != "perspective")
UNREAD = ("missing", "unreadable")


def scanned_pages(pdf: Path, dpi: int, seed: int, pages: list[int] | None = None,
                  effects: tuple[str, ...] = ALL_EFFECTS, photo_rate: float = 0.3) -> list[Image.Image]:
    """The PDF's pages printed and scanned: rendered at `dpi`, then degraded (tools/scans/degrade.py)."""
    images = render_pdf(pdf, dpi, pages)
    return [degrade(img, seed, dpi, effects, page=i, photo_rate=photo_rate).image for i, img in enumerate(images)]


def scanned_pdf(images: list[Image.Image], dpi: int, tmp: Path) -> bytes:
    """Images as a scanner's PDF: one JPEG image a page, no text layer."""
    path = tmp / "scan.pdf"
    save_scanned_pdf(images, path, dpi)
    return path.read_bytes()


def image_bytes(image: Image.Image, fmt: str, dpi: int | None = None) -> bytes:
    buf = io.BytesIO()
    options = {"dpi": (dpi, dpi)} if dpi else {}
    if fmt == "JPEG":
        options["quality"] = 85
    image.save(buf, fmt, **options)
    return buf.getvalue()


def parse_bytes(data: bytes, name: str, raw: Path) -> ParseOutcome:
    """A file parsed as the pipeline parses it (pipelines.ingest.parse: reading, metadata, interpretation)."""
    raw.mkdir(parents=True, exist_ok=True)
    (raw / name).write_bytes(data)
    return parse_file(raw, FileRef(name, hashlib.sha256(data).hexdigest(), len(data), 0))


def outcome_cells(out: ParseOutcome) -> dict[tuple, tuple]:
    """An outcome's fact cells: (table, *coordinates) → (value, state, OCR confidence)."""
    cells = {}
    for table, frame in out.facts.items():
        coords = COORDINATES[table]
        for row in frame.iter_rows(named=True):
            value = None if row["value"] is None else float(row["value"])
            cells[(table, *(row[c] for c in coords))] = (value, row["cell_state"], row["ocr_confidence"])
    return cells


def score(cells: dict[tuple, tuple], truth: dict[tuple, tuple],
          threshold: float = OCR_MIN_CONFIDENCE) -> dict[str, list]:
    """Each truth cell as right, unread (missing/unreadable: visibly not read), flagged (wrong, confidence
    below the threshold) or silent (wrong, and trusted)."""
    out: dict[str, list] = {"right": [], "unread": [], "flagged": [], "silent": []}
    for key, (value, state, *_raw) in truth.items():
        got = cells.get(key)
        if got is not None and (got[0], got[1]) == (value, state):
            out["right"].append(key)
        elif got is None or got[1] in UNREAD:
            out["unread"].append((key, got))
        elif got[2] is not None and got[2] < threshold:
            out["flagged"].append((key, (value, state), got))
        else:
            out["silent"].append((key, (value, state), got))
    return out


def real_truth(slug: str = REAL_SLUG, seed: int = REAL_SEED) -> dict[tuple, tuple]:
    """The truth of a tools/scans/realpdf.py PDF: the real report's key, its values replaced by the same
    seeded random numbers the PDF was printed with."""
    rng = random.Random(f"{seed}:{slug}")
    out = {}
    with (REAL / slug / "truth.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = ("fact_" + row["table"], *row["cell"].split("/"))
            if row["state"] == "value":
                text = _random_number(rng)
                out[key] = (float(text), "value", text)
            else:
                out[key] = (None, row["state"], row["raw_text"])
    return out
