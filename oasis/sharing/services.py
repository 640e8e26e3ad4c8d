"""Every write of the shared services: one function per state change, in a
transaction, fully validated, with an audit row."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oasis.accounts.models import User
from oasis.core.validation import check_order
from oasis.core.writes import apply_fields as _apply
from oasis.core.writes import record, serialised, snapshot
from oasis.core.writes import save_validated as _save
from oasis.enterprises.models import Enterprise
from oasis.parks.models import Park

from . import booking_rules, selectors
from .models import (
    Audience,
    Booking,
    Certification,
    Delivery,
    Offering,
    Resource,
    ServiceRequest,
    Statement,
    StatementLine,
)

T = TypeVar("T")


# ------------------------------------------------------------------ catalogue

OFFERING_FIELDS = (
    "share",
    "name",
    "operator",
    "description",
    "audience",
    "delivery",
    "request_kind",
    "price_unit",
    "price_resident",
    "price_outside",
    "free_quota",
    "is_active",
)
RESOURCE_FIELDS = (
    "name",
    "location",
    "opens_at",
    "closes_at",
    "open_weekdays",
    "slot_minutes",
    "min_minutes",
    "max_minutes",
    "lead_hours",
    "approval_required",
    "training_required",
    "monthly_quota_hours",
    "cancel_hours",
    "is_active",
)


@transaction.atomic
def offering_save(
    *, actor: User, park: Park, data: dict[str, Any], offering: Offering | None = None
) -> Offering:
    """Create or change a catalogue entry of the operator's park."""
    selectors.require_manage(user=actor, park_id=park.pk)
    before = snapshot(offering) if offering else None
    offering = offering or Offering(park=park)
    _apply(offering, data, OFFERING_FIELDS)
    errors: dict[str, list[str]] = {}
    if offering.delivery == Delivery.REQUEST and not offering.request_kind:
        errors["request_kind"] = [_("服务申请类须选择申请类别。")]
    elif offering.delivery != Delivery.REQUEST:
        offering.request_kind = ""  # a category means something only for requests
    if offering.pk and offering.delivery != Delivery.RESOURCE and offering.resources.exists():
        errors["delivery"] = [_("该服务下已有资源，交付方式须为“可预约资源”。")]
    if (
        offering.name
        and Offering.objects.filter(park=park, name=offering.name).exclude(pk=offering.pk).exists()
    ):
        errors["name"] = [_("本园区已有同名服务。")]
    if errors:
        raise ValidationError(errors)
    _save(offering)
    record(actor=actor, instance=offering, before=before, park_id=park.pk)
    return offering


@transaction.atomic
def resource_save(
    *, actor: User, offering: Offering, data: dict[str, Any], resource: Resource | None = None
) -> Resource:
    """Create or change a bookable resource and its rules."""
    selectors.require_manage(user=actor, park_id=offering.park_id)
    if offering.delivery != Delivery.RESOURCE:
        raise ValidationError({"offering": [_("只有“可预约资源”类服务可以添加资源。")]})
    before = snapshot(resource) if resource else None
    resource = resource or Resource(offering=offering, park_id=offering.park_id)
    _apply(resource, data, RESOURCE_FIELDS)
    errors: dict[str, list[str]] = {}
    days = resource.open_weekdays or ""
    if not days or any(c not in "1234567" for c in days):
        errors["open_weekdays"] = [_("开放日须为 1–7 的数字，如 12345。")]
    if (
        resource.opens_at is not None
        and resource.closes_at is not None
        and resource.closes_at <= resource.opens_at
    ):
        errors["closes_at"] = [_("关闭时间必须晚于开放时间。")]
    check_order(
        errors,
        resource.min_minutes,
        resource.max_minutes,
        "max_minutes",
        _("最长时长不能小于最短时长。"),
    )
    if errors:
        raise ValidationError(errors)
    _save(resource)
    record(actor=actor, instance=resource, before=before, park_id=offering.park_id)
    return resource


@transaction.atomic
def certification_grant(
    *, actor: User, resource: Resource, user: User, certified_on: dt.date, expires_on: dt.date
) -> Certification:
    """Certify a firm's person on an instrument (the training gate), or renew it."""
    selectors.require_manage(user=actor, park_id=resource.park_id)
    firm = user.enterprise
    if firm is None or firm.park_id != resource.park_id:
        raise ValidationError({"user": [_("只能认证本园区企业的人员。")]})
    cert = Certification.objects.filter(resource=resource, user=user).first()
    before = snapshot(cert) if cert else None
    cert = cert or Certification(resource=resource, user=user)
    cert.certified_on, cert.expires_on, cert.certified_by = certified_on, expires_on, actor
    _save(cert)
    record(actor=actor, instance=cert, before=before, park_id=resource.park_id)
    return cert


# ------------------------------------------------------------------ bookings


