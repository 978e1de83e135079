"""Report-level facts read from a document's prose: metadata (agency, year, title, signature),
sections, prose claims, regions and agency ids.

Enters: a `Document` (and a sidecar's overrides). Leaves: `ReportMeta`, `Section`s, `Claim`s, regions.
"""
