"""Reads of the shared services, always scoped by the user.

Members see their own park's catalogue and only their own firm's bookings, requests,
statements and needs; staff see their parks; operators (capability ``sharing.change``)
change only their parks' resources. Anything out of scope is a 404.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_stubs_ext import StrOrPromise

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import user_can
from oasis.core.selectors import first_or_404
from oasis.enterprises.models import Enterprise
from oasis.enterprises.selectors import enterprise_get_for_user, enterprise_queryset_for_user
from oasis.parks.models import Park
from oasis.parks.selectors import park_ids_for_user

from . import booking_rules, pricing
from .models import (
    Booking,
    Certification,
    Delivery,
    Offering,
    Resource,
    ServiceRequest,
    Share,
    Statement,
)

SHARING_CHANGE = "sharing.change"  # accounts/roles.py: park admins and sharing operators


M = TypeVar("M", bound=Model)

# ------------------------------------------------------------------ scope


def park_ids_for(user: User) -> set[int] | None:
    """Parks whose catalogue the user may read. None means all (platform superuser)."""
    if not user.is_authenticated:
        return set()
    if (firm := user.enterprise) is not None:
        return {firm.park_id}
    return park_ids_for_user(user, roles.VIEW)


def in_parks(qs: QuerySet[M], user: User, path: str) -> QuerySet[M]:
    parks = park_ids_for(user)
    return qs if parks is None else qs.filter(**{f"{path}__in": parks})


def can_manage(*, user: User, park_id: int) -> bool:
    """Operators and park admins change their parks' shared services; members and
    viewers never do."""
    return bool(
        user.is_authenticated and not user.is_member and user_can(user, park_id, SHARING_CHANGE)
    )


def require_manage(*, user: User, park_id: int) -> None:
    if not can_manage(user=user, park_id=park_id):
        raise PermissionDenied


def managed_park_ids(user: User) -> set[int] | None:
    return park_ids_for_user(user, SHARING_CHANGE)


def managed_park_for_user(*, user: User, park_id: int | None = None) -> Park:
    """The park a management page works on: the one asked for (404 if the user cannot
    see it, 403 if they may only read it), else the first park the user may change."""
    if park_id:
        asked = park_for_user(user=user, park_id=park_id)
        require_manage(user=user, park_id=asked.pk)
        return asked
    managed = managed_park_ids(user)
    qs = Park.objects.order_by("pk")
    park = (qs if managed is None else qs.filter(pk__in=managed)).first()
    if park is None:
        park_for_user(user=user)  # 404 for a user who sees no park at all
        raise PermissionDenied
    return park


def park_for_user(*, user: User, park_id: int | None = None) -> Park:
    """The park a page is about: the member's own, or one of the staff user's parks."""
    qs = in_parks(Park.objects.all(), user, "pk").order_by("pk")
    return first_or_404(qs.filter(pk=park_id) if park_id else qs)


# ------------------------------------------------------------------ catalogue


def offering_queryset_for_user(user: User) -> QuerySet[Offering]:
    return in_parks(Offering.objects.all(), user, "park_id")


def offering_get_for_user(*, user: User, pk: int) -> Offering:
    return first_or_404(offering_queryset_for_user(user).select_related("park").filter(pk=pk))


@dataclass
class ShareSection:
    key: str
    label: StrOrPromise
    offerings: list[Offering] = field(default_factory=list)


def catalogue(*, user: User, park: Park) -> list[ShareSection]:
    """The park's catalogue grouped by the five shares (in their official order), with
    each offering's resources; three queries whatever the size."""
    qs = offering_queryset_for_user(user).filter(park=park)
    if not can_manage(user=user, park_id=park.pk):
        qs = qs.filter(is_active=True)
    offerings = list(qs.prefetch_related("resources").order_by("name", "id"))
    sections = {key: ShareSection(key, label) for key, label in Share.choices}
    for o in offerings:
        sections[o.share].offerings.append(o)
    return list(sections.values())


def resource_queryset_for_user(user: User) -> QuerySet[Resource]:
    return in_parks(Resource.objects.all(), user, "park_id")


