-- Example: why applications were refused (不予公开) or not processed (不予处理), all current reports,
-- by reason, with the raw cells behind the biggest number so it can be checked in its file.
with reasons as (
    select f.year, f.outcome, f.value, f.report_id, r.source_path, f.src_table, f.src_row, f.raw_text
    from fact_applications as f
    join reports as r using (report_id)
    where r.is_current
      and f.applicant = 'total'
      and f.cell_state = 'value'
      and (f.outcome like 'denied_%' or f.outcome like 'rejected_%')
)
select
    outcome,
    sum(value) as applications,
    count(*) filter (where value > 0) as reports_using_reason,
    arg_max(source_path, value) as largest_in_file
from reasons
group by outcome
order by applications desc, outcome;
