-- Every fact cell of every loaded report in one shape: which table, which cell (its codes joined
-- by '/'), value, state and raw text. For checks and searches that span the three tables.
create or replace view v_fact_cells as
select 'proactive' as table_name, f.report_id, f.agency_id, f.year, f.item || '/' || f.category || '/' || f.metric as cell,
       d.item_label || ' · ' || d.category_label || ' · ' || d.metric_label as cell_label,
       f.value, f.cell_state, f.raw_text
from fact_proactive as f
left join dim_proactive_item as d using (item, category, metric)
union all
select 'applications', f.report_id, f.agency_id, f.year, f.outcome || '/' || f.applicant,
       o.row_number || ' ' || o.label || ' · ' || a.label,
       cast(f.value as decimal(24, 6)), f.cell_state, f.raw_text
from fact_applications as f
left join dim_outcome as o using (outcome)
left join dim_applicant as a using (applicant)
union all
select 'appeals', f.report_id, f.agency_id, f.year, f.proceeding || '/' || f.result,
       d.proceeding_label || ' · ' || d.result_label,
       cast(f.value as decimal(24, 6)), f.cell_state, f.raw_text
from fact_appeals as f
left join dim_appeal as d using (proceeding, result);

comment on view v_fact_cells is 'All fact cells of all loaded reports (current or not) in one shape; join reports for is_current.';
comment on column v_fact_cells.table_name is 'proactive | applications | appeals';
comment on column v_fact_cells.report_id is 'reports.report_id';
comment on column v_fact_cells.agency_id is 'agency id';
comment on column v_fact_cells.year is 'report year';
comment on column v_fact_cells.cell is 'the cell''s codes joined by / (item/category/metric, outcome/applicant, proceeding/result)';
comment on column v_fact_cells.cell_label is 'the cell as the form prints it: row · column (from the dim_ code tables)';
comment on column v_fact_cells.value is 'the number read, as DECIMAL(24,6)';
comment on column v_fact_cells.cell_state is 'value | blank | not_applicable | missing | unreadable';
comment on column v_fact_cells.raw_text is 'the cell text as found';
