-- Fails if a current report has cells whose text is not a number (raw_text keeps what it said).
-- severity: warn — the cell's number is unknown; the text may need a reader fix or a manual value.
-- asset: reports
with cells as (
    select report_id, agency_id, year, raw_text, cell_state from fact_proactive
    union all
    select report_id, agency_id, year, raw_text, cell_state from fact_applications
    union all
    select report_id, agency_id, year, raw_text, cell_state from fact_appeals
)
select
    c.agency_id, c.year, c.report_id,
    format('{} unreadable cells, e.g. {}', count(*), min(c.raw_text)) as detail
from cells as c
join reports as r using (report_id)
where r.is_current and c.cell_state = 'unreadable'
group by c.agency_id, c.year, c.report_id
order by c.report_id;
