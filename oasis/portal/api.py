"""/api/v1/portal/: campaigns, reports (fill, submit, review) and notices, with the
pages' selectors and services, so scoping and rules are the pages' own."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from oasis.accounts.http import AuthedHttpRequest
from oasis.cultivation.models import Tier
from oasis.enterprises.models import FocusIndustry
from oasis.parks.models import Building
from oasis.parks.selectors import park_get_for_user

from . import selectors, services
from .filters import ReportFilter
from .models import Campaign, PeriodKind, Report

router = Router(tags=["portal"])


class CampaignOut(Schema):
    id: int
    park_id: int
    title: str
    kind: PeriodKind
    year: int
    period: int
    fields: list[str]
    opens_on: dt.date
    due_on: dt.date
    jump_threshold: Decimal
    status: Campaign.Status
    expected: int | None = None
    n_submitted: int | None = None
    n_accepted: int | None = None


class ValuesIn(Schema):
    revenue: Decimal | None = Field(None, ge=0)
    main_business_revenue: Decimal | None = Field(None, ge=0)
    rd_expense: Decimal | None = Field(None, ge=0)
    tax_paid: Decimal | None = Field(None, ge=0)
    output_value: Decimal | None = Field(None, ge=0)
    financing: Decimal | None = Field(None, ge=0)
    headcount: int | None = Field(None, ge=0)
    rd_staff: int | None = Field(None, ge=0)
    new_ip: int | None = Field(None, ge=0)


class ReportIn(ValuesIn):
    explanation: str = Field("", max_length=2000)
    submit: bool = False


class FlagOut(Schema):
    field: str
    code: str
    message: str


class ReportOut(Schema):
    id: int
    campaign_id: int
    enterprise_id: int
    status: Report.Status
    revenue: Decimal | None
    main_business_revenue: Decimal | None
    rd_expense: Decimal | None
    tax_paid: Decimal | None
    output_value: Decimal | None
    financing: Decimal | None
    headcount: int | None
    rd_staff: int | None
    new_ip: int | None
    flags: list[FlagOut]
    explanation: str
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    review_comment: str


class ReviewIn(Schema):
    comment: str = Field("", max_length=2000)


class NoticeIn(Schema):
    park_id: int
    title: str = Field(..., min_length=1, max_length=120)
    body: str = Field(..., min_length=1, max_length=20000)
    audience_industry: FocusIndustry | None = None
    audience_building_id: int | None = None
    audience_tier: Tier | None = None


class NoticeOut(Schema):
    id: int
    park_id: int
    title: str
    body: str
    audience_industry: str
    audience_building_id: int | None
    audience_tier: str
    published_at: dt.datetime
    is_read: bool | None = None
    read_count: int | None = None


@router.get("/campaigns", response=list[CampaignOut])
@paginate(LimitOffsetPagination)
def campaign_list(request: AuthedHttpRequest):
    return selectors.campaign_list(user=request.user)


@router.get("/campaigns/{campaign_id}", response=CampaignOut)
def campaign_detail(request: AuthedHttpRequest, campaign_id: int):
    return selectors.campaign_get_for_user(user=request.user, pk=campaign_id)


@router.put("/campaigns/{campaign_id}/report", response=ReportOut)
def report_save(request: AuthedHttpRequest, campaign_id: int, payload: ReportIn):
    """Save the caller's firm's report; `submit: true` submits it. Implausible figures
    without an explanation: 400 with the flags under fields.explanation."""
    campaign = selectors.campaign_get_for_user(user=request.user, pk=campaign_id)
    data = payload.dict(exclude_unset=True, exclude={"explanation", "submit"})
    return services.report_save(
        actor=request.user,
        campaign=campaign,
        data=data,
        explanation=payload.explanation,
        submit=payload.submit,
    )


@router.get("/reports", response=list[ReportOut])
@paginate(LimitOffsetPagination)
def report_list(request: AuthedHttpRequest, filters: Query[ReportFilter]):
    qs = selectors.report_queryset_for_user(request.user).order_by("-id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.campaign_id is not None:
        qs = qs.filter(campaign_id=filters.campaign_id)
    return qs


@router.get("/reports/{report_id}", response=ReportOut)
def report_detail(request: AuthedHttpRequest, report_id: int):
    return selectors.report_get_for_user(user=request.user, pk=report_id)


@router.post("/reports/{report_id}/accept", response=ReportOut)
def report_accept(request: AuthedHttpRequest, report_id: int, payload: ReviewIn):
    report = selectors.report_get_for_user(user=request.user, pk=report_id)
    return services.report_accept(actor=request.user, report=report, comment=payload.comment)


@router.post("/reports/{report_id}/return", response=ReportOut)
def report_return(request: AuthedHttpRequest, report_id: int, payload: ReviewIn):
    report = selectors.report_get_for_user(user=request.user, pk=report_id)
    return services.report_return(actor=request.user, report=report, comment=payload.comment)


@router.get("/notices", response=list[NoticeOut])
@paginate(LimitOffsetPagination)
def notice_list(request: AuthedHttpRequest):
    return selectors.notice_list(user=request.user)


@router.get("/notices/{notice_id}", response=NoticeOut)
def notice_detail(request: AuthedHttpRequest, notice_id: int):
    """Reading a notice as a member records the read receipt."""
    notice = selectors.notice_get_for_user(user=request.user, pk=notice_id)
    services.notice_mark_read(user=request.user, notice=notice)
    return notice


@router.post("/notices", response={201: NoticeOut})
def notice_publish(request: AuthedHttpRequest, payload: NoticeIn):
    park = park_get_for_user(user=request.user, pk=payload.park_id)
    building = None
    if payload.audience_building_id is not None:
        building = Building.objects.filter(pk=payload.audience_building_id, park=park).first()
        if building is None:
            raise ValidationError({"audience_building_id": [_("楼宇不属于本园区。")]})
    data = {
        "title": payload.title,
        "body": payload.body,
        "audience_industry": payload.audience_industry or "",
        "audience_building": building,
        "audience_tier": payload.audience_tier or "",
    }
    return Status(201, services.notice_publish(actor=request.user, park=park, data=data))
