-- Whether each current report needs a person's review, and why: what the reading found uncertain
-- (from reports.flags) and the error-severity checks it fails (dq_results). Runs after every load and
-- after every refresh of dq_results, so the reasons follow both.
with failing as (
    select report_id, list(distinct 'check:' || check_name order by 'check:' || check_name) as checks
    from dq_results
    where severity = 'error'
    group by report_id
),
reasons as (
    select
        r.report_id,
        list_distinct(list_concat(
            list_filter(coalesce(r.flags, []), lambda f: regexp_matches(
                f, '^(layout_uncertain|label_ambiguous|agency_unresolved|year_unresolved|tables_missing|pdf_tables_without_rules|decoded_with_replacements|ocr_low_confidence)'
            )),
            coalesce(c.checks, [])
        )) as why
    from reports as r
    left join failing as c using (report_id)
    where r.is_current
)
update reports as r
set review_reasons = list_sort(x.why), needs_review = len(x.why) > 0
from reasons as x
where r.report_id = x.report_id
  and (r.review_reasons is distinct from list_sort(x.why) or r.needs_review is distinct from (len(x.why) > 0));
