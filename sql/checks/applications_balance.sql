-- Fails if, in an applicant column of table B, 新收 + 上年结转 ≠ （七）总计 + 结转下年度
-- (the form's own rule: 第一项加第二项之和，等于第三项加第四项之和).
-- severity: error — the table contradicts itself; its numbers cannot all be right.
-- Fix: check the four rows in the source file (`disclosure explain <file>`); if the file says so, the
-- agency's table is inconsistent — report it to the agency; if not, report a parser bug with the file.
-- asset: fact_applications
-- Checked per column when 新收 and （七）总计 both hold values; a blank 上年结转 or 结转下年度 counts as 0.
with cells as (
    select f.report_id, f.agency_id, f.year, f.applicant, f.outcome, f.value, f.cell_state
    from fact_applications as f
    join reports as r using (report_id)
    where r.is_current
),
pivoted as (
    select
        report_id, agency_id, year, applicant,
        max(value) filter (where outcome = 'new_received' and cell_state = 'value') as new_received,
        bool_or(outcome = 'new_received' and cell_state = 'value') as has_new,
        max(value) filter (where outcome = 'carried_over' and cell_state = 'value') as carried_over,
        max(value) filter (where outcome = 'total_handled' and cell_state = 'value') as total_handled,
        bool_or(outcome = 'total_handled' and cell_state = 'value') as has_total,
        max(value) filter (where outcome = 'carried_forward' and cell_state = 'value') as carried_forward
    from cells
    group by all
)
select
    agency_id, year, report_id,
    format('{}: 新收 {} + 上年结转 {} ≠ 总计 {} + 结转下年度 {}', applicant, new_received,
           coalesce(carried_over, 0), total_handled, coalesce(carried_forward, 0)) as detail
from pivoted
where has_new and has_total
  and new_received + coalesce(carried_over, 0) <> total_handled + coalesce(carried_forward, 0)
order by report_id, applicant;
