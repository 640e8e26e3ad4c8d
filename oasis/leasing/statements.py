"""The move-out statement (退租结算) as a workbook. Every user string is written as a
text cell, never a formula (a tenant called "=HYPERLINK(…)" stays a name)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from oasis.core import excel
from oasis.core.excel import Column, SheetData

from .models import Bill, Lease, Settlement


def settlement_sheets(lease: Lease, settlement: Settlement) -> list[SheetData]:
    """The statement (item, value) and the lease's bills, each on a sheet of its own."""
    items: list[list[Any]] = [
        [_("合同编号"), lease.number],
        [_("承租企业"), lease.tenant.name],
        [_("结算日期"), settlement.settled_on],
        [_("未结账单"), settlement.outstanding],
        [_("预收余额"), settlement.credit],
        [_("保证金已收"), settlement.deposit_held],
        [_("保证金未收核销"), settlement.deposit_cancelled],
        [_("预收抵扣"), settlement.credit_applied],
        [_("保证金抵扣"), settlement.deposit_applied],
        [_("应退金额"), settlement.refund],
        [_("仍欠金额"), settlement.shortfall],
        [_("凭证号"), settlement.reference],
        [_("经办"), str(settlement.recorded_by or "—")],
    ]
    bills = (
        [
            f"{b.period_start:%Y-%m-%d} – {b.period_end:%Y-%m-%d}",
            b.due_date,
            b.amount,
            b.paid,
            b.amount - b.paid,
        ]
        for b in lease.bills.exclude(kind=Bill.Kind.DEPOSIT).order_by("due_date", "seq")
    )
    return [
        SheetData(
            _("退租结算"),
            [Column(_("项目"), "item", width=18), Column(_("内容"), "value", width=30)],
            items,
        ),
        SheetData(
            _("账单"),
            [Column(_("账期"), "period", width=26), _("应付日期"), _("应收"), _("已收"), _("未收")],
            bills,
        ),
    ]


def export_settlement(lease: Lease, settlement: Settlement) -> HttpResponse:
    name = _("退租结算-%(number)s.xlsx") % {"number": lease.number}
    return excel.export_response(name, settlement_sheets(lease, settlement))