def resource_get_for_user(*, user: User, pk: int) -> Resource:
    resource = (
        resource_queryset_for_user(user).select_related("offering", "park").filter(pk=pk).first()
    )
    if resource is None:
        raise Http404
    return resource


def rules_of(resource: Resource) -> booking_rules.Rules:
    quota = resource.monthly_quota_hours
    return booking_rules.Rules(
        opens_at=resource.opens_at,
        closes_at=resource.closes_at,
        weekdays=resource.weekdays,
        slot_minutes=resource.slot_minutes,
        min_minutes=resource.min_minutes,
        max_minutes=resource.max_minutes,
        lead_hours=resource.lead_hours,
        cancel_hours=resource.cancel_hours,
        monthly_quota_minutes=None if quota is None else int(quota * 60),
    )


def certification_valid(*, resource: Resource, user: User, on: dt.date) -> Certification | None:
    return Certification.objects.filter(resource=resource, user=user, expires_on__gte=on).first()


def certification_list(*, resource: Resource) -> QuerySet[Certification]:
    return resource.certifications.select_related("user", "user__enterprise").order_by(
        "user__username"
    )


# ------------------------------------------------------------------ months


def month_start(value: dt.date | None = None) -> dt.date:
    value = value or timezone.localdate()
    return value.replace(day=1)


def parse_month(text: str | None) -> dt.date:
    if not text:
        return month_start()
    try:
        year, month = (int(p) for p in text.split("-")[:2])
        return dt.date(year, month, 1)
    except (TypeError, ValueError):
        return month_start()


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def prev_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(month, dt.time.min, tzinfo=tz)
    return start, dt.datetime.combine(next_month(month), dt.time.min, tzinfo=tz)


def month_days(month: dt.date) -> list[dt.date]:
    return [
        month.replace(day=d) for d in range(1, calendar.monthrange(month.year, month.month)[1] + 1)
    ]


# ------------------------------------------------------------------ bookings


def booking_queryset_for_user(user: User) -> QuerySet[Booking]:
    if not user.is_authenticated:
        return Booking.objects.none()
    if (firm_id := user.enterprise_id) is not None:
        return Booking.objects.filter(enterprise_id=firm_id)
    return in_parks(Booking.objects.all(), user, "resource__park_id")


def booking_get_for_user(*, user: User, pk: int) -> Booking:
    return first_or_404(
        booking_queryset_for_user(user)
        .select_related("resource__offering", "enterprise", "booked_by")
        .filter(pk=pk)
    )


