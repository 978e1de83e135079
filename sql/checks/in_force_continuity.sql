-- Fails if, on the 2021 form, 现行有效件数 of year Y ≠ 现行有效件数 of Y−1 + 本年制发件数 − 本年废止件数
-- (per category: 规章, 行政规范性文件), when all four hold values.
-- severity: warn — counts across two reports; either may be wrong (or documents were reclassified).
-- Fix: open both years' files; reclassified documents explain a gap, otherwise the agency's counts
-- disagree — note it.
-- asset: fact_proactive
with cells as (
    select f.agency_id, f.year, f.report_id, f.category, f.metric, f.value
    from fact_proactive as f
    join reports as r using (report_id)
    where r.is_current and r.template_version = '2021' and f.item = 'art20_1' and f.cell_state = 'value'
      and r.agency_name is not null
),
per_year as (
    select
        agency_id, year, report_id, category,
        max(value) filter (where metric = 'issued') as issued,
        max(value) filter (where metric = 'repealed') as repealed,
        max(value) filter (where metric = 'in_force') as in_force
    from cells
    group by all
)
select
    cur.agency_id, cur.year, cur.report_id,
    format('{}: 现行有效 {} ≠ {} (last year) + {} − {}', cur.category, cur.in_force::bigint, prev.in_force::bigint,
           cur.issued::bigint, cur.repealed::bigint) as detail
from per_year as cur
join per_year as prev
  on prev.agency_id = cur.agency_id and prev.year = cur.year - 1 and prev.category = cur.category
where cur.in_force is not null and prev.in_force is not null and cur.issued is not null and cur.repealed is not null
  and cur.in_force <> prev.in_force + cur.issued - cur.repealed
order by cur.report_id, cur.category;
