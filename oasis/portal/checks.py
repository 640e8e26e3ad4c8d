"""Plausibility checks on a report: pure functions, no ORM. A flag never rejects a
report; it asks the firm to explain (the service requires an explanation when any
flag is raised) and shows the reviewer what to look at.

What is impossible rather than implausible (main-business revenue above revenue, more
R&D staff than staff) is an error, from the enterprise file's own rules
(`enterprises.validation.figure_errors`), applied by the service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from .models import ReportValues

# Figures compared with the same period a year earlier: those the enterprise file keeps.
YOY_FIELDS = ReportValues.ANNUAL_FIGURE_FIELDS


@dataclass(frozen=True)
class Flag:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def _num(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def report_flags(
    *,
    values: Mapping[str, Any],
    previous: Mapping[str, Any] | None,
    threshold_pct: Decimal,
    labels: Mapping[str, str],
) -> list[Flag]:
    """Flags for `values` against `previous` (the same period a year earlier, or None)."""
    flags: list[Flag] = []
    revenue, rd = _num(values.get("revenue")), _num(values.get("rd_expense"))
    if revenue is not None and rd is not None and rd > revenue:
        flags.append(Flag("rd_expense", "rd_above_revenue", _("研发费用高于营业收入。")))
    if previous:
        limit = Decimal(threshold_pct) / 100
        for field in YOY_FIELDS:
            now, before = _num(values.get(field)), _num(previous.get(field))
            if now is None or before is None or before <= 0:
                continue
            change = (now - before) / before
            if abs(change) > limit:
                flags.append(
                    Flag(
                        field,
                        "yoy_jump",
                        _("%(label)s同比变化 %(pct)s%%（上年同期 %(before)s），超过 %(limit)s%%。")
                        % {
                            "label": labels.get(field, field),
                            "pct": f"{change * 100:+.1f}",
                            "before": f"{before:,.0f}",
                            "limit": f"{Decimal(threshold_pct):.0f}",
                        },
                    )
                )
    return flags
