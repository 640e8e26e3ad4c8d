"""Reads of leases, bills, receivables and occupancy, always scoped by the user.

Staff read their parks' leases (any role), change them with `space.change` (park admin,
leasing officer); an enterprise member reads only their own firm's leases and bills."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Model,
    Prefetch,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import user_can
from oasis.core.selectors import first_or_404
from oasis.parks.models import Building, Unit, UnitUse
from oasis.parks.selectors import building_queryset_for_user, park_ids_for_user

from . import schedule, services
from .filters import LeaseFilter
from .models import Bill, DepositRefund, ImportJob, Lease, LeaseUnit, Payment, Settlement
from .schedule import AGEING_BUCKETS, AgeingBuckets
from .services import today

ZERO = Decimal("0")
EXPIRY_WINDOWS = (30, 60, 90)
MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=16, decimal_places=2)
M = TypeVar("M", bound=Model)


def _scope(qs: QuerySet[M], user: User, *, tenant_field: str = "tenant_id") -> QuerySet[M]:
    if not user.is_authenticated:
        return qs.none()
    if (firm_id := user.enterprise_id) is not None:
        return qs.filter(**{tenant_field: firm_id})
    parks = park_ids_for_user(user, roles.VIEW)
    return qs if parks is None else qs.filter(park_id__in=parks)


def lease_queryset_for_user(user: User) -> QuerySet[Lease]:
    return _scope(Lease.objects.all(), user)


def lease_get_for_user(*, user: User, pk: int) -> Lease:
    return first_or_404(
        lease_queryset_for_user(user).select_related("tenant", "park", "predecessor").filter(pk=pk)
    )


def lease_can_change(*, user: User, lease: Lease) -> bool:
    return not user.is_member and user_can(user, lease.park_id, roles.SPACE_CHANGE)


def can_change_any(user: User) -> bool:
    if not user.is_authenticated or user.is_member:
        return False
    parks = park_ids_for_user(user, roles.SPACE_CHANGE)
    return parks is None or bool(parks)


def bill_queryset_for_user(user: User) -> QuerySet[Bill]:
    return _scope(Bill.objects.all(), user)


def bill_get_for_user(*, user: User, pk: int) -> Bill:
    return first_or_404(bill_queryset_for_user(user).select_related("lease").filter(pk=pk))


def payment_queryset_for_user(user: User) -> QuerySet[Payment]:
    return _scope(Payment.objects.all(), user, tenant_field="lease__tenant_id")


def lease_list(*, user: User, filters: LeaseFilter, on: dt.date | None = None) -> QuerySet[Lease]:
    """Leases with tenant and unit codes, each list a fixed number of queries."""
    day = on or today()
    qs = lease_queryset_for_user(user).select_related("tenant", "park")
    tab = filters.tab
    if tab == "running":
        qs = qs.filter(status__in=Lease.RUNNING)
    elif tab.startswith("expiring"):
        days = int(tab.removeprefix("expiring"))
        qs = qs.filter(
            status=Lease.Status.ACTIVE,
            end_date__gte=day,
            end_date__lte=day + dt.timedelta(days=days),
        )
    elif tab == "draft":
        qs = qs.filter(status=Lease.Status.DRAFT)
    elif tab == "ended":
        qs = qs.filter(status__in=[Lease.Status.EXPIRED, Lease.Status.TERMINATED])
    if filters.q:
        qs = qs.filter(
            Q(number__icontains=filters.q)
            | Q(tenant__name__icontains=filters.q)
            | Q(tenant__search_key__icontains=filters.q.lower())
        )
    if filters.park:
        qs = qs.filter(park_id=filters.park)
    if filters.building:
        qs = qs.filter(lease_units__unit__building_id=filters.building).distinct()
    if filters.tenant:
        qs = qs.filter(tenant_id=filters.tenant)
    units = LeaseUnit.objects.select_related("unit__building").order_by(
        "unit__building__code", "unit__code"
    )
    order = ("end_date", "id") if tab.startswith("expiring") else ("-start_date", "-id")
    return (
        qs.annotate(
            outstanding=Coalesce(
                Sum(
                    F("bills__amount") - F("bills__paid"),
                    filter=Q(bills__due_date__lte=day),
                    output_field=MONEY,
                ),
                ZERO,
                output_field=MONEY,
            )
        )
        .prefetch_related(Prefetch("lease_units", queryset=units))
        .order_by(*order)
    )


def expiry_counts(*, user: User, on: dt.date | None = None) -> dict[int, int]:
    day = on or today()
    qs = lease_queryset_for_user(user).filter(status=Lease.Status.ACTIVE, end_date__gte=day)
    agg = qs.aggregate(
        **{
            f"d{n}": Count("id", filter=Q(end_date__lte=day + dt.timedelta(days=n)))
            for n in EXPIRY_WINDOWS
        }
    )
    return {n: agg[f"d{n}"] for n in EXPIRY_WINDOWS}


def escalation_text(lease: Lease) -> str:
    """The escalation rule in a sentence ("自第 2 个租赁年度起每年递增 5%")."""
    if lease.rent_steps:
        return _("阶梯租金：") + _("；").join(
            _("第 %(year)s 年起 %(rate)s") % {"year": s.year, "rate": f"{s.rate:.4f}"}
            for s in lease.steps
        )
    if not lease.escalation_pct:
        return _("不递增")
    if lease.escalation_every == 1:
        return _("自第 %(k)s 个租赁年度起每年递增 %(p)s%%") % {
            "k": lease.escalation_from,
            "p": f"{lease.escalation_pct.normalize():f}",
        }
    return _("自第 %(k)s 个租赁年度起每 %(n)s 年递增 %(p)s%%") % {
        "k": lease.escalation_from,
        "n": lease.escalation_every,
        "p": f"{lease.escalation_pct.normalize():f}",
    }


def convention_text(lease: Lease) -> str:
    """The day-count rule and the billing-period alignment, as every bill states them."""
    day_count = (
        _("月租金总价，不足一月按天数 ÷ 当月天数")
        if lease.rent_basis == schedule.MONTHLY_TOTAL
        else lease.get_day_count_display()
    )
    return _("%(day_count)s；账期%(alignment)s") % {
        "day_count": day_count,
        "alignment": lease.get_billing_alignment_display(),
    }


@dataclass(frozen=True)
class LeaseRates:
    today: schedule.RateSpan | None  # None: not started or ended
    history: list[schedule.RateSpan]  # every change of the rates in force
    escalation: str
    convention: str
    preview: schedule.Schedule | None  # a draft's bills before it is signed


def lease_rates(*, lease: Lease, on: dt.date | None = None) -> LeaseRates:
    day = on or today()
    terms = services.lease_terms(lease)
    if schedule.terms_errors(terms):
        return LeaseRates(None, [], escalation_text(lease), convention_text(lease), None)
    timeline = schedule.rate_timeline(terms)
    running = terms.start <= day <= terms.end
    return LeaseRates(
        today=schedule.rate_on(terms, day) if running else None,
        history=timeline,
        escalation=escalation_text(lease),
        convention=convention_text(lease),
        preview=schedule.build_schedule(terms) if lease.status == Lease.Status.DRAFT else None,
    )


def lease_settlement(*, lease: Lease) -> Settlement | None:
    return Settlement.objects.filter(lease=lease).select_related("recorded_by").first()


def lease_bills(*, lease: Lease) -> list[Bill]:
    return list(lease.bills.order_by("due_date", "seq"))


def _balance_aggregates(day: dt.date) -> dict[str, Any]:
    """Rent totals (rent and adjustment bills: the schedule) and the deposit apart; `due`
    is every receivable due by `day`, the deposit included (as in the ageing)."""
    rent = ~Q(kind=Bill.Kind.DEPOSIT)
    deposit = Q(kind=Bill.Kind.DEPOSIT)
    return {
        "billed": Coalesce(Sum("amount", filter=rent), ZERO, output_field=MONEY),
        "received": Coalesce(Sum("paid", filter=rent), ZERO, output_field=MONEY),
        "due": Coalesce(
            Sum(F("amount") - F("paid"), filter=Q(due_date__lte=day), output_field=MONEY),
            ZERO,
            output_field=MONEY,
        ),
        "deposit": Coalesce(Sum("amount", filter=deposit), ZERO, output_field=MONEY),
        "deposit_received": Coalesce(Sum("paid", filter=deposit), ZERO, output_field=MONEY),
    }


def lease_balance(*, lease: Lease, on: dt.date | None = None) -> dict[str, Any]:
    day = on or today()
    agg = lease.bills.aggregate(**_balance_aggregates(day))
    credit = lease.payments.aggregate(c=Coalesce(Sum("unallocated"), ZERO, output_field=MONEY))["c"]
    refund = DepositRefund.objects.filter(lease=lease).select_related("recorded_by").first()
    return {
        **agg,
        "credit": credit,
        "outstanding": agg["billed"] - agg["received"],
        "refund": refund,
        "deposit_open": agg["deposit"] - agg["deposit_received"],
    }


def deposit_refundable(*, lease: Lease, balance: dict[str, Any]) -> bool:
    """Whether the page offers the refund action (the service decides)."""
    return (
        lease.status in (Lease.Status.TERMINATED, Lease.Status.EXPIRED)
        and balance["refund"] is None
        and bool(balance["deposit"])
    )


def bill_list(
    *, user: User, state: str = "open", park: int | None = None, on: dt.date | None = None
) -> QuerySet[Bill]:
    day = on or today()
    qs = bill_queryset_for_user(user).select_related("lease", "tenant")
    if state == "open":
        qs = qs.filter(paid__lt=F("amount"), due_date__lte=day + dt.timedelta(days=30))
    elif state == "overdue":
        qs = qs.filter(paid__lt=F("amount"), due_date__lt=day)
    elif state == "paid":
        qs = qs.filter(paid=F("amount"))
    if park:
        qs = qs.filter(park_id=park)
    return qs.order_by("due_date", "lease_id", "seq")


def _ageing_aggregates(day: dt.date) -> dict[str, Any]:
    outstanding = ExpressionWrapper(F("amount") - F("paid"), output_field=MONEY)
    out = {}
    for name, lo, hi in AGEING_BUCKETS:
        cond = Q(due_date__lte=day - dt.timedelta(days=lo))
        if hi is not None:
            cond &= Q(due_date__gte=day - dt.timedelta(days=hi))
        out[name] = Coalesce(Sum(outstanding, filter=cond), ZERO, output_field=MONEY)
    return out


def receivables_ageing(
    *, user: User, park: int | None = None, on: dt.date | None = None
) -> tuple[AgeingBuckets, list[dict[str, Any]]]:
    """Outstanding amounts due by `on`, bucketed by days past due, for the parks the user
    sees, overall and by tenant; two aggregate queries whatever the number of bills.
    (A bill is due on its due date, so 0 days past due is the first bucket.)"""
    day = on or today()
    qs = bill_queryset_for_user(user).filter(paid__lt=F("amount"), due_date__lte=day)
    if park:
        qs = qs.filter(park_id=park)
    aggs = _ageing_aggregates(day)
    total = AgeingBuckets(**qs.aggregate(**aggs))
    rows = list(qs.values("tenant_id", "tenant__name").annotate(**aggs).order_by("tenant__name"))
    for r in rows:
        r["total"] = sum((r[name] for name, _lo, _hi in AGEING_BUCKETS), ZERO)
    rows.sort(key=lambda r: -r["total"])
    return total, rows


def tenant_balance(*, user: User, tenant_id: int, on: dt.date | None = None) -> dict[str, Decimal]:
    day = on or today()
    qs = bill_queryset_for_user(user).filter(tenant_id=tenant_id)
    agg = qs.aggregate(**_balance_aggregates(day))
    credit = (
        payment_queryset_for_user(user)
        .filter(lease__tenant_id=tenant_id)
        .aggregate(c=Coalesce(Sum("unallocated"), ZERO, output_field=MONEY))["c"]
    )
    return {**agg, "credit": credit}


# --- space ---------------------------------------------------------------------------


@dataclass(frozen=True)
class StackCell:
    unit: Unit
    state: str  # vacant | leased | reserved | expiring | unavailable
    lease: Lease | None
    weight: int  # flex-grow from the area


def stacking_plan(
    *, building: Building, on: dt.date | None = None
) -> list[tuple[Any, list[StackCell]]]:
    """Floors top-down, each with its units and their running lease: four queries for a
    building of any size (floors, units, running lease rows with lease and tenant)."""
    day = on or today()
    floors = list(building.floors.order_by("-number"))
    units = list(building.units.order_by("code"))
    rows = (
        LeaseUnit.objects.filter(
            unit__building=building,
            occupies=True,
            lease__status__in=Lease.RUNNING,
            end_date__gte=day,
        )
        .select_related("lease__tenant")
        .order_by("start_date")
    )
    by_unit: dict[int, LeaseUnit] = {}
    for row in rows:
        # The lease covering today wins over a later one already signed.
        current = by_unit.get(row.unit_id)
        if current is None or (current.start_date > day >= row.start_date):
            by_unit[row.unit_id] = row
    soon = day + dt.timedelta(days=90)
    by_floor: dict[int, list[StackCell]] = {f.pk: [] for f in floors}
    for u in units:
        held = by_unit.get(u.pk)
        lease = held.lease if held else None
        if u.status == Unit.Status.UNAVAILABLE:
            state = "unavailable"
        elif held and lease and held.start_date <= day:
            renewed = lease.status == Lease.Status.RENEWED
            state = "expiring" if held.end_date <= soon and not renewed else "leased"
        elif held or u.status == Unit.Status.RESERVED:
            state = "reserved"
        elif u.status == Unit.Status.LEASED:
            state = "leased"
        else:
            state = "vacant"
        by_floor.setdefault(u.floor_id, []).append(
            StackCell(u, state, lease, max(1, int(u.area // 50)))
        )
    return [(f, by_floor.get(f.pk, [])) for f in floors]


def unit_current_lease(*, unit: Unit, on: dt.date | None = None) -> Lease | None:
    day = on or today()
    row = (
        LeaseUnit.objects.filter(
            unit=unit, occupies=True, lease__status__in=Lease.RUNNING, end_date__gte=day
        )
        .select_related("lease__tenant")
        .order_by("start_date")
        .first()
    )
    return row.lease if row else None


@dataclass(frozen=True)
class Occupancy:
    label: str
    key: str
    total_area: Decimal
    leased_area: Decimal
    reserved_area: Decimal
    units: int
    leased_units: int

    @property
    def rate(self) -> Decimal:
        if not self.total_area:
            return ZERO
        return (self.leased_area * 100 / self.total_area).quantize(Decimal("0.1"))


def _occ_aggs() -> dict[str, Any]:
    lettable = ~Q(status=Unit.Status.UNAVAILABLE)
    return {
        "total_area": Coalesce(Sum("area", filter=lettable), ZERO, output_field=MONEY),
        "leased_area": Coalesce(
            Sum("area", filter=Q(status=Unit.Status.LEASED)), ZERO, output_field=MONEY
        ),
        "reserved_area": Coalesce(
            Sum("area", filter=Q(status=Unit.Status.RESERVED)), ZERO, output_field=MONEY
        ),
        "units": Count("id", filter=lettable),
        "leased_units": Count("id", filter=Q(status=Unit.Status.LEASED)),
    }


def occupancy(*, user: User, park: int | None = None) -> dict[str, Any]:
    """Occupancy rate (leased area / lettable area, unavailable units excluded) for the
    park, by building and by use: three aggregate queries."""
    units = Unit.objects.filter(building__in=building_queryset_for_user(user))
    if park:
        units = units.filter(building__park_id=park)
    aggs = _occ_aggs()
    total = Occupancy(label="", key="park", **units.aggregate(**aggs))
    by_building = [
        Occupancy(
            label=r.pop("building__name"), key=str(r.pop("building_id")), **{k: r[k] for k in aggs}
        )
        for r in units.values("building_id", "building__name")
        .annotate(**aggs)
        .order_by("building__code")
    ]
    uses = dict(UnitUse.choices)
    by_use = [
        Occupancy(label=str(uses.get(r["use"], r["use"])), key=r["use"], **{k: r[k] for k in aggs})
        for r in units.values("use").annotate(**aggs).order_by("use")
    ]
    return {"park": total, "buildings": by_building, "uses": by_use}


def member_leases(*, user: User) -> QuerySet[Lease]:
    return lease_list(user=user, filters=LeaseFilter(tab="all"))


def member_open_bills(*, user: User) -> QuerySet[Bill]:
    """The member's firm's bills not yet fully paid, the soonest due first (the portal)."""
    return (
        bill_queryset_for_user(user)
        .filter(paid__lt=F("amount"))
        .select_related("lease")
        .order_by("due_date")
    )


def import_job_get_for_user(*, user: User, pk: int) -> ImportJob:
    parks = park_ids_for_user(user, roles.SPACE_CHANGE)
    qs = ImportJob.objects.filter(pk=pk)
    if user.is_member:
        raise Http404
    if parks is not None:
        qs = qs.filter(park_id__in=parks)
    return first_or_404(qs)
