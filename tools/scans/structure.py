"""Table structure from a page image: ruling lines by OpenCV morphology → cell grid with merged cells.
Prototype for issue 17, measured against pdfplumber's grid of the same PDF page.

    python tools/scans/structure.py --pdfs A.pdf ... --dpis 150 200 300 [--seed 1] [--out R.jsonl]
    python tools/scans/structure.py summary R.jsonl

Steps: (1) a photo (grey surround detected) is rectified by the paper's four corners; otherwise the
page is deskewed by the angle that maximises the horizontal projection's variance (coarse → fine);
(2) grey = max(R,G,B), so red seal ink turns light while black print stays dark; adaptive threshold;
(3) horizontal / vertical rules = opening with a long thin kernel (horizontal 20 pt, vertical 11 pt: a
row is ≥ 13 pt high, a character stroke ≤ 10.5 pt); a vertical piece must meet horizontal rules at both
ends (else it is a character's stroke); (4) each connected component of the rules is a
table; rule positions clustered into row and column lines; (5) each grid unit merges with its right /
lower neighbour when the rule between them is missing (< 50 % ink along it); unions are the cells.
A detected cell matches a truth cell when all four edges are within `tol` (2 pt) of it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.scans.degrade import degrade, render_pdf


def to_grey(rgb: np.ndarray) -> np.ndarray:
    return rgb.max(axis=2)  # red/pink seal ink → light; black print stays dark


def binarize(grey: np.ndarray, dpi: int) -> np.ndarray:
    block = int(dpi / 72 * 12) | 1
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


def rectify_photo(rgb: np.ndarray) -> tuple[np.ndarray, bool]:
    """If the page lies on a darker surround (a photo), warp the paper's quadrilateral to the frame."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    border = np.concatenate([grey[:5].ravel(), grey[-5:].ravel(), grey[:, :5].ravel(), grey[:, -5:].ravel()])
    if np.median(border) > 150:  # paper reaches the edges: a scan
        return rgb, False
    _, mask = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return rgb, False
    c = max(contours, key=cv2.contourArea)
    approx = cv2.approxPolyDP(c, 0.02 * cv2.arcLength(c, True), True)
    if len(approx) != 4 or cv2.contourArea(approx) < 0.5 * w * h:
        return rgb, False
    pts = approx.reshape(4, 2).astype(np.float32)
    s, d = pts.sum(1), np.diff(pts, axis=1).ravel()
    quad = np.array([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]], np.float32)
    dst = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    m = cv2.getPerspectiveTransform(quad, dst)
    return cv2.warpPerspective(rgb, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255)), True


def skew_angle(binary: np.ndarray) -> float:
    """Degrees to rotate by (counter-clockwise positive, as cv2/PIL) to make rows horizontal: the
    angle maximising the variance of the row-ink profile, coarse (¼ scale, 0.25° steps over ±3°)
    then fine (½ scale, 0.05°); of a plateau of equal scores, its middle."""
    def scorer(fx: float):
        small = cv2.resize(binary, None, fx=fx, fy=fx, interpolation=cv2.INTER_AREA)
        h, w = small.shape
        def score(a: float) -> float:
            m = cv2.getRotationMatrix2D((w / 2, h / 2), a, 1.0)
            r = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST)
            return float(np.var(r.sum(axis=1, dtype=np.float64)))
        return score
    def best_of(score, angles) -> float:
        scores = np.array([score(a) for a in angles])
        top = angles[scores >= scores.max() * 0.999]
        return float((top.min() + top.max()) / 2)
    coarse = best_of(scorer(0.25), np.arange(-3, 3.01, 0.25))
    return round(best_of(scorer(0.5), np.arange(coarse - 0.3, coarse + 0.31, 0.05)), 3)


def rotate(rgb: np.ndarray, angle: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))


def _cluster(values: list[float], tol: float) -> list[float]:
    out: list[list[float]] = []
    for v in sorted(values):
        if out and v - out[-1][-1] <= tol:
            out[-1].append(v)
        else:
            out.append([v])
    return [float(np.mean(g)) for g in out]


