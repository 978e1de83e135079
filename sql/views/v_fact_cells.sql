-- Every fact cell of every loaded report in one shape: which table, which cell (its codes joined
-- by '/'), value, state and raw text. For checks and searches that span the three tables.
create or replace view v_fact_cells as
select 'proactive' as table_name, report_id, agency_id, year, item || '/' || category || '/' || metric as cell,
       value, cell_state, raw_text
from fact_proactive
union all
select 'applications', report_id, agency_id, year, outcome || '/' || applicant,
       cast(value as decimal(24, 6)), cell_state, raw_text
from fact_applications
union all
select 'appeals', report_id, agency_id, year, proceeding || '/' || result,
       cast(value as decimal(24, 6)), cell_state, raw_text
from fact_appeals;

comment on view v_fact_cells is 'All fact cells of all loaded reports (current or not) in one shape; join reports for is_current.';
comment on column v_fact_cells.table_name is 'proactive | applications | appeals';
comment on column v_fact_cells.report_id is 'reports.report_id';
comment on column v_fact_cells.agency_id is 'agency id';
comment on column v_fact_cells.year is 'report year';
comment on column v_fact_cells.cell is 'the cell''s codes joined by / (item/category/metric, outcome/applicant, proceeding/result)';
comment on column v_fact_cells.value is 'the number read, as DECIMAL(24,6)';
comment on column v_fact_cells.cell_state is 'value | blank | not_applicable | missing | unreadable';
comment on column v_fact_cells.raw_text is 'the cell text as found';
