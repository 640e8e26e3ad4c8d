"""Every write of the shared services: one function per state change, in a
transaction, fully validated, with an audit row."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Collection
from decimal import Decimal
from functools import partial
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oasis.accounts.models import User
from oasis.core.validation import check_order
from oasis.core.writes import record, snapshot
from oasis.cultivation.models import Tier
from oasis.enterprises.models import Enterprise, FocusIndustry
from oasis.notifications.models import Event as NotificationEvent
from oasis.notifications.services import notify
from oasis.parks.models import Park

from . import booking_rules, matching, selectors
from .models import (
    FIGURE_FIELDS,
    Audience,
    Booking,
    Certification,
    Delivery,
    Event,
    FinanceProduct,
    FinancingNeed,
    Institution,
    Match,
    Offering,
    Registration,
    Resource,
    ServiceRequest,
    Showcase,
    Stage,
    Statement,
    StatementLine,
)

T = TypeVar("T")


def _save(instance: models.Model) -> None:
    instance.full_clean()
    instance.save()


def _apply(instance: models.Model, data: dict[str, Any], allowed: Collection[str]) -> None:
    unknown = sorted(set(data).difference(allowed))
    if unknown:
        raise ValidationError({k: [_("不可修改的字段。")] for k in unknown})
    for k, v in data.items():
        setattr(instance, k, v)


def serialised(fn: Callable[[], T], attempts: int = 50) -> T:
    """Run a write transaction, retrying on SQLite's "locked" (an in-memory shared-cache
    database, as in tests, refuses a second writer at once instead of waiting; a file
    database waits for the lock itself). PostgreSQL runs it once."""
    for attempt in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.01 * (attempt + 1))
    raise AssertionError("unreachable")


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


# ------------------------------------------------------------------ finance


@transaction.atomic
def institution_save(
    *, actor: User, park: Park, data: dict[str, Any], institution: Institution | None = None
) -> Institution:
    """Create or change a partner institution of the park's shared finance."""
    selectors.require_manage(user=actor, park_id=park.pk)
    if institution is not None and institution.park_id != park.pk:
        raise PermissionDenied
    before = snapshot(institution) if institution else None
    inst = institution or Institution(park=park)
    _apply(inst, data, frozenset({"name", "kind", "contact"}))
    if (
        inst.name
        and Institution.objects.filter(park=park, name=inst.name).exclude(pk=inst.pk).exists()
    ):
        raise ValidationError({"name": [_("本园区已有同名机构。")]})
    _save(inst)
    record(actor=actor, instance=inst, before=before, park_id=park.pk)
    return inst


PRODUCT_FIELDS = (
    "name",
    "kind",
    "amount_min",
    "amount_max",
    "rate_min",
    "rate_max",
    "term_months_min",
    "term_months_max",
    "stages",
    "industries",
    "min_tier",
    "min_revenue",
    "min_rd_ratio",
    "required_figures",
    "description",
    "is_active",
)


@transaction.atomic
def product_save(
    *,
    actor: User,
    institution: Institution,
    data: dict[str, Any],
    product: FinanceProduct | None = None,
) -> FinanceProduct:
    """Create or change an institution's financing product (an empty list means "any")."""
    selectors.require_manage(user=actor, park_id=institution.park_id)
    if product is not None and product.institution_id != institution.pk:
        raise PermissionDenied
    before = snapshot(product) if product else None
    product = product or FinanceProduct(institution=institution)
    _apply(product, data, PRODUCT_FIELDS)
    errors: dict[str, list[str]] = {}
    check_order(
        errors,
        product.amount_min,
        product.amount_max,
        "amount_max",
        _("最高金额不能小于最低金额。"),
    )
    check_order(
        errors,
        product.term_months_min,
        product.term_months_max,
        "term_months_max",
        _("最长期限不能小于最短期限。"),
    )
    check_order(
        errors, product.rate_min, product.rate_max, "rate_max", _("年利率上限不能小于下限。")
    )
    if set(product.stages) - set(Stage.values):
        errors["stages"] = [_("未知的发展阶段。")]
    if set(product.industries) - set(FocusIndustry.values):
        errors["industries"] = [_("未知的产业。")]
    if set(product.required_figures) - set(FIGURE_FIELDS):
        errors["required_figures"] = [_("未知的数据项。")]
    if errors:
        raise ValidationError(errors)
    _save(product)
    record(actor=actor, instance=product, before=before, park_id=institution.park_id)
    return product


