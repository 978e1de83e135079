"""The OCR engine: RapidOCR (rapidocr-onnxruntime 1.4.4, PP-OCRv4 models inside its wheel), one per process.

Why this engine: tools/scans/RESULTS.md compared it with tesseract on rasterized real reports — it is
the more accurate on table digits and labels, 5–8× cheaper per page, and its recognition scores
separate right reads from wrong ones. Its models ship in the wheel, so nothing is downloaded at run
time (later `rapidocr` packages fetch models on first use: never installed here).

The engine is created lazily, on the first page that needs it, once per process: a worker that only
reads text files never pays for it. Its ONNX sessions run one thread each (intra- and inter-op): the
worker pool already runs one file per core, and more threads per worker would only contend.

When the package cannot be imported (a machine installed without it), the file that needs OCR is
quarantined `needs_ocr_engine` with what to install; it is parsed again once the parser version changes
or on a retry.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pipelines.document.model import ReadError

if TYPE_CHECKING:
    import numpy as np

INSTALL_HINT = ("install the OCR engine into the project's environment: `make install` does it, or "
                "`pip install --no-deps rapidocr-onnxruntime==1.4.4` (its models ship inside the wheel)")
# The detection model sees a page scaled so that its longer side has at most this many pixels (about
# 170 dpi for A4): plenty to find lines of 10–16 pt text, and it bounds the cost of a page.
DET_MAX_SIDE = 2000

_lock = threading.Lock()
_engine = None


@dataclass(frozen=True, slots=True)
class Read:
    """One recognised text line: its text and the engine's score (mean of its characters' probabilities)."""

    text: str
    score: float


def _create():
    try:
        import cv2
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:  # the package, or one of its libraries (onnxruntime, OpenCV, shapely…)
        raise ReadError("needs_ocr_engine", f"The file needs OCR (a scanned page or a picture of a table) and "
                        f"the OCR engine cannot be loaded ({exc}); {INSTALL_HINT}.") from exc
    cv2.setNumThreads(1)
    # The detector's own default enlarges an image until its *shorter* side is 736 px: a band of text
    # 100 px high would become 736 high and ten thousand wide. Here it only ever shrinks (past
    # DET_MAX_SIDE): the reader hands it pages and bands at the resolution it chose.
    return RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, max_side_len=DET_MAX_SIDE,
                    det_limit_type="max", det_limit_side_len=DET_MAX_SIDE)


def engine():
    """The process's RapidOCR, created on first use; raise ReadError `needs_ocr_engine` without it."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                _engine = _create()
    return _engine


# How onnxruntime and OpenCV say an allocation failed (the worker's memory limit, RLIMIT_AS, reached):
# neither raises MemoryError, which is what the parser turns into `too_large` for the file.
_OUT_OF_MEMORY = ("bad_alloc", "Failed to allocate", "Insufficient memory", "out of memory")


def out_of_memory(exc: BaseException) -> bool:
    return any(mark in str(exc) for mark in _OUT_OF_MEMORY)


def _run(step, *args):
    try:
        return step(*args)
    except MemoryError:
        raise
    except Exception as exc:
        if out_of_memory(exc):
            raise MemoryError(f"The OCR engine ran out of memory ({str(exc)[:200]})") from exc
        raise


def recognize(lines: list[np.ndarray]) -> list[Read]:
    """Given text-line images (H×W×3 uint8), return one Read per line, in order (the engine batches them)."""
    if not lines:
        return []
    results, _elapsed = _run(engine().text_rec, lines)
    return [Read(str(text), float(score)) for text, score in results]


def detect(image: np.ndarray) -> list[np.ndarray]:
    """Given a page image (H×W×3 uint8, at most DET_MAX_SIDE on its longer side), return the text boxes
    the detection model finds, each a 4×2 array of corner points (pixels of `image`)."""
    boxes, _elapsed = _run(engine().text_det, image)
    return [] if boxes is None else list(boxes)