def booking_list(
    *,
    user: User,
    month: dt.date | None = None,
    resource_id: int | None = None,
    enterprise_id: int | None = None,
    status: str | None = None,
) -> QuerySet[Booking]:
    qs = booking_queryset_for_user(user).select_related("resource", "enterprise", "booked_by")
    if month is not None:
        start, end = month_bounds(month)
        qs = qs.filter(start__lt=end, end__gt=start)
    if resource_id:
        qs = qs.filter(resource_id=resource_id)
    if enterprise_id:
        qs = qs.filter(enterprise_id=enterprise_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("start", "id")


def bookable_firms(*, user: User, resource: Resource) -> QuerySet[Enterprise]:
    """The firms staff may book `resource` for: the resource's park's firms the user sees."""
    return (
        enterprise_queryset_for_user(user).filter(park_id=resource.park_id).order_by("name", "id")
    )


def firm_has_certified_person(*, resource: Resource, enterprise: Enterprise, on: dt.date) -> bool:
    return Certification.objects.filter(
        resource=resource, user__enterprise=enterprise, user__is_active=True, expires_on__gte=on
    ).exists()


def minutes_used_in_month(
    *, resource: Resource, enterprise: Enterprise, month: dt.date, exclude_pk: int | None = None
) -> int:
    start, end = month_bounds(month)
    qs = Booking.objects.filter(
        resource=resource, enterprise=enterprise, occupies=True, start__gte=start, start__lt=end
    )
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return sum(int((e - s).total_seconds() // 60) for s, e in qs.values_list("start", "end"))


@dataclass
class CalendarCell:
    day: dt.date
    bookings: list[Booking]
    minutes: int


@dataclass
class CalendarRow:
    resource: Resource
    cells: list[CalendarCell]
    minutes: int


def _local_day(value: dt.datetime) -> dt.date:
    return timezone.localtime(value).date()


def _rows(
    resources: list[Resource], bookings: list[Booking], days: list[dt.date]
) -> list[CalendarRow]:
    by_key: dict[tuple[int, dt.date], list[Booking]] = defaultdict(list)
    for b in bookings:
        by_key[(b.resource_id, _local_day(b.start))].append(b)
    rows = []
    for r in resources:
        cells = []
        for d in days:
            items = by_key.get((r.pk, d), [])
            cells.append(CalendarCell(d, items, sum(b.minutes for b in items if b.occupies)))
        rows.append(CalendarRow(r, cells, sum(c.minutes for c in cells)))
    return rows


def park_calendar(*, user: User, park: Park, month: dt.date) -> list[CalendarRow]:
    """Every resource of the park × every day of the month, in two queries whatever the
    number of resources and bookings. Members see other firms' bookings as busy only
    (the template hides their firm)."""
    resources = list(resource_queryset_for_user(user).filter(park=park).order_by("name", "id"))
    start, end = month_bounds(month)
    bookings = list(
        Booking.objects.filter(resource__park=park, occupies=True, start__lt=end, end__gt=start)
        .select_related("enterprise")
        .order_by("start", "id")
    )
    return _rows(resources, bookings, month_days(month))


def resource_calendar(*, resource: Resource, month: dt.date) -> CalendarRow:
    start, end = month_bounds(month)
    bookings = list(
        resource.bookings.filter(occupies=True, start__lt=end, end__gt=start)
        .select_related("enterprise")
        .order_by("start", "id")
    )
    return _rows([resource], bookings, month_days(month))[0]


def firm_calendar(
    *, user: User, enterprise: Enterprise, month: dt.date
) -> list[tuple[dt.date, list[Booking]]]:
    start, end = month_bounds(month)
    bookings = list(
        booking_queryset_for_user(user)
        .filter(enterprise=enterprise, start__lt=end, end__gt=start)
        .select_related("resource")
        .order_by("start", "id")
    )
    by_day: dict[dt.date, list[Booking]] = defaultdict(list)
    for b in bookings:
        by_day[_local_day(b.start)].append(b)
    return [(d, by_day.get(d, [])) for d in month_days(month)]


# ------------------------------------------------------------------ statements


def is_resident(enterprise: Enterprise) -> bool:
    return enterprise.status == Enterprise.Status.SETTLED


@dataclass
class StatementView:
    enterprise: Enterprise
    month: dt.date
    lines: list[pricing.Line]
    total: Decimal
    issued: Statement | None = None

    @property
    def reconciles(self) -> bool:
        return pricing.total(self.lines) == self.total


def _prices(offerings: dict[int, Offering], resident: bool) -> dict[int, pricing.Price]:
    return {
        oid: pricing.Price(
            o.price_resident if resident else o.price_outside,
            o.free_quota if resident else Decimal("0"),
        )
        for oid, o in offerings.items()
    }


def _usages_by_firm(
    *, park: Park | None, enterprise: Enterprise | None, month: dt.date
) -> tuple[dict[int, list[pricing.Usage]], dict[int, Offering]]:
    start, end = month_bounds(month)
    bq = Booking.objects.filter(
        status__in=Booking.CHARGED, start__gte=start, start__lt=end
    ).select_related("resource__offering")
    rq = ServiceRequest.objects.filter(
        status__in=[ServiceRequest.Status.DELIVERED, ServiceRequest.Status.CLOSED],
        delivered_on__gte=month,
        delivered_on__lt=next_month(month),
    ).select_related("offering")
    if enterprise is not None:
        bq, rq = bq.filter(enterprise=enterprise), rq.filter(enterprise=enterprise)
    if park is not None:
        bq, rq = bq.filter(resource__park=park), rq.filter(offering__park=park)
    usages: dict[int, list[pricing.Usage]] = defaultdict(list)
    offerings: dict[int, Offering] = {}
    for b in bq:
        o = b.resource.offering
        offerings[o.pk] = o
        local = timezone.localtime(b.start)
        usages[b.enterprise_id].append(
            pricing.Usage(
                ("booking", b.pk),
                o.pk,
                f"{b.resource.name} {local:%m-%d %H:%M}–{timezone.localtime(b.end):%H:%M} {b.get_status_display()}",
                pricing.hours(b.charged_minutes),
                b.start,
            )
        )
    tz = timezone.get_current_timezone()
    for r in rq:
        offerings[r.offering_id] = r.offering
        assert r.delivered_on is not None
        usages[r.enterprise_id].append(
            pricing.Usage(
                ("request", r.pk),
                r.offering_id,
                _("%(label)s：%(text)s") % {"label": r.offering.name, "text": r.title},
                r.quantity,
                dt.datetime.combine(r.delivered_on, dt.time(12), tzinfo=tz),
            )
        )
    return usages, offerings


def statement_build(*, enterprise: Enterprise, month: dt.date) -> StatementView:
    """The month's statement of one firm: the issued one if there is one, else the
    draft computed now from bookings and delivered requests."""
    issued = Statement.objects.filter(enterprise=enterprise, month=month).first()
    if issued is not None:
        lines = [
            pricing.Line(
                ("booking", ln.booking_id)
                if ln.booking_id
                else ("request", ln.service_request_id or 0),
                0,
                ln.description,
                ln.quantity,
                ln.free_quantity,
                ln.unit_price,
                ln.amount,
            )
            for ln in issued.lines.all()
        ]
        return StatementView(enterprise, month, lines, issued.total, issued)
    usages, offerings = _usages_by_firm(park=None, enterprise=enterprise, month=month)
    lines = pricing.price_lines(
        usages.get(enterprise.pk, []), _prices(offerings, is_resident(enterprise))
    )
    return StatementView(enterprise, month, lines, pricing.total(lines))


def statement_get_for_user(*, user: User, enterprise_id: int, month: dt.date) -> StatementView:
    enterprise = enterprise_get_for_user(user=user, pk=enterprise_id)
    return statement_build(enterprise=enterprise, month=month)


def park_revenue(*, park: Park, month: dt.date) -> dict[int, Decimal]:
    """Charges of the month by offering, across all firms (free quota applied per firm)."""
    usages, offerings = _usages_by_firm(park=park, enterprise=None, month=month)
    firms = {e.pk: e for e in Enterprise.objects.filter(pk__in=list(usages))}
    revenue: dict[int, Decimal] = defaultdict(lambda: Decimal("0.00"))
    for firm_id, items in usages.items():
        for line in pricing.price_lines(items, _prices(offerings, is_resident(firms[firm_id]))):
            revenue[line.offering_id] += line.amount
    return dict(revenue)


# ------------------------------------------------------------------ requests


def request_queryset_for_user(user: User) -> QuerySet[ServiceRequest]:
    if not user.is_authenticated:
        return ServiceRequest.objects.none()
    if (firm_id := user.enterprise_id) is not None:
        return ServiceRequest.objects.filter(enterprise_id=firm_id)
    return in_parks(ServiceRequest.objects.all(), user, "offering__park_id")


def request_get_for_user(*, user: User, pk: int) -> ServiceRequest:
    return first_or_404(
        request_queryset_for_user(user)
        .select_related("offering", "enterprise", "assignee")
        .filter(pk=pk)
    )


def request_list(*, user: User, status: str | None = None) -> QuerySet[ServiceRequest]:
    qs = request_queryset_for_user(user).select_related("offering", "enterprise", "assignee")
    return qs.filter(status=status) if status else qs


def request_offerings(*, user: User, park: Park) -> QuerySet[Offering]:
    return offering_queryset_for_user(user).filter(
        park=park, delivery=Delivery.REQUEST, is_active=True
    )


# ------------------------------------------------------------------ utilisation


def sharing_utilisation(*, park: Park, month: dt.date) -> dict[str, Any]:
    """Plain numbers for a month: per resource and per share, hours booked vs
    available, firms served and revenue (yuan, as Decimal). No user scoping: the
    caller (stats page, dashboard) has already checked the user may see `park`.
    A fixed number of queries."""
    month = month.replace(day=1)
    start, end = month_bounds(month)
    days = month_days(month)
    resources = list(
        Resource.objects.filter(park=park).select_related("offering").order_by("name", "id")
    )
    booked: dict[int, int] = defaultdict(int)
    firms_by_resource: dict[int, set[int]] = defaultdict(set)
    for rid, firm, s, e in Booking.objects.filter(
        resource__park=park,
        status__in=Booking.CHARGED,
        start__gte=start,
        start__lt=end,
    ).values_list("resource_id", "enterprise_id", "start", "end"):
        booked[rid] += int((e - s).total_seconds() // 60)
        firms_by_resource[rid].add(firm)
    revenue = park_revenue(park=park, month=month)
    request_firms: dict[str, set[int]] = defaultdict(set)
    for share, firm in ServiceRequest.objects.filter(
        offering__park=park,
        created_at__gte=start,
        created_at__lt=end,
    ).values_list("offering__share", "enterprise_id"):
        request_firms[share].add(firm)
    share_rows: dict[str, dict[str, Any]] = {
        key: {
            "share": key,
            "label": str(label),
            "hours_booked": 0.0,
            "hours_available": 0.0,
            "firms_served": 0,
            "revenue": Decimal("0.00"),
            "_firms": set(request_firms.get(key, set())),
        }
        for key, label in Share.choices
    }
    resource_rows = []
    for r in resources:
        available = booking_rules.available_minutes(rules_of(r), days[0], days[-1])
        row = {
            "resource_id": r.pk,
            "name": r.name,
            "share": r.offering.share,
            "hours_booked": round(booked[r.pk] / 60, 2),
            "hours_available": round(available / 60, 2),
            "utilisation": round(booked[r.pk] / available, 4) if available else 0.0,
            "firms_served": len(firms_by_resource[r.pk]),
        }
        resource_rows.append(row)
        share_row = share_rows[r.offering.share]
        share_row["hours_booked"] += row["hours_booked"]
        share_row["hours_available"] += row["hours_available"]
        share_row["_firms"] |= firms_by_resource[r.pk]
    share_of = dict(Offering.objects.filter(park=park).values_list("pk", "share"))
    for oid, amount in revenue.items():
        share_rows[share_of[oid]]["revenue"] += amount
    shares = []
    for share_row in share_rows.values():
        firms = share_row.pop("_firms")
        share_row["firms_served"] = len(firms)
        share_row["hours_booked"] = round(share_row["hours_booked"], 2)
        share_row["hours_available"] = round(share_row["hours_available"], 2)
        share_row["utilisation"] = (
            round(share_row["hours_booked"] / share_row["hours_available"], 4)
            if share_row["hours_available"]
            else 0.0
        )
        shares.append(share_row)
    return {
        "month": month.isoformat(),
        "resources": resource_rows,
        "shares": shares,
        "hours_booked": round(sum(s["hours_booked"] for s in shares), 2),
        "hours_available": round(sum(s["hours_available"] for s in shares), 2),
        "firms_served": len(
            set().union(*(firms_by_resource.values() or [set()]), *request_firms.values())
        ),
        "revenue": sum((s["revenue"] for s in shares), Decimal("0.00")),
    }


# ------------------------------------------------------------------ portal


def member_bookings(*, user: User) -> QuerySet[Booking]:
    """The member's own firm's bookings, latest first (the portal's bookings section)."""
    return booking_queryset_for_user(user).select_related("resource").order_by("-start")


def member_service_requests(*, user: User) -> QuerySet[ServiceRequest]:
    """The member's own firm's service requests, newest first (the portal)."""
    return request_queryset_for_user(user).select_related("offering").order_by("-created_at")
