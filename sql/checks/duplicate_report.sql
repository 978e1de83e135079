-- Fails if an agency-year has another report version whose numbers differ from the current one's
-- (e.g. two different files both claiming to be 2020's report).
-- severity: warn — the current one was chosen by the contract's rule (newest first), which may
-- not be the right one; identical copies in other formats are not flagged.
-- Fix: decide which file is the real report and remove (or move out of the raw folder) the other; the
-- next run makes the remaining one current.
-- asset: reports
with fingerprint as (
    select report_id, md5(string_agg(table_name || ':' || cell || '=' || coalesce(cast(value as varchar), cell_state),
                                      ';' order by table_name, cell)) as fp
    from v_fact_cells
    group by report_id
),
versions as (
    select r.agency_id, r.year, r.report_id, r.is_current, r.source_path, f.fp
    from reports as r
    join fingerprint as f using (report_id)
)
select
    cur.agency_id, cur.year, cur.report_id,
    format('{} other version(s) with different numbers, e.g. {}', count(*), min(other.source_path)) as detail
from versions as cur
join versions as other
  on other.agency_id = cur.agency_id and other.year = cur.year
 and other.report_id <> cur.report_id and other.fp <> cur.fp
where cur.is_current
group by cur.agency_id, cur.year, cur.report_id
order by cur.report_id;
