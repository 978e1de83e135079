-- Fails if, for a proceeding of table C, 总计 ≠ 结果维持 + 结果纠正 + 其他结果 + 尚未审结.
-- severity: error — the table contradicts itself.
-- Fix: compare table C with the source file (`disclosure explain <file>`); a misread cell is a parser
-- bug (report it with the file), a wrong sum is the agency's — note it, the numbers stay as published.
-- asset: fact_appeals
-- Blank (or '/') addends count as 0; not checked when 总计 holds no value, when all four results
-- are blank (004: only 复议后起诉 总计 = 0 is filled), or when a result is missing or unreadable.
with cells as (
    select f.*
    from fact_appeals as f
    join reports as r using (report_id)
    where r.is_current
),
per_proceeding as (
    select
        report_id, agency_id, year, proceeding,
        max(value) filter (where result = 'total' and cell_state = 'value') as total,
        bool_or(result = 'total' and cell_state = 'value') as has_total,
        sum(value) filter (where result <> 'total' and cell_state = 'value') as parts,
        count(*) filter (where result <> 'total' and cell_state = 'value') as filled_parts,
        count(*) filter (where result <> 'total' and cell_state in ('missing', 'unreadable')) as unknown_parts
    from cells
    group by all
)
select
    agency_id, year, report_id,
    format('{}: 总计 {} ≠ 维持 + 纠正 + 其他 + 尚未审结 = {}', proceeding, total, coalesce(parts, 0)) as detail
from per_proceeding
where has_total and filled_parts > 0 and unknown_parts = 0
  and total <> coalesce(parts, 0)
order by report_id, proceeding;
