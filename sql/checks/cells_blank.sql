-- Fails if a current report leaves cells of its form empty.
-- severity: warn — agencies often leave zeros blank; the numbers may still be complete, but a
-- blank is not a zero and arithmetic checks skip what is blank.
-- Fix: nothing to repair in the warehouse; read the blanks as unknown, or confirm zeros with the agency
-- and add a sidecar-corrected copy.
-- asset: reports
select
    c.agency_id, c.year, c.report_id,
    format('{} cells blank ({})', count(*), string_agg(distinct c.table_name, ', ' order by c.table_name)) as detail
from v_fact_cells as c
join reports as r using (report_id)
where r.is_current and c.cell_state = 'blank'
group by c.agency_id, c.year, c.report_id
order by c.report_id;
