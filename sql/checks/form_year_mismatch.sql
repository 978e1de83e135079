-- Fails if a report uses a form not in force for its year: the 2019 form for 2021 on, or the
-- 2021 form for 2019–2020.
-- severity: warn — the numbers are what the agency reported on the form it used, but rows that
-- differ between forms (（六）其他处理, 第二十条第（九）项) do not compare; or the year was misread.
-- Fix: check the year in the title; if it was misread, add a sidecar <stem>.meta.json with the right
-- year and rerun.
-- asset: reports
select
    agency_id, year, report_id,
    format('form {} used for report year {}', template_version, year) as detail
from reports
where is_current
  and year is not null
  and ((template_version = '2019' and year >= 2021) or (template_version = '2021' and year <= 2020))
order by report_id;
