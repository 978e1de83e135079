-- The part of the warehouse a load can change, so that currency and agencies are recomputed for it
-- alone (a 1%-changed nightly run then costs about 1% of a full one).
-- Reads the temp table touched_paths (load/touched_paths.sql).
--   scope_keys:    the agency-years of every report any version of those paths holds;
--   scope_paths:   every path holding a report of those agency-years (currency is decided among them).
create or replace temp table scope_keys as
select distinct r.agency_id, r.year
from source_files as s
join reports as r using (report_id)
where s.path in (select path from touched_paths)
union
-- a current report no file holds any more (its sidecar changed, so the file now holds another)
select agency_id, year
from reports
where is_current and report_id not in (select report_id from source_files where report_id is not null);

create or replace temp table scope_paths as
select distinct s.path
from source_files as s
join reports as r using (report_id)
join scope_keys as k on k.agency_id = r.agency_id and k.year is not distinct from r.year
union
select path from touched_paths;
