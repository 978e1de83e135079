"""The forms' codes with the words the forms print for them: the rows of the warehouse's code tables
(dim_outcome, dim_applicant, dim_proactive_item, dim_appeal).

Labels come from the catalog (a row's or column's first label is its printed wording); what the catalog
does not say — where a row stands in the printed numbering (（三）1) and which group of outcomes it
belongs to — is written here as data. A code the catalog has and this module does not is an error
(tests/forms/test_vocabulary.py), so a new form year cannot slip in codes without labels.
"""

from __future__ import annotations

import re

from pipelines.forms.catalog import FORMS
from pipelines.forms.spec import Form

# Table B's rows: where each stands in the printed numbering, and its group. The groups are the ones
# analysts compare across the two forms: the 2019 form's single （六） row and the 2021 form's three all
# belong to `other`.
OUTCOME_PLACES: dict[str, tuple[str, str]] = {
    "new_received": ("一", "received"),
    "carried_over": ("二", "carried_over"),
    "granted": ("三（一）", "granted"),
    "partly_granted": ("三（二）", "partly_granted"),
    "denied_state_secret": ("三（三）1", "denied"),
    "denied_law_prohibited": ("三（三）2", "denied"),
    "denied_three_safety": ("三（三）3", "denied"),
    "denied_third_party": ("三（三）4", "denied"),
    "denied_internal": ("三（三）5", "denied"),
    "denied_process": ("三（三）6", "denied"),
    "denied_enforcement_file": ("三（三）7", "denied"),
    "denied_admin_query": ("三（三）8", "denied"),
    "unable_not_held": ("三（四）1", "unable"),
    "unable_need_creation": ("三（四）2", "unable"),
    "unable_unclear": ("三（四）3", "unable"),
    "rejected_complaint": ("三（五）1", "rejected"),
    "rejected_repeat": ("三（五）2", "rejected"),
    "rejected_publication": ("三（五）3", "rejected"),
    "rejected_mass": ("三（五）4", "rejected"),
    "rejected_confirm": ("三（五）5", "rejected"),
    "other": ("三（六）", "other"),
    "other_no_correction": ("三（六）1", "other"),
    "other_no_fee": ("三（六）2", "other"),
    "other_misc": ("三（六）3", "other"),
    "total_handled": ("三（七）", "total_handled"),
    "carried_forward": ("四", "carried_forward"),
}

# The printed heading of each group (the row above its numbered reasons, or the row itself).
OUTCOME_GROUP_LABELS: dict[str, str] = {
    "received": "本年新收政府信息公开申请数量",
    "carried_over": "上年结转政府信息公开申请数量",
    "granted": "予以公开",
    "partly_granted": "部分公开",
    "denied": "不予公开",
    "unable": "无法提供",
    "rejected": "不予处理",
    "other": "其他处理",
    "total_handled": "总计",
    "carried_forward": "结转下年度继续办理",
}

# Table B's columns: the applicant's group as printed over the header's two lines.
APPLICANT_GROUPS: dict[str, tuple[str, str]] = {
    "natural_person": ("person", "自然人"),
    "commercial": ("organisation", "法人或其他组织"),
    "research": ("organisation", "法人或其他组织"),
    "social_welfare": ("organisation", "法人或其他组织"),
    "legal_service": ("organisation", "法人或其他组织"),
    "other_org": ("organisation", "法人或其他组织"),
    "total": ("total", "总计"),
}

# Table C's rows as printed: review stands alone, the two kinds of litigation under 行政诉讼.
PROCEEDING_GROUPS: dict[str, tuple[str, str]] = {
    "admin_review": ("review", "行政复议"),
    "litigation_direct": ("litigation", "行政诉讼"),
    "litigation_after_review": ("litigation", "行政诉讼"),
}

# Table A's items as the 2019 and 2021 forms head them.
ITEM_LABELS: dict[str, str] = {
    "art20_1": "第二十条第（一）项",
    "art20_5": "第二十条第（五）项",
    "art20_6": "第二十条第（六）项",
    "art20_8": "第二十条第（八）项",
    "art20_9": "第二十条第（九）项",
}

_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.、．])")


