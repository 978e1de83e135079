-- Reasons for not disclosing, by year: every outcome of table B's （三） 不予公开, （四） 无法提供,
-- （五） 不予处理 and （六） 其他处理 rows, summed over the current reports (总计 column).
-- Comparability of the two forms: the 2019 form's single （六）其他处理 row and the 2021 form's three
-- （六） rows (逾期不补正, 逾期未缴纳费用, 其他) all have comparable_reason = 'other'; compare years on
-- comparable_reason, look inside a year on reason.
create or replace view v_refusal_reasons as
select
    r.year,
    f.outcome as reason,
    d.label as reason_label,
    d.row_number,
    d.outcome_group as reason_group,
    d.group_label as reason_group_label,
    case when d.outcome_group = 'other' then 'other' else f.outcome end as comparable_reason,
    case when d.outcome_group = 'other' then d.group_label else d.label end as comparable_reason_label,
    count(*) filter (where f.cell_state = 'value') as reports_with_value,
    count(*) as reports_with_row,
    sum(f.value) filter (where f.cell_state = 'value')::bigint as applications
from fact_applications as f
join reports as r using (report_id)
join dim_outcome as d using (outcome)
where r.is_current
  and f.applicant = 'total'
  and d.outcome_group in ('denied', 'unable', 'rejected', 'other')
group by all;

comment on view v_refusal_reasons is 'Applications not granted, by year and reason (总计 column, current reports): （三）不予公开 (denied_*), （四）无法提供 (unable_*), （五）不予处理 (rejected_*), （六）其他处理 (other*). comparable_reason folds the 2021 form''s three （六） rows into other, as the 2019 form has one.';
comment on column v_refusal_reasons.year is 'report year';
comment on column v_refusal_reasons.reason is 'fact_applications.outcome';
comment on column v_refusal_reasons.reason_group is 'denied | unable | rejected | other (dim_outcome.outcome_group)';
comment on column v_refusal_reasons.reason_label is 'the reason as the form prints it (dim_outcome.label)';
comment on column v_refusal_reasons.row_number is 'its place in the printed numbering: 三（三）1 … (dim_outcome.row_number)';
comment on column v_refusal_reasons.reason_group_label is '不予公开, 无法提供, 不予处理, 其他处理 (dim_outcome.group_label)';
comment on column v_refusal_reasons.comparable_reason_label is 'the Chinese label of comparable_reason: the reason''s own, or 其他处理';
comment on column v_refusal_reasons.comparable_reason is 'reason, with other_no_correction / other_no_fee / other_misc (2021) folded into other (2019)';
comment on column v_refusal_reasons.reports_with_value is 'current reports that gave a number for this reason';
comment on column v_refusal_reasons.reports_with_row is 'current reports whose form has this row';
comment on column v_refusal_reasons.applications is 'applications, summed over the reports that gave a number (NULL when none did)';
