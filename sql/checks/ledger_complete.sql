-- Fails if the ledger lost or doubled a file: every file the latest scan saw must be in
-- source_files exactly once per content hash, as loaded, quarantined or superseded — or be counted
-- as waiting for the next parse (it arrived after the parse step, or lies in a batch a partition
-- run did not cover) — so that loaded + quarantined + superseded + waiting = the files it found;
-- and every loaded or superseded report version must name a report that exists.
-- severity: error — a file that is not in the ledger is a report silently missing from every
-- figure. Fix: rerun ingest (it completes interrupted work); if it persists, report it with
-- `select * from load_log order by loaded_at desc limit 5`.
-- asset: source_files
-- scope: warehouse (the ledger against the latest scan: its rows belong to no agency)
with last_scan as (
    select loaded_at, files_seen, coalesce(files_waiting, 0) as files_waiting
    -- the batches of one run share loaded_at; the last of them waits on the fewest files
    from load_log order by loaded_at desc, files_waiting asc limit 1
),
accounted as (
    select count(*) as n from source_files, last_scan
    where source_files.last_seen_at = last_scan.loaded_at
      and source_files.status in ('loaded', 'quarantined', 'superseded')
)
select null::varchar as agency_id, null::integer as year, null::varchar as report_id,
       format('the latest scan found {} files; the ledger accounts for {} of them and {} wait for a parse',
              s.files_seen, a.n, s.files_waiting) as detail
from last_scan as s, accounted as a
where s.files_seen <> a.n + s.files_waiting
union all
select null, null, null, format('{} is in the ledger {} times with content {}', path, count(*), sha256)
from source_files
group by path, sha256
having count(*) > 1
union all
select null, null, f.report_id, format('{} is {} as report {}, which is not in reports', f.path, f.status, f.report_id)
from source_files as f
anti join reports as r on r.report_id = f.report_id
where f.status in ('loaded', 'superseded') and f.report_id is not null
union all
select null, null, null, format('{} was seen by the latest scan with {} current contents', path, count(*))
from source_files, last_scan
where source_files.last_seen_at = last_scan.loaded_at and status <> 'removed'
group by path
having count(*) > 1;