def detect_tables(rgb: np.ndarray, dpi: int) -> list[list[tuple[float, float, float, float]]]:
    """Cells (x0, y0, x1, y1 px) of every ruled table on an upright page."""
    pt = dpi / 72
    binary = binarize(to_grey(rgb), dpi)
    hk = cv2.getStructuringElement(cv2.MORPH_RECT, (int(20 * pt), 1))
    vk = cv2.getStructuringElement(cv2.MORPH_RECT, (1, int(11 * pt)))
    horiz = cv2.morphologyEx(binary, cv2.MORPH_OPEN, hk)
    vert = cv2.morphologyEx(binary, cv2.MORPH_OPEN, vk)
    # a rule runs from rule to rule: drop vertical pieces that stop short of a horizontal rule at
    # either end (a character's stroke in a row just taller than the text stops ~1.5 pt short)
    nv, vlab, vst, _ = cv2.connectedComponentsWithStats(vert)
    b = max(2, round(0.8 * pt))
    hh = horiz.shape[0]
    hz_near = cv2.dilate(horiz, np.ones((3, 3), np.uint8))
    for k in range(1, nv):
        x, y, w, h, _ = vst[k]
        if h >= 40 * pt:  # long pieces are rules whatever their ends
            continue
        top = hz_near[max(0, y - b):y + b, max(0, x - b):x + w + b].any()
        bottom = hz_near[max(0, y + h - b):min(hh, y + h + b), max(0, x - b):x + w + b].any()
        if not (top and bottom):
            vert[vlab == k] = 0
    # bridge small gaps (JPEG, noise) along each direction
    horiz = cv2.dilate(horiz, cv2.getStructuringElement(cv2.MORPH_RECT, (int(3 * pt), 1)))
    vert = cv2.dilate(vert, cv2.getStructuringElement(cv2.MORPH_RECT, (1, int(3 * pt))))
    grid = cv2.bitwise_or(horiz, vert)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(cv2.dilate(grid, np.ones((3, 3), np.uint8)))
    tables = []
    tol = 2.5 * pt
    for k in range(1, n):
        x, y, w, h, _ = stats[k]
        if w < 60 * pt or h < 25 * pt:
            continue
        region = labels[y:y + h, x:x + w] == k
        hz = (horiz[y:y + h, x:x + w] > 0) & region
        vt = (vert[y:y + h, x:x + w] > 0) & region
        ys = _cluster([r for r in range(h) if hz[r].sum() > 15 * pt], tol)
        xs = _cluster([c for c in range(w) if vt[:, c].sum() > 8 * pt], tol)
        if len(ys) < 2 or len(xs) < 2:
            continue
        nr, nc = len(ys) - 1, len(xs) - 1
        parent = list(range(nr * nc))
        def find(i, parent=parent):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i
        band = max(1, int(1.2 * pt))
        for i in range(nr):
            for j in range(nc):
                y0, y1 = int(ys[i]), int(ys[i + 1])
                x0, x1 = int(xs[j]), int(xs[j + 1])
                if j + 1 < nc:  # rule between (i,j) and (i,j+1) at xs[j+1]
                    xb = int(xs[j + 1])
                    seg = vt[y0 + band:y1 - band, max(0, xb - band):xb + band + 1].any(axis=1)
                    if seg.size == 0 or seg.mean() < 0.5:
                        parent[find(i * nc + j + 1)] = find(i * nc + j)
                if i + 1 < nr:
                    yb = int(ys[i + 1])
                    seg = hz[max(0, yb - band):yb + band + 1, x0 + band:x1 - band].any(axis=0)
                    if seg.size == 0 or seg.mean() < 0.5:
                        parent[find((i + 1) * nc + j)] = find(i * nc + j)
        groups: dict[int, list[tuple[int, int]]] = {}
        for i in range(nr):
            for j in range(nc):
                groups.setdefault(find(i * nc + j), []).append((i, j))
        cells = []
        for units in groups.values():
            i0, i1 = min(u[0] for u in units), max(u[0] for u in units)
            j0, j1 = min(u[1] for u in units), max(u[1] for u in units)
            cells.append((x + xs[j0], y + ys[i0], x + xs[j1 + 1], y + ys[i1 + 1]))
        tables.append(cells)
    return tables


