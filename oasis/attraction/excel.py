"""Excel column spec for leads: one list of columns drives the import parser, the
template download and the export."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from oasis.enterprises.models import FocusIndustry
from oasis.parks.models import UnitUse

from .models import Intent, Lead, Partner, Source

MAX_ROWS = 5000


def _choice(choices: type[models.Choices]) -> Callable[[Any], str]:
    by_label = {str(label): value for value, label in choices.choices}

    def parse(raw: Any) -> str:
        text = str(raw).strip()
        if text in choices.values:
            return text
        if text in by_label:
            return by_label[text]
        raise ValueError(_("不是可选值之一：%(values)s。") % {"values": "、".join(by_label)})

    return parse


def _decimal(raw: Any) -> Decimal:
    try:
        value = Decimal(str(raw).replace(",", "").strip())
    except InvalidOperation:
        raise ValueError(_("应为数字。")) from None
    if not value.is_finite():
        raise ValueError(_("应为数字。"))
    return value


def _int(raw: Any) -> int:
    value = _decimal(raw)
    if value != value.to_integral_value():
        raise ValueError(_("应为整数。"))
    return int(value)


def _date(raw: Any) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        raise ValueError(_("应为日期，如 2026-03-01。")) from None


def _text(raw: Any) -> str:
    return str(raw).strip()


@dataclass(frozen=True)
class Column:
    field: str
    label: str
    parse: Callable[[Any], Any]
    export: Callable[[Lead], Any]
    required: bool = False
    confidential: bool = False


def columns() -> list[Column]:
    return [
        Column("company_name", _("企业名称"), _text, lambda lead: lead.company_name, required=True),
        Column("uscc", _("统一社会信用代码"), _text, lambda lead: lead.uscc or ""),
        Column(
            "source",
            _("来源渠道"),
            _choice(Source),
            lambda lead: lead.get_source_display(),
            required=True,
        ),
        Column(
            "partner",
            _("引荐人/机构"),
            _text,
            lambda lead: lead.partner.name if lead.partner else "",
        ),
        Column("intent", _("意向程度"), _choice(Intent), lambda lead: lead.get_intent_display()),
        Column("contact_name", _("联系人"), _text, lambda lead: lead.contact_name),
        Column("contact_phone", _("联系电话"), _text, lambda lead: lead.contact_phone),
        Column(
            "focus_industry",
            _("主导产业"),
            _choice(FocusIndustry),
            lambda lead: lead.get_focus_industry_display(),
        ),
        Column("industry_code", _("行业代码"), _text, lambda lead: lead.industry_code),
        Column("need_area", _("需求面积（㎡）"), _decimal, lambda lead: lead.need_area),
        Column(
            "need_use", _("需求用途"), _choice(UnitUse), lambda lead: lead.get_need_use_display()
        ),
        Column("need_timing", _("期望入驻时间"), _date, lambda lead: lead.need_timing),
        Column(
            "expected_investment",
            _("预计投资（元）"),
            _decimal,
            lambda lead: lead.expected_investment,
            confidential=True,
        ),
        Column(
            "expected_output", _("预计年产值（元）"), _decimal, lambda lead: lead.expected_output
        ),
        Column("expected_tax", _("预计年税收（元）"), _decimal, lambda lead: lead.expected_tax),
        Column("expected_jobs", _("预计就业人数"), _int, lambda lead: lead.expected_jobs),
        Column(
            "owner",
            _("负责人（用户名）"),
            _text,
            lambda lead: lead.owner.username if lead.owner else "",
        ),
    ]


def labels() -> dict[str, str]:
    return {c.field: c.label for c in columns()}


def parse_leads(
    content: bytes, *, park_id: int
) -> tuple[list[tuple[int, dict[str, Any], dict[str, str]]], list[str]]:
    """Rows as (row number, values, parse errors by field), plus file-level errors.
    Partners are looked up by name in the park, owners by username."""
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not xlsx
        return [], [_("无法读取文件：请上传 .xlsx 格式的 Excel 文件。")]
    ws = wb.worksheets[0]
    raw_rows = ws.iter_rows(values_only=True)
    header = next(raw_rows, None)
    cols = columns()
    spec = {c.label: c for c in cols}
    if not header:
        return [], [_("文件为空。")]
    positions: dict[int, Column] = {}
    for i, name in enumerate(header):
        col = spec.get(str(name).strip()) if name is not None else None
        if col is not None:
            positions[i] = col
    present = {c.field for c in positions.values()}
    missing = [c.label for c in cols if c.required and c.field not in present]
    if missing:
        return [], [_("缺少必填列：%(cols)s。") % {"cols": "、".join(missing)}]
    partners = {p.name: p for p in Partner.objects.filter(park_id=park_id)}
    users = {
        u.username: u
        for u in get_user_model().objects.filter(park_roles__park_id=park_id).distinct()
    }
    rows: list[tuple[int, dict[str, Any], dict[str, str]]] = []
    for number, values in enumerate(raw_rows, start=2):
        if values is None or all(v is None or str(v).strip() == "" for v in values):
            continue
        if len(rows) >= MAX_ROWS:
            return [], [_("一次最多导入 %(n)d 行。") % {"n": MAX_ROWS}]
        data: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for i, col in positions.items():
            raw = values[i] if i < len(values) else None
            if raw is None or str(raw).strip() == "":
                if col.required:
                    errors[col.field] = _("必填。")
                continue
            try:
                value = col.parse(raw)
            except ValueError as exc:
                errors[col.field] = str(exc)
                continue
            if col.field == "partner":
                if value not in partners:
                    errors["partner"] = _("本园区没有名为“%(name)s”的合作方。") % {"name": value}
                    continue
                value = partners[value]
            elif col.field == "owner":
                if value not in users:
                    errors["owner"] = _("本园区没有用户名为“%(name)s”的员工。") % {"name": value}
                    continue
                value = users[value]
            data[col.field] = value
        rows.append((number, data, errors))
    return rows, []


def workbook_response_bytes(headers: list[str], rows: Iterable[list[Any]]) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(headers)
    for row in rows:
        ws.append(["" if v is None else v for v in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def leads_export(leads: Iterable[Lead]) -> bytes:
    """Confidential columns are blank for rows the reader may not see (`conf_ok`)."""
    cols = columns()
    headers = [c.label for c in cols] + [_("阶段"), _("流失原因"), _("最近跟进"), _("创建时间")]

    def row(lead: Lead) -> list[Any]:
        ok = getattr(lead, "conf_ok", False)
        out = [(c.export(lead) if ok or not c.confidential else "") for c in cols]
        out = [float(v) if isinstance(v, Decimal) else v for v in out]
        return out + [
            lead.get_stage_display(),
            lead.lost_reason,
            timezone.localtime(lead.last_activity_at).replace(tzinfo=None),
            timezone.localtime(lead.created_at).replace(tzinfo=None),
        ]

    return workbook_response_bytes(headers, (row(lead) for lead in leads))


def template_bytes() -> bytes:
    return workbook_response_bytes([c.label for c in columns()], [])
