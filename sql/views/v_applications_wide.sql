-- One row per current report (agency-year), one column per outcome of table B (收到和处理政府信息
-- 公开申请情况), for the 总计 column (all applicant types). NULL where the agency left the cell blank,
-- wrote '/', or its form has no such row.
-- Comparability of the two forms: the 2019 form has one （六）其他处理 row (`other`), the 2021 form
-- three (`other_no_correction`, `other_no_fee`, `other_misc`); `other_total` is `other` for 2019
-- reports and the sum of the three for 2021 reports, so it can be compared across all years.
create or replace view v_applications_wide as
with wide as (
    select
        f.report_id,
        max(f.value) filter (where f.outcome = 'new_received' and f.cell_state = 'value') as new_received,
        max(f.value) filter (where f.outcome = 'carried_over' and f.cell_state = 'value') as carried_over,
        max(f.value) filter (where f.outcome = 'granted' and f.cell_state = 'value') as granted,
        max(f.value) filter (where f.outcome = 'partly_granted' and f.cell_state = 'value') as partly_granted,
        max(f.value) filter (where f.outcome = 'denied_state_secret' and f.cell_state = 'value') as denied_state_secret,
        max(f.value) filter (where f.outcome = 'denied_law_prohibited' and f.cell_state = 'value') as denied_law_prohibited,
        max(f.value) filter (where f.outcome = 'denied_three_safety' and f.cell_state = 'value') as denied_three_safety,
        max(f.value) filter (where f.outcome = 'denied_third_party' and f.cell_state = 'value') as denied_third_party,
        max(f.value) filter (where f.outcome = 'denied_internal' and f.cell_state = 'value') as denied_internal,
        max(f.value) filter (where f.outcome = 'denied_process' and f.cell_state = 'value') as denied_process,
        max(f.value) filter (where f.outcome = 'denied_enforcement_file' and f.cell_state = 'value') as denied_enforcement_file,
        max(f.value) filter (where f.outcome = 'denied_admin_query' and f.cell_state = 'value') as denied_admin_query,
        max(f.value) filter (where f.outcome = 'unable_not_held' and f.cell_state = 'value') as unable_not_held,
        max(f.value) filter (where f.outcome = 'unable_need_creation' and f.cell_state = 'value') as unable_need_creation,
        max(f.value) filter (where f.outcome = 'unable_unclear' and f.cell_state = 'value') as unable_unclear,
        max(f.value) filter (where f.outcome = 'rejected_complaint' and f.cell_state = 'value') as rejected_complaint,
        max(f.value) filter (where f.outcome = 'rejected_repeat' and f.cell_state = 'value') as rejected_repeat,
        max(f.value) filter (where f.outcome = 'rejected_publication' and f.cell_state = 'value') as rejected_publication,
        max(f.value) filter (where f.outcome = 'rejected_mass' and f.cell_state = 'value') as rejected_mass,
        max(f.value) filter (where f.outcome = 'rejected_confirm' and f.cell_state = 'value') as rejected_confirm,
        max(f.value) filter (where f.outcome = 'other' and f.cell_state = 'value') as other,
        max(f.value) filter (where f.outcome = 'other_no_correction' and f.cell_state = 'value') as other_no_correction,
        max(f.value) filter (where f.outcome = 'other_no_fee' and f.cell_state = 'value') as other_no_fee,
        max(f.value) filter (where f.outcome = 'other_misc' and f.cell_state = 'value') as other_misc,
        max(f.value) filter (where f.outcome = 'total_handled' and f.cell_state = 'value') as total_handled,
        max(f.value) filter (where f.outcome = 'carried_forward' and f.cell_state = 'value') as carried_forward
    from fact_applications as f
    where f.applicant = 'total'
    group by f.report_id
)
select
    r.agency_id, a.agency_name, a.level as agency_level, r.year, r.province, r.city, r.county,
    r.template_version, r.report_id, r.source_path,
    w.* exclude (report_id),
    -- Summed over both forms' （六） rows: a 2021 report may keep the 2019 single row (table B read on the
    -- 2019 form), and a form's rows the report does not print are missing (NULL here).
    coalesce(w.other, 0) + coalesce(w.other_no_correction, 0) + coalesce(w.other_no_fee, 0)
      + coalesce(w.other_misc, 0) as other_total,
    coalesce(w.denied_state_secret, 0) + coalesce(w.denied_law_prohibited, 0) + coalesce(w.denied_three_safety, 0)
      + coalesce(w.denied_third_party, 0) + coalesce(w.denied_internal, 0) + coalesce(w.denied_process, 0)
      + coalesce(w.denied_enforcement_file, 0) + coalesce(w.denied_admin_query, 0) as denied_total,
    coalesce(w.unable_not_held, 0) + coalesce(w.unable_need_creation, 0) + coalesce(w.unable_unclear, 0) as unable_total,
    coalesce(w.rejected_complaint, 0) + coalesce(w.rejected_repeat, 0) + coalesce(w.rejected_publication, 0)
      + coalesce(w.rejected_mass, 0) + coalesce(w.rejected_confirm, 0) as rejected_total