def truth_tables(pdf: Path) -> list[list[list[tuple]]]:
    import pdfplumber

    with pdfplumber.open(str(pdf)) as doc:
        return [[list(t.cells) for t in p.find_tables()] for p in doc.pages]


def compare(truth: list[list[tuple]], found: list[list[tuple]], tol: float) -> dict:
    tcells = [c for t in truth for c in t]
    fcells = [c for t in found for c in t]
    matched = sum(any(all(abs(a - b) <= tol for a, b in zip(tc, fc, strict=False)) for fc in fcells) for tc in tcells)
    tables_ok = 0
    for t in truth:
        ok = any(len(f) == len(t) and all(any(all(abs(a - b) <= tol for a, b in zip(tc, fc, strict=False)) for fc in f)
                                         for tc in t) for f in found)
        tables_ok += ok
    return {"truth_cells": len(tcells), "found_cells": len(fcells), "matched": matched,
            "truth_tables": len(truth), "found_tables": len(found), "tables_exact": tables_ok}


def summarize(path: str) -> None:
    from collections import defaultdict

    rows = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()]
    by = defaultdict(list)
    for r in rows:
        by[(r["dpi"], r["cond"])].append(r)
    print("| dpi | cond | pages | tables exact (rows×cols and every cell ±2 pt) | truth cells matched | extra cells found | "
          "skew error (mean / max °) | s/page |")
    print("|---|---|---|---|---|---|---|---|")
    for k in sorted(by):
        g = by[k]
        te, tt = sum(r["tables_exact"] for r in g), sum(r["truth_tables"] for r in g)
        m, tc = sum(r["matched"] for r in g), sum(r["truth_cells"] for r in g)
        extra = sum(max(0, r["found_cells"] - r["matched"]) for r in g)
        errs = [abs(r["true_angle"] + r["est_angle"]) for r in g]
        print(f"| {k[0]} | {k[1]} | {len(g)} | {te}/{tt} ({100 * te / tt:.0f}%) | {m}/{tc} ({100 * m / tc:.1f}%) | "
              f"{extra} | {np.mean(errs):.2f} / {max(errs):.2f} | {np.mean([r['secs'] for r in g]):.2f} |")


def main() -> None:
    if sys.argv[1:2] == ["summary"]:
        summarize(sys.argv[2])
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--pdfs", nargs="+", required=True)
    ap.add_argument("--dpis", nargs="+", type=int, default=[150, 200, 300])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="/tmp/scans/structure.jsonl")
    args = ap.parse_args()
    conds = {"clean": (), "scan": ("seal", "lighting", "skew", "blur", "noise", "jpeg"),
             "photo": ("seal", "lighting", "perspective", "blur", "noise", "jpeg")}
    with open(args.out, "a", encoding="utf-8") as out:
        for pdf in map(Path, args.pdfs):
            truth = truth_tables(pdf)
            for dpi in args.dpis:
                s = dpi / 72
                for pno, img in enumerate(render_pdf(pdf, dpi)):
                    if not truth[pno]:
                        continue
                    tt = [[tuple(v * s for v in c) for c in t] for t in truth[pno]]
                    for cond, effects in conds.items():
                        d = degrade(img, args.seed, dpi, effects, page=pno,
                                    photo_rate=1.0 if cond == "photo" else 0.0)
                        rgb = np.asarray(d.image)
                        t0 = time.perf_counter()
                        rgb, rectified = rectify_photo(rgb)
                        angle = skew_angle(binarize(to_grey(rgb), dpi))
                        if abs(angle) >= 0.05:
                            rgb = rotate(rgb, angle)
                        found = detect_tables(rgb, dpi)
                        dt = time.perf_counter() - t0
                        r = compare(tt, found, tol=2 * s)
                        true_angle = d.applied.get("skew", {}).get("angle", 0.0)
                        rec = {"pdf": pdf.name, "page": pno, "dpi": dpi, "cond": cond, "secs": round(dt, 3),
                               "true_angle": true_angle, "est_angle": round(angle, 3), "rectified": rectified, **r}
                        out.write(json.dumps(rec) + "\n")
                        out.flush()
                        print(json.dumps(rec), flush=True)


if __name__ == "__main__":
    main()
