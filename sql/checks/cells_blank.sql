-- Fails if a current report leaves cells of its form empty.
-- severity: warn — agencies often leave zeros blank; the numbers may still be complete, but a
-- blank is not a zero and arithmetic checks skip what is blank.
-- asset: reports
with cells as (
    select report_id, agency_id, year, 'proactive' as tbl, cell_state from fact_proactive
    union all
    select report_id, agency_id, year, 'applications', cell_state from fact_applications
    union all
    select report_id, agency_id, year, 'appeals', cell_state from fact_appeals
)
select
    c.agency_id, c.year, c.report_id,
    format('{} cells blank ({})', count(*), string_agg(distinct c.tbl, ', ' order by c.tbl)) as detail
from cells as c
join reports as r using (report_id)
where r.is_current and c.cell_state = 'blank'
group by c.agency_id, c.year, c.report_id
order by c.report_id;
