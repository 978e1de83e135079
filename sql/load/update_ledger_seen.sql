-- Marks every file the scan saw (temp table seen_files) as seen now, and records new contents.
-- Parameters: $now (TIMESTAMP). Runs inside the load's transaction.
update source_files as s
set last_seen_at = $now,
    mtime_ns = f.mtime_ns,
    size_bytes = f.size_bytes
from seen_files as f
where s.path = f.path
  and s.sha256 = f.sha256;
