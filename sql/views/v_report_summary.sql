-- One row per current report: who, which year, and the headline numbers analysts ask for first.
-- Names and the NULL rule are the README glossary's: a measure of one cell is NULL unless the cell
-- holds a number; a measure summed over several cells (denied, lawsuits) adds the cells that hold a
-- number and is NULL when none does. 0 therefore always means the agency wrote 0.
create or replace view v_report_summary as
with apps as (  -- table B's headline numbers, summed by outcome group once, in v_applications_wide
    select
        report_id, new_received, carried_over, granted, partly_granted, denied, unable, rejected, other_handling,
        total_handled, carried_forward
    from v_applications_wide
),
appeals as (
    select
        report_id,
        max(value) filter (where proceeding = 'admin_review') as admin_reviews,
        sum(value) filter (where proceeding like 'litigation_%')::bigint as lawsuits
    from fact_appeals
    where result = 'total' and cell_state = 'value'
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
    a.new_received, a.carried_over, a.granted, a.partly_granted, a.denied, a.unable, a.rejected, a.other_handling,
    a.total_handled, a.carried_forward,
    ap.admin_reviews, ap.lawsuits,
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

comment on view v_report_summary is 'One row per current report: agency, year, the 总计 column of table B (新收, 予以公开, 部分公开, 不予公开, 无法提供, 不予处理, 其他处理, （七）总计, 结转), 行政复议 and 行政诉讼 totals, and the data-quality checks it fails. NULL when no cell behind a number holds one.';
comment on column v_report_summary.report_id is 'reports.report_id of the current report';
comment on column v_report_summary.agency_id is 'agencies.agency_id';
comment on column v_report_summary.agency_name is 'the fullest name seen for the agency; NULL when the report never names it';
comment on column v_report_summary.year is 'report year';
comment on column v_report_summary.province is 'province, when resolved';
comment on column v_report_summary.city is 'prefecture-level city, when resolved';
comment on column v_report_summary.county is 'county-level division, when resolved';
comment on column v_report_summary.template_version is 'form used: 2019 or 2021';
comment on column v_report_summary.new_received is '一、本年新收 (总计 column)';
comment on column v_report_summary.carried_over is '二、上年结转 (总计 column)';
comment on column v_report_summary.granted is '三（一）予以公开 (总计 column)';
comment on column v_report_summary.partly_granted is '三（二）部分公开 (总计 column)';
comment on column v_report_summary.denied is '三（三）不予公开, reasons 1–8 summed (NULL when none holds a number)';
comment on column v_report_summary.unable is '三（四）无法提供, reasons 1–3 summed (NULL when none holds a number)';
comment on column v_report_summary.rejected is '三（五）不予处理, reasons 1–5 summed (NULL when none holds a number)';
comment on column v_report_summary.other_handling is '三（六）其他处理: the 2019 row, or the 2021 rows 1–3 summed (NULL when none holds a number)';
comment on column v_report_summary.total_handled is '三（七）总计 (总计 column)';
comment on column v_report_summary.carried_forward is '四、结转下年度继续办理 (总计 column)';
comment on column v_report_summary.admin_reviews is '行政复议 总计';
comment on column v_report_summary.lawsuits is '行政诉讼 总计: 未经复议直接起诉 + 复议后起诉 (NULL when neither holds a number)';
comment on column v_report_summary.check_errors is 'error-severity dq_results rows of this report';
comment on column v_report_summary.check_warnings is 'warn-severity dq_results rows of this report';
comment on column v_report_summary.checks_failed is 'names of the checks this report fails';
comment on column v_report_summary.published_on is 'signature date';
comment on column v_report_summary.source_path is 'raw-folder path of the file holding the report (source_files.path)';
comment on column v_report_summary.source_format is 'layout the report was read from';
comment on column v_report_summary.needs_review is 'true when a person should check the report against its file (reports.needs_review)';
comment on column v_report_summary.review_reasons is 'why (reports.review_reasons): uncertain placements, ambiguous labels, unnamed agency, missing tables, failing error checks';
