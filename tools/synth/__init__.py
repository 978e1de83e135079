"""The synthetic corpus generator: reports with known truth, knowing nothing of the parser.

forms.py (the forms, transcribed from the spec) → numbers.py (values and printed cells) → labels.py
(wording, from label_variants.json) → tables.py (grids) → layout.py / web.py (formats); quirks.py is the
table of real-world quirks, report.py puts one report together, corpus.py writes files and truth.
"""
