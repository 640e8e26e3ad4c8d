"""/api/v1/leasing/: leases, bills, payments, receivables and occupancy, scoped like
the pages (members see their own firm's leases and bills only)."""

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from oasis.accounts.http import AuthedHttpRequest
from oasis.core.filters import ParkFilter
from oasis.enterprises.selectors import enterprise_get_for_user

from . import selectors, services
from .filters import BillApiFilter, LeaseApiFilter
from .models import Alignment, Cycle, DayCount, Lease, RentBasis

router = Router(tags=["leasing"])


class FreePeriodIn(Schema):
    start_date: dt.date
    end_date: dt.date


class StepIn(Schema):
    year: int = Field(..., ge=2, le=100)
    rate: Decimal = Field(..., ge=0, max_digits=12, decimal_places=4)


class LeaseIn(Schema):
    tenant_id: int
    unit_ids: list[int] = Field(..., min_length=1)
    number: str = Field("", max_length=40)
    start_date: dt.date
    end_date: dt.date
    rent_basis: RentBasis = RentBasis.PER_SQM_DAY
    rent_rate: Decimal
    property_fee_rate: Decimal = Decimal("0")
    deposit: Decimal = Decimal("0")
    escalation_pct: Decimal = Decimal("0")
    escalation_every: int = Field(1, ge=1, le=50)
    escalation_from: int = Field(2, ge=2, le=50)
    rent_steps: list[StepIn] = Field([], max_length=50)
    day_count: DayCount | None = None  # None: the park's default
    billing_alignment: Alignment | None = None
    cycle: Cycle = Cycle.QUARTERLY
    free_periods: list[FreePeriodIn] = []
    notes: str = ""
    activate: bool = False


class LeaseOut(Schema):
    id: int
    park_id: int
    number: str
    tenant_id: int
    tenant_name: str = Field(..., alias="tenant.name")
    unit_ids: list[int]
    area: Decimal
    start_date: dt.date
    end_date: dt.date
    rent_basis: str
    rent_rate: Decimal
    property_fee_rate: Decimal
    deposit: Decimal
    escalation_pct: Decimal
    escalation_every: int
    escalation_from: int
    rent_steps: list[dict[str, Any]]
    day_count: str
    billing_alignment: str
    cycle: int
    status: str
    predecessor_id: int | None
    terminated_on: dt.date | None

    @staticmethod
    def resolve_unit_ids(obj: Lease) -> list[int]:
        return [lu.unit_id for lu in obj.lease_units.all()]


class RenewIn(Schema):
    end_date: dt.date
    rent_rate: Decimal | None = None  # None: the rate in force at the end
    property_fee_rate: Decimal | None = None
    escalation_pct: Decimal | None = None
    deposit: Decimal | None = None
    deposit_action: Literal["carry", "refund"] | None = None  # required with a deposit
    reference: str = Field("", max_length=60)


class TerminateIn(Schema):
    terminated_on: dt.date
    reason: str = Field(..., min_length=1, max_length=200)


class BillOut(Schema):
    id: int
    lease_id: int
    tenant_id: int
    seq: int
    kind: str
    note: str
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date
    rent: Decimal
    property_fee: Decimal
    amount: Decimal
    paid: Decimal


class DepositRefundIn(Schema):
    refunded_on: dt.date | None = None  # today when left out
    reference: str = Field("", max_length=60)


class DepositRefundOut(Schema):
    id: int
    lease_id: int
    amount: Decimal
    cancelled: Decimal
    refunded_on: dt.date
    reference: str
    recorded_by_id: int | None


class CreditRefundIn(Schema):
    amount: Decimal = Field(..., gt=0, max_digits=14, decimal_places=2)
    refunded_on: dt.date | None = None  # today when left out
    reference: str = Field("", max_length=60)
    request_key: str | None = Field(None, max_length=40)  # a retry records one refund


class CreditRefundOut(Schema):
    id: int
    lease_id: int
    amount: Decimal
    refunded_on: dt.date
    reference: str
    recorded_by_id: int | None


class SettlementIn(Schema):
    settled_on: dt.date | None = None  # today (or the end of the term) when left out
    reference: str = Field("", max_length=60)
    request_key: str | None = Field(None, max_length=40)


