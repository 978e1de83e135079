-- Fails if a current report holds cells whose place the reader could not prove: numbers a row carries
-- without saying which of its cells they fill (stored `unreadable` with the row's text), labels almost
-- equally close to two form rows, or tables rebuilt from where words sit on a PDF page (tables drawn
-- without rules: a column left empty in every row leaves no trace there).
-- severity: warn — the cells are flagged, not guessed; the rest of the report stands.
-- Fix: read the listed rows in the file (`disclosure explain <report_id>` shows each cell's text and
-- place) and correct them, or add the report in another format (docx, HTML) that supersedes this one.
-- asset: reports
select
    agency_id, year, report_id,
    format('{} in {}', array_to_string(list_filter(flags, lambda f: regexp_matches(
        f, '^(layout_uncertain|label_ambiguous|pdf_tables_without_rules)')), '; '), source_path) as detail
from reports
where is_current
  and len(list_filter(flags, lambda f: regexp_matches(f, '^(layout_uncertain|label_ambiguous|pdf_tables_without_rules)'))) > 0
order by report_id;
