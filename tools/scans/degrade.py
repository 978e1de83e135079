"""Render PDF pages to images and degrade them the way real scans and phone photos of printed
reports are: grey-level noise, slight blur, JPEG artefacts, skew, a red round official seal (公章)
stamped over part of a table, uneven lighting, and for some pages a perspective warp (photographed at
a slant). Pillow + numpy only; deterministic per seed (and page number).

Every degradation returns the image plus the 3x3 matrix mapping original page pixels to degraded ones
(`Degraded.matrix`), so a test can map truth boxes onto the degraded image.
"""

from __future__ import annotations

import io
import math
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

ALL_EFFECTS = ("lighting", "seal", "skew", "perspective", "blur", "noise", "jpeg")
# what a flatbed scan of a stamped report does; "perspective" is drawn only for some pages (photo)
DEFAULT_EFFECTS = ALL_EFFECTS


@dataclass
class Degraded:
    image: Image.Image
    matrix: np.ndarray = field(default_factory=lambda: np.eye(3))  # original px -> degraded px
    applied: dict = field(default_factory=dict)  # effect -> its parameters

    def map_point(self, x: float, y: float) -> tuple[float, float]:
        v = self.matrix @ np.array([x, y, 1.0])
        return float(v[0] / v[2]), float(v[1] / v[2])

    def map_box(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """The axis-aligned box around the mapped corners of `box` (x0, y0, x1, y1)."""
        x0, y0, x1, y1 = box
        pts = [self.map_point(x, y) for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1))]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        return min(xs), min(ys), max(xs), max(ys)


