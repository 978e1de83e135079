"""A self-contained HTML report with charts: coverage, applications, refusal reasons, appeals and
data quality, for people who would rather look than query.

Charts are plotly figures, written as the plain dicts plotly.js reads (plotly's figure objects validate
and deep-copy their template on every update: most of the report's time before); the tests validate
each one with plotly. plotly.js is inlined once, so the file opens offline in any browser.
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

import duckdb
import plotly.io as pio
import polars as pl

CHART_HEIGHT = 420
# v_summary_national's outcome columns, by dim_outcome.outcome_group: their labels come from the code tables.
OUTCOME_GROUPS = {"granted": "granted", "partly_granted": "partly_granted", "denied": "denied", "unable": "unable",
                  "rejected": "rejected", "other_handling": "other"}
RESULTS = {"upheld": "upheld", "corrected": "corrected", "other_result": "other", "pending": "pending"}
# Counts are whole: below this maximum the axis ticks every 1 (plotly would otherwise print 0.5 steps).
UNIT_TICKS_BELOW = 10


def _frame(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql).to_arrow_table())


Figure = dict  # {"data": [trace, ...], "layout": {...}}, as plotly.js reads it
TEMPLATE = "plotly_white"


def _layout(title: str, **more: object) -> dict:
    return {"title": {"text": title}, "height": CHART_HEIGHT, **more}


def _bar(title: str, x: list, ys: dict[str, list], horizontal: bool = False, stacked: bool = False) -> Figure:
    data = [{"type": "bar", "y": x, "x": values, "name": name, "orientation": "h"} if horizontal
            else {"type": "bar", "x": x, "y": values, "name": name} for name, values in ys.items()]
    bars = [[v or 0 for v in values] for values in ys.values()]
    heights = [sum(stack) for stack in zip(*bars, strict=True)] if stacked else [v for values in bars for v in values]
    counts = {"tickformat": ",d", "rangemode": "tozero",
              **({"dtick": 1} if max(heights, default=0) < UNIT_TICKS_BELOW else {})}
    axes = {"xaxis": counts} if horizontal else {"xaxis": {"type": "category"}, "yaxis": counts}
    return {"data": data, "layout": _layout(title, barmode="stack" if stacked else "group",
                                             margin={"l": 60, "r": 20, "t": 60, "b": 60}, **axes)}


def _labels(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, str]:
    return dict(con.execute(sql).fetchall())


def charts(con: duckdb.DuckDBPyConnection) -> list[tuple[str, Figure]]:
    """Every chart of the report, with a sentence on what it shows."""
    out = []
    by_year = _frame(con, "select year, count(*) as reports from reports where is_current group by 1 order by 1")
    out.append(("Current reports per year.", _bar("Reports by year", by_year["year"].to_list(),
                                                  {"reports": by_year["reports"].to_list()})))
    by_province = _frame(con, "select coalesce(province, '(unknown)') as province, count(*) as reports from reports "
                              "where is_current group by 1 order by 2 desc, 1")
    out.append(("Current reports per province ('(unknown)': not resolved from the text).",
                _bar("Reports by province", by_province["province"].to_list(),
                     {"reports": by_province["reports"].to_list()})))
    by_format = _frame(con, "select source_format, count(*) as files from source_files where status <> 'removed' "
                            "group by 1 order by 2 desc")
    fig = {"data": [{"type": "pie", "labels": by_format["source_format"].to_list(),
                     "values": by_format["files"].to_list(), "hole": 0.4}], "layout": _layout("Files by format")}
    out.append(("Every file in the raw folder, by the layout it was read as (quarantined files included).", fig))

    group_labels = _labels(con, "select distinct outcome_group, group_label from dim_outcome")
    result_labels = _labels(con, "select distinct result, result_label from dim_appeal")
    proceeding_labels = _labels(con, "select distinct proceeding, case when proceeding_group = 'review' then "
                                     "proceeding_label else group_label || '（' || proceeding_label || '）' end "
                                     "from dim_appeal")
    summary = _frame(con, "select * from v_summary_national order by year")
    out.append(("Applications received (一、本年新收) and handled (（七）总计), all current reports.",
                _bar("Applications per year", summary["year"].to_list(),
                     {"本年新收 received": summary["new_received"].to_list(),
                      "（七）总计 handled": summary["total_handled"].to_list()})))
    out.append(("How applications ended, per year (2021's three （六） rows summed as 其他处理).",
                _bar("Outcomes per year", summary["year"].to_list(),
                     {group_labels[group]: summary[column].to_list() for column, group in OUTCOME_GROUPS.items()},
                     stacked=True)))

    reasons = _frame(con, "select comparable_reason_label, sum(applications)::bigint as applications "
                          "from v_refusal_reasons group by 1 having sum(applications) > 0 order by 2, 1")
    out.append(("Applications not granted, by reason, all years.",
                _bar("Refusal reasons", reasons["comparable_reason_label"].to_list(),
                     {"applications": reasons["applications"].to_list()}, horizontal=True)))

    appeals = _frame(con, "select proceeding, sum(upheld)::bigint as upheld, sum(corrected)::bigint as corrected, "
                          "sum(other_result)::bigint as other_result, sum(pending)::bigint as pending "
                          "from v_appeals group by 1 order by 1")
    out.append(("Review and litigation cases by result, all years.",
                _bar("Appeals and their results", [proceeding_labels.get(p, p) for p in appeals["proceeding"]],
                     {result_labels[code]: appeals[column].to_list() for column, code in RESULTS.items()}, stacked=True)))

    quality = _frame(con, "select check_name, severity, count(*) as failures from dq_results group by 1, 2 "
                          "order by 3 desc, 1")
    out.append(("Data-quality failures by check (rows in dq_results; errors and warnings).",
                _bar("Data-quality failures", quality["check_name"].to_list(),
                     {"failures": quality["failures"].to_list()}, horizontal=True)))
    return out


def write_report(con: duckdb.DuckDBPyConnection, target: Path, now: dt.datetime | None = None) -> Path:
    """Write the report to `target` (atomically); return it."""
    now = now or dt.datetime.now(dt.UTC)
    totals = con.execute("select count(*) filter (where is_current), count(distinct agency_id), min(year), max(year) "
                         "from reports").fetchall()[0]
    sections = []
    template = pio.templates[TEMPLATE].to_plotly_json()
    for i, (caption, fig) in enumerate(charts(con)):
        fig = {**fig, "layout": {**fig["layout"], "template": template}}
        div = pio.to_html(fig, full_html=False, include_plotlyjs=(i == 0), div_id=f"chart-{i}", validate=False,
                          config={"displaylogo": False, "responsive": True})
        sections.append(f'<section class="chart"><p>{html.escape(caption)}</p>{div}</section>')
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>政府信息公开工作年度报告 · warehouse report</title>
<style>body{{font-family:system-ui,"Noto Sans CJK SC",sans-serif;max-width:1100px;margin:2em auto;color:#222}}
section.chart{{margin:2em 0;border-top:1px solid #ddd}} .meta{{color:#666}}</style></head>
<body><h1>政府信息公开工作年度报告 — what the warehouse holds</h1>
<p class="meta">{totals[0]} current reports of {totals[1]} agencies, years {totals[2]}–{totals[3]};
generated {now:%Y-%m-%d %H:%M} UTC. Figures are sums over current reports of the cells that
hold a number (blank and / add nothing).</p>
{''.join(sections)}
</body></html>
"""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(target)
    return target