def printed(label: str) -> str:
    """A label without its numbering (`1.属于国家秘密` → `属于国家秘密`): the number is a column of its own."""
    return _NUMBERING.sub("", label, count=1)


class MissingVocabulary(KeyError):
    """A code of the forms with no label row here: add its place and group to this module."""


def _need(table: dict, code: str, what: str):
    try:
        return table[code]
    except KeyError:
        raise MissingVocabulary(f"{what} code {code!r} has no entry in pipelines/forms/vocabulary.py") from None


def _codes(forms: tuple[Form, ...], table: str, cells) -> dict[tuple, tuple[list[tuple], list[str]]]:
    """Every code (or tuple of codes) `cells(block)` yields for a table of the forms, in first-seen order:
    the distinct wordings printed for it (tuples of labels) and the form versions that print it."""
    seen: dict[tuple, tuple[list[tuple], list[str]]] = {}
    for form in forms:
        for block in form.table(table).blocks:
            for key, wording in cells(block):
                wordings, versions = seen.setdefault(key, ([], []))
                if wording not in wordings:
                    wordings.append(wording)
                if form.version not in versions:
                    versions.append(form.version)
    return seen


def outcome_rows(forms: tuple[Form, ...] = FORMS) -> list[tuple]:
    """dim_outcome: (outcome, label, row_number, outcome_group, group_label, forms, sort_order)."""
    seen = _codes(forms, "applications", lambda block: (
        ((row.code_map["outcome"],), (printed(row.labels[0]),)) for row in block.rows))
    ordered = sorted(seen, key=lambda k: list(OUTCOME_PLACES).index(k[0]) if k[0] in OUTCOME_PLACES else len(seen))
    rows = []
    for i, key in enumerate(ordered):
        (code,), ((label,), *_), versions = key, *seen[key]
        number, group = _need(OUTCOME_PLACES, code, "outcome")
        rows.append((code, label, number, group, OUTCOME_GROUP_LABELS[group], versions, i + 1))
    return rows


def applicant_rows(forms: tuple[Form, ...] = FORMS) -> list[tuple]:
    """dim_applicant: (applicant, label, applicant_group, group_label, forms, sort_order)."""
    seen = _codes(forms, "applications", lambda block: (
        ((column.code_map["applicant"],), (printed(column.labels[0]),)) for column in block.columns))
    return [(code, wordings[0][0], *_need(APPLICANT_GROUPS, code, "applicant"), versions, i + 1)
            for i, ((code,), (wordings, versions)) in enumerate(seen.items())]


def proactive_rows(forms: tuple[Form, ...] = FORMS) -> list[tuple]:
    """dim_proactive_item: (item, category, metric, item_label, category_label, metric_label, unit, forms,
    sort_order), one row per cell of table A in any form; a metric worded differently by the forms keeps
    both wordings (2019 处理决定数量 / 2021 本年处理决定数量)."""
    seen = _codes(forms, "proactive", lambda block: (
        ((dict(block.fixed)["item"], row.code_map["category"], column.code_map["metric"]),
         (printed(row.labels[0]), printed(column.labels[0]), column.unit))
        for row in block.rows for column in block.columns))
    rows = []
    for i, ((item, category, metric), (wordings, versions)) in enumerate(seen.items()):
        category_label, _, unit = wordings[0]
        metric_label = " / ".join(dict.fromkeys(w[1] for w in wordings))
        rows.append((item, category, metric, _need(ITEM_LABELS, item, "item"), category_label, metric_label, unit,
                     versions, i + 1))
    return rows


def appeal_rows(forms: tuple[Form, ...] = FORMS) -> list[tuple]:
    """dim_appeal: (proceeding, result, proceeding_label, proceeding_group, group_label, result_label, forms,
    sort_order), one row per cell of table C."""
    seen = _codes(forms, "appeals", lambda block: (
        ((row.code_map["proceeding"], column.code_map["result"]), (printed(row.labels[0]), printed(column.labels[0])))
        for row in block.rows for column in block.columns))
    return [(proceeding, result, wordings[0][0], *_need(PROCEEDING_GROUPS, proceeding, "proceeding"),
             wordings[0][1], versions, i + 1)
            for i, ((proceeding, result), (wordings, versions)) in enumerate(seen.items())]
