-- Rebuilds the agencies table from the reports (one row per agency_id: the fullest name seen and
-- its region), then gives every report its agency's fullest name (warehouse contract: reports.
-- agency_name is "the fullest name seen for the agency"). Ordered aggregates keep it
-- deterministic: the same reports give the same rows. Only the agencies of this load's scope
-- (temp table scope_keys) are rebuilt.
create or replace temp table scope_agencies as
select distinct agency_id from scope_keys;

delete from agencies where agency_id in (select agency_id from scope_agencies);

insert into agencies by name
select
    agency_id,
    first(agency_core_name order by length(agency_core_name) desc, agency_core_name)
        filter (where agency_core_name is not null) as agency_core_name,
    first(agency_name_in_report order by length(agency_name_in_report) desc, agency_name_in_report)
        filter (where agency_name_in_report is not null) as agency_name,
    first(province order by province) filter (where province is not null) as province,
    first(city order by city) filter (where city is not null) as city,
    first(county order by county) filter (where county is not null) as county,
    list_sort(list_distinct(list(agency_name_in_report) filter (where agency_name_in_report is not null))) as aliases,
    first(agency_level order by year desc, agency_level) filter (where agency_level is not null) as level,
    -- the most specific code: a county's before a city's (…00) before a province's (…0000)
    first(division_code order by right(division_code, 4) = '0000', right(division_code, 2) = '00', division_code)
        filter (where division_code is not null) as division_code
from reports
where agency_id in (select agency_id from scope_agencies)
group by agency_id;

update reports as r
set agency_name = a.agency_name
from agencies as a
where r.agency_id = a.agency_id
  and a.agency_id in (select agency_id from scope_agencies)
  and r.agency_name is distinct from a.agency_name;
