"""Factories for the portal's tests (campaigns, reports, notices)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from oasis.portal.models import Campaign, Notice, PeriodKind, Report, ReportValues

TODAY = dt.date(2026, 10, 20)


def make_campaign(park: Any, **over: Any) -> Campaign:
    data: dict[str, Any] = {
        "title": "2026年第三季度经济数据填报",
        "kind": PeriodKind.QUARTERLY,
        "year": 2026,
        "period": 3,
        "opens_on": dt.date(2026, 10, 1),
        "due_on": dt.date(2026, 10, 25),
        "fields": list(ReportValues.ANNUAL_FIGURE_FIELDS),
    }
    data.update(over)
    return Campaign.objects.create(park=park, **data)


VALUES = {
    "revenue": Decimal("12000000.00"),
    "main_business_revenue": Decimal("11000000.00"),
    "rd_expense": Decimal("900000.00"),
    "tax_paid": Decimal("500000.00"),
    "output_value": Decimal("15000000.00"),
    "headcount": 80,
    "rd_staff": 20,
}


def make_report(
    campaign: Campaign, enterprise: Any, status: str = Report.Status.SUBMITTED, **over: Any
) -> Report:
    values = {**{k: v for k, v in VALUES.items() if k in campaign.fields}, **over}
    return Report.objects.create(
        campaign=campaign,
        enterprise=enterprise,
        status=status,
        submitted_at=timezone.now() if status != Report.Status.DRAFT else None,
        **values,
    )


def make_notice(park: Any, **over: Any) -> Notice:
    data = {
        "title": "关于申报2026年专精特新企业的通知",
        "body": "各企业：……",
        "published_at": timezone.now(),
    }
    data.update(over)
    return Notice.objects.create(park=park, **data)


def form_values(**over: Any) -> dict[str, Any]:
    data = {k: str(v) for k, v in VALUES.items()}
    data.update(over)
    return data
