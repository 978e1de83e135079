-- The paths a load can change anything for: parsed in this batch (temp table batch_paths), or
-- vanished from / back in the raw folder since the last run (temp table seen_files). Empty with no
-- parsed files means nothing changed: the load only marks files as seen.
create or replace temp table touched_paths as
with live as (
    select path, status, row_number() over (partition by path order by last_seen_at desc) as k
    from source_files
)
select path from batch_paths
union
select path from live
where k = 1 and ((path not in (select path from seen_files)) <> (status = 'removed'));
