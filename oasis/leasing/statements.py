"""The move-out statement (退租结算) as a workbook. Every user string is written as a
text cell, never a formula (a tenant called "=HYPERLINK(…)" stays a name)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from .models import Bill, Lease, Settlement

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell(ws: Any, value: Any) -> Any:
    cell = WriteOnlyCell(ws, value=float(value) if isinstance(value, Decimal) else value)
    if isinstance(value, str):
        cell.data_type = "s"  # text, even when it starts with "="
    return cell


def settlement_workbook(lease: Lease, settlement: Settlement) -> Workbook:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("退租结算"))

    def row(*values: Any) -> None:
        ws.append([_cell(ws, v) for v in values])

    row(_("合同编号"), lease.number)
    row(_("承租企业"), lease.tenant.name)
    row(_("结算日期"), settlement.settled_on)
    row(_("未结账单"), settlement.outstanding)
    row(_("预收余额"), settlement.credit)
    row(_("保证金已收"), settlement.deposit_held)
    row(_("保证金未收核销"), settlement.deposit_cancelled)
    row(_("预收抵扣"), settlement.credit_applied)
    row(_("保证金抵扣"), settlement.deposit_applied)
    row(_("应退金额"), settlement.refund)
    row(_("仍欠金额"), settlement.shortfall)
    row(_("凭证号"), settlement.reference)
    row(_("经办"), str(settlement.recorded_by or "—"))
    row()
    row(_("账期"), _("应付日期"), _("应收"), _("已收"), _("未收"))
    for b in lease.bills.exclude(kind=Bill.Kind.DEPOSIT).order_by("due_date", "seq"):
        row(
            f"{b.period_start:%Y-%m-%d} – {b.period_end:%Y-%m-%d}",
            b.due_date,
            b.amount,
            b.paid,
            b.amount - b.paid,
        )
    return wb


def export_settlement(lease: Lease, settlement: Settlement) -> HttpResponse:
    buf = io.BytesIO()
    settlement_workbook(lease, settlement).save(buf)
    resp = HttpResponse(buf.getvalue(), content_type=XLSX)
    resp["Content-Disposition"] = f'attachment; filename="settlement-{lease.pk}.xlsx"'
    return resp
