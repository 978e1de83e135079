-- Example: applications received and how they ended, by province and year (current reports only).
-- Blank cells are unknown, not zero: `reports_with_numbers` says how many reports each sum rests on.
select
    coalesce(province, '(unknown)') as province,
    year,
    count(*) as reports,
    count(new_received) as reports_with_numbers,
    sum(new_received) as new_received,
    sum(granted) as granted,
    sum(partly_granted) as partly_granted,
    sum(denied) as denied,
    round(100.0 * sum(granted) / nullif(sum(total_handled), 0), 1) as granted_pct
from v_report_summary
group by all
order by province, year;
