"""OCR engines compared on the same rendered pages of ruled PDFs whose text layer is the truth.

    python tools/scans/compare_engines.py run --pdfs A.pdf ... --dpis 150 200 300 --conds clean degraded \
        --engines rapid_rec rapid_det rapid_page tess tess_digits --out R.jsonl [--seed 1] [--tess-sample 40]
    python tools/scans/compare_engines.py summary R.jsonl ... > tables.md

Truth: pdfplumber's `find_tables()` on the page gives every cell's bbox; the cell's text is the text
layer inside it. Each cell is cropped from the rendered page (bbox scaled to pixels, 1 pt inside the
rules, 6 px white pad) and OCR'd:

* rapid_rec   RapidOCR (rapidocr-onnxruntime 1.4.4, PP-OCRv4) recognition only on the crop
* rapid_det   RapidOCR det+cls+rec on the crop (handles multi-line cells), texts joined top→bottom
* rapid_page  RapidOCR det+rec on the whole page; recognised boxes assigned to the cell holding
              their centre (can structure come from OCR boxes?)
* tess        tesseract 5 chi_sim, --psm 7 (one line) for numbers, --psm 6 (block) for labels
* tess_digits tesseract chi_sim --psm 7 with a digits whitelist, numeric cells only

"degraded" pages get seal (anchored in a table), lighting, blur, noise and JPEG (40–75) from
degrade.py and a residual rotation of ±0.1–0.3° (what is left after deskewing; skew and perspective
themselves are measured in structure.py). Every engine is single-threaded (per-core timings).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tools.scans.degrade import degrade, render_pdf

NUMERIC = re.compile(r"^[0-9]+(\.[0-9]+)?$")
CJK = re.compile(r"[\u4e00-\u9fff]")
PUNCT = re.compile(r"[^0-9A-Za-z\u4e00-\u9fff]|丶")  # what label matching ignores anyway


def norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def edit_similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return 1 - prev[-1] / max(len(a), len(b))


# --- truth --------------------------------------------------------------------------------------

def truth_cells(pdf_path: Path) -> list[dict]:
    """Every non-empty table cell: page, bbox (pt), text, kind (numeric/label/symbol/rotated),
    lines (text lines in the cell)."""
    import pdfplumber

    cells = []
    with pdfplumber.open(str(pdf_path)) as pdf:
        for pno, page in enumerate(pdf.pages):
            seen = set()
            for ti, table in enumerate(page.find_tables()):
                for bbox in table.cells:
                    key = tuple(round(v, 1) for v in bbox)
                    if key in seen:
                        continue
                    seen.add(key)
                    x0, y0, x1, y1 = bbox
                    sub = page.filter(lambda o, x0=x0, y0=y0, x1=x1, y1=y1: o.get("object_type") != "char" or (
                        x0 <= (o["x0"] + o["x1"]) / 2 <= x1 and y0 <= (o["top"] + o["bottom"]) / 2 <= y1))
                    chars = [c for c in sub.chars if c["text"].strip()]
                    if not chars:
                        continue
                    text = sub.extract_text() or ""
                    t = norm(text)
                    if any(not c.get("upright", True) for c in chars):
                        kind = "rotated"
                    elif NUMERIC.match(t):
                        kind = "numeric"
                    elif CJK.search(t):
                        kind = "label"
                    else:
                        kind = "symbol"
                    cells.append({"page": pno, "table": ti, "bbox": bbox, "text": t, "kind": kind,
                                  "lines": len([ln for ln in text.splitlines() if ln.strip()]),
                                  "table_bbox": table.bbox})
    return cells


# --- engines ------------------------------------------------------------------------------------

class Engines:
    def __init__(self):
        self._rapid = None

    @property
    def rapid(self):
        if self._rapid is None:
            from rapidocr_onnxruntime import RapidOCR

            self._rapid = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, max_side_len=4000)
        return self._rapid

    def rapid_rec(self, crop: np.ndarray) -> tuple[str, float]:
        res, _ = self.rapid(crop, use_det=False, use_cls=False, use_rec=True)
        if not res:
            return "", 0.0
        return res[0][0], float(res[0][1])

    def rapid_det(self, crop: np.ndarray) -> tuple[str, float]:
        res, _ = self.rapid(crop, use_det=True, use_cls=True, use_rec=True)
        if not res:
            return "", 0.0
        res = sorted(res, key=lambda r: (round(min(p[1] for p in r[0]) / 12), min(p[0] for p in r[0])))
        return "".join(r[1] for r in res), min(float(r[2]) for r in res)

    def tess(self, crop: np.ndarray, numeric: bool, digits: bool = False) -> tuple[str, float]:
        import pytesseract

        psm = 7 if numeric or digits else 6
        cfg = f"--psm {psm}" + (" -c tessedit_char_whitelist=0123456789." if digits else "")
        d = pytesseract.image_to_data(Image.fromarray(crop), lang="chi_sim", config=cfg,
                                      output_type=pytesseract.Output.DICT)
        words = [(w, float(c)) for w, c in zip(d["text"], d["conf"], strict=False) if w.strip() and float(c) >= 0]
        if not words:
            return "", 0.0
        return "".join(w for w, _ in words), min(c for _, c in words) / 100

    def rapid_line(self, crop: np.ndarray) -> tuple[str, float]:
        """Text lines found from the ink (cheap, no det model), each recognised (one rec batch)."""
        lines = text_lines(crop)
        if not lines:
            return "", 0.0  # no ink found: a blank cell (the product would check ink before calling it blank)
        res, _ = self.rapid.text_rec(lines)
        texts = [(t, float(c)) for t, c in res]
        return "".join(t for t, _ in texts), min(c for _, c in texts)

    def tess_line(self, crop: np.ndarray, numeric: bool) -> tuple[str, float]:
        lines = text_lines(crop)
        if not lines:
            return "", 0.0
        out = [self.tess(ln, True, digits=numeric) for ln in lines]
        return "".join(t for t, _ in out), min(c for _, c in out)

    def rapid_page(self, page: np.ndarray) -> list[tuple[list, str, float]]:
        res, _ = self.rapid(page, use_det=True, use_cls=False, use_rec=True)
        return res or []


def text_lines(crop: np.ndarray, pad: int = 4) -> list[np.ndarray]:
    """The cell's text lines as tight crops: grey = max(R,G,B) (seal ink → light), Otsu ink mask
    with specks removed, rows/columns that are mostly ink (leftover rules) cleared, rows grouped
    into lines by the horizontal ink profile."""
    import cv2

    rgb = crop.astype(np.int16)
    grey = rgb.max(axis=2)
    red = (rgb[..., 0] - np.maximum(rgb[..., 1], rgb[..., 2])) > 35  # seal ink (black under it stays dark)
    grey = np.where(red, 255, grey).astype(np.uint8)
    grey = cv2.GaussianBlur(grey, (3, 3), 0)  # no median: it erases 150-dpi strokes
    paper = float(np.percentile(grey, 90))
    if paper - float(grey.min()) < 40:
        return []
    _, ink = cv2.threshold(grey, 0, 1, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    ink &= (grey < paper - 40).astype(ink.dtype)
    h, w = ink.shape
    # leftover rules along the crop's edges: long thin runs (opening) lying near an edge, removed
    # with a pixel of margin (a rule left in a number's crop reads as a "1")
    edge = 6 + 6
    hr = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (max(3, int(0.3 * w)), 1)))
    vr = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(3, int(0.3 * h)))))
    rules = np.zeros_like(ink)
    for mask, vertical in ((hr, False), (vr, True)):
        n, lab, st, _ = cv2.connectedComponentsWithStats(mask)
        for k in range(1, n):
            x, y, bw, bh, _ = st[k]
            near = (x <= edge or x + bw >= w - edge) if vertical else (y <= edge or y + bh >= h - edge)
            if near:
                rules[lab == k] = 1
    ink[cv2.dilate(rules, np.ones((3, 3), np.uint8)) > 0] = 0
    n, lab, st, _ = cv2.connectedComponentsWithStats(ink)
    keep = np.zeros(n, bool)
    keep[1:] = st[1:, cv2.CC_STAT_AREA] >= 4
    ink = keep[lab]
    rows = ink.any(axis=1)
    spans, start = [], None
    for y, on in enumerate([*list(rows), False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            spans.append([start, y])
            start = None
    # merge spans split inside a character (gaps of 1–2 px), drop specks
    merged = []
    for sp in spans:
        if merged and sp[0] - merged[-1][1] <= 2:
            merged[-1][1] = sp[1]
        else:
            merged.append(sp)
    if not merged:
        return []
    tallest = max(b - a for a, b in merged)
    out = []
    for a, b in merged:
        if b - a < 0.3 * tallest:
            continue
        cols = np.where(ink[a:b].any(axis=0))[0]
        x0, x1 = max(0, cols[0] - pad), min(w, cols[-1] + 1 + pad)
        y0, y1 = max(0, a - pad), min(h, b + pad)
        out.append(np.ascontiguousarray(crop[y0:y1, x0:x1]))
    return out


# --- the run ------------------------------------------------------------------------------------

def crop_of(img: np.ndarray, box_px: tuple[float, float, float, float], inset: float, pad: int = 6) -> np.ndarray:
    x0, y0, x1, y1 = box_px
    h, w = img.shape[:2]
    x0, y0 = max(0, math.floor(x0 + inset)), max(0, math.floor(y0 + inset))
    x1, y1 = min(w, math.ceil(x1 - inset)), min(h, math.ceil(y1 - inset))
    c = img[y0:max(y1, y0 + 1), x0:max(x1, x0 + 1)]
    return np.pad(c, ((pad, pad), (pad, pad), (0, 0)), constant_values=255)


def page_image(pdf: Path, pno: int, dpi: int, cond: str, seed: int, cells: list[dict]):
    img = render_pdf(pdf, dpi, [pno])[0]
    if cond == "clean":
        return np.asarray(img), np.eye(3), {}
    rng = random.Random(f"{seed}:{pdf.name}:{pno}:anchor")
    tables = sorted({c["table_bbox"] for c in cells if c["page"] == pno})
    anchor = None
    if tables:
        tb = rng.choice(tables)
        anchor = (rng.uniform(tb[0], tb[2]) * dpi / 72, rng.uniform(tb[1], tb[3]) * dpi / 72)
    d = degrade(img, seed, dpi, ("seal", "lighting", "blur", "noise"), page=pno, seal_anchor=anchor)
    # residual rotation after deskew
    angle = rng.choice((-1, 1)) * rng.uniform(0.1, 0.3)
    w, h = d.image.size
    rot = d.image.rotate(angle, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    t = math.radians(angle)
    cx, cy = w / 2, h / 2
    m = np.array([[math.cos(t), math.sin(t), cx - math.cos(t) * cx - math.sin(t) * cy],
                  [-math.sin(t), math.cos(t), cy + math.sin(t) * cx - math.cos(t) * cy], [0, 0, 1]])
    from tools.scans.degrade import _jpeg
    q_img, q = _jpeg(rot, random.Random(f"{seed}:{pno}:jpeg"))
    d.applied["jpeg"], d.applied["residual_rotation"] = q, round(angle, 3)
    return np.asarray(q_img), m @ d.matrix, d.applied


def map_box(m: np.ndarray, box) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    pts = [m @ np.array([x, y, 1.0]) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
    xs, ys = [p[0] / p[2] for p in pts], [p[1] / p[2] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def run(args) -> None:
    eng = Engines()
    eng.rapid_rec(np.full((48, 100, 3), 255, np.uint8))  # load models outside the timings
    with open(args.out, "a", encoding="utf-8") as out:
        _run(args, eng, out)


def _run(args, eng: Engines, out) -> None:
    for pdf in map(Path, args.pdfs):
        cells = truth_cells(pdf)
        pages = sorted({c["page"] for c in cells})
        for dpi in args.dpis:
            s = dpi / 72
            for cond in args.conds:
                for pno in pages:
                    img, m, applied = page_image(pdf, pno, dpi, cond, args.seed, cells)
                    scale = np.diag([s, s, 1.0])
                    mm = m @ scale
                    seal = applied.get("seal")
                    pcells = [c for c in cells if c["page"] == pno]
                    rng = random.Random(f"{args.seed}:{pdf.name}:{pno}:{dpi}:{cond}")
                    tess_cells = set()
                    for kind in ("numeric", "label"):
                        idx = [i for i, c in enumerate(pcells) if c["kind"] == kind]
                        tess_cells |= set(rng.sample(idx, min(len(idx), args.tess_sample)))
                    base = {"pdf": pdf.name, "page": pno, "dpi": dpi, "cond": cond}
                    for i, c in enumerate(pcells):
                        box = map_box(mm, c["bbox"])
                        crop = crop_of(img, box, inset=args.inset * s)
                        under_seal = bool(seal) and math.dist(((box[0] + box[2]) / 2, (box[1] + box[3]) / 2),
                                                              seal["centre"]) < seal["r"]
                        rec = {**base, "kind": c["kind"], "lines": c["lines"], "truth": c["text"],
                               "under_seal": under_seal}
                        for e in args.engines:
                            if e == "rapid_page":
                                continue
                            if e in ("tess", "tess_digits", "rapid_det", "tess_line") and i not in tess_cells:
                                continue
                            if e == "tess_digits" and c["kind"] != "numeric":
                                continue
                            t0 = time.perf_counter()
                            if e == "rapid_rec":
                                text, conf = eng.rapid_rec(crop)
                            elif e == "rapid_det":
                                text, conf = eng.rapid_det(crop)
                            elif e == "tess":
                                text, conf = eng.tess(crop, c["kind"] == "numeric")
                            elif e == "rapid_line":
                                text, conf = eng.rapid_line(crop)
                            elif e == "tess_line":
                                text, conf = eng.tess_line(crop, c["kind"] == "numeric")
                            elif e == "tess_digits":
                                text, conf = eng.tess(crop, True, digits=True)
                            dt = time.perf_counter() - t0
                            out.write(json.dumps({**rec, "engine": e + args.tag, "pred": norm(text), "conf": round(conf, 4),
                                                  "secs": round(dt, 4)}, ensure_ascii=False) + "\n")
                    if "rapid_page" in args.engines:
                        t0 = time.perf_counter()
                        boxes = eng.rapid_page(img)
                        dt = time.perf_counter() - t0
                        cell_px = [map_box(mm, c["bbox"]) for c in pcells]
                        assigned = defaultdict(list)
                        straddle = 0
                        for quad, text, conf in boxes:
                            xs, ys = [p[0] for p in quad], [p[1] for p in quad]
                            bx = (min(xs), min(ys), max(xs), max(ys))
                            cxy = ((bx[0] + bx[2]) / 2, (bx[1] + bx[3]) / 2)
                            hits = [j for j, cb in enumerate(cell_px)
                                    if _overlap(bx, cb) > 0.2 * max(1.0, (bx[2] - bx[0]) * (bx[3] - bx[1]))]
                            straddle += len(hits) > 1
                            for j, cb in enumerate(cell_px):
                                if cb[0] <= cxy[0] <= cb[2] and cb[1] <= cxy[1] <= cb[3]:
                                    assigned[j].append((bx, text, float(conf)))
                                    break
                        for j, c in enumerate(pcells):
                            parts = sorted(assigned.get(j, []), key=lambda p: (round(p[0][1] / (6 * s)), p[0][0]))
                            text = "".join(p[1] for p in parts)
                            conf = min((p[2] for p in parts), default=0.0)
                            out.write(json.dumps({**base, "kind": c["kind"], "lines": c["lines"], "truth": c["text"],
                                                  "under_seal": False, "engine": "rapid_page", "pred": norm(text),
                                                  "conf": round(conf, 4), "secs": 0}, ensure_ascii=False) + "\n")
                        out.write(json.dumps({**base, "engine": "rapid_page", "kind": "_page", "secs": round(dt, 3),
                                              "boxes": len(boxes), "straddling": straddle}) + "\n")
                    out.flush()
                    print(pdf.name, dpi, cond, pno, flush=True)


def _overlap(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


# --- summary ------------------------------------------------------------------------------------

def summary(paths: list[str]) -> None:
    rows = [json.loads(line) for p in paths for line in Path(p).read_text(encoding="utf-8").splitlines()]
    cells = [r for r in rows if r.get("kind") not in ("_page",)]
    pages = [r for r in rows if r.get("kind") == "_page"]
    n_cells_page = defaultdict(int)
    for r in cells:
        if r["engine"] in ("rapid_rec", "rapid_line"):
            n_cells_page[(r["pdf"], r["page"], r["dpi"], r["cond"])] += 1
    avg_cells = np.mean(list(n_cells_page.values())) if n_cells_page else 0

    print(f"cells per page with text (avg): {avg_cells:.1f}\n")
    print("| engine | dpi | cond | numeric exact | n | label exact | label exact, punct. ignored | label edit sim | n | "
          "multi-line label exact | under seal (num+label) exact | s/cell | s/page/core |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    groups = defaultdict(list)
    for r in cells:
        groups[(r["engine"], r["dpi"], r["cond"])].append(r)
    for key in sorted(groups):
        g = groups[key]
        num = [r for r in g if r["kind"] == "numeric"]
        lab = [r for r in g if r["kind"] == "label"]
        ml = [r for r in lab if r["lines"] > 1]
        seal = [r for r in g if r["under_seal"] and r["kind"] in ("numeric", "label")]
        ex = lambda rs: f"{100 * np.mean([r['pred'] == r['truth'] for r in rs]):.1f}%" if rs else "–"  # noqa: E731
        sim = f"{np.mean([edit_similarity(r['pred'], r['truth']) for r in lab]):.3f}" if lab else "–"
        bare = (f"{100 * np.mean([PUNCT.sub('', r['pred']) == PUNCT.sub('', r['truth']) for r in lab]):.1f}%"
                if lab else "–")
        if key[0] == "rapid_page":
            ps = [p["secs"] for p in pages if (p["dpi"], p["cond"]) == key[1:]]
            spc, spp = "–", f"{np.mean(ps):.2f}" if ps else "–"
        else:
            spc_v = np.mean([r["secs"] for r in g if r["kind"] in ("numeric", "label", "symbol", "rotated")])
            spc, spp = f"{spc_v:.3f}", f"{spc_v * avg_cells:.1f}"
        print(f"| {key[0]} | {key[1]} | {key[2]} | {ex(num)} | {len(num)} | {ex(lab)} | {bare} | {sim} | {len(lab)} | "
              f"{ex(ml)} | {ex(seal)} ({len(seal)}) | {spc} | {spp} |")

    print("\n### Digit confusions (numeric cells, wrong reads: truth → read, count)\n")
    for eng in sorted({r["engine"] for r in cells}):
        wrong = [r for r in cells if r["engine"] == eng and r["kind"] == "numeric" and r["pred"] != r["truth"]]
        conf = defaultdict(int)
        for r in wrong:
            conf[(r["truth"], r["pred"])] += 1
        top = sorted(conf.items(), key=lambda kv: -kv[1])[:14]
        subs = defaultdict(int)
        for r in wrong:
            if len(r["pred"]) == len(r["truth"]):
                for a, b in zip(r["truth"], r["pred"], strict=False):
                    if a != b:
                        subs[f"{a}→{b}"] += 1
            elif not r["pred"]:
                subs["→(nothing)"] += 1
            else:
                subs["length differs"] += 1
        n = sum(1 for r in cells if r["engine"] == eng and r["kind"] == "numeric")
        print(f"* **{eng}** ({len(wrong)} wrong of {n}): substitutions "
              + ", ".join(f"{k} {v}" for k, v in sorted(subs.items(), key=lambda kv: -kv[1])[:12])
              + "; e.g. " + ", ".join(f"`{a}`→`{b}` ×{c}" for (a, b), c in top[:8]))

    print("\n### Confidence: right vs wrong numeric reads\n")
    print("| engine | right: n, min, p1, p5, median | wrong: n, median, p95, max | "
          "wrong reads with conf ≥ t, for t = 0.80 / 0.90 / 0.95 / 0.98 | right reads below t (same t) |")
    print("|---|---|---|---|---|")
    for eng in sorted({r["engine"] for r in cells}):
        num = [r for r in cells if r["engine"] == eng and r["kind"] == "numeric"]
        right = np.array([r["conf"] for r in num if r["pred"] == r["truth"]])
        wrong = np.array([r["conf"] for r in num if r["pred"] != r["truth"]])
        if not len(right):
            continue
        q = lambda a, p: f"{np.percentile(a, p):.3f}" if len(a) else "–"  # noqa: E731
        ts = (0.80, 0.90, 0.95, 0.98)
        wa = " / ".join(str(int((wrong >= t).sum())) for t in ts)
        rb = " / ".join(f"{100 * (right < t).mean():.1f}%" for t in ts)
        print(f"| {eng} | {len(right)}, {right.min():.3f}, {q(right, 1)}, {q(right, 5)}, {q(right, 50)} | "
              f"{len(wrong)}, {q(wrong, 50)}, {q(wrong, 95)}, {wrong.max() if len(wrong) else 0:.3f} | {wa} | {rb} |")

    if pages:
        print("\n### Whole-page OCR boxes (rapid_page)\n")
        print("| dpi | cond | pages | boxes/page | boxes straddling >1 truth cell |")
        print("|---|---|---|---|---|")
        by = defaultdict(list)
        for p in pages:
            by[(p["dpi"], p["cond"])].append(p)
        for k in sorted(by):
            ps = by[k]
            b = sum(p["boxes"] for p in ps)
            s = sum(p["straddling"] for p in ps)
            print(f"| {k[0]} | {k[1]} | {len(ps)} | {b / len(ps):.0f} | {s} ({100 * s / max(1, b):.1f}%) |")

    print("\n### Wrong high-confidence numeric reads (conf ≥ 0.9)\n")
    bad = [r for r in cells if r["kind"] == "numeric" and r["pred"] != r["truth"] and r["conf"] >= 0.9]
    for r in bad[:25]:
        print(f"* {r['engine']} {r['dpi']} {r['cond']} {r['pdf']} p{r['page']}: `{r['truth']}` read `{r['pred']}` "
              f"conf {r['conf']}{' (under seal)' if r['under_seal'] else ''}")


def bench(args) -> None:
    """CPU seconds per page (this process + children: robust to other load on the machine), each
    engine single-threaded, over every cell of the given pages (no sampling)."""
    import resource

    def cpu() -> float:
        me, ch = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return me.ru_utime + me.ru_stime + ch.ru_utime + ch.ru_stime

    eng = Engines()
    eng.rapid_rec(np.full((48, 100, 3), 255, np.uint8))
    eng.rapid_det(np.full((48, 100, 3), 255, np.uint8))
    pdf = Path(args.pdf)
    cells = truth_cells(pdf)
    pages = sorted({c["page"] for c in cells})[: args.pages]
    for dpi in args.dpis:
        s = dpi / 72
        totals = defaultdict(float)
        n = 0
        for pno in pages:
            img, m, _ = page_image(pdf, pno, dpi, "degraded", args.seed, cells)
            mm = m @ np.diag([s, s, 1.0])
            crops = [(c, crop_of(img, map_box(mm, c["bbox"]), inset=args.inset * s)) for c in cells if c["page"] == pno]
            n += len(crops)
            for e in args.engines:
                t0, w0 = cpu(), time.perf_counter()
                if e == "rapid_page":
                    eng.rapid_page(img)
                else:
                    for c, crop in crops:
                        if e == "rapid_rec":
                            eng.rapid_rec(crop)
                        elif e == "rapid_line":
                            eng.rapid_line(crop)
                        elif e == "tess_line":
                            eng.tess_line(crop, c["kind"] == "numeric")
                        elif e == "rapid_det":
                            eng.rapid_det(crop)
                        else:
                            eng.tess(crop, c["kind"] == "numeric")
                totals[e] += cpu() - t0
                totals[e + "_wall"] += time.perf_counter() - w0
        k = len(pages)
        print(json.dumps({"pdf": pdf.name, "dpi": dpi, "pages": k, "cells_per_page": round(n / k, 1),
                          **{e: round(v / k, 2) for e, v in totals.items()}}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--pdfs", nargs="+", required=True)
    r.add_argument("--dpis", nargs="+", type=int, default=[150, 200, 300])
    r.add_argument("--conds", nargs="+", default=["clean", "degraded"])
    r.add_argument("--engines", nargs="+", default=["rapid_rec", "rapid_det", "rapid_page", "tess", "tess_digits"])
    r.add_argument("--seed", type=int, default=1)
    r.add_argument("--tess-sample", type=int, default=15,
                   help="cells per kind per page for tess, tess_digits, tess_line and rapid_det (slow)")
    r.add_argument("--inset", type=float, default=1.0, help="pt cut off each side of the cell box (the rules)")
    r.add_argument("--tag", default="", help="appended to engine names in the output (variants)")
    r.add_argument("--out", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--pdf", required=True)
    b.add_argument("--dpis", nargs="+", type=int, default=[150, 200, 300])
    b.add_argument("--pages", type=int, default=2)
    b.add_argument("--inset", type=float, default=0.0)
    b.add_argument("--engines", nargs="+", default=["rapid_line", "tess_line", "rapid_rec", "tess", "rapid_page"])
    b.add_argument("--seed", type=int, default=1)
    s = sub.add_parser("summary")
    s.add_argument("paths", nargs="+")
    args = ap.parse_args()
    {"run": run, "bench": bench, "summary": lambda a: summary(a.paths)}[args.cmd](args)


if __name__ == "__main__":
    main()
