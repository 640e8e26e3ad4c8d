"""Leads in Excel: one list of columns (`oasis.core.excel.Column`) drives the import,
the template and the export. The import reads through the core toolkit (bounded, ledger
parsers) and hands each row to `services.leads_import`, which runs it through the same
validation as the lead form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from oasis.core import excel
from oasis.core.excel import Column, SheetData, SheetSpec
from oasis.enterprises.models import FocusIndustry
from oasis.parks.models import UnitUse

from .models import Intent, Lead, Partner, Source

MAX_ROWS = 5000
# Blank in an export for readers who may not see the firm's confidential figures.
CONFIDENTIAL = frozenset({"expected_investment"})


def columns() -> list[Column]:
    return [
        Column(
            _("企业名称"), "company_name", required=True, width=28, value=lambda d: d.company_name
        ),
        Column(_("统一社会信用代码"), "uscc", width=22, value=lambda d: d.uscc or ""),
        Column(
            _("来源渠道"),
            "source",
            excel.choice(Source),
            required=True,
            value=lambda d: d.get_source_display(),
        ),
        Column(
            _("引荐人/机构"),
            "partner",
            value=lambda d: d.partner.name if d.partner_id else "",
        ),
        Column(
            _("意向程度"), "intent", excel.choice(Intent), value=lambda d: d.get_intent_display()
        ),
        Column(_("联系人"), "contact_name", value=lambda d: d.contact_name),
        Column(_("联系电话"), "contact_phone", value=lambda d: d.contact_phone),
        Column(
            _("主导产业"),
            "focus_industry",
            excel.choice(FocusIndustry),
            value=lambda d: d.get_focus_industry_display(),
        ),
        Column(_("行业代码"), "industry_code", value=lambda d: d.industry_code),
        Column(
            _("需求面积（㎡）"),
            "need_area",
            excel.decimal(2, minimum=None),
            value=lambda d: d.need_area,
        ),
        Column(
            _("需求用途"),
            "need_use",
            excel.choice(UnitUse),
            value=lambda d: d.get_need_use_display(),
        ),
        Column(_("期望入驻时间"), "need_timing", excel.date(), value=lambda d: d.need_timing),
        Column(
            _("预计投资（元）"),
            "expected_investment",
            excel.amount(minimum=None),
            width=16,
            value=lambda d: d.expected_investment,
        ),
        Column(
            _("预计年产值（元）"),
            "expected_output",
            excel.amount(minimum=None),
            width=16,
            value=lambda d: d.expected_output,
        ),
        Column(
            _("预计年税收（元）"),
            "expected_tax",
            excel.amount(minimum=None),
            width=16,
            value=lambda d: d.expected_tax,
        ),
        Column(
            _("预计就业人数"), "expected_jobs", excel.integer(), value=lambda d: d.expected_jobs
        ),
        Column(
            _("负责人（用户名）"),
            "owner",
            value=lambda d: d.owner.username if d.owner_id else "",
        ),
    ]


def labels() -> dict[str, str]:
    return {c.key: str(c.label) for c in columns()}


def parse_leads(
    upload: bytes | IO[bytes], *, park_id: int
) -> tuple[list[tuple[int, dict[str, Any], dict[str, str]]], list[str]]:
    """Rows as (row number, values, parse errors by field), plus file-level errors.
    Partners are looked up by name in the park, owners by username."""
    cols = columns()
    try:
        reading = excel.read(
            upload, [SheetSpec(None, cols)], limits=excel.Limits.from_settings(rows=MAX_ROWS)
        )
    except excel.WorkbookRefused as exc:
        return [], [exc.reason]
    if reading.errors:
        missing = [e.column for e in reading.errors if e.column]
        if missing:
            return [], [_("缺少必填列：%(cols)s。") % {"cols": _("、").join(missing)}]
        return [], [str(e) for e in reading.errors]
    label = labels()
    by_label = {v: k for k, v in label.items()}
    partners = {p.name: p for p in Partner.objects.filter(park_id=park_id)}
    users = {
        u.username: u
        for u in get_user_model().objects.filter(park_roles__park_id=park_id).distinct()
    }
    rows: list[tuple[int, dict[str, Any], dict[str, str]]] = []
    for row in reading.rows:
        errors = {by_label[e.column]: e.reason for e in row.errors}
        data = {k: v for k, v in row.values.items() if v is not None and k not in errors}
        if "partner" in data:
            if data["partner"] in partners:
                data["partner"] = partners[data["partner"]]
            else:
                errors["partner"] = _("本园区没有名为“%(name)s”的合作方。") % {
                    "name": data.pop("partner")
                }
        if "owner" in data:
            if data["owner"] in users:
                data["owner"] = users[data["owner"]]
            else:
                errors["owner"] = _("本园区没有用户名为“%(name)s”的员工。") % {
                    "name": data.pop("owner")
                }
        rows.append((row.number, data, errors))
    return rows, []


def leads_sheet(leads: Iterable[Lead]) -> SheetData:
    """Confidential columns are blank for rows the reader may not see (`conf_ok`)."""
    cols = columns()
    headers: list[Any] = [*cols, _("阶段"), _("流失原因"), _("最近跟进"), _("创建时间")]

    def row(lead: Lead) -> list[Any]:
        ok = getattr(lead, "conf_ok", False)
        out = [
            (c.value(lead) if c.value and (ok or c.key not in CONFIDENTIAL) else "") for c in cols
        ]
        return out + [
            lead.get_stage_display(),
            lead.lost_reason,
            lead.last_activity_at,
            lead.created_at,
        ]

    return SheetData(_("招商线索"), headers, (row(lead) for lead in leads))


def template_bytes() -> bytes:
    return excel.template_bytes([SheetSpec(_("招商线索"), columns())])