@transaction.atomic
def need_create(*, actor: User, data: dict[str, Any]) -> FinancingNeed:
    """A member states their firm's financing need; with consent it is matched at once."""
    firm = actor.enterprise
    if firm is None:
        raise PermissionDenied(_("只有企业用户可以提交融资需求。"))
    need = FinancingNeed(enterprise=firm, created_by=actor)
    _apply(need, data, frozenset({"amount", "purpose", "needed_by", "term_months", "consent"}))
    if need.consent:
        need.consent_at = timezone.now()
    _save(need)
    record(actor=actor, instance=need, park_id=firm.park_id)
    if need.consent:
        need_match(actor=actor, need=need)
    return need


def _labels() -> dict[str, str]:
    from oasis.enterprises.models import AnnualFigure

    labels = {k: str(v) for k, v in FocusIndustry.choices}
    labels.update({k: str(v) for k, v in Stage.choices})
    labels.update({k: str(v) for k, v in Tier.choices})
    fields = {f.name: f for f in AnnualFigure._meta.concrete_fields}
    labels.update({f: str(fields[f].verbose_name) for f in FIGURE_FIELDS})
    return labels


def firm_facts(enterprise: Enterprise, on: dt.date) -> matching.FirmFacts:
    figure = selectors.firm_latest_figure(enterprise)
    return matching.FirmFacts(
        focus_industry=enterprise.focus_industry,
        founded_on=enterprise.founded_on,
        tier=selectors.firm_tier(enterprise, on),
        year=figure.year if figure else None,
        revenue=figure.revenue if figure else None,
        rd_expense=figure.rd_expense if figure else None,
        reported=frozenset(
            f for f in FIGURE_FIELDS if figure is not None and getattr(figure, f) is not None
        ),
    )


@transaction.atomic
def need_match(*, actor: User, need: FinancingNeed, on: dt.date | None = None) -> list[Match]:
    """(Re)match a need against the park's active products using the firm's figures and
    tier. Only with the firm's consent. Outcomes already tracked are kept."""
    enterprise = need.enterprise
    if actor.is_member:
        if actor.enterprise_id != enterprise.pk:
            raise PermissionDenied
    else:
        selectors.require_manage(user=actor, park_id=enterprise.park_id)
    if not need.consent:
        raise ValidationError({"consent": [_("企业未同意使用其数据进行匹配。")]})
    on = on or timezone.localdate()
    facts = firm_facts(enterprise, on)
    labels = _labels()
    want = matching.Need(need.amount, need.term_months)
    existing = {m.product_id: m for m in need.matches.all()}
    out = []
    for p in FinanceProduct.objects.filter(institution__park_id=enterprise.park_id, is_active=True):
        terms = matching.Terms(
            p.amount_min,
            p.amount_max,
            p.term_months_min,
            p.term_months_max,
            tuple(p.stages),
            tuple(p.industries),
            p.min_tier,
            p.min_revenue,
            p.min_rd_ratio,
            tuple(p.required_figures),
        )
        result = matching.match(facts, want, terms, today=on, labels=labels)
        m = existing.get(p.pk)
        before = snapshot(m) if m else None
        m = m or Match(need=need, product=p)
        m.verdict, m.reasons = result.verdict, list(result.reasons)
        _save(m)
        record(actor=actor, instance=m, before=before, park_id=enterprise.park_id)
        out.append(m)
    return out


@transaction.atomic
def match_set_outcome(
    *, actor: User, match: Match, outcome: str, funded_amount: Decimal | None = None
) -> Match:
    """The operator tracks a match to its outcome (contacted, approved, funded, declined)."""
    match = Match.objects.select_for_update().select_related("need__enterprise").get(pk=match.pk)
    selectors.require_manage(user=actor, park_id=match.need.enterprise.park_id)
    if outcome == Match.Outcome.FUNDED and not funded_amount:
        raise ValidationError({"funded_amount": [_("请填写放款金额。")]})
    before = snapshot(match)
    match.outcome = outcome
    match.funded_amount = funded_amount if outcome == Match.Outcome.FUNDED else None
    _save(match)
    record(actor=actor, instance=match, before=before, park_id=match.need.enterprise.park_id)
    return match