def _local(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return timezone.localtime(value)


def booking_create(
    *,
    actor: User,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    purpose: str = "",
    enterprise: Enterprise | None = None,
    now: dt.datetime | None = None,
) -> Booking:
    """A member books a resource for their own firm, or an operator / park admin of the
    resource's park books it on behalf of one of the park's firms (`enterprise`). The
    booking records both: `booked_by` is who booked, `enterprise` the firm it is for.
    Rules are checked here; that the slot is free is guaranteed by the database (see
    models.Booking), whoever books."""
    return serialised(
        partial(_booking_create, actor, resource, start, end, purpose, enterprise, now)
    )


def _booking_firm(actor: User, resource: Resource, enterprise: Enterprise | None) -> Enterprise:
    """The firm a booking is for: a member's own; the chosen firm of the park for staff."""
    if (own := actor.enterprise) is not None:
        if enterprise is not None and enterprise.pk != own.pk:
            raise PermissionDenied
        if own.park_id != resource.park_id:
            raise PermissionDenied
        return own
    if not selectors.can_manage(user=actor, park_id=resource.park_id):
        raise PermissionDenied(_("只有企业用户或本园区共享服务运营人员可以预约。"))
    if enterprise is None:
        raise ValidationError({"enterprise": [_("请选择为哪家企业预约。")]})
    if enterprise.park_id != resource.park_id:
        raise ValidationError({"enterprise": [_("只能为本园区的企业预约。")]})
    return enterprise


@transaction.atomic
def _booking_create(
    actor: User,
    resource: Resource,
    start: dt.datetime,
    end: dt.datetime,
    purpose: str,
    enterprise: Enterprise | None,
    now: dt.datetime | None,
) -> Booking:
    enterprise = _booking_firm(actor, resource, enterprise)
    on_behalf = not actor.is_member
    start, end = _local(start), _local(end)
    now = _local(now or timezone.now())
    offering = resource.offering
    if not (resource.is_active and offering.is_active):
        raise ValidationError({"resource": [_("该资源暂停预约。")]})
    if offering.audience == Audience.RESIDENT and not selectors.is_resident(enterprise):
        raise ValidationError({"resource": [_("该资源仅限入驻企业使用。")]})
    if resource.training_required:
        # The training gate is about the person at the instrument. A member books for
        # themselves, so their own certification must be valid on the day. Staff book
        # for a firm, not a person (they are not the user, and their own certification
        # means nothing here): the firm must have at least one active person whose
        # certification is valid on the day, and the operator lets only such a person
        # use it. A firm with nobody certified cannot get the instrument this way either.
        if on_behalf:
            if not selectors.firm_has_certified_person(
                resource=resource, enterprise=enterprise, on=start.date()
            ):
                raise ValidationError(
                    {
                        "enterprise": [
                            _("该企业没有通过该设备培训认证（且在有效期内）的人员，不能预约。")
                        ]
                    }
                )
        elif selectors.certification_valid(resource=resource, user=actor, on=start.date()) is None:
            raise ValidationError(
                {"resource": [_("您尚未通过该设备的培训认证（或认证已过期），不能预约。")]}
            )
    if resource.monthly_quota_hours is not None:
        # The quota is per firm per resource: serialise bookings of this resource so
        # two at once cannot both fit under it.
        Resource.objects.select_for_update().filter(pk=resource.pk).first()
    used = selectors.minutes_used_in_month(
        resource=resource, enterprise=enterprise, month=start.date().replace(day=1)
    )
    errors = booking_rules.check_booking(
        selectors.rules_of(resource), start=start, end=end, now=now, used_minutes_in_month=used
    )
    if errors:
        raise ValidationError(errors)
    taken = _("该时段已被预约，请选择其他时间。")
    # The friendly check; on SQLite (write lock taken at BEGIN) it is also the guarantee.
    if Booking.objects.filter(
        resource=resource, occupies=True, start__lt=end, end__gt=start
    ).exists():
        raise ValidationError({"start": [taken]})
    # Opening hours, slot, length, lead time and the firm's monthly quota apply to staff
    # too (checked above). Approval does not: whoever may book on a firm's behalf is an
    # operator of the park, who would be approving their own booking.
    pending = resource.approval_required and not on_behalf
    booking = Booking(
        resource=resource,
        enterprise=enterprise,
        booked_by=actor,
        start=start,
        end=end,
        purpose=purpose,
        status=Booking.Status.PENDING if pending else Booking.Status.CONFIRMED,
    )
    booking.full_clean()
    try:
        with transaction.atomic():
            booking.save()
    except IntegrityError as exc:  # PostgreSQL: lost the race to a simultaneous booking
        raise ValidationError({"start": [taken]}) from exc
    record(actor=actor, instance=booking, park_id=resource.park_id)
    return booking


def _set_status(actor: User, booking: Booking, status: str, **extra: Any) -> Booking:
    before = snapshot(booking)
    booking.status = status
    booking.occupies = status in Booking.HOLDING
    for k, v in extra.items():
        setattr(booking, k, v)
    _save(booking)
    record(actor=actor, instance=booking, before=before, park_id=booking.resource.park_id)
    return booking


def _fresh(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update().select_related("resource__offering").get(pk=booking.pk)
    )


@transaction.atomic
def booking_cancel(*, actor: User, booking: Booking, now: dt.datetime | None = None) -> Booking:
    """The firm cancels until the resource's cancellation deadline; the operator any time
    before the booking ends."""
    booking = _fresh(booking)
    now = now or timezone.now()
    if booking.status not in (Booking.Status.PENDING, Booking.Status.CONFIRMED):
        raise ValidationError({"status": [_("该预约已不能取消。")]})
    if actor.is_member:
        if actor.enterprise_id != booking.enterprise_id:
            raise PermissionDenied
        rules = selectors.rules_of(booking.resource)
        if not booking_rules.can_cancel(rules, start=booking.start, now=now):
            deadline = timezone.localtime(booking_rules.cancel_deadline(rules, booking.start))
            raise ValidationError(
                {
                    "status": [
                        _("已过取消截止时间（%(t)s），请联系运营方。")
                        % {"t": f"{deadline:%Y-%m-%d %H:%M}"}
                    ]
                }
            )
    else:
        selectors.require_manage(user=actor, park_id=booking.resource.park_id)
        if now >= booking.end:
            raise ValidationError({"status": [_("已结束的预约不能取消。")]})
    return _set_status(actor, booking, Booking.Status.CANCELLED)


@transaction.atomic
def booking_decide(*, actor: User, booking: Booking, approve: bool) -> Booking:
    """The operator approves or rejects a booking that needs approval."""
    booking = _fresh(booking)
    selectors.require_manage(user=actor, park_id=booking.resource.park_id)
    if booking.status != Booking.Status.PENDING:
        raise ValidationError({"status": [_("只有待审批的预约可以审批。")]})
    return _set_status(
        actor, booking, Booking.Status.CONFIRMED if approve else Booking.Status.REJECTED
    )


@transaction.atomic
def booking_mark_no_show(
    *, actor: User, booking: Booking, now: dt.datetime | None = None
) -> Booking:
    """The firm did not come: the slot stays charged (it was held for them)."""
    booking = _fresh(booking)
    selectors.require_manage(user=actor, park_id=booking.resource.park_id)
    if booking.status != Booking.Status.CONFIRMED:
        raise ValidationError({"status": [_("只有已确认的预约可以标记未到场。")]})
    if (now or timezone.now()) < booking.start:
        raise ValidationError({"status": [_("预约尚未开始，不能标记未到场。")]})
    return _set_status(actor, booking, Booking.Status.NO_SHOW)


@transaction.atomic
def booking_record_usage(
    *, actor: User, booking: Booking, used_minutes: int | None = None
) -> Booking:
    """Record actual use (defaults to the booked length); charges follow the used time."""
    booking = _fresh(booking)
    selectors.require_manage(user=actor, park_id=booking.resource.park_id)
    if booking.status not in (Booking.Status.CONFIRMED, Booking.Status.COMPLETED):
        raise ValidationError({"status": [_("只有已确认的预约可以登记使用。")]})
    minutes = booking.minutes if used_minutes is None else used_minutes
    if minutes < 0 or minutes > 24 * 60:
        raise ValidationError({"used_minutes": [_("实际使用时长须在 0–1440 分钟之间。")]})
    return _set_status(actor, booking, Booking.Status.COMPLETED, used_minutes=minutes)


@transaction.atomic
def statement_issue(*, actor: User, enterprise: Enterprise, month: dt.date) -> Statement:
    """Freeze a firm's month into an issued statement (lines and total)."""
    selectors.require_manage(user=actor, park_id=enterprise.park_id)
    month = month.replace(day=1)
    if Statement.objects.filter(enterprise=enterprise, month=month).exists():
        raise ValidationError({"month": [_("该月账单已出具。")]})
    view = selectors.statement_build(enterprise=enterprise, month=month)
    statement = Statement(enterprise=enterprise, month=month, total=view.total, issued_by=actor)
    _save(statement)
    StatementLine.objects.bulk_create(
        [
            StatementLine(
                statement=statement,
                description=line.description[:200],
                quantity=line.quantity,
                free_quantity=line.free_quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                booking_id=line.ref[1] if line.ref[0] == "booking" else None,
                service_request_id=line.ref[1] if line.ref[0] == "request" else None,
            )
            for line in view.lines
        ]
    )
    record(actor=actor, instance=statement, park_id=enterprise.park_id)
    return statement


# ------------------------------------------------------------------ requests


@transaction.atomic
def request_submit(
    *,
    actor: User,
    offering: Offering,
    title: str,
    detail: str = "",
    quantity: Decimal = Decimal("1"),
    ticket_id: int | None = None,
) -> ServiceRequest:
    """The service line of a member's catalogue request for their own firm: the
    offering must take requests and be open to the firm. The request itself (thread,
    status, deadline) is the service desk's (`ticket_id`), which calls this."""
    firm = actor.enterprise
    if firm is None:
        raise PermissionDenied(_("只有企业用户可以提交服务申请。"))
    if offering.park_id != firm.park_id:
        raise PermissionDenied
    if offering.delivery != Delivery.REQUEST or not offering.is_active:
        raise ValidationError({"offering": [_("该服务不接受申请。")]})
    if offering.audience == Audience.RESIDENT and not selectors.is_resident(firm):
        raise ValidationError({"offering": [_("该服务仅限入驻企业使用。")]})
    if quantity <= 0:
        raise ValidationError({"quantity": [_("数量须大于 0。")]})
    item = ServiceRequest(
        offering=offering,
        enterprise=actor.enterprise,
        submitted_by=actor,
        title=title,
        detail=detail,
        quantity=quantity,
        ticket_id=ticket_id,
    )
    _save(item)
    record(actor=actor, instance=item, park_id=offering.park_id)
    return item


def _fresh_request(item: ServiceRequest) -> ServiceRequest:
    return ServiceRequest.objects.select_for_update().select_related("offering").get(pk=item.pk)


@transaction.atomic
def request_assign(*, actor: User, item: ServiceRequest, assignee: User) -> ServiceRequest:
    item = _fresh_request(item)
    park_id = item.offering.park_id
    selectors.require_manage(user=actor, park_id=park_id)
    if item.status not in (ServiceRequest.Status.SUBMITTED, ServiceRequest.Status.ASSIGNED):
        raise ValidationError({"status": [_("该申请已不能分派。")]})
    if assignee.is_member or not selectors.can_manage(user=assignee, park_id=park_id):
        raise ValidationError({"assignee": [_("负责人须为本园区的共享服务运营人员。")]})
    before = snapshot(item)
    item.assignee, item.status = assignee, ServiceRequest.Status.ASSIGNED
    _save(item)
    record(actor=actor, instance=item, before=before, park_id=park_id)
    return item


@transaction.atomic
def request_deliver(
    *,
    actor: User,
    item: ServiceRequest,
    note: str,
    quantity: Decimal = Decimal("1"),
    on: dt.date | None = None,
) -> ServiceRequest:
    item = _fresh_request(item)
    selectors.require_manage(user=actor, park_id=item.offering.park_id)
    if item.status not in (ServiceRequest.Status.SUBMITTED, ServiceRequest.Status.ASSIGNED):
        raise ValidationError({"status": [_("只有已分派的申请可以交付。")]})
    if quantity <= 0:
        raise ValidationError({"quantity": [_("数量须大于 0。")]})
    if not note.strip():
        raise ValidationError({"delivery_note": [_("请填写交付说明。")]})
    before = snapshot(item)
    item.status, item.delivery_note, item.quantity = ServiceRequest.Status.DELIVERED, note, quantity
    item.delivered_on = on or timezone.localdate()
    _save(item)
    record(actor=actor, instance=item, before=before, park_id=item.offering.park_id)
    return item


@transaction.atomic
def request_rate(
    *, actor: User, item: ServiceRequest, rating: int, comment: str = ""
) -> ServiceRequest:
    item = _fresh_request(item)
    if not actor.is_member or actor.enterprise_id != item.enterprise_id:
        raise PermissionDenied(_("只有申请企业可以评价。"))
    if item.status != ServiceRequest.Status.DELIVERED:
        raise ValidationError({"status": [_("交付后才能评价。")]})
    before = snapshot(item)
    item.rating, item.rating_comment, item.status = rating, comment, ServiceRequest.Status.CLOSED
    _save(item)
    record(actor=actor, instance=item, before=before, park_id=item.offering.park_id)
    return item


@transaction.atomic
def request_reopen(*, actor: User, item: ServiceRequest) -> ServiceRequest:
    """The firm reopened the request: the delivery is undone until it is delivered
    again (the statement then charges the new delivery)."""
    item = _fresh_request(item)
    if not actor.is_member or actor.enterprise_id != item.enterprise_id:
        raise PermissionDenied
    if item.status != ServiceRequest.Status.DELIVERED:
        return item
    before = snapshot(item)
    item.status = (
        ServiceRequest.Status.ASSIGNED if item.assignee_id else ServiceRequest.Status.SUBMITTED
    )
    item.delivered_on = None
    _save(item)
    record(actor=actor, instance=item, before=before, park_id=item.offering.park_id)
    return item
