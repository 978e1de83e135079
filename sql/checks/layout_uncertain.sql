-- Fails if a current report's tables were rebuilt from where words sit on a PDF page (tables drawn
-- without rules): a column left empty in every row leaves no trace there, so its neighbours' numbers
-- may have been placed one column off.
-- severity: warn — the numbers are probably right (100% on fully filled tables) but deserve a look
-- against the file when a block has empty columns.
-- Fix: compare the listed reports' tables with the PDF; if a column is shifted, add the report in
-- another format (docx, HTML), which supersedes the PDF.
-- asset: reports
select
    agency_id, year, report_id,
    format('tables rebuilt from word positions in {}', source_path) as detail
from reports
where is_current and list_contains(flags, 'pdf_tables_without_rules')
order by report_id;
