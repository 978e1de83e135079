-- Table C (行政复议、行政诉讼情况) per current report and proceeding, one column per result, with the
-- share of decided cases that ended in correction (纠正). The two forms have the same table C.
create or replace view v_appeals as
select
    r.agency_id, r.agency_name, r.year, r.province, r.city, r.county, r.report_id,
    f.proceeding, d.proceeding_label, d.group_label as proceeding_group_label,
    max(f.value) filter (where f.result = 'upheld' and f.cell_state = 'value') as upheld,
    max(f.value) filter (where f.result = 'corrected' and f.cell_state = 'value') as corrected,
    max(f.value) filter (where f.result = 'other' and f.cell_state = 'value') as other_result,
    max(f.value) filter (where f.result = 'pending' and f.cell_state = 'value') as pending,
    max(f.value) filter (where f.result = 'total' and f.cell_state = 'value') as total,
    case when coalesce(upheld, 0) + coalesce(corrected, 0) + coalesce(other_result, 0) > 0
         then round(coalesce(corrected, 0) / (coalesce(upheld, 0) + coalesce(corrected, 0) + coalesce(other_result, 0)), 4)
    end as correction_rate
from fact_appeals as f
join reports as r using (report_id)
join (select distinct proceeding, proceeding_label, group_label from dim_appeal) as d using (proceeding)
where r.is_current
group by all;

comment on view v_appeals is 'Administrative review (行政复议) and litigation (行政诉讼: directly, or after review) per current report, one column per result; correction_rate = corrected / (upheld + corrected + other) of decided cases.';
comment on column v_appeals.proceeding is 'admin_review | litigation_direct | litigation_after_review';
comment on column v_appeals.proceeding_label is 'the proceeding as the form prints it (dim_appeal): 行政复议, 未经复议直接起诉, 复议后起诉';
comment on column v_appeals.proceeding_group_label is '行政复议 or 行政诉讼, the header above the proceeding';
comment on column v_appeals.upheld is '结果维持';
comment on column v_appeals.corrected is '结果纠正';
comment on column v_appeals.other_result is '其他结果';
comment on column v_appeals.pending is '尚未审结';
comment on column v_appeals.total is '总计 as the agency wrote it';
comment on column v_appeals.correction_rate is 'corrected / decided (upheld + corrected + other); NULL when none decided';
comment on column v_appeals.agency_id is 'agencies.agency_id';
comment on column v_appeals.agency_name is 'the fullest name seen for the agency';
comment on column v_appeals.year is 'report year';
comment on column v_appeals.province is 'province, when resolved';
comment on column v_appeals.city is 'prefecture-level city, when resolved';
comment on column v_appeals.county is 'county-level division, when resolved';
comment on column v_appeals.report_id is 'reports.report_id of the current report';