from reports as r
join wide as w using (report_id)
left join agencies as a using (agency_id)
where r.is_current;

comment on view v_applications_wide is 'One row per current report: every outcome of table B (总计 column) as a column, plus other_total (2019 （六）其他处理 = 2021 （六）1+2+3), denied_total (（三）1–8), unable_total (（四）1–3), rejected_total (（五）1–5). Blank or / cells are NULL in the outcome columns and count as 0 in the totals.';
comment on column v_applications_wide.agency_id is 'agencies.agency_id';
comment on column v_applications_wide.agency_name is 'the fullest name seen for the agency';
comment on column v_applications_wide.agency_level is 'agencies.level';
comment on column v_applications_wide.year is 'report year';
comment on column v_applications_wide.template_version is '2019 or 2021 form';
comment on column v_applications_wide.other_total is '（六）其他处理: 2019 other, or 2021 other_no_correction + other_no_fee + other_misc';
comment on column v_applications_wide.denied_total is '（三）不予公开, the eight reasons summed (blank = 0)';
comment on column v_applications_wide.unable_total is '（四）无法提供, the three reasons summed (blank = 0)';
comment on column v_applications_wide.rejected_total is '（五）不予处理, the five reasons summed (blank = 0)';
comment on column v_applications_wide.new_received is 'fact_applications.outcome = new_received, applicant = total';
comment on column v_applications_wide.carried_over is 'fact_applications.outcome = carried_over, applicant = total';
comment on column v_applications_wide.granted is 'fact_applications.outcome = granted, applicant = total';
comment on column v_applications_wide.partly_granted is 'fact_applications.outcome = partly_granted, applicant = total';
comment on column v_applications_wide.denied_state_secret is 'fact_applications.outcome = denied_state_secret, applicant = total';
comment on column v_applications_wide.denied_law_prohibited is 'fact_applications.outcome = denied_law_prohibited, applicant = total';
comment on column v_applications_wide.denied_three_safety is 'fact_applications.outcome = denied_three_safety, applicant = total';
comment on column v_applications_wide.denied_third_party is 'fact_applications.outcome = denied_third_party, applicant = total';
comment on column v_applications_wide.denied_internal is 'fact_applications.outcome = denied_internal, applicant = total';
comment on column v_applications_wide.denied_process is 'fact_applications.outcome = denied_process, applicant = total';
comment on column v_applications_wide.denied_enforcement_file is 'fact_applications.outcome = denied_enforcement_file, applicant = total';
comment on column v_applications_wide.denied_admin_query is 'fact_applications.outcome = denied_admin_query, applicant = total';
comment on column v_applications_wide.unable_not_held is 'fact_applications.outcome = unable_not_held, applicant = total';
comment on column v_applications_wide.unable_need_creation is 'fact_applications.outcome = unable_need_creation, applicant = total';
comment on column v_applications_wide.unable_unclear is 'fact_applications.outcome = unable_unclear, applicant = total';
comment on column v_applications_wide.rejected_complaint is 'fact_applications.outcome = rejected_complaint, applicant = total';
comment on column v_applications_wide.rejected_repeat is 'fact_applications.outcome = rejected_repeat, applicant = total';
comment on column v_applications_wide.rejected_publication is 'fact_applications.outcome = rejected_publication, applicant = total';
comment on column v_applications_wide.rejected_mass is 'fact_applications.outcome = rejected_mass, applicant = total';
comment on column v_applications_wide.rejected_confirm is 'fact_applications.outcome = rejected_confirm, applicant = total';
comment on column v_applications_wide.other is 'fact_applications.outcome = other, applicant = total';
comment on column v_applications_wide.other_no_correction is 'fact_applications.outcome = other_no_correction, applicant = total';
comment on column v_applications_wide.other_no_fee is 'fact_applications.outcome = other_no_fee, applicant = total';
comment on column v_applications_wide.other_misc is 'fact_applications.outcome = other_misc, applicant = total';
comment on column v_applications_wide.total_handled is 'fact_applications.outcome = total_handled, applicant = total';
comment on column v_applications_wide.carried_forward is 'fact_applications.outcome = carried_forward, applicant = total';
comment on column v_applications_wide.province is 'province, when resolved';
comment on column v_applications_wide.city is 'prefecture-level city, when resolved';
comment on column v_applications_wide.county is 'county-level division, when resolved';
comment on column v_applications_wide.report_id is 'reports.report_id of the current report';
comment on column v_applications_wide.source_path is 'raw-folder path of the file holding the report';
