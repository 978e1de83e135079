-- One row per current report (agency-year), one column per outcome of table B (收到和处理政府信息
-- 公开申请情况), for the 总计 column (all applicant types). NULL where the agency left the cell blank,
-- wrote '/', or its form has no such row; the group sums (denied, unable, rejected, other_handling) add
-- the cells that hold a number and are NULL when none does (the README glossary's rule).
-- Comparability of the two forms: the 2019 form has one （六）其他处理 row (`other`), the 2021 form
-- three (`other_no_correction`, `other_no_fee`, `other_misc`); `other_handling` is `other` for 2019
-- reports and the sum of the three for 2021 reports, so it can be compared across all years.
create or replace view v_applications_wide as
with wide as (
    select
        f.report_id,
        max(f.value) filter (where f.outcome = 'new_received') as new_received,
        max(f.value) filter (where f.outcome = 'carried_over') as carried_over,
        max(f.value) filter (where f.outcome = 'granted') as granted,
        max(f.value) filter (where f.outcome = 'partly_granted') as partly_granted,
        max(f.value) filter (where f.outcome = 'denied_state_secret') as denied_state_secret,
        max(f.value) filter (where f.outcome = 'denied_law_prohibited') as denied_law_prohibited,
        max(f.value) filter (where f.outcome = 'denied_three_safety') as denied_three_safety,
        max(f.value) filter (where f.outcome = 'denied_third_party') as denied_third_party,
        max(f.value) filter (where f.outcome = 'denied_internal') as denied_internal,
        max(f.value) filter (where f.outcome = 'denied_process') as denied_process,
        max(f.value) filter (where f.outcome = 'denied_enforcement_file') as denied_enforcement_file,
        max(f.value) filter (where f.outcome = 'denied_admin_query') as denied_admin_query,
        max(f.value) filter (where f.outcome = 'unable_not_held') as unable_not_held,
        max(f.value) filter (where f.outcome = 'unable_need_creation') as unable_need_creation,
        max(f.value) filter (where f.outcome = 'unable_unclear') as unable_unclear,
        max(f.value) filter (where f.outcome = 'rejected_complaint') as rejected_complaint,
        max(f.value) filter (where f.outcome = 'rejected_repeat') as rejected_repeat,
        max(f.value) filter (where f.outcome = 'rejected_publication') as rejected_publication,
        max(f.value) filter (where f.outcome = 'rejected_mass') as rejected_mass,
        max(f.value) filter (where f.outcome = 'rejected_confirm') as rejected_confirm,
        max(f.value) filter (where f.outcome = 'other') as other,
        max(f.value) filter (where f.outcome = 'other_no_correction') as other_no_correction,
        max(f.value) filter (where f.outcome = 'other_no_fee') as other_no_fee,
        max(f.value) filter (where f.outcome = 'other_misc') as other_misc,
        max(f.value) filter (where f.outcome = 'total_handled') as total_handled,
        max(f.value) filter (where f.outcome = 'carried_forward') as carried_forward,
        sum(f.value) filter (where d.outcome_group = 'denied')::bigint as denied,
        sum(f.value) filter (where d.outcome_group = 'unable')::bigint as unable,
        sum(f.value) filter (where d.outcome_group = 'rejected')::bigint as rejected,
        sum(f.value) filter (where d.outcome_group = 'other')::bigint as other_handling
    from fact_applications as f
    join dim_outcome as d using (outcome)
    where f.applicant = 'total' and f.cell_state = 'value'
    group by f.report_id
)
select
    r.agency_id, a.agency_name, a.level as agency_level, r.year, r.province, r.city, r.county,
    r.template_version, r.report_id, r.source_path,
    w.* exclude (report_id)
from reports as r
left join wide as w using (report_id)
left join agencies as a using (agency_id)
where r.is_current;

comment on view v_applications_wide is 'One row per current report: every outcome of table B (总计 column) as a column, plus denied (（三）1–8), unable (（四）1–3), rejected (（五）1–5) and other_handling (2019 （六）其他处理 = 2021 （六）1+2+3). NULL where no cell behind a number holds one.';
comment on column v_applications_wide.agency_id is 'agencies.agency_id';
comment on column v_applications_wide.agency_name is 'the fullest name seen for the agency';
comment on column v_applications_wide.agency_level is 'agencies.level';
comment on column v_applications_wide.year is 'report year';
comment on column v_applications_wide.template_version is '2019 or 2021 form';
comment on column v_applications_wide.denied is '三（三）不予公开, reasons 1–8 summed (NULL when none holds a number)';
comment on column v_applications_wide.unable is '三（四）无法提供, reasons 1–3 summed (NULL when none holds a number)';
comment on column v_applications_wide.rejected is '三（五）不予处理, reasons 1–5 summed (NULL when none holds a number)';
comment on column v_applications_wide.other_handling is '三（六）其他处理: 2019 other, or 2021 other_no_correction + other_no_fee + other_misc (NULL when none holds a number)';
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
comment on column v_applications_wide.source_path is 'raw-folder path of the file holding the report (source_files.path)';
