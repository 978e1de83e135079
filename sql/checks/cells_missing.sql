-- Fails if a current report lacks cells its form requires (a table cut off, or absent).
-- severity: warn — the report loaded with what it has; partial numbers are worth more than none,
-- but an analyst summing a column must know some cells are unknown, not zero.
-- Fix: look for a complete copy of the report (another format or URL) and add it to the raw folder; it
-- becomes the current report.
-- asset: reports
select
    c.agency_id, c.year, c.report_id,
    format('{} cells missing ({})', count(*), string_agg(distinct c.table_name, ', ' order by c.table_name)) as detail
from v_fact_cells as c
join reports as r using (report_id)
where r.is_current and c.cell_state = 'missing'
group by c.agency_id, c.year, c.report_id
order by c.report_id;
