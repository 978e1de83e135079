-- Fails if what an agency carried forward at the end of year Y (四、结转下年度继续办理) is not what
-- it carried over into Y+1 (二、上年结转), per applicant column, when both hold values.
-- severity: warn — one of two reports is wrong, and the check cannot say which; flagged on Y+1.
-- Fix: open both years' files; if one was republished, land the corrected file (it supersedes the old
-- one); otherwise the discrepancy is the agency's.
-- asset: fact_applications
with cells as (
    select f.agency_id, f.year, f.report_id, f.outcome, f.applicant, f.value
    from fact_applications as f
    join reports as r using (report_id)
    where r.is_current and f.cell_state = 'value'
      and f.outcome in ('carried_over', 'carried_forward')
      and r.agency_name is not null
)
select
    nxt.agency_id, nxt.year, nxt.report_id,
    format('{}: 结转下年度 {} in {} ≠ 上年结转 {} in {}', nxt.applicant, prev.value, prev.year, nxt.value, nxt.year)
        as detail
from cells as nxt
join cells as prev
  on prev.agency_id = nxt.agency_id and prev.year = nxt.year - 1 and prev.applicant = nxt.applicant
where nxt.outcome = 'carried_over'
  and prev.outcome = 'carried_forward'
  and prev.value <> nxt.value
order by nxt.report_id, nxt.applicant;
