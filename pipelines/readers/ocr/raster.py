"""A page image made upright before its structure is read: a photographed page rectified by the paper's
corners, a scanned one deskewed; plus the grey and ink images every later step reads.

Measured in tools/scans/RESULTS.md (structure table): deskew by the angle that maximises the variance of
the row-ink profile recovers the skew to 0.01–0.03°, and rectifying a photo by the paper's four corners
made every table of the photographed pages exact at 200 and 300 dpi. Grey is max(R, G, B): the red ink
of an official seal turns light while black print stays dark, so a seal hides neither rules nor digits.

Every transform is kept as a 3×3 matrix from the original image's pixels to the upright image's, so
that what is found upright can be placed on the page as the file shows it (the review page draws it).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

# A page photographed on a table: the border of the image is darker than paper.
PHOTO_BORDER_GREY = 150
# The paper's quadrilateral must fill at least this share of a photo to be trusted as the page.
MIN_PAPER_SHARE = 0.5
# Skew searched over ±MAX_SKEW degrees, coarse then fine; below MIN_ROTATION the page is left as it is
# (rotating resamples every pixel, softening strokes for nothing).
MAX_SKEW = 3.0
COARSE_STEP, FINE_STEP = 0.25, 0.05
MIN_ROTATION = 0.05


@dataclass
class Upright:
    """A page made upright: its RGB and grey pixels, and the matrix from original to upright pixels."""

    rgb: np.ndarray
    grey: np.ndarray
    matrix: np.ndarray  # 3×3, original px → upright px
    inverse: np.ndarray | None = None

    def to_original(self, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        """Given a box (x0, y0, x1, y1) in upright pixels, return the box around its corners in the original."""
        if self.inverse is None:
            self.inverse = np.linalg.inv(self.matrix)
        inverse = self.inverse
        x0, y0, x1, y1 = box
        corners = np.array([[x0, y0, 1], [x1, y0, 1], [x0, y1, 1], [x1, y1, 1]], dtype=np.float64).T
        mapped = inverse @ corners
        xs, ys = mapped[0] / mapped[2], mapped[1] / mapped[2]
        return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


def grey_of(rgb: np.ndarray) -> np.ndarray:
    """Given RGB pixels, return max(R, G, B): seal red turns light, black print stays dark."""
    r, g, b = cv2.split(rgb)
    return cv2.max(cv2.max(r, g), b)


def ink_of(grey: np.ndarray, px_per_pt: float) -> np.ndarray:
    """Given grey pixels, return the ink mask (255 = ink): a threshold against the mean of a ~12 pt
    neighbourhood, which follows uneven lighting across a page."""
    block = int(px_per_pt * 12) | 1
    return cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, block, 15)


def _rectify_photo(rgb: np.ndarray) -> np.ndarray | None:
    """Given a page image, return the homography that maps the paper of a photo onto the frame, or None
    for a scan (paper reaching the edges) or when no four-cornered sheet fills most of the image."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    border = np.concatenate([grey[:5].ravel(), grey[-5:].ravel(), grey[:, :5].ravel(), grey[:, -5:].ravel()])
    if np.median(border) > PHOTO_BORDER_GREY:
        return None
    _, mask = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    paper = max(contours, key=cv2.contourArea)
    quad = cv2.approxPolyDP(paper, 0.02 * cv2.arcLength(paper, True), True)
    if len(quad) != 4 or cv2.contourArea(quad) < MIN_PAPER_SHARE * w * h:
        return None
    pts = quad.reshape(4, 2).astype(np.float32)
    s, d = pts.sum(1), np.diff(pts, axis=1).ravel()
    ordered = np.array([pts[s.argmin()], pts[d.argmin()], pts[s.argmax()], pts[d.argmax()]], np.float32)
    frame = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    return cv2.getPerspectiveTransform(ordered, frame)


def _best_angle(binary: np.ndarray, scale: float, angles: np.ndarray) -> float:
    """Of `angles`, the one whose rotation of `binary` (scaled by `scale`) gives the most contrasted row
    profile (text lines and rules aligned with rows); of a plateau of equal scores, its middle."""
    small = cv2.resize(binary, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    scores = []
    for a in angles:
        m = cv2.getRotationMatrix2D((w / 2, h / 2), float(a), 1.0)
        rotated = cv2.warpAffine(small, m, (w, h), flags=cv2.INTER_NEAREST)
        scores.append(float(np.var(rotated.sum(axis=1, dtype=np.float64))))
    scores_arr = np.array(scores)
    top = angles[scores_arr >= scores_arr.max() * 0.999]
    return float((top.min() + top.max()) / 2)


def skew_angle(binary: np.ndarray) -> float:
    """Given an ink mask, return the degrees (counter-clockwise positive, as OpenCV) that make it upright."""
    coarse = _best_angle(binary, 0.25, np.arange(-MAX_SKEW, MAX_SKEW + 0.01, COARSE_STEP))
    fine = np.arange(coarse - COARSE_STEP - FINE_STEP, coarse + COARSE_STEP + FINE_STEP + 0.01, FINE_STEP)
    return round(_best_angle(binary, 0.5, fine), 3)


def _quarter_turn(rgb: np.ndarray, turns: int) -> tuple[np.ndarray, np.ndarray]:
    """Given an image and a number of quarter turns counter-clockwise (1 or 3), return it turned and the
    matrix from its pixels to the turned ones."""
    h, w = rgb.shape[:2]
    if turns % 4 == 1:
        matrix = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, w - 1.0], [0.0, 0.0, 1.0]])
    elif turns % 4 == 3:
        matrix = np.array([[0.0, -1.0, h - 1.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    else:
        return rgb, np.eye(3)
    return np.ascontiguousarray(np.rot90(rgb, turns % 4)), matrix


def upright(rgb: np.ndarray, px_per_pt: float, turns: int = 0) -> Upright:
    """Given a page image (H×W×3 uint8) and its resolution, return it rectified (a photo) or deskewed,
    after `turns` quarter turns counter-clockwise (a page scanned sideways)."""
    rgb, matrix = _quarter_turn(rgb, turns)
    h, w = rgb.shape[:2]
    warp = _rectify_photo(rgb)
    if warp is not None:
        rgb = cv2.warpPerspective(rgb, warp, (w, h), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))
        matrix = warp @ matrix
    grey = grey_of(rgb)
    angle = skew_angle(ink_of(grey, px_per_pt))
    if abs(angle) >= MIN_ROTATION:
        rotation = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        rgb = cv2.warpAffine(rgb, rotation, (w, h), flags=cv2.INTER_CUBIC, borderValue=(255, 255, 255))
        grey = grey_of(rgb)
        matrix = np.vstack([rotation, [0, 0, 1]]) @ matrix
    return Upright(rgb, grey, matrix)