class SettlementOut(Schema):
    """退租结算: settled (id set) or, before, the figures it would record."""

    id: int | None = None
    lease_id: int
    settled_on: dt.date | None = None
    outstanding: Decimal
    credit: Decimal
    deposit_held: Decimal
    deposit_cancelled: Decimal
    credit_applied: Decimal
    deposit_applied: Decimal
    refund: Decimal
    shortfall: Decimal
    reference: str = ""


class PaymentIn(Schema):
    amount: Decimal = Field(..., gt=0, decimal_places=2)
    paid_on: dt.date
    bill_id: int | None = None
    allow_prepayment: bool = False
    reference: str = Field("", max_length=60)


class PaymentOut(Schema):
    id: int
    lease_id: int
    amount: Decimal
    paid_on: dt.date
    unallocated: Decimal
    is_prepayment: bool
    reference: str


class AgeingOut(Schema):
    d0_30: Decimal
    d31_90: Decimal
    d91_180: Decimal
    over_180: Decimal
    total: Decimal


class OccupancyRow(Schema):
    label: str
    key: str
    total_area: Decimal
    leased_area: Decimal
    reserved_area: Decimal
    units: int
    leased_units: int
    rate: Decimal


class OccupancyOut(Schema):
    park: OccupancyRow
    buildings: list[OccupancyRow]
    uses: list[OccupancyRow]


def _lease(request: AuthedHttpRequest, lease_id: int, *, change: bool = False) -> Lease:
    lease = selectors.lease_get_for_user(user=request.user, pk=lease_id)
    if change and not selectors.lease_can_change(user=request.user, lease=lease):
        raise PermissionDenied(_("没有修改该合同的权限。"))
    return lease


@router.get("/leases", response=list[LeaseOut])
@paginate(LimitOffsetPagination)
def lease_list(request: AuthedHttpRequest, filters: Query[LeaseApiFilter]):
    return selectors.lease_list(user=request.user, filters=filters)


@router.post("/leases", response={201: LeaseOut})
def lease_create(request: AuthedHttpRequest, payload: LeaseIn):
    tenant = enterprise_get_for_user(user=request.user, pk=payload.tenant_id)
    data = payload.dict(exclude={"tenant_id", "unit_ids", "free_periods", "activate"})
    data = {k: v for k, v in data.items() if v is not None}
    lease = services.lease_create(
        actor=request.user,
        tenant=tenant,
        unit_ids=payload.unit_ids,
        data=data,
        free_periods=[(p.start_date, p.end_date) for p in payload.free_periods],
        activate=payload.activate,
    )
    return Status(201, selectors.lease_get_for_user(user=request.user, pk=lease.pk))


@router.get("/leases/{lease_id}", response=LeaseOut)
def lease_detail(request: AuthedHttpRequest, lease_id: int):
    return _lease(request, lease_id)


@router.post("/leases/{lease_id}/activate", response=LeaseOut)
def lease_activate(request: AuthedHttpRequest, lease_id: int):
    lease = services.lease_activate(
        actor=request.user, lease=_lease(request, lease_id, change=True)
    )
    return selectors.lease_get_for_user(user=request.user, pk=lease.pk)


@router.post("/leases/{lease_id}/renew", response={201: LeaseOut})
def lease_renew(request: AuthedHttpRequest, lease_id: int, payload: RenewIn):
    lease = _lease(request, lease_id, change=True)
    successor = services.lease_renew(
        actor=request.user,
        lease=lease,
        end_date=payload.end_date,
        data=payload.dict(exclude={"end_date", "deposit_action", "reference"}),
        deposit=payload.deposit_action,
        reference=payload.reference,
    )
    return Status(201, selectors.lease_get_for_user(user=request.user, pk=successor.pk))


@router.post("/leases/{lease_id}/terminate", response=LeaseOut)
def lease_terminate(request: AuthedHttpRequest, lease_id: int, payload: TerminateIn):
    lease = _lease(request, lease_id, change=True)
    services.lease_terminate(
        actor=request.user, lease=lease, on=payload.terminated_on, reason=payload.reason
    )
    return selectors.lease_get_for_user(user=request.user, pk=lease.pk)


@router.get("/leases/{lease_id}/bills", response=list[BillOut])
def lease_bills(request: AuthedHttpRequest, lease_id: int):
    return selectors.lease_bills(lease=_lease(request, lease_id))


