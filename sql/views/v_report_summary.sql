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
        sum(value) filter (where outcome like 'denied_%' and cell_state = 'value')::bigint as denied,
        max(value) filter (where outcome = 'total_handled' and cell_state = 'value') as total_handled
    from fact_applications
    where applicant = 'total'
    group by report_id
),
appeals as (
    select
        report_id,
        max(value) filter (where proceeding = 'admin_review' and cell_state = 'value') as reviews,
        sum(value) filter (where proceeding like 'litigation_%' and cell_state = 'value')::bigint as lawsuits
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
    coalesce(r.needs_review, false) as needs_review, r.review_reasons,
    r.published_on, r.source_path, r.source_format
from reports as r
left join apps as a using (report_id)
left join appeals as ap using (report_id)
left join checks as c using (report_id)
where r.is_current;

comment on view v_report_summary is 'One row per current report: agency, year, 新收 (new_requests), 予以公开 (granted), 部分公开, 不予公开 (denied, eight reasons summed), （七）总计, 行政复议 (reviews), 行政诉讼 (lawsuits), and the data-quality checks it fails. NULL where the agency left the 总计 cell blank.';
comment on column v_report_summary.report_id is 'reports.report_id of the current report';
comment on column v_report_summary.agency_id is 'agency id (agencies.agency_id)';
comment on column v_report_summary.agency_name is 'fullest agency name seen; NULL when the report never names it';
comment on column v_report_summary.year is 'report year';
comment on column v_report_summary.province is 'province, when resolved';
comment on column v_report_summary.city is 'city, when resolved';
comment on column v_report_summary.county is 'county, when resolved';
comment on column v_report_summary.template_version is 'form used: 2019 or 2021';
comment on column v_report_summary.new_requests is '一、本年新收 总计';
comment on column v_report_summary.carried_over is '二、上年结转 总计';
comment on column v_report_summary.granted is '（一）予以公开 总计';
comment on column v_report_summary.partly_granted is '（二）部分公开 总计';
comment on column v_report_summary.denied is '（三）不予公开 总计, reasons 1-8 summed (NULL when all blank)';
comment on column v_report_summary.total_handled is '（七）总计 总计';
comment on column v_report_summary.reviews is '行政复议 总计';
comment on column v_report_summary.lawsuits is '行政诉讼 总计: 未经复议直接起诉 + 复议后起诉';
comment on column v_report_summary.check_errors is 'error-severity dq_results rows of this report';
comment on column v_report_summary.check_warnings is 'warn-severity dq_results rows of this report';
comment on column v_report_summary.checks_failed is 'names of the checks this report fails';
comment on column v_report_summary.published_on is 'signature date';
comment on column v_report_summary.source_path is 'raw-folder path of the file holding the report';
comment on column v_report_summary.source_format is 'layout the report was read from';
comment on column v_report_summary.needs_review is 'true when a person should check the report against its file (reports.needs_review)';
comment on column v_report_summary.review_reasons is 'why (reports.review_reasons): uncertain placements, ambiguous labels, unnamed agency, missing tables, failing error checks';
