-- Fails if a current report does not have every cell of its forms exactly once: for each table, the
-- cells of the form that table follows and of the report's own form (a 2021 report keeping the 2019
-- （六） row stores `other` and the three 2021 （六） rows), as form_cells lists them (written from
-- pipelines/forms/catalog.py). A loader bug, never a property of the source (absent cells are rows with
-- cell_state 'missing').
-- severity: error — counts over the fact tables would be wrong.
-- Fix: a loader bug — rerun ingest; if it persists, report it with the report_id and `select * from
-- load_log order by loaded_at desc limit 5`.
-- asset: reports
with counts as (
    select c.report_id, count(*) as cells, count(distinct c.table_name || ':' || c.cell) as distinct_cells
    from v_fact_cells as c
    group by c.report_id
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
expected as (
    select t.report_id, count(distinct f.table_name || ':' || f.cell) as cells
    from table_forms as t
    join form_cells as f
      on f.table_name = t.table_name and f.template_version in (t.form, t.template_version)
    group by t.report_id
)
select
    r.agency_id, r.year, r.report_id,
    format('{} cells ({} distinct) for its forms ({}; tables {}/{}/{}), which have {}', coalesce(n.cells, 0),
           coalesce(n.distinct_cells, 0), r.template_version, r.proactive_form, r.applications_form, r.appeals_form,
           coalesce(e.cells, 0)) as detail
from reports as r
left join counts as n using (report_id)
left join expected as e using (report_id)
where r.is_current
  and (e.cells is null or coalesce(n.cells, 0) <> e.cells or n.cells <> n.distinct_cells)
order by r.report_id;
