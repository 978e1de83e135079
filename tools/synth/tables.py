"""The three tables laid out as agencies lay them out: the printed form's grid (merged headers, the
vertical 三、本年度办理结果 and group labels, padding cells), and the shapes real reports give it —
caption rows, an agency's own rows, headers split, reordered or repeated, tables cut per row group or
broken over a page inside a group, the next part's heading run into the table.

Grids only: the wording comes from labels.py, the cell texts from numbers.py.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from tools.synth.forms import FORMS, LEGAL_PERSONS, PROCEEDINGS, RESULTS
from tools.synth.grid import Grid, Placed, insert_rows, relabel, split_grid
from tools.synth.labels import Labels

PROACTIVE_COLUMNS = 4
APPLICATION_COLUMNS = 10
APPEAL_COLUMNS = 15
APPLICANT_CODES = ("natural_person", *LEGAL_PERSONS, "total")
# Captions real tables carry in their first row (zhejiang-yuecheng-donghu-2023, heilongjiang-shangzhi-…-2020).
CAPTIONS = {"proactive": "主动公开政府信息情况", "applications": "收到和处理政府信息公开申请情况"}
# Header words printed over two or three lines (jiangxi-huichang-…-2020, fujian-pingtan-jjfzj-2021-txt).
LINE_SPLITS = {
    "本年新制作数量": "本年新\n制作数量", "本年新公开数量": "本年新\n公开数量", "对外公开总数量": "对外公开\n总数量",
    "本年制发件数": "本年制发\n件数", "本年废止件数": "本年废止\n件数", "现行有效件数": "现行有效\n件数",
    "上一年项目数量": "上一年\n项目数量", "处理决定数量": "处理决定\n数量", "商业企业": "商业\n企业",
    "科研机构": "科研\n机构", "社会公益组织": "社会\n公益\n组织", "法律服务机构": "法律\n服务\n机构",
    "结果维持": "结果\n维持", "结果纠正": "结果\n纠正", "其他结果": "其他\n结果", "尚未审结": "尚未\n审结",
}
VERTICAL = {"其他": "其\n他", "总计": "总\n计", "合计": "合\n计", "结果维持": "结\n果\n维\n持", "尚未审结": "尚\n未\n审\n结"}
NATURAL_PERSON_VERTICAL = "自\n然\n人"  # as the printed form writes it


@dataclass
class Shape:
    """How one report lays its tables out (each field is one quirk's doing)."""

    caption: bool = False                 # caption_rows
    extra_rows: dict[str, list[tuple[str, list[str]]]] = field(default_factory=dict)  # agency_rows, by item
    split_groups: bool = False            # split_per_group
    header_lines: bool = False            # header_split (over lines)
    header_cells: bool = False            # header_split (over two header rows, table A)
    header_repeat: bool = False           # header_repeated
    heading_row: str | None = None        # heading_after_last_row: the next part's heading
    total_low: bool = False               # total_header_low
    reorder: bool = False                 # header_reordered (flattened layouts only)
    vertical: bool = False                # vertical_headers
    page_break: bool = False              # page_break_in_group
    break_in_row: bool = False            # …with the page number between a row's label and its numbers
    repeat_on_break: bool = False         # …and the heading rows repeated on the next page


def _split_label(text: str, shape: Shape) -> str:
    return LINE_SPLITS.get(text, text) if shape.header_lines else text


def proactive(version: str, raw: dict, labels: Labels, shape: Shape, rng: random.Random | None = None) -> Grid:
    """Table A: a heading row, a header row and the category rows for each article item."""
    grid = Grid(PROACTIVE_COLUMNS)
    r = 0
    if shape.caption:
        grid.add(r, 0, CAPTIONS["proactive"], colspan=PROACTIVE_COLUMNS)
        r += 1
    for item in FORMS[version].proactive:
        grid.add(r, 0, labels.items[item.code], colspan=PROACTIVE_COLUMNS)
        r += 1
        metrics = item.metrics
        span = 3 if len(metrics) == 1 else 1
        heads = [labels.metrics[m.code] for m in metrics]
        if shape.header_cells and any("\n" in LINE_SPLITS.get(h, "") for h in heads):
            grid.add(r, 0, labels.content, rowspan=2)
            for i, head in enumerate(heads):
                first, _, second = LINE_SPLITS.get(head, head).partition("\n")
                if second:
                    grid.add(r, 1 + i, first, colspan=span)
                    grid.add(r + 1, 1 + i, second, colspan=span)
                else:
                    grid.add(r, 1 + i, head, rowspan=2, colspan=span)
            if len(metrics) == 2:
                grid.add(r, 3, "", rowspan=2)
            r += 2
        else:
            grid.add(r, 0, labels.content)
            for i, head in enumerate(heads):
                grid.add(r, 1 + i, _split_label(head, shape), colspan=span)
            if len(metrics) == 2:
                grid.add(r, 3, "")
            r += 1
        for category, _ in item.categories:
            grid.add(r, 0, labels.categories[category])
            keys = [f"{item.code}/{category}/{m.code}" for m in metrics]
            for i, key in enumerate(keys):
                grid.add(r, 1 + i, raw[("proactive", key)], colspan=span, key=("proactive", key))
            if len(metrics) == 2 and raw[("proactive", keys[-1])] is not None:
                grid.add(r, 3, "")
            r += 1
        for label, numbers in shape.extra_rows.get(item.code, []):
            grid.add(r, 0, label)  # a row the agency added: no form cell
            for i, text in enumerate(numbers[:len(metrics)]):
                grid.add(r, 1 + i, text, colspan=span)
            if len(metrics) == 2:
                grid.add(r, 3, "")
            r += 1
    return grid


def _applications_header(labels: Labels, shape: Shape) -> list[Placed]:
    """The three heading rows of table B (rows counted from 0)."""
    cells = [Placed(0, 0, labels.balance_note, 3, 3), Placed(0, 3, labels.applicant_header, 1, 7)]
    person = labels.applicants["natural_person"]
    person = NATURAL_PERSON_VERTICAL if person == "自然人" else person
    total = labels.applicants["total"]
    if shape.vertical:
        total = VERTICAL.get(total, total)
    legal = [_split_label(labels.applicants[a], shape) for a in LEGAL_PERSONS]
    if shape.vertical:
        legal[-1] = VERTICAL.get(legal[-1], legal[-1])
    if shape.reorder:  # 总计 first in the flattened header (a cell merged over two rows comes first)
        cells += [Placed(1, 3, total, 2), Placed(1, 4, person, 2), Placed(1, 5, labels.legal_person, 1, 5)]
        cells += [Placed(2, 5 + i, text) for i, text in enumerate(legal)]
    elif shape.total_low:  # 总计 on the second line after 其他, an empty cell in its place above
        cells += [Placed(1, 3, person, 2), Placed(1, 4, labels.legal_person, 1, 5), Placed(1, 9, "")]
        cells += [Placed(2, 4 + i, text) for i, text in enumerate(legal)] + [Placed(2, 9, total)]
    else:
        cells += [Placed(1, 3, person, 2), Placed(1, 4, labels.legal_person, 1, 5), Placed(1, 9, total, 2)]
        cells += [Placed(2, 4 + i, text) for i, text in enumerate(legal)]
    return cells


def applications(version: str, raw: dict, labels: Labels, shape: Shape,
                 rng: random.Random | None = None) -> list[Grid]:
    """Table B: heading rows, then one row per outcome; the outcome rows under 三、本年度办理结果 and the
    numbered rows under their group label. Several grids when it is cut per group or over a page."""
    outcomes = FORMS[version].outcomes
    grid = Grid(APPLICATION_COLUMNS, header_rows=3)
    for p in _applications_header(labels, shape):
        grid.add(p.row, p.col, p.text, p.rowspan, p.colspan, p.vertical)
    handled = [o for o in outcomes if o.handled]
    first_row: dict[str, int] = {}
    r = 3
    for o in outcomes:
        if o.code == handled[0].code:
            grid.add(r, 0, labels.handled, rowspan=len(handled), vertical=True)
        group = o.group if o.code != "other" else None
        if not o.handled:
            grid.add(r, 0, labels.outcomes[o.code], colspan=3)
        elif group:
            members = [m for m in outcomes if m.group == group]
            if o.code == members[0].code:
                grid.add(r, 1, labels.groups[group], rowspan=len(members), vertical=True)
                first_row[group] = r
            grid.add(r, 2, labels.outcomes[o.code])
        else:
            grid.add(r, 1, labels.outcomes[o.code], colspan=2)
        first_row.setdefault(o.code, r)
        for i, applicant in enumerate(APPLICANT_CODES):
            key = ("applications", f"{o.code}/{applicant}")
            grid.add(r, 3 + i, raw[key], key=key)
        r += 1
    if shape.heading_row:
        grid.add(r, 0, shape.heading_row, colspan=APPLICATION_COLUMNS)
    if shape.header_repeat:
        at = first_row["unable"]
        insert_rows(grid, at, [p for p in grid.cells if p.row < 3], 3)
        first_row = {k: (v + 3 if v >= at else v) for k, v in first_row.items()}
    if shape.caption:
        insert_rows(grid, 0, [Placed(0, 0, CAPTIONS["applications"], 1, APPLICATION_COLUMNS)], 1)
        grid.header_rows += 1
        first_row = {k: v + 1 for k, v in first_row.items()}
    if shape.split_groups:
        cuts = [first_row[c] for c in ("granted", "denied", "unable", "rejected", "total_handled")]
        cuts.append(first_row.get("other_no_correction", first_row.get("other")))
        return split_grid(grid, cuts)
    if shape.page_break:
        rng = rng or random.Random(0)
        group = rng.choice([g for g in ("denied", "unable", "rejected") if g in first_row])
        cut = first_row[group] + 1  # rows 2., 3. … of the group go to the next page without its label
        if shape.break_in_row:
            grid.break_after_label = cut
        return split_grid(grid, [cut], repeat_header=shape.repeat_on_break)
    return [grid]


def appeals(raw: dict, labels: Labels, shape: Shape) -> list[Grid]:
    """Table C: 行政复议 and 行政诉讼 (未经复议直接起诉, 复议后起诉) × five results, one row of numbers;
    three 5-column tables when cut per proceeding."""
    results = [_split_label(labels.results[r.code], shape) for r in RESULTS]
    if shape.split_groups:
        grids = []
        for proceeding, _ in PROCEEDINGS:
            grid = Grid(len(RESULTS), header_rows=2)
            heading = labels.proceedings[proceeding]
            if proceeding != "admin_review":
                heading = f"{labels.litigation}（{heading}）"
            grid.add(0, 0, heading, colspan=len(RESULTS))
            for i, text in enumerate(results):
                grid.add(1, i, text)
            for i, result in enumerate(RESULTS):
                key = ("appeals", f"{proceeding}/{result.code}")
                grid.add(2, i, raw[key], key=key)
            grids.append(grid)
        return grids
    grid = Grid(APPEAL_COLUMNS, header_rows=3)
    grid.add(0, 0, labels.proceedings["admin_review"], colspan=5)
    grid.add(0, 5, labels.litigation, colspan=10)
    for i, text in enumerate(results):
        grid.add(1, i, text, rowspan=2, vertical=True)
    grid.add(1, 5, labels.proceedings["litigation_direct"], colspan=5)
    grid.add(1, 10, labels.proceedings["litigation_after_review"], colspan=5)
    for p in range(2):
        for i, text in enumerate(results):
            grid.add(2, 5 + p * 5 + i, text)
    for p, (proceeding, _) in enumerate(PROCEEDINGS):
        for i, result in enumerate(RESULTS):
            key = ("appeals", f"{proceeding}/{result.code}")
            grid.add(3, p * 5 + i, raw[key], key=key)
    if shape.vertical:
        relabel(grid, {t: VERTICAL[t] for t in ("结果维持", "尚未审结")})
    return [grid]