def render_pdf(path: Path | str, dpi: int, pages: list[int] | None = None) -> list[Image.Image]:
    """The PDF's pages as RGB images at `dpi` (PDFium, as a scanner's output would be)."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        indices = range(len(pdf)) if pages is None else pages
        return [pdf[i].render(scale=dpi / 72).to_pil().convert("RGB") for i in indices]
    finally:
        pdf.close()


# --- single effects ---------------------------------------------------------------------------

def _lighting(img: Image.Image, rng: random.Random) -> tuple[Image.Image, dict]:
    """A smooth brightness gradient (a lamp off to one side, paper not flat): 0.72–1.0 of the light."""
    w, h = img.size
    cx, cy = rng.uniform(-0.3, 1.3) * w, rng.uniform(-0.3, 1.3) * h
    low = rng.uniform(0.72, 0.88)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    d = np.sqrt((xx - cx) ** 2 + (yy - cy) ** 2)
    gain = 1.0 - (1.0 - low) * (d / d.max())
    tint = np.array([1.0, rng.uniform(0.97, 1.0), rng.uniform(0.90, 0.98)], dtype=np.float32)  # yellowish paper
    arr = np.asarray(img, dtype=np.float32) * gain[..., None] * tint
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), {"low": round(low, 3)}


def _seal(img: Image.Image, rng: random.Random, dpi: int, anchor: tuple[float, float] | None = None
          ) -> tuple[Image.Image, dict]:
    """A red round seal (公章): double ring, a star, an arc of character-like strokes and a bar of
    strokes below, semi-transparent and slightly uneven in ink, centred on `anchor` (px) or at random
    in the lower half of the page."""
    w, h = img.size
    r = int(dpi * rng.uniform(0.78, 0.85))  # 4.0–4.2 cm across, as official seals are
    cx, cy = anchor if anchor else (rng.uniform(0.45, 0.8) * w, rng.uniform(0.35, 0.85) * h)
    size = 2 * r + 8
    mask = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(mask)
    c = size / 2
    ring = max(3, r // 18)
    d.ellipse([c - r, c - r, c + r, c + r], outline=255, width=ring)
    # a five-pointed star
    star = []
    for k in range(10):
        rad = r * (0.28 if k % 2 == 0 else 0.11)
        a = -math.pi / 2 + k * math.pi / 5
        star.append((c + rad * math.cos(a), c + rad * math.sin(a)))
    d.polygon(star, fill=255)
    # "characters" along the upper arc: little boxes of strokes, radially oriented
    n_chars = rng.randint(9, 14)
    stroke = max(2, r // 40)
    for i in range(n_chars):
        a = math.pi * (1.1 + 0.8 * i / (n_chars - 1))
        ch = r * 0.16
        px, py = c + (r * 0.72) * math.cos(a), c + (r * 0.72) * math.sin(a)
        for _ in range(rng.randint(3, 6)):
            x0, y0 = px + rng.uniform(-ch / 2, ch / 2), py + rng.uniform(-ch / 2, ch / 2)
            if rng.random() < 0.5:
                d.line([x0, y0, x0 + rng.uniform(-ch / 2, ch / 2), y0], fill=255, width=stroke)
            else:
                d.line([x0, y0, x0, y0 + rng.uniform(-ch / 2, ch / 2)], fill=255, width=stroke)
    # a short line of strokes under the star (the seal's lower text)
    for i in range(rng.randint(3, 5)):
        x0 = c - r * 0.3 + i * r * 0.15
        d.rectangle([x0, c + r * 0.35, x0 + r * 0.09, c + r * 0.37 + stroke], fill=255)
        d.line([x0 + r * 0.045, c + r * 0.3, x0 + r * 0.045, c + r * 0.5], fill=255, width=stroke)
    mask = mask.rotate(rng.uniform(-25, 25), resample=Image.BICUBIC)
    # uneven ink: multiply by low-frequency noise
    m = np.asarray(mask, dtype=np.float32) / 255.0
    noise = np.asarray(Image.fromarray((np.random.default_rng(rng.randrange(2**32)).random((8, 8)) * 255)
                                       .astype(np.uint8)).resize((size, size), Image.BICUBIC), dtype=np.float32) / 255
    alpha = m * (0.45 + 0.35 * noise) * rng.uniform(0.8, 1.0)
    red = np.array([rng.uniform(200, 235), rng.uniform(20, 60), rng.uniform(30, 60)], dtype=np.float32)
    arr = np.asarray(img, dtype=np.float32).copy()
    x0, y0 = int(cx - size / 2), int(cy - size / 2)
    sx0, sy0, sx1, sy1 = max(0, -x0), max(0, -y0), min(size, w - x0), min(size, h - y0)
    if sx1 > sx0 and sy1 > sy0:
        region = arr[y0 + sy0:y0 + sy1, x0 + sx0:x0 + sx1]
        a = alpha[sy0:sy1, sx0:sx1, None]
        # ink multiplies with what is under it (a stamp on printed text: text stays dark)
        inked = region * (red / 255.0)
        arr[y0 + sy0:y0 + sy1, x0 + sx0:x0 + sx1] = region * (1 - a) + inked * a
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), {"centre": (round(cx), round(cy)), "r": r}


def _skew(img: Image.Image, rng: random.Random) -> tuple[Image.Image, dict, np.ndarray]:
    """Rotate by ±0.5–2° about the centre (a page fed crooked), canvas kept, corners filled white."""
    angle = rng.choice((-1, 1)) * rng.uniform(0.5, 2.0)
    w, h = img.size
    out = img.rotate(angle, resample=Image.BICUBIC, fillcolor=(255, 255, 255))
    t = math.radians(angle)  # PIL rotates counter-clockwise for positive angles (y axis down)
    cx, cy = w / 2, h / 2
    cos, sin = math.cos(t), math.sin(t)
    m = np.array([[cos, sin, cx - cos * cx - sin * cy], [-sin, cos, cy + sin * cx - cos * cy], [0, 0, 1]])
    return out, {"angle": round(angle, 3)}, m


def _perspective(img: Image.Image, rng: random.Random) -> tuple[Image.Image, dict, np.ndarray]:
    """A page photographed at a slant: each corner pulled in by up to 6% of the side, grey surround."""
    w, h = img.size
    j = lambda s: rng.uniform(0.01, 0.06) * s  # noqa: E731
    dst = [(j(w), j(h)), (w - j(w), j(h)), (w - j(w), h - j(h)), (j(w), h - j(h))]
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    fwd = _homography(src, dst)  # original -> photo
    inv = np.linalg.inv(fwd)
    coeffs = (inv / inv[2, 2]).flatten()[:8]
    out = img.transform((w, h), Image.PERSPECTIVE, tuple(coeffs), resample=Image.BICUBIC, fillcolor=(96, 96, 92))
    return out, {"corners": [tuple(round(v) for v in p) for p in dst]}, fwd


def _homography(src, dst) -> np.ndarray:
    a = []
    for (x, y), (u, v) in zip(src, dst, strict=False):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y, -u])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y, -v])
    _, _, vt = np.linalg.svd(np.array(a, dtype=np.float64))
    hm = vt[-1].reshape(3, 3)
    return hm / hm[2, 2]


def _blur(img: Image.Image, rng: random.Random, dpi: int) -> tuple[Image.Image, dict]:
    radius = rng.uniform(0.3, 0.8) * dpi / 200
    return img.filter(ImageFilter.GaussianBlur(radius)), {"radius": round(radius, 2)}


def _noise(img: Image.Image, rng: random.Random) -> tuple[Image.Image, dict]:
    """Grey-level sensor noise plus a sprinkling of dust specks."""
    sigma = rng.uniform(4, 12)
    g = np.random.default_rng(rng.randrange(2**32))
    arr = np.asarray(img, dtype=np.float32)
    arr = arr + g.normal(0, sigma, arr.shape[:2])[..., None]
    n_specks = int(arr.shape[0] * arr.shape[1] * 2e-5)
    ys, xs = g.integers(0, arr.shape[0], n_specks), g.integers(0, arr.shape[1], n_specks)
    arr[ys, xs] = g.uniform(0, 120, (n_specks, 1))
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), {"sigma": round(sigma, 1), "specks": n_specks}


def _jpeg(img: Image.Image, rng: random.Random) -> tuple[Image.Image, dict]:
    q = rng.randint(40, 75)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=q)
    buf.seek(0)
    return Image.open(buf).convert("RGB"), {"quality": q}


def degrade(img: Image.Image, seed: int, dpi: int, effects: tuple[str, ...] = DEFAULT_EFFECTS,
            page: int = 0, seal_anchor: tuple[float, float] | None = None, photo_rate: float = 0.3) -> Degraded:
    """`img` with `effects` applied in the order a page meets them (print → stamp → scan/photo →
    sensor → file). Deterministic per (seed, page). "perspective" is applied to about `photo_rate` of
    pages (a photo instead of a scan); "skew" is then skipped."""
    rng = random.Random(f"{seed}:{page}")
    out = Degraded(img.convert("RGB"))
    photo = "perspective" in effects and rng.random() < photo_rate
    if "seal" in effects:
        out.image, out.applied["seal"] = _seal(out.image, rng, dpi, seal_anchor)
    if "lighting" in effects:
        out.image, out.applied["lighting"] = _lighting(out.image, rng)
    if photo:
        out.image, out.applied["perspective"], m = _perspective(out.image, rng)
        out.matrix = m @ out.matrix
    elif "skew" in effects:
        out.image, out.applied["skew"], m = _skew(out.image, rng)
        out.matrix = m @ out.matrix
    if "blur" in effects:
        out.image, out.applied["blur"] = _blur(out.image, rng, dpi)
    if "noise" in effects:
        out.image, out.applied["noise"] = _noise(out.image, rng)
    if "jpeg" in effects:
        out.image, out.applied["jpeg"] = _jpeg(out.image, rng)
    return out


def save_scanned_pdf(images: list[Image.Image], path: Path, dpi: int) -> None:
    """Images only, no text layer, as a scanner's PDF: each page one JPEG-compressed image."""
    first, *rest = [im.convert("RGB") for im in images]
    first.save(path, "PDF", resolution=dpi, save_all=True, append_images=rest, quality=80)
