-- Fails if a current report lacks cells its form requires (a table cut off, or absent).
-- severity: warn — the report loaded with what it has; partial numbers are worth more than none,
-- but an analyst summing a column must know some cells are unknown, not zero.
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
    format('{} cells missing ({})', count(*),
           string_agg(distinct c.tbl, ', ' order by c.tbl)) as detail
from cells as c
join reports as r using (report_id)
where r.is_current and c.cell_state = 'missing'
group by c.agency_id, c.year, c.report_id
order by c.report_id;
