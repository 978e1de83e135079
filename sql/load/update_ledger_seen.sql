-- Marks every file the scan saw (temp table seen_files) as seen now, and records new contents.
-- Parameters: $now (TIMESTAMP). Runs inside the load's transaction.
-- Two statements: the size and modification time are written only where they changed (a file touched
-- but not changed); DuckDB updates one timestamp column of 100,000 rows in 0.04 s, three in 1.8 s.
-- (The parameter may only appear in the last statement.)
update source_files as s
set mtime_ns = f.mtime_ns,
    size_bytes = f.size_bytes
from seen_files as f
where s.path = f.path
  and s.sha256 = f.sha256
  and (s.mtime_ns is distinct from f.mtime_ns or s.size_bytes is distinct from f.size_bytes);

update source_files as s
set last_seen_at = $now
from seen_files as f
where s.path = f.path
  and s.sha256 = f.sha256;
