"""OCR: scanned pages and pictures of tables to the neutral document model (issue 17).

`page` reads one page image (raster makes it upright, grid finds its ruled tables, cells reads each
cell from its own ink, the engine recognises lines); `scanned` gives the pages of a PDF without a text
layer as images, `images` reads image files and pictures embedded in .docx and HTML. The engine and
every threshold were chosen on rasterized real reports: tools/scans/RESULTS.md.

Every cell read here carries `Cell.confidence`: the lowest recognition score of its lines, halved where
the reader doubts the read (cells.judge); the form's arithmetic checks the rest.
"""

from __future__ import annotations

import importlib
from types import ModuleType

from pipelines.document.model import ReadError


def load(name: str) -> ModuleType:
    """Import an OCR module (`scanned`, `images`, `embedded`) when a file first needs it; raise ReadError
    `needs_ocr_engine` when its libraries (OpenCV, NumPy, onnxruntime) are not installed, so that a file
    needing OCR waits in quarantine while every other file is read as before."""
    try:
        return importlib.import_module(f"{__name__}.{name}")
    except ImportError as exc:
        from pipelines.readers.ocr.engine import INSTALL_HINT

        raise ReadError("needs_ocr_engine", f"The file needs OCR (a scanned page or a picture of a table) and "
                        f"its libraries cannot be loaded ({exc}); {INSTALL_HINT}.") from exc
