-- Fails if a current report does not have every cell of its forms exactly once: for each table, the
-- cells of the form that table follows and of the report's own form (a 2021 report keeping the 2019
-- （六） row stores `other` and the three 2021 （六） rows), as form_cells lists them (written from
-- pipelines/forms/catalog.py). A loader bug, never a property of the source (absent cells are rows with
-- cell_state 'missing').
-- severity: error — counts over the fact tables would be wrong.
-- Fix: a loader bug — rerun ingest; if it persists, report it with the report_id and `select * from
-- load_log order by loaded_at desc limit 5`.
-- asset: reports
-- How: a report's cells are compared with its forms' cells as multisets, by count and by the sum of a
-- hash per cell (equal exactly when every cell is there once and no other is, collisions aside), so no
-- distinct count over every cell is needed; the distinct count of the detail is taken for failing
-- reports only.
-- A cell's hash is taken over its codes (form_cells.cell split at '/'), never over a joined string.
with hashed as (
    select report_id, hash('proactive', item, category, metric) as h from fact_proactive
    union all
    select report_id, hash('applications', outcome, applicant) from fact_applications
    union all
    select report_id, hash('appeals', proceeding, result) from fact_appeals
),
counts as (
    select report_id, count(*) as cells, sum(h::hugeint) as fp
    from hashed
    where report_id in (select report_id from reports where is_current)
    group by report_id
),
table_forms as (
    select report_id, template_version, 'proactive' as table_name, coalesce(proactive_form, template_version) as form
    from reports where is_current
    union all
    select report_id, template_version, 'applications', coalesce(applications_form, template_version)
    from reports where is_current
    union all
    select report_id, template_version, 'appeals', coalesce(appeals_form, template_version)
    from reports where is_current
),
-- the cells of one table under one (table form, report form) pair: a handful of pairs, not one per report
pair_cells as (
    select p.table_name, p.form, p.template_version, count(*) as cells,
           sum(case len(p.codes)
                   when 3 then hash(p.table_name, p.codes[1], p.codes[2], p.codes[3])
                   else hash(p.table_name, p.codes[1], p.codes[2]) end::hugeint) as fp
    from (
        select distinct k.table_name, k.form, k.template_version, string_split(f.cell, '/') as codes
        from (select distinct table_name, form, template_version from table_forms) as k
        join form_cells as f
          on f.table_name = k.table_name and f.template_version in (k.form, k.template_version)
    ) as p
    group by p.table_name, p.form, p.template_version
),
expected as (
    select t.report_id, sum(c.cells) as cells, sum(c.fp) as fp, count(*) as tables
    from table_forms as t
    join pair_cells as c using (table_name, form, template_version)
    group by t.report_id
),
failing as (
    select r.report_id
    from reports as r
    left join counts as n using (report_id)
    left join expected as e using (report_id)
    where r.is_current
      and (e.cells is null or coalesce(n.cells, 0) <> e.cells or n.fp is distinct from e.fp)
),
failing_cells as (
    select report_id, 'proactive' as table_name, item || '/' || category || '/' || metric as cell from fact_proactive
    where report_id in (select report_id from failing)
    union all
    select report_id, 'applications', outcome || '/' || applicant from fact_applications
    where report_id in (select report_id from failing)
    union all
    select report_id, 'appeals', proceeding || '/' || result from fact_appeals
    where report_id in (select report_id from failing)
),
failing_counts as (
    select report_id, count(*) as cells, count(distinct table_name || ':' || cell) as distinct_cells
    from failing_cells
    group by report_id
)
select
    r.agency_id, r.year, r.report_id,
    format('{} cells ({} distinct) for its forms ({}; tables {}/{}/{}), which have {}', coalesce(n.cells, 0),
           coalesce(n.distinct_cells, 0), r.template_version, r.proactive_form, r.applications_form, r.appeals_form,
           coalesce(e.cells, 0))
    || case when n.cells = e.cells and n.cells = n.distinct_cells then ', but not the same cells' else '' end as detail
from reports as r
join failing using (report_id)
left join failing_counts as n using (report_id)
left join expected as e using (report_id)
order by r.report_id;