@router.get("/bills", response=list[BillOut])
@paginate(LimitOffsetPagination)
def bill_list(request: AuthedHttpRequest, filters: Query[BillApiFilter]):
    return selectors.bill_list(user=request.user, state=filters.state, park=filters.park)


@router.get("/leases/{lease_id}/payments", response=list[PaymentOut])
def payment_list(request: AuthedHttpRequest, lease_id: int):
    return list(_lease(request, lease_id).payments.all())


@router.post("/leases/{lease_id}/payments", response={201: PaymentOut})
def payment_create(request: AuthedHttpRequest, lease_id: int, payload: PaymentIn):
    lease = _lease(request, lease_id, change=True)
    bill = None
    if payload.bill_id is not None:
        bill = lease.bills.filter(pk=payload.bill_id).first()
        if bill is None:
            raise ValidationError({"bill_id": [_("账单不属于该合同。")]})
    payment = services.payment_record(
        actor=request.user,
        lease=lease,
        amount=payload.amount,
        paid_on=payload.paid_on,
        bill=bill,
        allow_prepayment=payload.allow_prepayment,
        reference=payload.reference,
    )
    return Status(201, payment)


@router.post("/leases/{lease_id}/deposit/refund", response={201: DepositRefundOut})
def deposit_refund(request: AuthedHttpRequest, lease_id: int, payload: DepositRefundIn):
    lease = _lease(request, lease_id, change=True)
    refund = services.deposit_refund(
        actor=request.user,
        lease=lease,
        on=payload.refunded_on or services.today(),
        reference=payload.reference,
    )
    return Status(201, refund)


@router.post("/leases/{lease_id}/credit/refund", response={201: CreditRefundOut})
def credit_refund(request: AuthedHttpRequest, lease_id: int, payload: CreditRefundIn):
    lease = _lease(request, lease_id, change=True)
    refund = services.credit_refund(
        actor=request.user,
        lease=lease,
        amount=payload.amount,
        on=payload.refunded_on or services.today(),
        reference=payload.reference,
        request_key=payload.request_key,
    )
    return Status(201, refund)


@router.get("/leases/{lease_id}/settlement", response=SettlementOut)
def settlement_get(request: AuthedHttpRequest, lease_id: int):
    lease = _lease(request, lease_id)
    if request.user.is_member:
        raise PermissionDenied
    done = selectors.lease_settlement(lease=lease)
    if done is not None:
        return done
    st = services.settlement_statement(lease=lease)
    return {
        "lease_id": lease.pk,
        "outstanding": st.outstanding,
        "credit": st.credit,
        "deposit_held": st.deposit_held,
        "deposit_cancelled": st.deposit_cancelled,
        "credit_applied": st.credit_applied,
        "deposit_applied": st.deposit_applied,
        "refund": st.refund,
        "shortfall": st.shortfall,
    }


@router.post("/leases/{lease_id}/settlement", response={201: SettlementOut})
def settlement_create(request: AuthedHttpRequest, lease_id: int, payload: SettlementIn):
    lease = _lease(request, lease_id, change=True)
    settlement = services.lease_settle(
        actor=request.user,
        lease=lease,
        on=payload.settled_on or max(services.today(), lease.effective_end),
        reference=payload.reference,
        request_key=payload.request_key,
    )
    return Status(201, settlement)


@router.get("/receivables/ageing", response=AgeingOut)
def ageing(request: AuthedHttpRequest, filters: Query[ParkFilter]):
    if request.user.is_member:
        raise PermissionDenied
    total, _rows = selectors.receivables_ageing(user=request.user, park=filters.park)
    fen = Decimal("0.01")
    return {
        k: Decimal(v).quantize(fen) for k, v in {**total.__dict__, "total": total.total}.items()
    }


def _occ(o: selectors.Occupancy) -> dict:
    return {**o.__dict__, "rate": o.rate}


@router.get("/occupancy", response=OccupancyOut)
def occupancy(request: AuthedHttpRequest, filters: Query[ParkFilter]):
    if request.user.is_member:
        raise PermissionDenied
    data = selectors.occupancy(user=request.user, park=filters.park)
    return {
        "park": _occ(data["park"]),
        "buildings": [_occ(o) for o in data["buildings"]],
        "uses": [_occ(o) for o in data["uses"]],
    }
