-- Fails if a current report does not have every cell of its form exactly once (the form's cells are
-- in form_cells, written from pipelines/forms/catalog.py): a loader bug, never a property of the
-- source (absent cells are rows with cell_state 'missing').
-- severity: error — counts over the fact tables would be wrong.
-- Fix: a loader bug — rerun ingest; if it persists, report it with the report_id and `select * from
-- load_log order by loaded_at desc limit 5`.
-- asset: reports
with counts as (
    select c.report_id, count(*) as cells, count(distinct c.table_name || ':' || c.cell) as distinct_cells
    from v_fact_cells as c
    group by c.report_id
),
form_size as (
    select template_version, count(*) as cells
    from form_cells
    group by template_version
)
select
    r.agency_id, r.year, r.report_id,
    format('{} cells ({} distinct) for form {}, which has {}', coalesce(n.cells, 0), coalesce(n.distinct_cells, 0),
           r.template_version, coalesce(f.cells, 0)) as detail
from reports as r
left join counts as n using (report_id)
left join form_size as f using (template_version)
where r.is_current
  and (f.cells is null or coalesce(n.cells, 0) <> f.cells or n.cells <> n.distinct_cells)
order by r.report_id;
