"""Plausibility rules for annual figures, shared by forms, API and imports through the
service (written once, here)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from oasis.core.fields import MAX_HEADCOUNT, MAX_MONEY

from .models import AnnualFigure


def figure_errors(values: dict[str, Any]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def add(field: str, msg: str) -> None:
        errors.setdefault(field, []).append(msg)

    for field in AnnualFigure.MONEY_FIELDS:
        v = values.get(field)
        if v is None:
            continue
        if field in AnnualFigure.NONNEGATIVE_MONEY and v < 0:
            add(field, _("不能为负数。"))
        if abs(v) > MAX_MONEY:
            add(field, _("数值超过1万亿元，请检查单位（应以元为单位）。"))
        if Decimal(v).as_tuple().exponent < -2:  # type: ignore[operator]
            add(field, _("金额最多保留两位小数（分）。"))
    for field in AnnualFigure.COUNT_FIELDS:
        v = values.get(field)
        if v is not None and (v < 0 or v > MAX_HEADCOUNT):
            add(field, _("人数应在0到%(max)s之间。") % {"max": f"{MAX_HEADCOUNT:,}"})
    rev, mbr = values.get("revenue"), values.get("main_business_revenue")
    if rev is not None and mbr is not None and mbr > rev:
        add("main_business_revenue", _("主营业务收入不能大于营业收入。"))
    hc, rd = values.get("headcount"), values.get("rd_staff")
    if hc is not None and rd is not None and rd > hc:
        add("rd_staff", _("研发人员不能多于从业人数。"))
    # Liabilities above assets is legal (insolvent firms exist), so it is not checked.
    year = values.get("year")
    if year is not None and not (1990 <= int(year) <= 2100):
        add("year", _("年度应在1990到2100之间。"))
    return errors
