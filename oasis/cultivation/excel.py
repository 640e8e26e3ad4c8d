"""The screening export: one row per firm, every indicator of the chosen rule set."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from oasis.core.excel import Column, SheetData

from .selectors import STATUS_LABELS, Screening, rule_set_label

ATTR_LABELS = {
    "passed": _("通过"),
    "value": _("数值"),
    "points": _("得分"),
    "points_max": _("最高可得分"),
    "status": _("结论"),
    "score": _("总分"),
    "score_max": _("最高可能总分"),
}


def _header(col: str, screening: Screening) -> str:
    rs = screening.rule_set
    parts = col.split(".")
    if col == "size_class":
        return gettext("企业规模（工信部联企业〔2011〕300号）")
    if col == "common.passed":
        return gettext("通用条件 · 全部满足")
    owner, *rest = parts
    attr = rest[-1] if rest else ""
    if owner == "common" and len(rest) == 2:
        rule = next((r for r in rs.common if r.id == rest[0]), None)
        label = rule_set_label(rule.label, rule.label_en) if rule else rest[0]
        common = gettext("通用条件")
        return f"{common} · {label} · {ATTR_LABELS.get(attr, attr)}"
    tier = rs.tiers.get(owner)
    if tier is None:
        return col
    if len(rest) == 1:
        return f"{rule_set_label(tier.label, tier.label_en)} · {ATTR_LABELS.get(attr, attr)}"
    rule = tier.rules.get(rest[0])
    label = (
        rule_set_label(rule.label, rule.label_en)
        if rule
        else gettext("条件组 %(id)s") % {"id": rest[0]}
    )
    return f"{rule_set_label(tier.label, tier.label_en)} · {label} · {ATTR_LABELS.get(attr, attr)}"


def screening_sheet(screening: Screening, rows: list[Any]) -> SheetData:
    """The workbook: firm columns, then the engine's result columns with headers in the page's language
    (the machine names are in the second header row for anyone post-processing it)."""
    result = screening.result
    cols = [c for c in result.columns if c not in ("row", "id") and not c.endswith((".score_min",))]
    head: list[Any] = [
        gettext("企业ID"),
        gettext("企业名称"),
        gettext("统一社会信用代码"),
        gettext("规则集"),
        gettext("评估日期"),
        gettext("当前最高梯度"),
        gettext("下一梯度"),
        gettext("所需改变数"),
        gettext("临界企业"),
    ]
    out: list[list[Any]] = [
        [
            "enterprise_id",
            "name",
            "uscc",
            "rule_set",
            "assessment_date",
            "top_tier",
            "next_tier",
            "steps",
            "near_miss",
        ]
        + cols
    ]
    data = result.select(cols).rows()
    tier_labels = {
        k: rule_set_label(t.label, t.label_en) for k, t in screening.rule_set.tiers.items()
    }
    for r in rows:
        values = []
        for c, v in zip(cols, data[r.row]):
            if c.endswith(".status") and v in STATUS_LABELS:
                v = str(STATUS_LABELS[v])
            values.append(v)
        out.append(
            [
                r.enterprise_id,
                r.name,
                r.uscc,
                screening.rule_set.name,
                screening.assessment_date,
                tier_labels.get(r.top_tier or "", ""),
                tier_labels.get(r.next_tier or "", ""),
                len(r.steps),
                ", ".join(r.near_miss),
            ]
            + values
        )
    head[1] = Column(head[1], "name", width=28)
    head[2] = Column(head[2], "uscc", width=22)
    return SheetData(gettext("筛查结果"), head + [_header(c, screening) for c in cols], out)
