"""The screening export: one row per firm, every indicator of the chosen rule set."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from .selectors import STATUS_LABELS, Screening

ATTR_LABELS = {"passed": "通过", "value": "数值", "points": "得分", "points_max": "最高可得分",
               "status": "结论", "score": "总分", "score_max": "最高可能总分"}


def _header(col: str, screening: Screening) -> str:
    rs = screening.rule_set
    parts = col.split(".")
    if col == "size_class":
        return "企业规模（工信部联企业〔2011〕300号）"
    if col == "common.passed":
        return "通用条件 · 全部满足"
    owner, *rest = parts
    attr = rest[-1] if rest else ""
    if owner == "common" and len(rest) == 2:
        rule = next((r for r in rs.common if r.id == rest[0]), None)
        return f"通用条件 · {rule.label if rule else rest[0]} · {ATTR_LABELS.get(attr, attr)}"
    tier = rs.tiers.get(owner)
    if tier is None:
        return col
    if len(rest) == 1:
        return f"{tier.label} · {ATTR_LABELS.get(attr, attr)}"
    rule = tier.rules.get(rest[0])
    label = rule.label if rule else ("条件组 " + rest[0])
    return f"{tier.label} · {label} · {ATTR_LABELS.get(attr, attr)}"


def screening_workbook(screening: Screening, rows: list[Any]) -> bytes:
    """The workbook: firm columns, then the engine's result columns with Chinese headers
    (the machine names are in the second header row for anyone post-processing it)."""
    result = screening.result
    cols = [c for c in result.columns if c not in ("row", "id") and not c.endswith((".score_min",))]
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("筛查结果")
    head = ["企业ID", "企业名称", "统一社会信用代码", "规则集", "评估日期", "当前最高梯度", "下一梯度", "所需改变数", "临界企业"]
    ws.append(head + [_header(c, screening) for c in cols])
    ws.append(["enterprise_id", "name", "uscc", "rule_set", "assessment_date", "top_tier", "next_tier", "steps",
               "near_miss"] + cols)
    data = result.select(cols).rows()
    tier_labels = {k: t.label for k, t in screening.rule_set.tiers.items()}
    for r in rows:
        values = []
        for c, v in zip(cols, data[r.row]):
            if c.endswith(".status") and v in STATUS_LABELS:
                v = str(STATUS_LABELS[v])
            values.append(v)
        ws.append([r.enterprise_id, r.name, r.uscc, screening.rule_set.name, screening.assessment_date,
                   tier_labels.get(r.top_tier or "", ""), tier_labels.get(r.next_tier or "", ""), len(r.steps),
                   ", ".join(r.near_miss)] + values)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
