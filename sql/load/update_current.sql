-- Decides, after every load, which file holds the current report of each agency-year, and each
-- file's status (warehouse contract, "Which file holds the current report"):
--   1. identical content under another path is the same report: the extra path is superseded;
--   2. otherwise the file first seen later wins (a newer version of the report);
--   3. files first seen in the same run: original formats before text copies, then path order.
-- A path's live version is the one the last scan saw (or, for a vanished path, saw last); older
-- versions are superseded. Vanished paths are `removed`, their report staying current until replaced.
-- Works within the scope of load/scope_changes.sql (temp tables scope_paths, scope_keys): only
-- the agency-years a load touched are decided again.

create or replace temp table format_rank as
select * from (values
    ('docx', 1), ('html', 2), ('pdf', 3), ('doc', 4), ('rtf', 4),
    ('tab_text', 5), ('pipe_text', 5), ('line_text', 5), ('pdf_text', 5)
) as t(source_format, rank);

create or replace temp table live_files as
with ranked as (
    select
        s.*,
        row_number() over (partition by s.path order by s.last_seen_at desc, s.first_seen_at desc, s.sha256) as version_rank
    from source_files as s
    where s.path in (select path from scope_paths)
)
select
    r.path,
    r.sha256,
    r.report_id,
    r.error_code,
    r.first_seen_at,
    r.source_format,
    coalesce(f.rank, 9) as format_rank,
    r.path in (select path from seen_files) as present
from ranked as r
left join format_rank as f using (source_format)
where r.version_rank = 1;

create or replace temp table report_holders as
with candidates as (
    select l.*, rp.agency_id, rp.year
    from live_files as l
    join reports as rp using (report_id)
    where l.error_code is null
),
representative as (
    select
        *,
        row_number() over (partition by report_id order by first_seen_at, format_rank, path) as holder_rank,
        min(first_seen_at) over (partition by report_id) as report_first_seen
    from candidates
)
select * exclude (holder_rank)
from representative
where holder_rank = 1;

create or replace temp table current_reports as
select report_id
from (
    select
        report_id,
        row_number() over (
            partition by agency_id, year
            order by report_first_seen desc, format_rank, path
        ) as currency_rank
    from report_holders
)
where currency_rank = 1;

update reports as r
set is_current = r.report_id in (select report_id from current_reports),
    source_path = coalesce(h.path, r.source_path),
    sha256 = coalesce(h.sha256, r.sha256),
    source_format = coalesce(h.source_format, r.source_format),
    first_seen_at = coalesce(h.report_first_seen, r.first_seen_at)
from (select r2.report_id, h2.path, h2.sha256, h2.source_format, h2.report_first_seen
      from reports as r2
      join scope_keys as k on k.agency_id = r2.agency_id and k.year is not distinct from r2.year
      left join report_holders as h2 using (report_id)) as h
where r.report_id = h.report_id;

update source_files as s
set status = case
    when l.path is null then 'superseded'
    when not l.present then 'removed'
    when s.error_code is not null then 'quarantined'
    when h.report_id is not null and s.report_id in (select report_id from current_reports) then 'loaded'
    else 'superseded'
end
from source_files as s2
left join live_files as l on l.path = s2.path and l.sha256 = s2.sha256
left join report_holders as h on h.path = s2.path and h.sha256 = s2.sha256
where s.path = s2.path
  and s.sha256 = s2.sha256
  and s2.path in (select path from scope_paths);
