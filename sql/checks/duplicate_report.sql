-- Fails if an agency-year has another report version whose numbers differ from the current one's
-- (e.g. two different files both claiming to be 2020's report).
-- severity: warn — the current one was chosen by the contract's rule (newest first), which may
-- not be the right one; identical copies in other formats are not flagged.
-- Fix: decide which file is the real report and remove (or move out of the raw folder) the other; the
-- next run makes the remaining one current.
-- asset: reports
-- How: only agency-years holding two or more report versions are compared (a small share), each
-- version by an order-independent fingerprint of its cells (the sum of a hash per cell, and the count),
-- so no ordered string of every cell is built: it runs in bounded memory and spills like any aggregate.
with multi as (
    select agency_id, year
    from reports
    where year is not null
    group by agency_id, year
    having count(*) >= 2 and bool_or(is_current)
),
versions as (
    select r.agency_id, r.year, r.report_id, r.is_current, r.source_path
    from reports as r
    join multi as m on m.agency_id = r.agency_id and m.year = r.year
),
cells as (
    select report_id, hash('proactive', item, category, metric, coalesce(cast(value as varchar), cell_state)) as h
    from fact_proactive where report_id in (select report_id from versions)
    union all
    select report_id, hash('applications', outcome, applicant, coalesce(cast(value as varchar), cell_state))
    from fact_applications where report_id in (select report_id from versions)
    union all
    select report_id, hash('appeals', proceeding, result, coalesce(cast(value as varchar), cell_state))
    from fact_appeals where report_id in (select report_id from versions)
),
fingerprint as (
    select report_id, sum(h::hugeint) as fp_sum, count(*) as fp_cells
    from cells
    group by report_id
),
fingerprinted as (
    select v.*, f.fp_sum, f.fp_cells
    from versions as v
    join fingerprint as f using (report_id)
)
select
    cur.agency_id, cur.year, cur.report_id,
    format('{} other version(s) with different numbers, e.g. {}', count(*), min(other.source_path)) as detail
from fingerprinted as cur
join fingerprinted as other
  on other.agency_id = cur.agency_id and other.year = cur.year
 and other.report_id <> cur.report_id
 and (other.fp_sum <> cur.fp_sum or other.fp_cells <> cur.fp_cells)
where cur.is_current
group by cur.agency_id, cur.year, cur.report_id
order by cur.report_id;
