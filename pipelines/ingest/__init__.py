"""From the raw folder to parse outcomes: scan, batches, supervised parser workers, staging, settings.

Enters: files under DISCLOSURE_RAW_DIR. Leaves: `ParseOutcome`s (a report's cells as frames, or a
quarantine with a stable code), staged as batches for the single warehouse writer.
"""