# ------------------------------------------------------------------ events


@transaction.atomic
def event_save(
    *, actor: User, park: Park, data: dict[str, Any], event: Event | None = None
) -> Event:
    """Create or change an event. A capacity raised hands the new seats to the waitlist
    in order; it cannot drop below the seats already taken."""
    selectors.require_manage(user=actor, park_id=park.pk)
    if event is not None:
        if event.park_id != park.pk:
            raise PermissionDenied
        # Lock the event: a registration at the same time must see the new capacity.
        event = Event.objects.select_for_update().get(pk=event.pk)
    before = snapshot(event) if event else None
    event = event or Event(park=park)
    _apply(
        event,
        data,
        frozenset(
            {
                "title",
                "kind",
                "starts_at",
                "ends_at",
                "venue",
                "capacity",
                "description",
                "offering",
            }
        ),
    )
    errors: dict[str, list[str]] = {}
    if event.starts_at and event.ends_at and event.ends_at <= event.starts_at:
        errors["ends_at"] = [_("结束时间必须晚于开始时间。")]
    if event.offering is not None and (
        event.offering.park_id != park.pk or event.offering.delivery != Delivery.EVENT
    ):
        errors["offering"] = [_("所属服务须为本园区“活动”类服务。")]
    seated = (
        event.registrations.filter(status=Registration.Status.REGISTERED).count() if event.pk else 0
    )
    if event.capacity is not None and event.capacity < seated:
        errors["capacity"] = [_("名额不能少于已报名人数（%(n)s）。") % {"n": seated}]
    if errors:
        raise ValidationError(errors)
    _save(event)
    record(actor=actor, instance=event, before=before, park_id=park.pk)
    if event.pk and before is not None and event.capacity > seated and _promotable(event):
        waiting = event.registrations.filter(status=Registration.Status.WAITLISTED).order_by(
            "created_at", "id"
        )
        for reg in waiting[: event.capacity - seated]:
            _promote(actor, event, reg)
    return event


# An event's time window (issue 14): a seat is given up and handed to the waitlist only
# before the event starts; registrations are cancelled only before it ends; check-in
# opens an hour before the start and closes at the end.
CHECK_IN_OPENS = dt.timedelta(hours=1)
PROMOTED_SUBJECT = gettext_noop("候补转为正式报名：%(t)s")
PROMOTED_BODY = gettext_noop(
    "“%(t)s”有空出的名额，您已从候补转为正式报名。活动时间 %(when)s，地点 %(venue)s。"
)


def _promotable(event: Event, now: dt.datetime | None = None) -> bool:
    return (now or timezone.now()) < event.starts_at


def _promote(actor: User | None, event: Event, reg: Registration) -> None:
    """Give a waitlisted person a seat, and tell them."""
    before = snapshot(reg)
    reg.status = Registration.Status.REGISTERED
    _save(reg)
    record(actor=actor, instance=reg, before=before, park_id=event.park_id)
    notify(
        recipients=[reg.user],
        event=NotificationEvent.WAITLIST_PROMOTED,
        subject=PROMOTED_SUBJECT,
        body=PROMOTED_BODY,
        values={
            "t": event.title,
            "when": timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M"),
            "venue": event.venue or "—",
        },
        link=reverse("sharing:event", args=[event.pk]),
        park=event.park_id,
        actor=actor,
    )


def event_register(*, actor: User, event: Event) -> Registration:
    """Register a person: a seat while there is one, else the waitlist (in order)."""
    return serialised(partial(_event_register, actor, event))


@transaction.atomic
def _event_register(actor: User, event: Event) -> Registration:
    # Lock the event: two registrations at once must not both take the last seat.
    event = Event.objects.select_for_update().get(pk=event.pk)
    firm = actor.enterprise
    if firm is None:
        raise PermissionDenied(_("只有企业用户可以报名。"))
    if firm.park_id != event.park_id:
        raise PermissionDenied
    if timezone.now() >= event.starts_at:
        raise ValidationError({"event": [_("活动已开始，报名已截止。")]})
    if (
        event.registrations.filter(user=actor)
        .exclude(status=Registration.Status.CANCELLED)
        .exists()
    ):
        raise ValidationError({"event": [_("您已报名该活动。")]})
    taken = event.registrations.filter(status=Registration.Status.REGISTERED).count()
    status = (
        Registration.Status.REGISTERED if taken < event.capacity else Registration.Status.WAITLISTED
    )
    reg = Registration(event=event, user=actor, enterprise=actor.enterprise, status=status)
    _save(reg)
    record(actor=actor, instance=reg, park_id=event.park_id)
    return reg


