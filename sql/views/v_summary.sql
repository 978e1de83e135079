-- Province and national totals in the shape of the State Council's yearly summary of government
-- information disclosure: reports, proactive disclosure (2021 form: regulations and normative
-- documents issued), applications received and how they ended, review and litigation.
-- Sums over current reports of the cells that hold a number; NULL where no report gave one. Comparability: outcome groups
-- (denied / unable / rejected / other) are the same in both forms, with the 2021 form's three
-- （六） rows summed as other; regulation counts differ between the forms (2019: 本年新制作, 2021: 本年制发)
-- and are given as documents_issued from either.
create or replace view v_summary_province as
with apps as (
    select
        report_id,
        sum(value) filter (where outcome = 'new_received') as new_received,
        sum(value) filter (where outcome = 'carried_over') as carried_over,
        sum(value) filter (where outcome = 'granted') as granted,
        sum(value) filter (where outcome = 'partly_granted') as partly_granted,
        sum(value) filter (where outcome like 'denied_%') as denied,
        sum(value) filter (where outcome like 'unable_%') as unable,
        sum(value) filter (where outcome like 'rejected_%') as rejected,
        sum(value) filter (where outcome like 'other%') as other_handling,
        sum(value) filter (where outcome = 'total_handled') as total_handled,
        sum(value) filter (where outcome = 'carried_forward') as carried_forward
    from fact_applications
    where applicant = 'total' and cell_state = 'value'
    group by report_id
),
appeals as (
    select
        report_id,
        sum(value) filter (where proceeding = 'admin_review' and result = 'total') as reviews,
        sum(value) filter (where proceeding = 'admin_review' and result = 'corrected') as reviews_corrected,
        sum(value) filter (where proceeding like 'litigation_%' and result = 'total') as lawsuits,
        sum(value) filter (where proceeding like 'litigation_%' and result = 'corrected') as lawsuits_corrected
    from fact_appeals
    where cell_state = 'value'
    group by report_id
),
documents as (
    select report_id, sum(value) as documents_issued
    from fact_proactive
    where item = 'art20_1' and metric in ('issued', 'new_made') and cell_state = 'value'
    group by report_id
)
select
    r.year,
    coalesce(r.province, '(unknown)') as province,
    count(*) as reports,
    count(distinct r.agency_id) as agencies,
    sum(d.documents_issued)::bigint as documents_issued,
    sum(a.new_received)::bigint as new_received,
    sum(a.carried_over)::bigint as carried_over,
    sum(a.granted)::bigint as granted,
    sum(a.partly_granted)::bigint as partly_granted,
    sum(a.denied)::bigint as denied,
    sum(a.unable)::bigint as unable,
    sum(a.rejected)::bigint as rejected,
    sum(a.other_handling)::bigint as other_handling,
    sum(a.total_handled)::bigint as total_handled,
    sum(a.carried_forward)::bigint as carried_forward,
    sum(ap.reviews)::bigint as admin_reviews,
    sum(ap.reviews_corrected)::bigint as admin_reviews_corrected,
    sum(ap.lawsuits)::bigint as lawsuits,
    sum(ap.lawsuits_corrected)::bigint as lawsuits_corrected
from reports as r
left join apps as a using (report_id)
left join appeals as ap using (report_id)
left join documents as d using (report_id)
where r.is_current
group by all;

create or replace view v_summary_national as
select
    year,
    sum(reports)::bigint as reports, sum(agencies)::bigint as agencies,
    sum(documents_issued)::bigint as documents_issued, sum(new_received)::bigint as new_received,
    sum(carried_over)::bigint as carried_over, sum(granted)::bigint as granted,
    sum(partly_granted)::bigint as partly_granted, sum(denied)::bigint as denied, sum(unable)::bigint as unable,
    sum(rejected)::bigint as rejected, sum(other_handling)::bigint as other_handling,
    sum(total_handled)::bigint as total_handled, sum(carried_forward)::bigint as carried_forward,
    sum(admin_reviews)::bigint as admin_reviews, sum(admin_reviews_corrected)::bigint as admin_reviews_corrected,
    sum(lawsuits)::bigint as lawsuits, sum(lawsuits_corrected)::bigint as lawsuits_corrected
from v_summary_province
group by year;

comment on view v_summary_province is 'Per year and province (''(unknown)'' when unresolved): reports, agencies, documents issued (art20_1), applications received and handled by outcome group (2021 （六）1–3 summed as other_handling), review and litigation totals and corrections. Current reports; sums of the cells that hold a number, NULL where none does.';
comment on view v_summary_national is 'v_summary_province summed over provinces: the national yearly summary.';
comment on column v_summary_province.documents_issued is 'regulations + normative documents: 2019 本年新制作 (new_made), 2021 本年制发 (issued)';
comment on column v_summary_province.new_received is '一、本年新收';
comment on column v_summary_province.carried_over is '二、上年结转';
comment on column v_summary_province.granted is '（一）予以公开';
comment on column v_summary_province.partly_granted is '（二）部分公开';
comment on column v_summary_province.denied is '（三）不予公开, 1–8';
comment on column v_summary_province.unable is '（四）无法提供, 1–3';
comment on column v_summary_province.rejected is '（五）不予处理, 1–5';
comment on column v_summary_province.other_handling is '（六）其他处理 (2019), or 1–3 summed (2021)';
comment on column v_summary_province.total_handled is '（七）总计';
comment on column v_summary_province.carried_forward is '四、结转下年度继续办理';
comment on column v_summary_province.admin_reviews is '行政复议 总计';
comment on column v_summary_province.admin_reviews_corrected is '行政复议 结果纠正';
comment on column v_summary_province.lawsuits is '行政诉讼 总计 (both kinds)';
comment on column v_summary_province.lawsuits_corrected is '行政诉讼 结果纠正 (both kinds)';
comment on column v_summary_national.year is 'report year';
comment on column v_summary_national.reports is 'current reports';
comment on column v_summary_national.agencies is 'agencies with a current report (summed over provinces)';
comment on column v_summary_national.documents_issued is 'regulations + normative documents: 2019 本年新制作, 2021 本年制发';
comment on column v_summary_national.new_received is '一、本年新收';
comment on column v_summary_national.carried_over is '二、上年结转';
comment on column v_summary_national.granted is '（一）予以公开';
comment on column v_summary_national.partly_granted is '（二）部分公开';
comment on column v_summary_national.denied is '（三）不予公开, 1–8';
comment on column v_summary_national.unable is '（四）无法提供, 1–3';
comment on column v_summary_national.rejected is '（五）不予处理, 1–5';
comment on column v_summary_national.other_handling is '（六）其他处理 (2019), or 1–3 summed (2021)';
comment on column v_summary_national.total_handled is '（七）总计';
comment on column v_summary_national.carried_forward is '四、结转下年度继续办理';
comment on column v_summary_national.admin_reviews is '行政复议 总计';
comment on column v_summary_national.admin_reviews_corrected is '行政复议 结果纠正';
comment on column v_summary_national.lawsuits is '行政诉讼 总计 (both kinds)';
comment on column v_summary_national.lawsuits_corrected is '行政诉讼 结果纠正 (both kinds)';
comment on column v_summary_province.year is 'report year';
comment on column v_summary_province.province is 'province; ''(unknown)'' when not resolved';
comment on column v_summary_province.reports is 'current reports';
comment on column v_summary_province.agencies is 'agencies with a current report';
