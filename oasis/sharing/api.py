"""/api/v1/sharing/: the catalogue, bookings, statements, requests and utilisation. The
finance and events endpoints under the same prefix are those apps' (finance/api.py,
events/api.py). Same selectors and scoping as the pages."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from oasis.accounts.http import AuthedHttpRequest
from oasis.enterprises.selectors import enterprise_get_for_user

from . import selectors, services
from .filters import BookingFilter, MonthFilter, ParkMonthFilter, RequestFilter
from .models import (
    Audience,
    Booking,
    Delivery,
    PriceUnit,
    ServiceRequest,
    Share,
)

router = Router(tags=["sharing"])


# ------------------------------------------------------------------ schemas


class ResourceOut(Schema):
    id: int
    offering_id: int
    park_id: int
    name: str
    location: str
    opens_at: dt.time
    closes_at: dt.time
    open_weekdays: str
    slot_minutes: int
    min_minutes: int
    max_minutes: int
    lead_hours: int
    approval_required: bool
    training_required: bool
    monthly_quota_hours: Decimal | None
    cancel_hours: int
    is_active: bool


class OfferingOut(Schema):
    id: int
    park_id: int
    share: Share
    name: str
    operator: str
    description: str
    audience: Audience
    delivery: Delivery
    request_kind: str
    price_unit: PriceUnit
    price_resident: Decimal
    price_outside: Decimal
    free_quota: Decimal
    is_active: bool
    resources: list[ResourceOut]

    @staticmethod
    def resolve_resources(obj: Any) -> list[Any]:
        return list(obj.resources.all())


class ShareOut(Schema):
    share: str
    label: str
    offerings: list[OfferingOut]


# Writes of the catalogue: shapes only (types, required keys). Every rule, range and
# choice of a free-text field is the service's (and the model's full_clean), so pages and
# API give the same errors. Updates are partial: only the keys sent change.


class OfferingPatch(Schema):
    share: Share | None = None
    name: str | None = None
    operator: str | None = None
    description: str | None = None
    audience: Audience | None = None
    delivery: Delivery | None = None
    request_kind: str | None = None
    price_unit: PriceUnit | None = None
    price_resident: Decimal | None = None
    price_outside: Decimal | None = None
    free_quota: Decimal | None = None
    is_active: bool | None = None


class OfferingIn(OfferingPatch):
    park_id: int | None = None  # default: the first park the user may change
    share: Share
    name: str
    operator: str
    delivery: Delivery


class ResourcePatch(Schema):
    name: str | None = None
    location: str | None = None
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    open_weekdays: str | None = None
    slot_minutes: int | None = None
    min_minutes: int | None = None
    max_minutes: int | None = None
    lead_hours: int | None = None
    approval_required: bool | None = None
    training_required: bool | None = None
    monthly_quota_hours: Decimal | None = None
    cancel_hours: int | None = None
    is_active: bool | None = None


class ResourceIn(ResourcePatch):
    name: str


class BookingIn(Schema):
    resource_id: int
    start: dt.datetime
    end: dt.datetime
    purpose: str = Field("", max_length=200)
    # Staff (operators, park admins) book on behalf of a firm of the resource's park;
    # a member books for their own firm and may leave it out.
    enterprise_id: int | None = None


class BookingOut(Schema):
    id: int
    resource_id: int
    enterprise_id: int
    booked_by_id: int
    start: dt.datetime
    end: dt.datetime
    status: Booking.Status
    purpose: str
    used_minutes: int | None


class UsageIn(Schema):
    used_minutes: int | None = Field(None, ge=0, le=1440)


class LineOut(Schema):
    description: str
    quantity: Decimal
    free_quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class StatementOut(Schema):
    enterprise_id: int
    month: dt.date
    issued: bool
    total: Decimal
    lines: list[LineOut]


class RequestIn(Schema):
    offering_id: int
    title: str = Field(..., min_length=2, max_length=120)
    detail: str = ""


class RequestOut(Schema):
    id: int
    offering_id: int
    enterprise_id: int
    title: str
    detail: str
    status: ServiceRequest.Status
    assignee_id: int | None
    delivered_on: dt.date | None
    delivery_note: str
    quantity: Decimal
    rating: int | None
    rating_comment: str
    ticket_id: int | None  # the request on the service desk


class AssignIn(Schema):
    assignee_id: int


class DeliverIn(Schema):
    note: str = Field(..., min_length=1)
    quantity: Decimal = Field(Decimal("1"), ge=0)


class RateIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=300)


# ------------------------------------------------------------------ catalogue


@router.get("/catalogue", response=list[ShareOut])
def catalogue(request: AuthedHttpRequest, q: Query[ParkMonthFilter]):
    park = selectors.park_for_user(user=request.user, park_id=q.park_id)
    return [
        {"share": s.key, "label": str(s.label), "offerings": s.offerings}
        for s in selectors.catalogue(user=request.user, park=park)
    ]


def _park_id(data: dict[str, Any]) -> int | None:
    return data.pop("park_id", None)


@router.post("/offerings", response={201: OfferingOut})
def offering_create(request: AuthedHttpRequest, payload: OfferingIn):
    data = payload.dict(exclude_unset=True)
    park = selectors.managed_park_for_user(user=request.user, park_id=_park_id(data))
    return Status(201, services.offering_save(actor=request.user, park=park, data=data))


@router.patch("/offerings/{offering_id}", response=OfferingOut)
def offering_update(request: AuthedHttpRequest, offering_id: int, payload: OfferingPatch):
    offering = selectors.offering_get_for_user(user=request.user, pk=offering_id)
    return services.offering_save(
        actor=request.user,
        park=offering.park,
        offering=offering,
        data=payload.dict(exclude_unset=True),
    )


@router.post("/offerings/{offering_id}/resources", response={201: ResourceOut})
def resource_create(request: AuthedHttpRequest, offering_id: int, payload: ResourceIn):
    offering = selectors.offering_get_for_user(user=request.user, pk=offering_id)
    return Status(
        201,
        services.resource_save(
            actor=request.user, offering=offering, data=payload.dict(exclude_unset=True)
        ),
    )


@router.get("/resources/{resource_id}", response=ResourceOut)
def resource_detail(request: AuthedHttpRequest, resource_id: int):
    return selectors.resource_get_for_user(user=request.user, pk=resource_id)


@router.patch("/resources/{resource_id}", response=ResourceOut)
def resource_update(request: AuthedHttpRequest, resource_id: int, payload: ResourcePatch):
    resource = selectors.resource_get_for_user(user=request.user, pk=resource_id)
    return services.resource_save(
        actor=request.user,
        offering=resource.offering,
        resource=resource,
        data=payload.dict(exclude_unset=True),
    )


# ------------------------------------------------------------------ bookings


@router.get("/bookings", response=list[BookingOut])
@paginate(LimitOffsetPagination)
def booking_list(request: AuthedHttpRequest, q: Query[BookingFilter]):
    month = selectors.parse_month(q.month) if q.month else None
    return selectors.booking_list(
        user=request.user,
        month=month,
        resource_id=q.resource_id,
        enterprise_id=q.enterprise_id,
        status=q.status,
    )


@router.post("/bookings", response={201: BookingOut})
def booking_create(request: AuthedHttpRequest, payload: BookingIn):
    resource = selectors.resource_get_for_user(user=request.user, pk=payload.resource_id)
    enterprise = (
        enterprise_get_for_user(user=request.user, pk=payload.enterprise_id)
        if payload.enterprise_id is not None
        else None
    )
    booking = services.booking_create(
        actor=request.user,
        resource=resource,
        start=payload.start,
        end=payload.end,
        purpose=payload.purpose,
        enterprise=enterprise,
    )
    return Status(201, booking)


@router.get("/bookings/{booking_id}", response=BookingOut)
def booking_detail(request: AuthedHttpRequest, booking_id: int):
    return selectors.booking_get_for_user(user=request.user, pk=booking_id)


@router.post("/bookings/{booking_id}/cancel", response=BookingOut)
def booking_cancel(request: AuthedHttpRequest, booking_id: int):
    booking = selectors.booking_get_for_user(user=request.user, pk=booking_id)
    return services.booking_cancel(actor=request.user, booking=booking)


@router.post("/bookings/{booking_id}/approve", response=BookingOut)
def booking_approve(request: AuthedHttpRequest, booking_id: int):
    booking = selectors.booking_get_for_user(user=request.user, pk=booking_id)
    return services.booking_decide(actor=request.user, booking=booking, approve=True)


@router.post("/bookings/{booking_id}/reject", response=BookingOut)
def booking_reject(request: AuthedHttpRequest, booking_id: int):
    booking = selectors.booking_get_for_user(user=request.user, pk=booking_id)
    return services.booking_decide(actor=request.user, booking=booking, approve=False)


@router.post("/bookings/{booking_id}/no-show", response=BookingOut)
def booking_no_show(request: AuthedHttpRequest, booking_id: int):
    booking = selectors.booking_get_for_user(user=request.user, pk=booking_id)
    return services.booking_mark_no_show(actor=request.user, booking=booking)


@router.post("/bookings/{booking_id}/usage", response=BookingOut)
def booking_usage(request: AuthedHttpRequest, booking_id: int, payload: UsageIn):
    booking = selectors.booking_get_for_user(user=request.user, pk=booking_id)
    return services.booking_record_usage(
        actor=request.user, booking=booking, used_minutes=payload.used_minutes
    )


@router.get("/statements/{enterprise_id}", response=StatementOut)
def statement(request: AuthedHttpRequest, enterprise_id: int, q: Query[MonthFilter]):
    view = selectors.statement_get_for_user(
        user=request.user, enterprise_id=enterprise_id, month=selectors.parse_month(q.month)
    )
    return {
        "enterprise_id": view.enterprise.pk,
        "month": view.month,
        "issued": view.issued is not None,
        "total": view.total,
        "lines": view.lines,
    }


# ------------------------------------------------------------------ requests


@router.get("/requests", response=list[RequestOut])
@paginate(LimitOffsetPagination)
def request_list(request: AuthedHttpRequest, filters: Query[RequestFilter]):
    return selectors.request_list(user=request.user, status=filters.status)


@router.get("/requests/{request_id}", response=RequestOut)
def request_detail(request: AuthedHttpRequest, request_id: int):
    return selectors.request_get_for_user(user=request.user, pk=request_id)


# Filing, assigning, delivering and rating a catalogue service are the service desk's
# (/api/v1/tickets/, category "catalogue" with offering_id and quantity): one request.


# ------------------------------------------------------------------ utilisation


@router.get("/utilisation")
def utilisation(request: AuthedHttpRequest, q: Query[ParkMonthFilter]) -> dict[str, Any]:
    park = selectors.park_for_user(user=request.user, park_id=q.park_id)
    if request.user.is_member:
        raise Http404
    data = selectors.sharing_utilisation(park=park, month=selectors.parse_month(q.month))
    data["revenue"] = str(data["revenue"])
    for s in data["shares"]:
        s["revenue"] = str(s["revenue"])
    return data
