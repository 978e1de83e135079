-- Fails if a reviewer's correction (a line of the corrections folder, DISCLOSURE_CORRECTIONS_DIR) does not
-- apply: the file it was written for has changed since (stale: the new reading stands, the correction is
-- never carried over to other content), no loaded report holds the content it names (no_report), or the
-- report has no such cell (unknown_cell). One row per such correction.
-- severity: error — a number a reviewer fixed may be wrong again, and nobody has looked at the new file.
-- Fix: `disclosure explain <file>` on the file as it is now; if the cell is still misread, `disclosure correct`
-- it again and delete the old line; if the new file reads right, delete the old line.
-- asset: corrections
-- scope: warehouse (the corrections folder against the reports, whichever agency they hold)
-- The row names the report the correction's path holds now (stale), so that report needs review.
select
    r.agency_id, r.year, c.report_id,
    format('{}:{} {} {} ({}): {}', c.source_file, c.line, c.table_name, c.cell, c.status, c.detail) as detail
from corrections as c
left join reports as r using (report_id)
where c.status not in ('applied', 'overridden')
order by c.source_file, c.line;
