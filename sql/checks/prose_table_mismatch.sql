-- Fails if a current report's prose states a figure its own table contradicts: the applications
-- received (一、本年新收, 总计), administrative reviews (行政复议 总计) or lawsuits (行政诉讼 总计, both kinds)
-- — e.g. "我镇接收到两例依申请公开请求" beside a table that says none. A blank table cell counts as 0.
-- severity: warn — one of the two is wrong and only a person can say which. Fix: read the sentence
-- (report_claims.sentence) and the table in the source file; if the table is wrong, correct the file
-- (or publish a corrected one) and rerun.
-- asset: reports
with tables as (
    select report_id, 'applications_received' as claim,
           coalesce(sum(value) filter (where cell_state = 'value'), 0) as table_value
    from fact_applications
    where outcome = 'new_received' and applicant = 'total'
    group by report_id
    union all
    select report_id, 'admin_reviews', coalesce(sum(value) filter (where cell_state = 'value'), 0)
    from fact_appeals
    where proceeding = 'admin_review' and result = 'total'
    group by report_id
    union all
    select report_id, 'lawsuits', coalesce(sum(value) filter (where cell_state = 'value'), 0)
    from fact_appeals
    where proceeding like 'litigation_%' and result = 'total'
    group by report_id
)
select
    r.agency_id, r.year, r.report_id,
    format('{}: the text says {} ("{}"), the table {}', c.claim, c.value, left(c.sentence, 80), t.table_value) as detail
from report_claims as c
join tables as t using (report_id, claim)
join reports as r using (report_id)
where r.is_current and c.value <> t.table_value
order by r.report_id, c.claim;
