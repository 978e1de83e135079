-- Fails if the signature date cannot be right: signed before the report year ended, or more than
-- 18 months after it (the date is kept as written).
-- severity: warn — the statistics are unaffected; the date (or the year read) is suspect.
-- Fix: check the date in the file; if the year was misread, add a sidecar <stem>.meta.json with the
-- right year.
-- asset: reports
select
    agency_id, year, report_id,
    format('signed {} for report year {}', published_on, year) as detail
from reports
where is_current
  and published_on is not null
  and year is not null
  and (published_on < make_date(year + 1, 1, 1)
       or published_on > make_date(year + 1, 1, 1) + interval 18 month)
order by report_id;
