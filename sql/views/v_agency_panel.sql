-- The agency panel: one row per agency and year it reported, with the headline numbers and the
-- previous year's, for following an agency across years (current reports only). Years without a
-- report are absent rather than zero.
create or replace view v_agency_panel as
with per_report as (
    select
        report_id,
        max(value) filter (where outcome = 'new_received' and cell_state = 'value') as new_received,
        max(value) filter (where outcome = 'total_handled' and cell_state = 'value') as total_handled,
        max(value) filter (where outcome = 'granted' and cell_state = 'value') as granted,
        coalesce(sum(value) filter (where outcome like 'denied_%' and cell_state = 'value'), 0)::bigint as denied
    from fact_applications
    where applicant = 'total'
    group by report_id
),
appeals as (
    select
        report_id,
        max(value) filter (where proceeding = 'admin_review' and result = 'total' and cell_state = 'value') as admin_reviews,
        coalesce(sum(value) filter (where proceeding like 'litigation_%' and result = 'total' and cell_state = 'value'), 0)::bigint as lawsuits
    from fact_appeals
    group by report_id
)
select
    r.agency_id, a.agency_name, a.level as agency_level, a.province, a.city, a.county, a.division_code,
    r.year, r.report_id, r.template_version, r.source_format,
    p.new_received, p.total_handled, p.granted, p.denied, ap.admin_reviews, ap.lawsuits,
    lag(p.new_received) over (partition by r.agency_id order by r.year) as new_received_prev_year,
    lag(r.year) over (partition by r.agency_id order by r.year) as prev_report_year,
    count(*) over (partition by r.agency_id) as years_reported
from reports as r
left join per_report as p using (report_id)
left join appeals as ap using (report_id)
left join agencies as a using (agency_id)
where r.is_current;

comment on view v_agency_panel is 'One row per agency and reported year (current reports): 新收, （七）总计, 予以公开, 不予公开 (eight reasons), 行政复议, 行政诉讼, with the previous reported year''s 新收 for change over time.';
comment on column v_agency_panel.agency_level is 'agencies.level';
comment on column v_agency_panel.division_code is 'agencies.division_code (行政区划代码)';
comment on column v_agency_panel.new_received is '一、本年新收 (总计)';
comment on column v_agency_panel.total_handled is '（七）总计 (总计)';
comment on column v_agency_panel.granted is '（一）予以公开 (总计)';
comment on column v_agency_panel.denied is '（三）不予公开, eight reasons summed';
comment on column v_agency_panel.admin_reviews is '行政复议 总计';
comment on column v_agency_panel.lawsuits is '行政诉讼 总计, both kinds';
comment on column v_agency_panel.new_received_prev_year is 'new_received of the agency''s previous reported year';
comment on column v_agency_panel.prev_report_year is 'the agency''s previous reported year (not always year - 1)';
comment on column v_agency_panel.years_reported is 'how many years the agency has a current report for';
comment on column v_agency_panel.agency_id is 'agencies.agency_id';
comment on column v_agency_panel.agency_name is 'the fullest name seen for the agency';
comment on column v_agency_panel.province is 'province, when resolved';
comment on column v_agency_panel.city is 'prefecture-level city, when resolved';
comment on column v_agency_panel.county is 'county-level division, when resolved';
comment on column v_agency_panel.year is 'report year';
comment on column v_agency_panel.report_id is 'reports.report_id of the current report';
comment on column v_agency_panel.template_version is '2019 or 2021 form';
comment on column v_agency_panel.source_format is 'layout the report was read from';
