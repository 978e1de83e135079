-- Fails if a current report never names its agency (only 我镇, 我局 …): it is loaded under a
-- placeholder id derived from its file's path.
-- severity: warn — the numbers are usable, but cannot be joined to the agency's other years;
-- fix with a sidecar <stem>.meta.json {"agency_name": …}.
-- asset: reports
select
    agency_id, year, report_id,
    format('agency not named in {} (placeholder id {})', source_path, agency_id) as detail
from reports
where is_current and agency_name is null
order by report_id;
