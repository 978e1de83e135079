-- The agency panel: one row per agency and year it reported, with the headline numbers
-- (v_report_summary's, same names, same NULL rule) and the previous reported year's, for following an
-- agency across years (current reports only). Years without a report are absent rather than zero.
create or replace view v_agency_panel as
select
    s.agency_id, a.agency_name, a.level as agency_level, a.province, a.city, a.county, a.division_code,
    s.year, s.report_id, s.template_version, s.source_format,
    s.new_received, s.total_handled, s.granted, s.denied, s.admin_reviews, s.lawsuits,
    lag(s.new_received) over (partition by s.agency_id order by s.year) as new_received_prev_year,
    lag(s.year) over (partition by s.agency_id order by s.year) as prev_report_year,
    count(*) over (partition by s.agency_id) as years_reported
from v_report_summary as s
left join agencies as a using (agency_id);

comment on view v_agency_panel is 'One row per agency and reported year (current reports): 新收, （七）总计, 予以公开, 不予公开 (eight reasons), 行政复议, 行政诉讼, with the previous reported year''s 新收 for change over time.';
comment on column v_agency_panel.agency_level is 'agencies.level';
comment on column v_agency_panel.division_code is 'agencies.division_code (行政区划代码)';
comment on column v_agency_panel.new_received is '一、本年新收 (总计 column)';
comment on column v_agency_panel.total_handled is '三（七）总计 (总计 column)';
comment on column v_agency_panel.granted is '三（一）予以公开 (总计 column)';
comment on column v_agency_panel.denied is '三（三）不予公开, reasons 1–8 summed (NULL when none holds a number)';
comment on column v_agency_panel.admin_reviews is '行政复议 总计';
comment on column v_agency_panel.lawsuits is '行政诉讼 总计, both kinds (NULL when neither holds a number)';
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
comment on column v_agency_panel.template_version is 'form used: 2019 or 2021';
comment on column v_agency_panel.source_format is 'layout the report was read from';
