-- One row per current report: who, which year, and the headline numbers analysts ask for first.
-- Numbers are the 总计 column of the agency's own table (NULL where the agency left it blank);
-- `denied` adds the eight 不予公开 reasons, `lawsuits` both kinds of 行政诉讼.
create or replace view v_report_summary as
with apps as (
    select
        report_id,
        max(value) filter (where outcome = 'new_received' and cell_state = 'value') as new_requests,
        max(value) filter (where outcome = 'carried_over' and cell_state = 'value') as carried_over,
        max(value) filter (where outcome = 'granted' and cell_state = 'value') as granted,
        max(value) filter (where outcome = 'partly_granted' and cell_state = 'value') as partly_granted,
        sum(value) filter (where outcome like 'denied_%' and cell_state = 'value') as denied,
        max(value) filter (where outcome = 'total_handled' and cell_state = 'value') as total_handled
    from fact_applications
    where applicant = 'total'
    group by report_id
),
appeals as (
    select
        report_id,
        max(value) filter (where proceeding = 'admin_review' and cell_state = 'value') as reviews,
        sum(value) filter (where proceeding like 'litigation_%' and cell_state = 'value') as lawsuits
    from fact_appeals
    where result = 'total'
    group by report_id
),
checks as (
    select
        report_id,
        count(*) filter (where severity = 'error') as check_errors,
        count(*) filter (where severity = 'warn') as check_warnings,
        string_agg(distinct check_name, ', ' order by check_name) as checks_failed
    from dq_results
    group by report_id
)
select
    r.report_id, r.agency_id, r.agency_name, r.year, r.province, r.city, r.county, r.template_version,
    a.new_requests, a.carried_over, a.granted, a.partly_granted, a.denied, a.total_handled,
    ap.reviews, ap.lawsuits,
    coalesce(c.check_errors, 0) as check_errors,
    coalesce(c.check_warnings, 0) as check_warnings,
    c.checks_failed,
    r.published_on, r.source_path, r.source_format
from reports as r
left join apps as a using (report_id)
left join appeals as ap using (report_id)
left join checks as c using (report_id)
where r.is_current;

comment on view v_report_summary is 'One row per current report: agency, year, 新收 (new_requests), 予以公开 (granted), 部分公开, 不予公开 (denied, eight reasons summed), （七）总计, 行政复议 (reviews), 行政诉讼 (lawsuits), and the data-quality checks it fails. NULL where the agency left the 总计 cell blank.';
