-- Fails if a current report has cells whose text is not a number (raw_text keeps what it said).
-- severity: warn — the cell's number is unknown; the text may need a reader fix or a manual value.
-- asset: reports
select
    c.agency_id, c.year, c.report_id,
    format('{} unreadable cells, e.g. {} = {}', count(*), min(c.cell), min(c.raw_text)) as detail
from v_fact_cells as c
join reports as r using (report_id)
where r.is_current and c.cell_state = 'unreadable'
group by c.agency_id, c.year, c.report_id
order by c.report_id;
