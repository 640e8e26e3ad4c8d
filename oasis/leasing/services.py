"""Every write to leases, bills and payments: in a transaction, validated, audited.

Unit.status follows the leases through `units_sync_status` (the dashboard's leased-area
figure sums leased units): a unit with a running lease covering today is leased, one whose
only running lease starts later is reserved, and one whose leases have all ended is
vacant again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, Round
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import user_can
from oasis.core.texts import TextSource, written
from oasis.core.writes import record, record_deletion, snapshot
from oasis.enterprises.models import Enterprise
from oasis.parks.models import Park, Unit

from . import schedule
from .models import (
    Bill,
    CreditRefund,
    DepositRefund,
    ExpiryReminder,
    FreeRentPeriod,
    Lease,
    LeaseAmendment,
    LeaseUnit,
    Payment,
    PaymentAllocation,
    Settlement,
)

ZERO = Decimal("0")
REMINDER_DAYS = (90, 60, 30)
TERM_FIELDS = (
    "rent_basis",
    "rent_rate",
    "property_fee_rate",
    "deposit",
    "escalation_pct",
    "escalation_every",
    "escalation_from",
    "rent_steps",
    "day_count",
    "billing_alignment",
    "cycle",
)
LEASE_FIELDS = ("number", "start_date", "end_date", "notes", "signed_on", *TERM_FIELDS)
AMENDABLE = ("rent_rate", "property_fee_rate", "escalation_pct", "end_date", "notes")


def today() -> dt.date:
    return timezone.localdate()


def _require(actor: User | None, park_id: int) -> None:
    if actor is None:
        return  # system jobs (management commands, imports run by a task for a checked user)
    if getattr(actor, "is_member", False) or not user_can(actor, park_id, roles.SPACE_CHANGE):
        raise PermissionDenied(_("没有执行该操作的权限。"))


def lease_terms(
    lease: Lease,
    free: Iterable[FreeRentPeriod] | None = None,
    amendments: Iterable[LeaseAmendment] | None = None,
) -> schedule.Terms:
    """The lease's schedule terms: its term (to the termination date if ended early), the
    rates as signed on the lease row, and its amendments' rates in force from their dates
    (in date order; on one day, the amendment made last wins)."""
    periods = lease.free_periods.all() if free is None else free
    if amendments is None:
        amendments = lease.amendments.order_by("pk") if lease.pk else []
    changes = []
    for a in amendments:
        changed = {
            f: Decimal(str(pair[1]))
            for f, pair in (a.changes or {}).items()
            if f in schedule.RATE_FIELDS and pair[1] is not None
        }
        if changed:
            changes.append(schedule.RateChange(a.effective_on, **changed))
    return schedule.Terms(
        start=lease.start_date,
        end=lease.effective_end,
        area=lease.area,
        rent_basis=lease.rent_basis,
        rent_rate=lease.rent_rate,
        property_fee_rate=lease.property_fee_rate,
        cycle_months=int(lease.cycle),
        escalation_pct=lease.escalation_pct,
        escalation_every=int(lease.escalation_every),
        escalation_from=int(lease.escalation_from),
        steps=lease.steps,
        day_count=lease.day_count,
        alignment=lease.billing_alignment,
        free_rent=tuple(schedule.Period(p.start_date, p.end_date) for p in periods),
        changes=tuple(changes),
    )


def stored_rate(value: Decimal, places: int) -> str:
    """A rate as an amendment records it: the field's decimals, or every decimal an
    escalated rate has (exact; the schedule computes with it)."""
    quantum = Decimal(1).scaleb(-places)
    if value == value.quantize(quantum):
        return str(value.quantize(quantum))
    return format(value.normalize(), "f")


def steps_parse(rows: Any) -> list[dict[str, int | str]]:
    """A step table as stored ([{"year": k, "rate": "X"}], in the order given), or a
    ValidationError on `rent_steps` naming what is wrong."""
    out: list[dict[str, int | str]] = []
    try:
        for row in rows or []:
            year, rate = int(row["year"]), Decimal(str(row["rate"]))
            if not rate.is_finite() or rate != rate.quantize(Decimal("0.0001")):
                raise ValueError
            out.append({"year": year, "rate": str(rate)})
    except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
        raise ValidationError({"rent_steps": [_("阶梯租金格式有误。")]}) from exc
    return out


_TERM_FIELD_FOR = {
    "end_date": "end_date",
    "area": "units",
    "rent_rate": "rent_rate",
    "property_fee_rate": "property_fee_rate",
    "cycle_months": "cycle",
    "rent_basis": "rent_basis",
    "escalation_pct": "escalation_pct",
    "escalation_every": "escalation_every",
    "escalation_from": "escalation_from",
    "steps": "rent_steps",
    "day_count": "day_count",
    "alignment": "billing_alignment",
    "free_rent": "free_rent",
}
# Lazy: translated when the error is raised, in the language of the request that raised it.
_TERM_MESSAGES = {
    "end_date": gettext_lazy("到期日不能早于起租日。"),
    "area": gettext_lazy("请至少选择一个单元。"),
    "rent_rate": gettext_lazy("租金不能为负数。"),
    "property_fee_rate": gettext_lazy("物业费不能为负数。"),
    "cycle_months": gettext_lazy("付款周期无效。"),
    "rent_basis": gettext_lazy("计租方式无效。"),
    "escalation_pct": gettext_lazy("年递增率应在 0 到 100 之间。"),
    "escalation_every": gettext_lazy("递增间隔至少为 1 年。"),
    "escalation_from": gettext_lazy("递增应自第 2 个租赁年度或以后开始。"),
    "steps": gettext_lazy(
        "阶梯租金的租赁年度应从第 2 年起、由小到大且不重复，租金不能为负数；"
        "使用阶梯租金时年递增率应为 0。"
    ),
    "day_count": gettext_lazy("计租天数规则无效。"),
    "alignment": gettext_lazy("账期起算方式无效。"),
    "free_rent": gettext_lazy("免租期结束日不能早于开始日。"),
}


def _check_terms(terms: schedule.Terms) -> None:
    errors = schedule.terms_errors(terms)
    if errors:
        raise ValidationError({_TERM_FIELD_FOR[k]: [str(_TERM_MESSAGES[k])] for k in errors})


def _next_number(park: Park, start: dt.date) -> str:
    prefix = f"ZL{start.year}-"
    last = Lease.objects.filter(park=park, number__startswith=prefix).aggregate(m=Max("number"))[
        "m"
    ]
    n = int(last.removeprefix(prefix)) + 1 if last and last.removeprefix(prefix).isdigit() else 1
    return f"{prefix}{n:04d}"


def _units_for(park: Park, unit_ids: list[int]) -> list[Unit]:
    ids = list(dict.fromkeys(unit_ids))
    if not ids:
        raise ValidationError({"units": [_("请至少选择一个单元。")]})
    units = list(
        Unit.objects.filter(pk__in=ids, building__park_id=park.pk).select_related("building")
    )
    if len(units) != len(ids):
        raise ValidationError({"units": [_("单元不存在或不属于本园区。")]})
    bad = [u for u in units if u.status == Unit.Status.UNAVAILABLE]
    if bad:
        raise ValidationError(
            {"units": [_("单元 %(codes)s 不可租。") % {"codes": _("、").join(str(u) for u in bad)}]}
        )
    return units


def _free_periods(lease: Lease, periods: list[tuple[dt.date, dt.date]]) -> list[FreeRentPeriod]:
    out = []
    for start, end in periods:
        if end < start:
            raise ValidationError({"free_rent": [_("免租期结束日不能早于开始日。")]})
        if start < lease.start_date or end > lease.end_date:
            raise ValidationError({"free_rent": [_("免租期应在租期之内。")]})
        out.append(FreeRentPeriod(lease=lease, start_date=start, end_date=end))
    return out


@transaction.atomic
def lease_create(
    *,
    actor: User | None,
    tenant: Enterprise,
    unit_ids: list[int],
    data: dict[str, Any],
    free_periods: list[tuple[dt.date, dt.date]] | None = None,
    activate: bool = False,
    predecessor: Lease | None = None,
    on: dt.date | None = None,
) -> Lease:
    """A draft lease (or, with `activate`, a signed one) of `unit_ids` to `tenant`."""
    park = tenant.park
    _require(actor, park.pk)
    unknown = set(data) - set(LEASE_FIELDS)
    if unknown:
        raise ValidationError({k: [_("不可设置的字段。")] for k in sorted(unknown)})
    units = _units_for(park, unit_ids)
    # The park's conventions unless the lease names its own.
    data = {
        "day_count": park.lease_day_count,
        "billing_alignment": park.lease_billing_alignment,
        **data,
    }
    if "rent_steps" in data:
        data["rent_steps"] = steps_parse(data["rent_steps"])
    lease = Lease(park=park, tenant=tenant, predecessor=predecessor, **data)
    lease.area = sum((u.area for u in units), ZERO)
    if not lease.number:
        lease.number = _next_number(park, lease.start_date or today())
    free: list[FreeRentPeriod] = []
    if lease.start_date and lease.end_date and lease.rent_rate is not None:
        # The domain's own messages first ("到期日不能早于起租日。"), then the model's.
        _check_terms(lease_terms(lease, []))
        free = _free_periods(lease, free_periods or [])
        _check_terms(lease_terms(lease, free))
    lease.full_clean()
    lease.save()
    FreeRentPeriod.objects.bulk_create(free)
    LeaseUnit.objects.bulk_create(
        [
            LeaseUnit(lease=lease, unit=u, start_date=lease.start_date, end_date=lease.end_date)
            for u in units
        ]
    )
    record(actor=actor, instance=lease, park_id=park.pk)
    if activate:
        lease = lease_activate(actor=actor, lease=lease, on=on)
    return lease


@dataclass(frozen=True)
class LeasePreview:
    """What a lease would bill, before it is saved or signed."""

    years: list[schedule.RateSpan]
    schedule: schedule.Schedule


def lease_preview(
    *,
    tenant: Enterprise,
    unit_ids: list[int],
    data: dict[str, Any],
    free_periods: list[tuple[dt.date, dt.date]] | None = None,
) -> LeasePreview:
    """The rate in force in every lease year and the bills of a lease as `lease_create`
    would make it; writes nothing, raises the same field errors."""
    park = tenant.park
    units = _units_for(park, unit_ids)
    data = {
        "day_count": park.lease_day_count,
        "billing_alignment": park.lease_billing_alignment,
        **{k: v for k, v in data.items() if k in LEASE_FIELDS},
    }
    if "rent_steps" in data:
        data["rent_steps"] = steps_parse(data["rent_steps"])
    lease = Lease(park=park, tenant=tenant, **data)
    lease.area = sum((u.area for u in units), ZERO)
    _check_terms(lease_terms(lease, [], []))
    free = _free_periods(lease, free_periods or [])
    terms = lease_terms(lease, free, [])
    _check_terms(terms)
    return LeasePreview(schedule.year_rates(terms), schedule.build_schedule(terms))


def _check_no_overlap(lease: Lease) -> None:
    """The serialised check (SQLite takes the write lock at BEGIN, so no one can slip in
    between this read and the insert); on PostgreSQL the exclusion constraint is the
    guarantee and this only gives the nicer message."""
    rows = LeaseUnit.objects.filter(lease=lease).values_list("unit_id", "start_date", "end_date")
    clashes = []
    for unit_id, start, end in rows:
        other = (
            LeaseUnit.objects.filter(
                unit_id=unit_id, occupies=True, start_date__lte=end, end_date__gte=start
            )
            .exclude(lease=lease)
            .select_related("lease", "unit__building")
            .first()
        )
        if other is not None:
            clashes.append(
                _("单元 %(unit)s 在 %(start)s 至 %(end)s 已由合同 %(number)s 出租。")
                % {
                    "unit": f"{other.unit.building.code}-{other.unit.code}",
                    "start": other.start_date,
                    "end": other.end_date,
                    "number": other.lease.number,
                }
            )
    if clashes:
        raise ValidationError({"units": clashes})


@transaction.atomic
def lease_activate(*, actor: User | None, lease: Lease, on: dt.date | None = None) -> Lease:
    """Sign a draft: its units become occupied for its term and its bills are issued."""
    _require(actor, lease.park_id)
    lease = Lease.objects.select_for_update().get(pk=lease.pk)
    if lease.status != Lease.Status.DRAFT:
        raise ValidationError({"status": [_("只有草稿合同可以签约生效。")]})
    before = snapshot(lease)
    _check_no_overlap(lease)
    try:
        with transaction.atomic():
            LeaseUnit.objects.filter(lease=lease).update(occupies=True)
    except IntegrityError as exc:  # PostgreSQL: lost the race to another signing
        raise ValidationError({"units": [_("该单元在此期间已被其他合同出租。")]}) from exc
    lease.status = Lease.Status.ACTIVE
    lease.signed_on = lease.signed_on or (on or today())
    lease.save(update_fields=["status", "signed_on", "updated_at"])
    bills_reconcile(actor=actor, lease=lease, on=lease.signed_on)
    if lease.deposit > 0:
        Bill.objects.create(
            lease=lease,
            park_id=lease.park_id,
            tenant_id=lease.tenant_id,
            seq=0,
            kind=Bill.Kind.DEPOSIT,
            period_start=lease.start_date,
            period_end=lease.end_date,
            due_date=lease.signed_on,
            rent=ZERO,
            property_fee=ZERO,
            amount=lease.deposit,
        )
    record(actor=actor, instance=lease, before=before, park_id=lease.park_id)
    units_sync_status(actor=actor, unit_ids=_unit_ids(lease), on=on)
    return lease


def _unit_ids(lease: Lease) -> list[int]:
    return list(LeaseUnit.objects.filter(lease=lease).values_list("unit_id", flat=True))


def bills_reconcile(
    *,
    actor: User | None,
    lease: Lease,
    on: dt.date | None = None,
    note: tuple[str, TextSource] | None = None,
) -> schedule.Plan:
    """Bring the lease's bills in line with its schedule (see `schedule.reconcile`): on
    signing this issues every bill; after an amendment or an early termination, unpaid
    bills are reissued, paid ones get an adjustment bill for the difference, and a credit
    note moves money overpaid from the period's payments to their credit (`unallocated`).
    Afterwards the lease's rent and adjustment bills add up to the schedule's total."""
    day = on or today()
    sched = schedule.build_schedule(lease_terms(lease))
    bills = list(Bill.objects.select_for_update().filter(lease=lease).order_by("seq"))
    plan = schedule.reconcile(
        sched,
        [
            schedule.Issued(
                b.pk, b.period_start, b.period_end, b.rent, b.property_fee, b.paid, b.kind
            )
            for b in bills
        ],
        on=day,
    )
    if not plan:
        return plan
    by_pk: dict[Hashable, Bill] = {b.pk: b for b in bills}
    Bill.objects.filter(pk__in=plan.withdraw).delete()
    for change in plan.rebill:
        bill = by_pk[change.key]
        before = snapshot(bill)
        bill.rent, bill.property_fee = change.rent, change.property_fee
        bill.amount = change.rent + change.property_fee
        if note:
            bill.note, bill.note_source = note
        bill.save(update_fields=["rent", "property_fee", "amount", "note", "note_source"])
        record(actor=actor, instance=bill, before=before, park_id=lease.park_id)
    seq = max((b.seq for b in bills if b.pk not in set(plan.withdraw)), default=0)
    new = []
    for line in plan.issue:
        seq += 1
        new.append(
            Bill(
                lease=lease,
                park_id=lease.park_id,
                tenant_id=lease.tenant_id,
                seq=seq,
                kind=line.kind,
                period_start=line.period_start,
                period_end=line.period_end,
                due_date=line.due_date,
                rent=line.rent,
                property_fee=line.property_fee,
                amount=line.amount,
                note=note[0] if note and line.kind == Bill.Kind.ADJUSTMENT else "",
                note_source=note[1] if note and line.kind == Bill.Kind.ADJUSTMENT else None,
            )
        )
    created = Bill.objects.bulk_create(new, batch_size=500)
    for bill in created:
        if bill.kind == Bill.Kind.ADJUSTMENT:
            if bill.amount < 0:
                _credit_note_settle(lease=lease, note=bill)
            record(actor=actor, instance=bill, park_id=lease.park_id)
    credit_apply(actor=actor, lease=lease, on=day)
    return plan


def _credit_note_settle(*, lease: Lease, note: Bill) -> None:
    """Settle a credit note: take its amount back from the payments allocated to its
    period's bills (newest payment first) into those payments' credit."""
    allocations = (
        PaymentAllocation.objects.filter(bill__lease=lease, bill__period_start=note.period_start)
        .exclude(bill__kind=Bill.Kind.DEPOSIT)
        .exclude(bill=note)
        .values("payment_id")
        .annotate(net=Sum("amount"))
        .order_by()
    )
    net = {row["payment_id"]: Decimal(row["net"]).quantize(Decimal("0.01")) for row in allocations}
    payments = Payment.objects.select_for_update().filter(
        pk__in=[pk for pk, n in net.items() if n > 0]
    )
    left = -note.amount
    taken = []
    for payment in payments.order_by("-paid_on", "-pk"):
        if left <= 0:
            break
        part = min(left, net[payment.pk])
        taken.append(PaymentAllocation(payment=payment, bill=note, amount=-part))
        Payment.objects.filter(pk=payment.pk).update(unallocated=payment.unallocated + part)
        left -= part
    if left:  # the schedule only takes back money that was paid for the period
        raise ValidationError({"__all__": [_("调整账单无法与已收款冲抵。")]})
    PaymentAllocation.objects.bulk_create(taken)
    Bill.objects.filter(pk=note.pk).update(paid=note.amount)
    note.paid = note.amount


def bills_generate_many(*, leases: Iterable[Lease], batch_size: int = 5000) -> int:
    """Issue the first bills (and the deposit bill) of many signed leases at once (bulk
    import, benchmark); the same bills as `lease_activate` issues.

    One schedule per lease, written with executemany: building half a million Bill
    instances only to have bulk_create take them apart again costs more than computing
    the schedules (about 5x on SQLite). Values are adapted by the backend's own ops."""
    leases = list(leases)
    free: dict[int, list[FreeRentPeriod]] = {}
    for p in FreeRentPeriod.objects.filter(lease__in=[le.pk for le in leases]):
        free.setdefault(p.lease_id, []).append(p)
    ops = connection.ops
    table = connection.ops.quote_name(Bill._meta.db_table)
    sql = (
        f"INSERT INTO {table} (lease_id, park_id, tenant_id, seq, kind, period_start, period_end, due_date, "
        "rent, property_fee, amount, paid, note) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    )
    money = ops.adapt_decimalfield_value
    day = ops.adapt_datefield_value
    zero = money(ZERO, 14, 2)
    count = 0
    rows: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for lease in leases:
            for b in schedule.build_schedule(lease_terms(lease, free.get(lease.pk, []), [])).bills:
                start = day(b.period_start)
                rows.append(
                    (
                        lease.pk,
                        lease.park_id,
                        lease.tenant_id,
                        b.seq,
                        schedule.RENT,
                        start,
                        day(b.period_end),
                        start,
                        money(b.rent, 14, 2),
                        money(b.property_fee, 14, 2),
                        money(b.amount, 14, 2),
                        zero,
                        "",
                    )
                )
            if lease.deposit and lease.deposit > 0:
                rows.append(
                    (
                        lease.pk,
                        lease.park_id,
                        lease.tenant_id,
                        0,
                        schedule.DEPOSIT,
                        day(lease.start_date),
                        day(lease.end_date),
                        day(lease.signed_on or lease.start_date),
                        zero,
                        zero,
                        money(lease.deposit, 14, 2),
                        zero,
                        "",
                    )
                )
            if len(rows) >= batch_size:
                cursor.executemany(sql, rows)
                count += len(rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)
    return count + len(rows)


def units_sync_status(
    *, actor: User | None, unit_ids: Iterable[int], on: dt.date | None = None
) -> int:
    """Bring Unit.status in line with the running leases on `on`; returns units changed.
    Reserved or unavailable units with no lease are left as the space officer set them."""
    day = on or today()
    ids = list(set(unit_ids))
    rows = LeaseUnit.objects.filter(
        unit_id__in=ids, occupies=True, lease__status__in=Lease.RUNNING, end_date__gte=day
    ).values_list("unit_id", "start_date")
    current: set[int] = set()
    future: set[int] = set()
    for unit_id, start in rows:
        (current if start <= day else future).add(unit_id)
    changed = 0
    for unit in Unit.objects.select_for_update().filter(pk__in=ids).select_related("building"):
        if unit.pk in current:
            target = Unit.Status.LEASED
        elif unit.pk in future:
            target = Unit.Status.RESERVED
        elif unit.status == Unit.Status.LEASED:
            target = Unit.Status.VACANT
        else:
            continue
        if unit.status != target:
            before = snapshot(unit)
            unit.status = target
            unit.save(update_fields=["status"])
            record(actor=actor, instance=unit, before=before, park_id=unit.building.park_id)
            changed += 1
    return changed


@transaction.atomic
def lease_delete_draft(*, actor: User | None, lease: Lease) -> None:
    _require(actor, lease.park_id)
    if lease.status != Lease.Status.DRAFT:
        raise ValidationError({"status": [_("只有草稿合同可以删除。")]})
    record_deletion(actor=actor, instance=lease, park_id=lease.park_id)


@transaction.atomic
def lease_terminate(*, actor: User | None, lease: Lease, on: dt.date, reason: str) -> Lease:
    """End a running lease early on `on` (the last day let). The schedule becomes the
    shorter term's: the period holding `on` is re-billed by days up to and including it
    and later periods are withdrawn. Money already paid for days after `on` becomes the
    tenant's credit (a credit note on each such period), never lost."""
    _require(actor, lease.park_id)
    lease = Lease.objects.select_for_update().get(pk=lease.pk)
    if lease.status != Lease.Status.ACTIVE:
        raise ValidationError({"status": [_("只有执行中的合同可以提前终止。")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("请填写终止原因。")]})
    if on < lease.start_date or on >= lease.end_date:
        raise ValidationError({"terminated_on": [_("终止日期应在租期之内且早于到期日。")]})
    before = snapshot(lease)
    lease.status = Lease.Status.TERMINATED
    lease.terminated_on = on
    # The lease's notes are free text anyone may edit: the platform's line is written in
    # the default language, like the rest of the record.
    terminated = written(gettext_noop("提前终止：%(reason)s"), reason=reason)[0]
    lease.notes = (lease.notes + "\n" if lease.notes else "") + terminated
    lease.save(update_fields=["status", "terminated_on", "notes", "updated_at"])
    LeaseUnit.objects.filter(lease=lease).update(end_date=on)
    LeaseAmendment.objects.create(
        lease=lease,
        effective_on=on,
        reason=reason,
        created_by=_user(actor),
        changes={
            "status": [before["status"], lease.status],
            "terminated_on": [None, on.isoformat()],
        },
    )
    bills_reconcile(
        actor=actor,
        lease=lease,
        note=written(gettext_noop("提前终止于 %(date)s"), date=on.isoformat()),
    )
    record(actor=actor, instance=lease, before=before, park_id=lease.park_id)
    units_sync_status(actor=actor, unit_ids=_unit_ids(lease))
    return lease


def _user(actor: User | None) -> User | None:
    return actor if getattr(actor, "pk", None) else None


RENEWAL_TERMS = ("rent_rate", "property_fee_rate", "escalation_pct", "deposit")
CARRY, REFUND = "carry", "refund"


def renewal_data(
    lease: Lease, end_date: dt.date, data: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The successor's terms: the rates in force on the lease's last day (the rent to
    four decimals, as a contract states it), its escalation rule, conventions, cycle and
    deposit; a step table is not carried (its years were the old lease's). `data` types
    new terms (None: unchanged)."""
    in_force = schedule.rate_on(lease_terms(lease), lease.effective_end)
    terms: dict[str, Any] = {f: getattr(lease, f) for f in TERM_FIELDS}
    terms.update(
        rent_rate=in_force.rent_rate.quantize(Decimal("0.0001")),
        property_fee_rate=in_force.property_fee_rate.quantize(Decimal("0.01")),
        escalation_pct=in_force.escalation_pct,
        rent_steps=[],
    )
    terms.update(
        {k: v for k, v in (data or {}).items() if k in TERM_FIELDS and v not in (None, "")}
    )
    start = lease.end_date + dt.timedelta(days=1)
    return {**terms, "start_date": start, "end_date": end_date}


@dataclass(frozen=True)
class RenewalPreview:
    """Old and new side by side, before the officer confirms."""

    old_years: list[schedule.RateSpan]
    new_years: list[schedule.RateSpan]
    old_end_rate: Decimal
    new: dict[str, Any]
    new_total: Decimal
    deposit_held: Decimal

    @property
    def rows(self) -> list[tuple[schedule.RateSpan | None, schedule.RateSpan | None]]:
        n = max(len(self.old_years), len(self.new_years))
        pad: list[schedule.RateSpan | None] = [None] * n
        old = (list(self.old_years) + pad)[:n]
        new = (list(self.new_years) + pad)[:n]
        return list(zip(old, new, strict=True))


def _renewal_checks(lease: Lease, end_date: dt.date) -> None:
    if lease.status != Lease.Status.ACTIVE:
        raise ValidationError({"status": [_("只有执行中的合同可以续签。")]})
    if Lease.objects.filter(predecessor=lease).exists():
        raise ValidationError({"status": [_("该合同已续签。")]})
    if end_date <= lease.end_date:
        raise ValidationError({"end_date": [_("续签到期日应晚于原合同到期日。")]})


def renewal_preview(
    *, lease: Lease, end_date: dt.date, data: dict[str, Any] | None = None
) -> RenewalPreview:
    """What `lease_renew` would sign, without signing it (nothing is written)."""
    _renewal_checks(lease, end_date)
    new = renewal_data(lease, end_date, data)
    draft = Lease(park=lease.park, tenant=lease.tenant, area=lease.area, **new)
    draft.rent_steps = steps_parse(draft.rent_steps)
    terms = lease_terms(draft, [], [])
    _check_terms(terms)
    old_terms = lease_terms(lease)
    held = Bill.objects.filter(lease=lease, kind=Bill.Kind.DEPOSIT).aggregate(s=Sum("paid"))["s"]
    return RenewalPreview(
        old_years=schedule.year_rates(old_terms),
        new_years=schedule.year_rates(terms),
        old_end_rate=schedule.rate_on(old_terms, lease.effective_end).rent_rate,
        new=new,
        new_total=schedule.build_schedule(terms).total,
        deposit_held=Decimal(held or 0),
    )


@transaction.atomic
def lease_renew(
    *,
    actor: User | None,
    lease: Lease,
    end_date: dt.date,
    data: dict[str, Any] | None = None,
    deposit: str | None = None,
    on: dt.date | None = None,
    reference: str = "",
) -> Lease:
    """Renew a running lease: the successor starts the day after it ends, on the same
    units, from the rates in force at the end (`renewal_data`) unless `data` types new
    ones; it is signed at once. The deposit is handled explicitly: `carry` moves what
    was received to the successor's deposit (recorded on both leases), `refund` hands it
    back now (who, when, `reference`); one of them is required when there is a deposit."""
    _require(actor, lease.park_id)
    lease = Lease.objects.select_for_update().get(pk=lease.pk)
    _renewal_checks(lease, end_date)
    deposit_bill = (
        Bill.objects.select_for_update().filter(lease=lease, kind=Bill.Kind.DEPOSIT).first()
    )
    if deposit_bill is not None and deposit not in (CARRY, REFUND):
        raise ValidationError({"deposit_action": [_("请选择保证金转入新合同或退还。")]})
    day = on or today()
    successor = lease_create(
        actor=actor,
        tenant=lease.tenant,
        unit_ids=_unit_ids(lease),
        data={
            **renewal_data(lease, end_date, data),
            "notes": written(gettext_noop("续签自 %(n)s"), n=lease.number)[0],
        },
        predecessor=lease,
        activate=True,
        on=day,
    )
    before = snapshot(lease)
    lease.status = Lease.Status.RENEWED
    lease.save(update_fields=["status", "updated_at"])
    record(actor=actor, instance=lease, before=before, park_id=lease.park_id)
    if deposit_bill is not None:
        if deposit == CARRY:
            _deposit_carry(actor=actor, lease=lease, bill=deposit_bill, to=successor, on=day)
        else:
            _deposit_close(actor=actor, lease=lease, bill=deposit_bill, on=day, reference=reference)
    return successor


def _deposit_close(
    *,
    actor: User | None,
    lease: Lease,
    bill: Bill,
    on: dt.date,
    reference: str,
    carried_to: Lease | None = None,
) -> DepositRefund:
    """Record the deposit handed back (or carried to `carried_to`): what was received
    on the bill; the part never received stops being asked for."""
    if DepositRefund.objects.filter(lease=lease).exists():
        raise ValidationError({"__all__": [_("保证金已退还。")]})
    refund = DepositRefund(
        lease=lease,
        bill=bill,
        amount=bill.paid,
        cancelled=bill.amount - bill.paid,
        refunded_on=max(on, bill.due_date),
        reference=reference,
        carried_to=carried_to,
        recorded_by=_user(actor),
    )
    refund.full_clean()
    refund.save()
    if refund.cancelled:
        before = snapshot(bill)
        bill.amount = bill.paid
        bill.save(update_fields=["amount"])
        record(actor=actor, instance=bill, before=before, park_id=lease.park_id)
    record(actor=actor, instance=refund, park_id=lease.park_id)
    return refund


def _deposit_carry(*, actor: User | None, lease: Lease, bill: Bill, to: Lease, on: dt.date) -> None:
    """Move the deposit received on `lease` to its successor: closed on the old lease as
    carried, received on the new one as a payment of its deposit bill (more than the new
    deposit stays the tenant's credit there)."""
    _deposit_close(
        actor=actor,
        lease=lease,
        bill=bill,
        on=on,
        reference=written(gettext_noop("转入续签合同 %(n)s"), n=to.number)[0],
        carried_to=to,
    )
    if bill.paid <= 0:
        return
    new_bill = Bill.objects.filter(lease=to, kind=Bill.Kind.DEPOSIT).first()
    payment = Payment(
        lease=to,
        park_id=to.park_id,
        amount=bill.paid,
        paid_on=on,
        reference=written(gettext_noop("保证金转自 %(n)s"), n=lease.number)[0][:60],
        is_prepayment=True,
        recorded_by=_user(actor),
    )
    payment.save()
    part = min(bill.paid, new_bill.amount) if new_bill is not None else ZERO
    if new_bill is not None and part > 0:
        PaymentAllocation.objects.create(payment=payment, bill=new_bill, amount=part)
        Bill.objects.filter(pk=new_bill.pk).update(paid=part)
    if bill.paid - part:
        payment.unallocated = bill.paid - part
        payment.save(update_fields=["unallocated"])
    record(actor=actor, instance=payment, park_id=to.park_id)


@transaction.atomic
def lease_amend(
    *, actor: User | None, lease: Lease, data: dict[str, Any], effective_on: dt.date, reason: str
) -> Lease:
    """Change a signed lease's terms from `effective_on` (kept as an amendment); the bills
    are brought in line with the amended schedule: days before `effective_on` keep the
    old rates, unpaid bills are reissued, and a period already paid gets an adjustment
    bill (a credit note when it now costs less), so what is billed equals the amended
    schedule to the fen."""
    _require(actor, lease.park_id)
    lease = Lease.objects.select_for_update().get(pk=lease.pk)
    if lease.status != Lease.Status.ACTIVE:
        raise ValidationError({"status": [_("只有执行中的合同可以变更。")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("请填写变更原因。")]})
    unknown = set(data) - set(AMENDABLE)
    if unknown:
        raise ValidationError({k: [_("不可变更的字段。")] for k in sorted(unknown)})
    if effective_on < lease.start_date:
        raise ValidationError({"effective_on": [_("生效日期不能早于起租日。")]})
    if effective_on > lease.end_date:
        raise ValidationError({"effective_on": [_("生效日期不能晚于到期日。")]})
    if lease.rent_steps and data.get("escalation_pct") is not None:
        raise ValidationError({"escalation_pct": [_("该合同按阶梯租金计租，不能变更年递增率。")]})
    before = snapshot(lease)
    # The rates: what was in force on that day, and what is from then on. The lease row
    # keeps the terms as signed.
    in_force = schedule.rate_on(lease_terms(lease), effective_on)
    changes: dict[str, list[Any]] = {}
    for f in schedule.RATE_FIELDS:
        if data.get(f) is None:
            continue
        places = Lease._meta.get_field(f).decimal_places  # type: ignore[union-attr]
        value = Decimal(data[f])
        if not value.is_finite() or value != value.quantize(Decimal(1).scaleb(-places)):
            raise ValidationError({f: [_("最多 %(n)s 位小数。") % {"n": places}]})
        value = value.quantize(Decimal(1).scaleb(-places))
        if value != getattr(in_force, f):
            changes[f] = [stored_rate(getattr(in_force, f), places), str(value)]
    for key, value in data.items():
        if key not in schedule.RATE_FIELDS:
            setattr(lease, key, value)
    lease.full_clean()
    lease.save()
    if "end_date" in data:
        LeaseUnit.objects.filter(lease=lease).update(end_date=lease.end_date)
        _check_no_overlap(lease)
    after = snapshot(lease)
    changes.update(
        {
            k: [before[k], after[k]]
            for k in data
            if k not in schedule.RATE_FIELDS and before.get(k) != after.get(k)
        }
    )
    if not changes:
        raise ValidationError({"__all__": [_("没有任何变更。")]})
    amendment = LeaseAmendment(
        lease=lease,
        effective_on=effective_on,
        reason=reason,
        changes=changes,
        created_by=_user(actor),
    )
    # The rates in force on every day, this change included, before anything is saved.
    _check_terms(lease_terms(lease, amendments=[*lease.amendments.order_by("pk"), amendment]))
    amendment.save()
    bills_reconcile(
        actor=actor,
        lease=lease,
        note=written(gettext_noop("合同变更，%(date)s 起生效"), date=effective_on.isoformat()),
    )
    record(actor=actor, instance=lease, before=before, park_id=lease.park_id)
    return lease


@transaction.atomic
def payment_record(
    *,
    actor: User | None,
    lease: Lease,
    amount: Decimal,
    paid_on: dt.date,
    bill: Bill | None = None,
    allow_prepayment: bool = False,
    reference: str = "",
) -> Payment:
    """Record money received. With `bill`, it pays that bill first; otherwise the oldest
    bills due by `paid_on`. Anything beyond what is owed is refused unless the officer
    allows prepayment: then it pays later bills in order and the rest stays as credit.
    The deposit is paid only when its bill is named: rent money never silently becomes
    deposit, nor the other way round."""
    _require(actor, lease.park_id)
    if lease.status == Lease.Status.DRAFT:
        raise ValidationError({"lease": [_("草稿合同不能收款。")]})
    amount = Decimal(amount)
    if amount <= 0:
        raise ValidationError({"amount": [_("收款金额必须大于零。")]})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": [_("金额最多两位小数。")]})
    if bill is not None and bill.lease_id != lease.pk:
        raise ValidationError({"bill": [_("账单不属于该合同。")]})
    open_bills = list(
        Bill.objects.select_for_update()
        .filter(lease=lease, paid__lt=F("amount"))
        .order_by("due_date", "seq")
    )
    if bill is not None:
        target = next((b for b in open_bills if b.pk == bill.pk), None)
        if target is None:
            raise ValidationError({"bill": [_("该账单已结清。")]})
        due_now = [target]
        later = [b for b in open_bills if b.pk != target.pk and b.kind != Bill.Kind.DEPOSIT]
    else:
        open_bills = [b for b in open_bills if b.kind != Bill.Kind.DEPOSIT]
        due_now = [b for b in open_bills if b.due_date <= paid_on]
        later = [b for b in open_bills if b.due_date > paid_on]
    owed = sum((b.outstanding for b in due_now), ZERO)
    if amount > owed and not allow_prepayment:
        raise ValidationError(
            {
                "amount": [
                    _("收款 %(amount)s 元超过应收 %(owed)s 元；如为预收款，请勾选“允许预收”。")
                    % {"amount": amount, "owed": owed}
                ]
            }
        )
    payment = Payment(
        lease=lease,
        park_id=lease.park_id,
        amount=amount,
        paid_on=paid_on,
        reference=reference,
        is_prepayment=allow_prepayment,
        recorded_by=_user(actor),
    )
    payment.full_clean()
    payment.save()
    left = amount
    allocations = []
    for b in due_now + (later if allow_prepayment else []):
        if left <= 0:
            break
        part = min(left, b.outstanding)
        allocations.append(PaymentAllocation(payment=payment, bill=b, amount=part))
        # Set the exact sum computed here (the row is locked), not paid + part in SQL: on
        # SQLite that would be float arithmetic and could break the paid ≤ amount check.
        Bill.objects.filter(pk=b.pk).update(paid=b.paid + part)
        left -= part
    PaymentAllocation.objects.bulk_create(allocations)
    if left:
        payment.unallocated = left
        payment.save(update_fields=["unallocated"])
    payment.refresh_from_db()  # callers see stored values (amounts at fen precision)
    record(actor=actor, instance=payment, park_id=lease.park_id)
    if credit_apply(actor=actor, lease=lease, on=max(paid_on, today())):
        payment.refresh_from_db()
    return payment


def credit_apply(*, actor: User | None, lease: Lease, on: dt.date | None = None) -> Decimal:
    """Apply the tenant's credit (what payments left unallocated: prepayments, money a
    credit note released) to the lease's rent and adjustment bills that are due by `on`,
    oldest bill first, from the oldest payment first. Returns what was applied. Called
    wherever credit appears and daily as bills fall due, so the ageing never chases a bill
    the park already holds the money for. Never the deposit (rent money does not silently
    become deposit)."""
    day = on or today()
    payments = list(
        Payment.objects.select_for_update()
        .filter(lease=lease, unallocated__gt=0)
        .order_by("paid_on", "pk")
    )
    if not payments:
        return ZERO
    bills = list(
        Bill.objects.select_for_update()
        .filter(lease=lease, paid__lt=F("amount"), due_date__lte=day)
        .exclude(kind=Bill.Kind.DEPOSIT)
        .order_by("due_date", "seq")
    )
    applied = ZERO
    allocations = []
    touched: dict[int, dict[str, Any]] = {}
    for bill in bills:
        for payment in payments:
            if bill.paid >= bill.amount:
                break
            if payment.unallocated <= 0:
                continue
            part = min(payment.unallocated, bill.amount - bill.paid)
            touched.setdefault(payment.pk, snapshot(payment))
            allocations.append(PaymentAllocation(payment=payment, bill=bill, amount=part))
            payment.unallocated -= part
            bill.paid += part
            applied += part
        Bill.objects.filter(pk=bill.pk).update(paid=bill.paid)
    PaymentAllocation.objects.bulk_create(allocations)
    for payment in payments:
        if payment.pk in touched:
            payment.save(update_fields=["unallocated"])
            record(actor=actor, instance=payment, before=touched[payment.pk], park_id=lease.park_id)
    return applied


@transaction.atomic
def credit_refund(
    *,
    actor: User | None,
    lease: Lease,
    amount: Decimal,
    on: dt.date,
    reference: str = "",
    request_key: str | None = None,
) -> CreditRefund:
    """Pay the tenant's credit back, all or part, as a recorded action (newest payment's
    credit first). More than the credit is refused. With `request_key`, a second submit
    of the same form returns the first refund and changes nothing."""
    _require(actor, lease.park_id)
    if request_key:
        done = CreditRefund.objects.filter(request_key=request_key, lease=lease).first()
        if done is not None:
            return done
    lease = Lease.objects.select_for_update().get(pk=lease.pk)
    if lease.status == Lease.Status.DRAFT:
        raise ValidationError({"lease": [_("草稿合同没有预收款。")]})
    amount = Decimal(amount)
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": [_("退款金额应大于零，最多两位小数。")]})
    # Credit that is owed to bills already due pays them first.
    credit_apply(actor=actor, lease=lease, on=on)
    payments = list(
        Payment.objects.select_for_update()
        .filter(lease=lease, unallocated__gt=0)
        .order_by("-paid_on", "-pk")
    )
    available = sum((p.unallocated for p in payments), ZERO)
    if amount > available:
        raise ValidationError(
            {
                "amount": [
                    _("退款 %(amount)s 元超过预收余额 %(credit)s 元。")
                    % {"amount": amount, "credit": available}
                ]
            }
        )
    left = amount
    parts: dict[str, str] = {}
    for payment in payments:
        if left <= 0:
            break
        part = min(left, payment.unallocated)
        before = snapshot(payment)
        payment.unallocated -= part
        payment.save(update_fields=["unallocated"])
        record(actor=actor, instance=payment, before=before, park_id=lease.park_id)
        parts[str(payment.pk)] = str(part)
        left -= part
    refund = CreditRefund(
        lease=lease,
        amount=amount,
        refunded_on=on,
        reference=reference,
        parts=parts,
        request_key=request_key or None,
        recorded_by=_user(actor),
    )
    refund.full_clean()
    refund.save()
    record(actor=actor, instance=refund, park_id=lease.park_id)
    return refund


DEPOSIT_REFUNDABLE = (Lease.Status.TERMINATED, Lease.Status.EXPIRED)


@transaction.atomic
def deposit_refund(
    *, actor: User | None, lease: Lease, on: dt.date, reference: str = ""
) -> DepositRefund:
    """Hand back the deposit of a lease that has ended (terminated or expired): what was
    received on the deposit bill is recorded as refunded, by whom and when; a part never
    received stops being asked for and is recorded as cancelled. Once per lease."""
    _require(actor, lease.park_id)
    lease = Lease.objects.select_for_update().get(pk=lease.pk)
    if lease.status not in DEPOSIT_REFUNDABLE:
        raise ValidationError({"status": [_("只有已终止或已到期的合同可以退还保证金。")]})
    bill = Bill.objects.select_for_update().filter(lease=lease, kind=Bill.Kind.DEPOSIT).first()
    if bill is None:
        raise ValidationError({"__all__": [_("该合同没有保证金。")]})
    if DepositRefund.objects.filter(lease=lease).exists():
        raise ValidationError({"__all__": [_("保证金已退还。")]})
    if on < bill.due_date:
        raise ValidationError({"refunded_on": [_("退还日期不能早于保证金应付日期。")]})
    return _deposit_close(actor=actor, lease=lease, bill=bill, on=on, reference=reference)


SETTLEABLE = (Lease.Status.TERMINATED, Lease.Status.EXPIRED)


@dataclass(frozen=True)
class Statement:
    """A move-out statement (退租结算) before or as settled."""

    bills: list[Bill]  # rent and adjustment bills not paid in full
    outstanding: Decimal
    credit: Decimal
    deposit_held: Decimal  # received on the deposit bill (and not refunded)
    deposit_cancelled: Decimal  # asked for but never received: no longer asked
    credit_applied: Decimal
    deposit_applied: Decimal

    @property
    def refund(self) -> Decimal:
        return self.credit - self.credit_applied + self.deposit_held - self.deposit_applied

    @property
    def shortfall(self) -> Decimal:
        return self.outstanding - self.credit_applied - self.deposit_applied


def settlement_statement(*, lease: Lease) -> Statement:
    """The figures a settlement of `lease` would record now (writes nothing): credit
    pays the arrears first, then the deposit held; the rest is refunded."""
    bills = list(
        Bill.objects.filter(lease=lease, paid__lt=F("amount"))
        .exclude(kind=Bill.Kind.DEPOSIT)
        .order_by("due_date", "seq")
    )
    outstanding = sum((b.amount - b.paid for b in bills), ZERO)
    credit = sum(
        (p.unallocated for p in Payment.objects.filter(lease=lease, unallocated__gt=0)), ZERO
    )
    deposit = Bill.objects.filter(lease=lease, kind=Bill.Kind.DEPOSIT).first()
    refunded = DepositRefund.objects.filter(lease=lease).exists()
    held = deposit.paid if deposit is not None and not refunded else ZERO
    cancelled = deposit.amount - deposit.paid if deposit is not None and not refunded else ZERO
    credit_applied = min(credit, outstanding)
    deposit_applied = min(held, outstanding - credit_applied)
    return Statement(bills, outstanding, credit, held, cancelled, credit_applied, deposit_applied)


def _unposted_errors(lease: Lease, on: dt.date) -> dict[str, list[str]]:
    """Payments the books do not hold yet as of `on`: dated after it, or whose
    allocations are not on their bills (run the receivables rebuild first)."""
    later = Payment.objects.filter(lease=lease, paid_on__gt=on).count()
    if later:
        return {
            "settled_on": [
                _("有 %(n)s 笔收款的日期晚于结算日期，尚未入账；请以最后收款日或之后结算。")
                % {"n": later}
            ]
        }
    allocated = (
        PaymentAllocation.objects.filter(bill__lease=lease)
        .values("bill_id")
        .annotate(s=Sum("amount"))
        .order_by()
    )
    sums = {row["bill_id"]: Decimal(row["s"]).quantize(Decimal("0.01")) for row in allocated}
    for bill in Bill.objects.filter(lease=lease):
        if sums.get(bill.pk, ZERO) != bill.paid:
            return {"__all__": [_("有收款尚未过账到账单，请先重算应收后再结算。")]}
    return {}


@transaction.atomic
def lease_settle(
    *,
    actor: User | None,
    lease: Lease,
    on: dt.date,
    reference: str = "",
    request_key: str | None = None,
) -> Settlement:
    """Settle a lease that has ended (退租结算): the tenant's credit, then the deposit
    held, pay the outstanding bills oldest first; what is left of both is refunded, by
    whom, when and with `reference`; a shortfall stays on the bills as a receivable; a
    deposit never received is no longer asked for. Refused while payments are unposted.
    Once per lease; a double submit (same `request_key`) returns the first."""
    _require(actor, lease.park_id)
    if request_key:
        done = Settlement.objects.filter(request_key=request_key, lease=lease).first()
        if done is not None:
            return done
    lease = Lease.objects.select_for_update().get(pk=lease.pk)
    if lease.status not in SETTLEABLE:
        raise ValidationError({"status": [_("只有已终止或已到期的合同可以退租结算。")]})
    if Settlement.objects.filter(lease=lease).exists():
        raise ValidationError({"__all__": [_("该合同已结算。")]})
    if on < lease.effective_end:
        raise ValidationError({"settled_on": [_("结算日期不能早于租期结束日。")]})
    errors = _unposted_errors(lease, on)
    if errors:
        raise ValidationError(errors)
    st = settlement_statement(lease=lease)
    by = _user(actor)
    # 1. The credit pays the arrears, whatever their due dates (the lease has ended).
    credit_apply(actor=actor, lease=lease, on=dt.date.max)
    # 2. The deposit held pays the rest, as a payment moved from the deposit.
    if st.deposit_applied:
        moved = Payment(
            lease=lease,
            park_id=lease.park_id,
            amount=st.deposit_applied,
            paid_on=on,
            reference=written(gettext_noop("保证金抵扣 %(n)s"), n=lease.number)[0][:60],
            recorded_by=by,
        )
        moved.save()
        left = st.deposit_applied
        allocations = []
        for bill in (
            Bill.objects.select_for_update()
            .filter(pk__in=[b.pk for b in st.bills], paid__lt=F("amount"))
            .order_by("due_date", "seq")
        ):
            if left <= 0:
                break
            part = min(left, bill.amount - bill.paid)
            allocations.append(PaymentAllocation(payment=moved, bill=bill, amount=part))
            Bill.objects.filter(pk=bill.pk).update(paid=bill.paid + part)
            left -= part
        PaymentAllocation.objects.bulk_create(allocations)
        record(actor=actor, instance=moved, park_id=lease.park_id)
    # 3. The deposit: closed (applied, refunded, the unpaid part cancelled).
    deposit = Bill.objects.select_for_update().filter(lease=lease, kind=Bill.Kind.DEPOSIT).first()
    if deposit is not None and not DepositRefund.objects.filter(lease=lease).exists():
        refund = _deposit_close(actor=actor, lease=lease, bill=deposit, on=on, reference=reference)
        refund.applied = st.deposit_applied
        refund.amount = st.deposit_held - st.deposit_applied
        refund.save(update_fields=["applied", "amount"])
    # 4. The credit left is refunded.
    credit_left = st.credit - st.credit_applied
    if credit_left > 0:
        credit_refund(actor=actor, lease=lease, amount=credit_left, on=on, reference=reference)
    settlement = Settlement(
        lease=lease,
        settled_on=on,
        outstanding=st.outstanding,
        credit=st.credit,
        deposit_held=st.deposit_held,
        deposit_cancelled=st.deposit_cancelled,
        credit_applied=st.credit_applied,
        deposit_applied=st.deposit_applied,
        refund=st.refund,
        shortfall=st.shortfall,
        reference=reference,
        request_key=request_key or None,
        recorded_by=by,
    )
    settlement.full_clean()
    settlement.save()
    record(actor=actor, instance=settlement, park_id=lease.park_id)
    return settlement


def receivables_rebuild(*, park_id: int) -> int:
    """Recompute every bill's `paid` of a park from its allocations (repairs the cached
    figure after an import or a manual fix); returns the bills updated."""
    paid = (
        PaymentAllocation.objects.filter(bill=OuterRef("pk"))
        .values("bill")
        .annotate(s=Sum("amount"))
        .values("s")
    )
    with transaction.atomic():
        # Rounded to the fen in SQL: SQLite sums decimals as floats.
        return Bill.objects.filter(park_id=park_id).update(
            paid=Round(Coalesce(Subquery(paid), Value(ZERO)), 2)
        )


@transaction.atomic
def leases_daily(*, on: dt.date | None = None) -> dict[str, int]:
    """The daily job: expire leases that ended, sync unit status for leases starting or
    ending, record expiry reminders at 90 / 60 / 30 days. Safe to run twice a day."""
    day = on or today()
    ended = list(
        Lease.objects.filter(status=Lease.Status.ACTIVE, end_date__lt=day).values_list(
            "pk", flat=True
        )
    )
    for lease in Lease.objects.filter(pk__in=ended):
        before = snapshot(lease)
        lease.status = Lease.Status.EXPIRED
        lease.save(update_fields=["status", "updated_at"])
        record(actor=None, instance=lease, before=before, park_id=lease.park_id)
    # Units whose lease started or ended since yesterday (or any day the job did not run).
    touched = LeaseUnit.objects.filter(occupies=True).filter(
        lease__status__in=[*Lease.RUNNING, Lease.Status.EXPIRED],
        start_date__lte=day,
        end_date__gte=day - dt.timedelta(days=1),
    ) | LeaseUnit.objects.filter(lease_id__in=ended)
    changed = units_sync_status(
        actor=None, unit_ids=touched.values_list("unit_id", flat=True), on=day
    )
    # Credit pays the bills falling due (oldest first).
    applied = ZERO
    with_credit = Lease.objects.filter(
        status__in=Lease.SIGNED, payments__unallocated__gt=0
    ).distinct()
    for lease in with_credit:
        applied += credit_apply(actor=None, lease=lease, on=day)
    reminders = 0
    for days in REMINDER_DAYS:
        due = Lease.objects.filter(
            status=Lease.Status.ACTIVE,
            end_date__gte=day,
            end_date__lte=day + dt.timedelta(days=days),
        )
        have = set(
            ExpiryReminder.objects.filter(days=days, lease__in=due).values_list(
                "lease_id", flat=True
            )
        )
        new = [
            ExpiryReminder(lease_id=pk, days=days, recorded_on=day)
            for pk in due.values_list("pk", flat=True)
            if pk not in have
        ]
        ExpiryReminder.objects.bulk_create(new, ignore_conflicts=True)
        reminders += len(new)
    return {
        "expired": len(ended),
        "units_changed": changed,
        "reminders": reminders,
        "credit_applied": int(applied * 100),  # fen
    }
