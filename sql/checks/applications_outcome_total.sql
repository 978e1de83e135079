-- Fails if, in an applicant column of table B, （七）总计 ≠ the sum of the outcome rows
-- （一）予以公开 … （六）其他处理.
-- severity: error — the table contradicts itself.
-- Fix: compare the outcome rows with the source file (`disclosure explain <file>`); a shifted column or
-- row is a parser bug (report it), an inconsistent table is the agency's.
-- asset: fact_applications
-- Blank (or '/') addends count as 0; not checked when （七）总计 holds no value, when every outcome
-- row is blank, or when an outcome cell is missing or unreadable.
with cells as (
    select f.*
    from fact_applications as f
    join reports as r using (report_id)
    where r.is_current
),
per_column as (
    select
        report_id, agency_id, year, applicant,
        max(value) filter (where outcome = 'total_handled' and cell_state = 'value') as total,
        bool_or(outcome = 'total_handled' and cell_state = 'value') as has_total,
        sum(value) filter (where outcome not in ('new_received', 'carried_over', 'total_handled', 'carried_forward')
                           and cell_state = 'value') as parts,
        count(*) filter (where outcome not in ('new_received', 'carried_over', 'total_handled', 'carried_forward')
                         and cell_state = 'value') as filled_parts,
        count(*) filter (where outcome not in ('new_received', 'carried_over', 'total_handled', 'carried_forward')
                         and cell_state in ('missing', 'unreadable')) as unknown_parts
    from cells
    group by all
)
select
    agency_id, year, report_id,
    format('{}: （七）总计 {} ≠ sum of outcome rows {}', applicant, total, coalesce(parts, 0)) as detail
from per_column
where has_total and filled_parts > 0 and unknown_parts = 0
  and total <> coalesce(parts, 0)
order by report_id, applicant;