@transaction.atomic
def registration_cancel(
    *, actor: User, registration: Registration, now: dt.datetime | None = None
) -> Registration:
    """Cancel a registration before the event ends; a seat freed before the event starts
    goes to the first on the waitlist, who is told. A checked-in person attended: their
    registration stays."""
    event = Event.objects.select_for_update().get(pk=registration.event_id)
    reg = Registration.objects.select_related("user").get(pk=registration.pk)
    if reg.user_id != actor.pk:
        selectors.require_manage(user=actor, park_id=event.park_id)
    if reg.status == Registration.Status.CANCELLED:
        raise ValidationError({"status": [_("该报名已取消。")]})
    if reg.checked_in_at is not None:
        raise ValidationError({"status": [_("已签到的报名不能取消。")]})
    now = now or timezone.now()
    if now >= event.ends_at:
        raise ValidationError({"status": [_("活动已结束，不能再取消报名。")]})
    freed = reg.status == Registration.Status.REGISTERED
    before = snapshot(reg)
    reg.status = Registration.Status.CANCELLED
    _save(reg)
    record(actor=actor, instance=reg, before=before, park_id=event.park_id)
    if freed and _promotable(event, now):
        nxt = (
            event.registrations.filter(status=Registration.Status.WAITLISTED)
            .select_related("user")
            .order_by("created_at", "id")
            .first()
        )
        if nxt is not None:
            _promote(actor, event, nxt)
    return reg


@transaction.atomic
def registration_check_in(
    *, actor: User, registration: Registration, now: dt.datetime | None = None
) -> Registration:
    reg = Registration.objects.select_for_update().select_related("event").get(pk=registration.pk)
    selectors.require_manage(user=actor, park_id=reg.event.park_id)
    if reg.status != Registration.Status.REGISTERED:
        raise ValidationError({"status": [_("只有已报名（非候补）的人员可以签到。")]})
    if reg.checked_in_at:
        raise ValidationError({"status": [_("已签到。")]})
    now = now or timezone.now()
    if not reg.event.starts_at - CHECK_IN_OPENS <= now < reg.event.ends_at:
        raise ValidationError({"status": [_("签到只在活动开始前 1 小时至活动结束之间开放。")]})
    before = snapshot(reg)
    reg.checked_in_at = now
    _save(reg)
    record(actor=actor, instance=reg, before=before, park_id=reg.event.park_id)
    return reg


# ------------------------------------------------------------------ showcase


@transaction.atomic
def showcase_save(*, actor: User, enterprise: Enterprise, data: dict[str, Any]) -> Showcase:
    """The firm (or the park) writes the showcase; a firm's edit takes it offline until
    the park publishes it again."""
    if actor.is_member:
        if actor.enterprise_id != enterprise.pk:
            raise PermissionDenied
    else:
        selectors.require_manage(user=actor, park_id=enterprise.park_id)
    sc = Showcase.objects.filter(enterprise=enterprise).first()
    before = snapshot(sc) if sc else None
    sc = sc or Showcase(enterprise=enterprise)
    _apply(sc, data, frozenset({"headline", "body", "products"}))
    if actor.is_member:
        sc.published, sc.published_at = False, None
    _save(sc)
    record(actor=actor, instance=sc, before=before, park_id=enterprise.park_id)
    return sc


@transaction.atomic
def showcase_publish(*, actor: User, showcase: Showcase, published: bool) -> Showcase:
    selectors.require_manage(user=actor, park_id=showcase.enterprise.park_id)
    before = snapshot(showcase)
    showcase.published = published
    showcase.published_at = timezone.now() if published else None
    _save(showcase)
    record(actor=actor, instance=showcase, before=before, park_id=showcase.enterprise.park_id)
    return showcase
