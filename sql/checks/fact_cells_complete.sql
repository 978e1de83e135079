-- Fails if a current report does not have every cell of its form exactly once (198 cells on the
-- 2019 form, 200 on the 2021 form): a loader bug, never a property of the source (absent cells are
-- rows with cell_state 'missing').
-- severity: error — counts over the fact tables would be wrong.
-- Fix: a loader bug — rerun ingest; if it persists, report it with the report_id and `select * from
-- load_log order by loaded_at desc limit 5`.
-- asset: reports
with counts as (
    select c.report_id, count(*) as cells, count(distinct c.table_name || ':' || c.cell) as distinct_cells
    from v_fact_cells as c
    group by c.report_id
)
select
    r.agency_id, r.year, r.report_id,
    format('{} cells ({} distinct) for form {}, which has {}', coalesce(n.cells, 0), coalesce(n.distinct_cells, 0),
           r.template_version, case r.template_version when '2019' then 198 else 200 end) as detail
from reports as r
left join counts as n using (report_id)
where r.is_current
  and (coalesce(n.cells, 0) <> case r.template_version when '2019' then 198 else 200 end
       or n.cells <> n.distinct_cells)
order by r.report_id;
