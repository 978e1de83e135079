"""Scanned-report tooling for issue 17 (OCR): a scan generator (degrade.py, `python -m tools.scans`),
ruled test PDFs built from tests/real truths (realpdf.py), the OCR engine comparison
(compare_engines.py) and a ruling-line table-structure prototype (structure.py). Results: RESULTS.md.

The generator needs only Pillow + numpy (+ pypdfium2 to render PDFs); the experiments need the OCR
engines (see RESULTS.md for the environment they were run in)."""
