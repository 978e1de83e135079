-- Fails if, in a row of table B, the 总计 column ≠ the sum of the six applicant columns.
-- severity: error — the table contradicts itself.
-- Fix: compare the row with the source file (`disclosure explain <file>`); columns read in the wrong
-- order are a parser bug (report it with the file), a wrong 总计 is the agency's.
-- asset: fact_applications
-- Blank (or '/') addends count as 0; not checked when 总计 holds no value, when all six addends
-- are blank (the breakdown was not filled in: cells_blank reports it), or when an addend is
-- missing or unreadable (nothing to add up).
with cells as (
    select f.*
    from fact_applications as f
    join reports as r using (report_id)
    where r.is_current
),
per_row as (
    select
        report_id, agency_id, year, outcome,
        max(value) filter (where applicant = 'total' and cell_state = 'value') as total,
        bool_or(applicant = 'total' and cell_state = 'value') as has_total,
        sum(value) filter (where applicant <> 'total' and cell_state = 'value') as parts,
        count(*) filter (where applicant <> 'total' and cell_state = 'value') as filled_parts,
        count(*) filter (where applicant <> 'total' and cell_state in ('missing', 'unreadable')) as unknown_parts
    from cells
    group by all
)
select
    agency_id, year, report_id,
    format('{}: 总计 {} ≠ sum of applicant columns {}', outcome, total, coalesce(parts, 0)) as detail
from per_row
where has_total and filled_parts > 0 and unknown_parts = 0
  and total <> coalesce(parts, 0)
order by report_id, outcome;
