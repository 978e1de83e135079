-- Fails if a current report has cells the form has no place for (an agency's own rows such as
-- 其他主动公开文件 or 行政检查, or numbers left over after the form was filled); kept in fact_unmapped.
-- severity: warn — nothing is lost, but those numbers are in no fact table.
-- Fix: look at fact_unmapped for the report; an agency's own rows need nothing, a label the form knows
-- under another wording is a missing label variant (add it to pipelines/forms/catalog.py).
-- asset: fact_unmapped
select
    r.agency_id, r.year, u.report_id,
    format('{} unmapped cells, e.g. {} / {} = {}', count(*), min(u.row_label), min(u.column_label), min(u.raw_text))
        as detail
from fact_unmapped as u
join reports as r using (report_id)
where r.is_current and u.raw_text is not null and trim(u.raw_text) <> ''
group by r.agency_id, r.year, u.report_id
order by u.report_id;
