"""The strictest boundary in the product: a member of firm A never sees or changes
firm B's data, through any page, export, attachment or API call.

The walk enumerates the URL patterns (so a route added later is covered without
touching this file), substitutes firm B's ids for every URL parameter, and calls each
URL with every method as a member of firm A. Every call must be refused (403/404/405)
and the database must be exactly as it was, row for row. Routes without parameters may
answer, but never with firm B's data in the body, and firm B's rows stay as they were.
Request bodies and list queries carry firm B's ids too, so an id taken from the body or
the query string (not the path) goes through the same access helpers.

A few records are shared by the whole park (a bookable resource, an event): a member
of firm A may open their own park's. Those routes are walked twice: with another
park's record (refused, like every id of firm B) and with their own park's, on which
firm B has bookings and registrations (may answer, but never with firm B's data)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django.utils.translation import gettext_noop

from oasis.accounts.models import LoginFailure, Role
from oasis.accounts.services import api_token_create
from oasis.accounts.tests.factories import make_user
from oasis.attraction import services as attraction_services
from oasis.attraction.models import Agreement, Commitment, Lead, Partner
from oasis.cultivation import services as cultivation_services
from oasis.cultivation.models import InnovationProfile, Reminder
from oasis.cultivation.tests.factories import add_award, add_equity
from oasis.enterprises.models import Contact
from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory
from oasis.events import services as events_services
from oasis.events.models import Event
from oasis.finance import services as finance_services
from oasis.finance.models import FinanceProduct, Institution
from oasis.leasing import services as leasing_services
from oasis.leasing.models import ImportJob
from oasis.notifications.models import EmailDelivery, Notification
from oasis.notifications.models import Event as NotificationEvent
from oasis.notifications.services import notify
from oasis.parks.tests.factories import BuildingFactory, FloorFactory, UnitFactory
from oasis.portal.models import NoticeRead, PeriodFigure
from oasis.sharing import services as sharing_services
from oasis.sharing.models import (
    Booking,
    Certification,
    Delivery,
    Offering,
    Resource,
    Share,
)
from oasis.tickets import services as ticket_services
from oasis.tickets.tests.factories import make_ticket

from .factories import make_campaign, make_notice, make_report

# Every mounted prefix: the pages of each app, the accounts pages, the language switch,
# and the whole API (its docs and every /api/v1/<app>/ router).
PREFIXES = (
    "accounts/",
    "ping/",
    "healthz",  # probes and metrics: no firm data (metrics answer 404 without the token)
    "readyz",
    "metrics",
    "i18n/",
    "portal/",
    "tickets/",
    "enterprises/",
    "parks/",
    "dashboard/",
    "cultivation/",
    "attraction/",
    "leasing/",
    "sharing/",
    "notifications/",
    "api/",
)
# Mounted but walked elsewhere: Django's admin has its own walk, as every role
# (test_admin_walk.py beside this file: members and non-admin staff turned away, a park
# administrator scoped in lists, choices, filters and saves).
UNWALKED = ("admin/",)
# The API routers the walk must reach (oasis/api.py mounts one per app).
API_PREFIXES = tuple(
    f"api/v1/{app}/"
    for app in (
        "parks",
        "enterprises",
        "cultivation",
        "leasing",
        "attraction",
        "sharing",
        "tickets",
        "portal",
    )
)
SECRET = "乙方机密"  # in every name and title of firm B's rows
METHODS = ("get", "post", "put", "patch", "delete")
# One body that passes the shape checks of as many forms and schemas as possible, so the
# access check (not a validation error) is what refuses the call. The world adds firm B's
# ids (`body_ids`) for every id a form or schema takes from the body.
BODY: dict[str, Any] = {
    "revenue": "1",
    "output_value": "1",
    "headcount": 1,
    "body": "篡改",
    "title": "篡改",
    "category": "other",
    "comment": "篡改",
    "rating": 5,
    "name": "篡改企业",
    "industry_code": "3976",
    "explanation": "篡改",
    "submit": True,
    "action": "submit",
    "year": 2025,
    "legal_representative": "篡改",
    "phone": "1",
    "username": "intruder",
    "new_password1": "Intruder-pass-9876",
    "new_password2": "Intruder-pass-9876",
    "code": "X9",
    "use": "office",
    "gross_area": "100",
    "area": "10",
    "floor_id": 1,
    "assignee_id": 1,
    "purpose": "篡改",
    "headline": "篡改",
    "note": "篡改",
    "reason": "篡改",
    "amount": "1",
    "quantity": "1",
    "kind": "call",
    "target_tier": "innovative_sme",
    "target_year": 2027,
    "progress": 1,
    "plan": "篡改",
    "valid_until": "2030-01-01",
    "stage": "negotiation",
    "outcome": "contacted",
    "published": "1",
    "used_minutes": 1,
    "paid_on": "2026-01-01",
    "end_date": "2030-12-31",
    "terminated_on": "2026-06-30",
    "start_date": "2026-01-01",
    "rent_rate": "1",
    "rent_basis": "sqm_day",
    "cycle": 3,
    "consent": True,
    "company_name": "篡改科技有限公司",
    "source": "direct",
    "signed_on": "2026-01-01",
    "certified_on": "2026-01-01",
    "expires_on": "2030-01-01",
    "allow_prepayment": True,
    "amount_min": "1",
    "amount_max": "1",
}
# Pages whose POST dispatches on `action` are posted once per action as well, so each
# branch (cancel a registration, record a match's outcome...) meets its access check.
PAGE_ACTIONS = ("register", "cancel", "check_in", "match", "outcome", "assign", "deliver", "rate")
# Where one key means different things, the value each prefix's schemas accept.
BODY_BY_PREFIX: dict[str, dict[str, Any]] = {
    "/api/v1/cultivation/": {"kind": "srdi_sme"},
    # An institution's and a product's kind share "guarantee"; an event's is its own.
    "/api/v1/sharing/institutions": {"kind": "guarantee"},
    "/api/v1/sharing/products": {"kind": "guarantee"},
    "/api/v1/sharing/events": {"kind": "roadshow"},
}
# Models whose rows a request may legitimately touch without changing anyone's data.
IGNORED = {
    "sessions.session",
    "accounts.loginfailure",
    "contenttypes.contenttype",
    "auth.permission",
}


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for p in patterns:
        route = str(p.pattern)
        if isinstance(p, URLResolver):
            out += _walk(p.url_patterns, prefix + route)
        else:
            out.append((prefix + route, p))
    return out


def _all_routes() -> list[str]:
    seen: list[str] = []
    for route, _pattern in _walk(get_resolver().url_patterns):
        if route not in seen:
            seen.append(route)
    return seen


def _routes() -> list[str]:
    # "" is the landing page (a redirect by role).
    return [r for r in _all_routes() if r == "" or r.startswith(PREFIXES)]


def _models() -> list[Any]:
    # Auto-created many-to-many tables too (a firm's units, say).
    return list(apps.get_models(include_auto_created=True))


def _db_state() -> dict[str, list[tuple[Any, ...]]]:
    state = {}
    for model in _models():
        if model._meta.label_lower in IGNORED or not model._meta.managed:
            continue
        state[model._meta.label_lower] = list(model.objects.order_by("pk").values_list())
    return state


@pytest.fixture
def world(park, other_park, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    a = EnterpriseFactory(park=park, name="甲方科技有限公司", focus_industry="automotive")
    b = EnterpriseFactory(park=park, name=f"{SECRET}半导体有限公司", focus_industry="new_energy")
    building = BuildingFactory(park=park)
    unit_b = UnitFactory(floor=FloorFactory(building=building, number=1), building=building)
    b.units.add(unit_b)
    member_a = make_user("member_a", enterprise=a, is_enterprise_admin=True)
    member_b = make_user(
        "member_b", enterprise=b, is_enterprise_admin=True, display_name=f"{SECRET}员工"
    )
    colleague_b = make_user("colleague_b", enterprise=b)
    # Park staff who create the park's side of firm B's records through the services.
    admin = make_user("iso_admin", park=park, role=Role.PARK_ADMIN)
    FigureFactory(enterprise=b, year=2025)
    contact_b = Contact.objects.create(enterprise=b, name=f"{SECRET}联系人")
    campaign = make_campaign(park)
    other_campaign = make_campaign(other_park, title=f"{SECRET}外园区任务")
    make_report(campaign, a)
    report_b = make_report(campaign, b, status="submitted")
    PeriodFigure.objects.create(enterprise=b, kind="quarterly", year=2025, period=3, revenue=1)
    make_ticket(a, member_a, title="甲方自己的工单")
    ticket_b = ticket_services.ticket_open(
        actor=member_b,
        category="policy",
        title=f"{SECRET}工单",
        body=f"{SECRET}内容",
        files=[SimpleUploadedFile(f"{SECRET}.pdf", b"%PDF-1.4 secret")],
    )
    attachment_b = ticket_b.attachments.get()
    # Firm B's inbox: a message and its email.
    notify(
        recipients=[member_b],
        event=NotificationEvent.REQUEST_REPLY,
        subject=gettext_noop("“%(t)s”有新回复。"),
        values={"t": f"{SECRET}工单"},
        link=f"/tickets/{ticket_b.pk}/",
        park=park,
    )
    note_b = Notification.objects.get(recipient=member_b)
    delivery_b = EmailDelivery.objects.create(
        notification=note_b,
        park=park,
        to="b@example.com",
        status="failed",
        created_at=timezone.now(),
    )
    make_notice(park, title="全体企业通知")
    notice_b = make_notice(park, title=f"{SECRET}通知", audience_industry="new_energy")
    NoticeRead.objects.create(notice=notice_b, user=member_b, enterprise=b, read_at=timezone.now())
    token_b, _clear = api_token_create(user=member_b, name=f"{SECRET}令牌")

    # --- cultivation: firm B's innovation file, a title with its reminder, a pool entry.
    InnovationProfile.objects.create(
        enterprise=b, ip_class1=7, main_product_field="chain_gap_filling"
    )
    title_b = cultivation_services.title_save(
        actor=admin,
        enterprise=b,
        data={
            "kind": "srdi_sme",
            "certificate_no": f"{SECRET}证书",
            "valid_until": dt.date(2026, 12, 31),
        },
    )
    award_b = add_award(b, name=f"{SECRET}奖项")
    add_equity(b, investor=f"{SECRET}投资")
    reminder_b = Reminder.objects.create(
        title=title_b, kind=Reminder.Kind.EXPIRY, due_on=dt.date(2026, 9, 30)
    )
    pool_b = cultivation_services.pool_entry_save(
        actor=admin,
        enterprise=b,
        data={"target_tier": "little_giant", "target_year": 2027, "plan": f"{SECRET}培育计划"},
    )

    # --- leasing: firm B's signed lease on unit_b, its bills and a payment; an import job.
    lease_b = leasing_services.lease_create(
        actor=admin,
        tenant=b,
        unit_ids=[unit_b.pk],
        activate=True,
        data={
            "start_date": dt.date(2026, 1, 1),
            "end_date": dt.date(2027, 12, 31),
            "rent_basis": "sqm_day",
            "rent_rate": Decimal("1.2000"),
            "property_fee_rate": Decimal("5.00"),
            "deposit": Decimal("30000.00"),
            "escalation_pct": Decimal("3.00"),
            "cycle": 3,
            "number": "",
            "notes": f"{SECRET}合同备注",
        },
    )
    bill_b = lease_b.bills.order_by("due_date").first()
    assert bill_b is not None
    leasing_services.payment_record(
        actor=admin,
        lease=lease_b,
        amount=Decimal("100.00"),
        paid_on=dt.date(2026, 1, 5),
        allow_prepayment=True,
        reference=f"{SECRET}流水",
    )
    job = ImportJob.objects.create(
        park=park,
        created_by=admin,
        filename=f"{SECRET}.xlsx",
        file=ContentFile(b"PK", name="iso.xlsx"),
    )

    # --- attraction: a partner, firm B's lead (with a next step) and its agreement.
    partner = attraction_services.partner_save(
        actor=admin,
        park=park,
        data={
            "kind": Partner.Kind.AMBASSADOR,
            "name": f"{SECRET}大使",
            "organisation": f"{SECRET}机构",
        },
    )
    lead_b = attraction_services.lead_create(
        actor=admin,
        park=park,
        confirm_duplicates=True,
        data={
            "company_name": f"{SECRET}半导体有限公司",
            "source": "direct",
            "negotiation_notes": f"{SECRET}洽谈",
        },
    )
    activity_b = attraction_services.activity_add(
        actor=admin,
        lead=lead_b,
        data={"kind": "next_step", "body": f"{SECRET}下一步", "due_on": dt.date(2026, 12, 1)},
    )
    Lead.objects.filter(pk=lead_b.pk).update(enterprise=b)
    agreement_b = Agreement.objects.create(
        lead=lead_b,
        enterprise=b,
        signed_on=dt.date(2025, 6, 1),
        total_investment=Decimal("100000000"),
        note=f"{SECRET}协议",
        created_by=admin,
    )
    Commitment.objects.create(agreement=agreement_b, year=2025, output=Decimal("50000000"))

    # --- sharing: a resource and an event of the park (shared by every firm) and of
    # another park; firm B's booking, statement, service request, financing need with its
    # matches, event registration and (unpublished) showcase.
    def resource_in(p: Any, name: str) -> Resource:
        offering = Offering.objects.create(
            park=p,
            share=Share.DIGITAL,
            name=f"{name}服务",
            operator="运营中心",
            delivery=Delivery.RESOURCE,
            price_resident=Decimal("50.00"),
        )
        return Resource.objects.create(
            offering=offering,
            park=p,
            name=name,
            opens_at=dt.time(0),
            closes_at=dt.time(23, 30),
            open_weekdays="1234567",
            slot_minutes=30,
            min_minutes=30,
            max_minutes=480,
            lead_hours=0,
            cancel_hours=0,
        )

    room = resource_in(park, "路演厅")
    other_room = resource_in(other_park, f"{SECRET}外园区会议室")
    today = timezone.localtime().replace(hour=1, minute=0, second=0, microsecond=0)
    booking_b = Booking.objects.create(
        resource=room,
        enterprise=b,
        booked_by=member_b,
        start=today,
        end=today + dt.timedelta(hours=2),
        purpose=f"{SECRET}预约",
    )
    Certification.objects.create(
        resource=room,
        user=member_b,
        certified_on=dt.date(2026, 1, 1),
        expires_on=dt.date(2030, 1, 1),
        certified_by=admin,
    )
    month = timezone.localdate().replace(day=1)
    sharing_services.statement_issue(actor=admin, enterprise=b, month=month)
    requestable = Offering.objects.create(
        park=park,
        share=Share.TECHNOLOGY,
        name="EMC 检测",
        operator="共性技术创新中心",
        delivery="request",
        request_kind="test",
        price_resident=Decimal("800.00"),
        price_unit="each",
    )
    other_requestable = Offering.objects.create(
        park=other_park,
        share=Share.TECHNOLOGY,
        name=f"{SECRET}外园区检测",
        operator="外园区",
        delivery="request",
        request_kind="test",
    )
    request_b = sharing_services.request_submit(
        actor=member_b, offering=requestable, title=f"{SECRET}检测申请", detail=f"{SECRET}详情"
    )
    institution = Institution.objects.create(park=park, name="常熟农商银行", kind="bank")
    product = FinanceProduct.objects.create(
        institution=institution,
        name="科创贷",
        amount_min=Decimal("1000000"),
        amount_max=Decimal("10000000"),
        term_months_min=6,
        term_months_max=36,
    )
    # Another park's partners. A member manages no catalogue entry, institution or
    # product, their own park's included: those routes are walked with both (all refused).
    other_institution = Institution.objects.create(
        park=other_park, name=f"{SECRET}外园区银行", kind="bank"
    )
    other_product = FinanceProduct.objects.create(
        institution=other_institution,
        name=f"{SECRET}外园区贷",
        amount_min=Decimal("1"),
        amount_max=Decimal("2"),
    )
    need_b = finance_services.need_create(
        actor=member_b,
        data={
            "amount": Decimal("2000000"),
            "purpose": f"{SECRET}扩产",
            "term_months": 12,
            "consent": True,
        },
    )
    match_b = need_b.matches.get()
    starts = timezone.now() + dt.timedelta(days=7)
    event = Event.objects.create(
        park=park,
        title="专精特新路演日",
        kind="roadshow",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        capacity=5,
    )
    other_event = Event.objects.create(
        park=other_park,
        title=f"{SECRET}外园区活动",
        kind="roadshow",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=3),
        capacity=5,
    )
    registration_b = events_services.event_register(actor=member_b, event=event)
    showcase_b = events_services.showcase_save(
        actor=member_b,
        enterprise=b,
        data={"headline": f"{SECRET}风采", "body": f"{SECRET}介绍", "products": f"{SECRET}产品"},
    )

    values = {
        "pk": b.pk,
        "enterprise_id": b.pk,
        "year": 2025,
        "contact_id": contact_b.pk,
        "campaign_id": other_campaign.pk,
        "report_id": report_b.pk,
        "notice_id": notice_b.pk,
        "ticket_id": ticket_b.pk,
        "attachment_id": attachment_b.pk,
        "user_id": colleague_b.pk,
        "park_pk": other_park.pk,
        "park_id": other_park.pk,
        "building_pk": building.pk,
        "building_id": building.pk,
        "unit_id": unit_b.pk,
        # The one-time activation link: the token is the capability; a wrong one must fail.
        "uidb64": "MQ",
        "token": "set-password",
        "entry_id": pool_b.pk,
        "title_id": title_b.pk,
        "lease_id": lease_b.pk,
        "lead_id": lead_b.pk,
        "activity_id": activity_b.pk,
        "resource_id": other_room.pk,
        "booking_id": booking_b.pk,
        "request_id": request_b.pk,
        "need_id": need_b.pk,
        "match_id": match_b.pk,
        "event_id": other_event.pk,
        "registration_id": registration_b.pk,
        "offering_id": [other_room.offering_id, room.offering_id],
        "institution_id": [other_institution.pk, institution.pk],
        "product_id": [other_product.pk, product.pk],
        # Every kind of innovation record, and every booking action.
        "kind": ["titles", "awards"],
        "record_id": [title_b.pk, award_b.pk],
        "action": ["cancel", "approve", "reject", "no-show", "usage"],
    }
    # What an id means under each prefix (the longest matching prefix wins).
    by_prefix: dict[str, dict[str, Any]] = {
        "accounts/tokens/": {"pk": token_b.pk},
        "parks/": {"pk": other_park.pk},
        "parks/buildings/": {"pk": building.pk},
        "parks/units/": {"pk": unit_b.pk},
        "cultivation/pool/": {"pk": pool_b.pk},
        "cultivation/reminders/": {"pk": reminder_b.pk},
        "leasing/": {"pk": lease_b.pk},
        "leasing/buildings/": {"pk": building.pk},
        "leasing/units/": {"pk": unit_b.pk},
        "leasing/import/": {"pk": job.pk},
        "attraction/leads/": {"pk": lead_b.pk},
        "attraction/partners/": {"pk": partner.pk},
        # A member has no attraction settings in any park, their own included.
        "attraction/settings/": {"park_id": [park.pk, other_park.pk]},
        "sharing/offerings/": {"pk": [other_room.offering_id, room.offering_id]},
        "sharing/resources/": {"pk": other_room.pk},
        "sharing/bookings/": {"pk": booking_b.pk},
        "sharing/requests/": {"pk": request_b.pk},
        "sharing/finance/needs/": {"pk": need_b.pk},
        "sharing/finance/institutions/": {"pk": [other_institution.pk, institution.pk]},
        "sharing/finance/products/": {"pk": [other_product.pk, product.pk]},
        "sharing/events/": {"pk": other_event.pk},
        "sharing/showcases/": {"pk": showcase_b.pk},
        "notifications/": {"pk": note_b.pk},
        "notifications/emails/": {"pk": delivery_b.pk},
    }
    # The park's own shared records, walked a second time (see the module docstring).
    shared = {
        "sharing/resources/": {"pk": room.pk},
        "sharing/events/": {"pk": event.pk},
        "api/v1/sharing/resources/": {"resource_id": room.pk},
        "api/v1/sharing/events/": {"event_id": event.pk},
    }
    # Ids a form or schema reads from the body, and the filters a list reads from the query.
    body_ids = {
        "enterprise_id": b.pk,
        "tenant_id": b.pk,
        "unit_ids": [unit_b.pk],
        "resource_id": other_room.pk,
        "offering_id": other_requestable.pk,
        "bill_id": bill_b.pk,
        "partner_id": partner.pk,
        "park_id": other_park.pk,
        "owner_id": member_b.pk,
        "enterprise": b.pk,
        "tenant": b.pk,
        "units": [unit_b.pk],
        "offering": other_requestable.pk,
        "resource": other_room.pk,
        "registration": registration_b.pk,
        "match": match_b.pk,
        "user": member_b.pk,
        "park": other_park.pk,
        "lead": lead_b.pk,
        "need": need_b.pk,
    }
    query = {
        "enterprise": b.pk,
        "tenant": b.pk,
        "enterprise_id": b.pk,
        "owner": member_b.pk,
        "q": SECRET,
        "park": other_park.pk,
        "park_id": other_park.pk,
    }
    return {
        "a": a,
        "b": b,
        "member_a": member_a,
        "values": values,
        "by_prefix": by_prefix,
        "shared": shared,
        "body": {**BODY, **body_ids},
        "query": query,
        "member_b": member_b,
        "colleague_b": colleague_b,
        "token_b": token_b,
        "showcase_b": showcase_b,
        "booking_b": booking_b,
        "room": room,
        "event": event,
    }


PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _lookup(
    route: str, name: str, tables: list[dict[str, dict[str, Any]]], values: dict[str, Any]
) -> Any:
    for table in tables:
        prefixes = sorted(
            (p for p in table if route.startswith(p) and name in table[p]), key=len, reverse=True
        )
        if prefixes:
            return table[prefixes[0]][name]
    assert name in values, f"{route}: no firm-B value for <{name}>; add one to the isolation test"
    return values[name]


def _urls(route: str, world: dict[str, Any], *, shared: bool = False) -> list[str]:
    """Every URL of `route` with firm B's ids (a list value gives one URL per item); with
    `shared`, the park's own shared records where the route takes one."""
    tables = ([world["shared"]] if shared else []) + [world["by_prefix"]]
    names = [m.group(2) for m in PARAM.finditer(route)]
    choices = []
    for name in names:
        value = _lookup(route, name, tables, world["values"])
        choices.append(value if isinstance(value, list) else [value])
    return ["/" + _fill(route, combo) for combo in itertools.product(*choices)]


def _fill(route: str, values: tuple[Any, ...]) -> str:
    """`route` with its parameters replaced by `values`, in order."""
    parts = iter(values)
    return PARAM.sub(lambda _m: str(next(parts)), route)


def _is_shared(route: str, world: dict[str, Any]) -> bool:
    return "<" in route and any(route.startswith(p) for p in world["shared"])


def _call(
    client: Client,
    method: str,
    url: str,
    world: dict[str, Any],
    query: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
) -> Any:
    body = {**world["body"], **(extra or {})}
    for prefix, over in BODY_BY_PREFIX.items():
        if url.startswith(prefix):
            body = {**body, **over}
    if url.startswith("/api/"):
        if method == "get":
            return client.get(url, query)
        return getattr(client, method)(url, json.dumps(body), content_type="application/json")
    if method == "get":
        return client.get(url, query)
    if method == "post":
        return client.post(url, body)
    return getattr(client, method)(url)


def _leaks(response: Any, world: dict[str, Any]) -> list[str]:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content).decode(errors="replace")
    else:
        body = response.content.decode(errors="replace")
    found = [SECRET] if SECRET in body else []
    if response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(body or "null")
        rows = (
            data.get("items", [])
            if isinstance(data, dict)
            else data
            if isinstance(data, list)
            else []
        )
        if isinstance(data, dict) and "items" not in data:
            rows = [data]
        found += [
            f"enterprise_id={world['b'].pk}"
            for r in rows
            if isinstance(r, dict) and r.get("enterprise_id") == world["b"].pk
        ]
    return found


def _firm_state(firm: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that belongs to `firm`: the firm, its people, every row of any model
    pointing at it, and the rows pointing at those (a lease's bills and payments, a
    need's matches, a statement's lines), found generically so new models are covered."""
    from oasis.enterprises.models import Enterprise

    owned: dict[Any, set[Any]] = {Enterprise: {firm.pk}}
    state = {"enterprises.enterprise": list(Enterprise.objects.filter(pk=firm.pk).values_list())}
    for _depth in range(3):
        found: dict[Any, set[Any]] = {}
        for model in _models():
            if model._meta.label_lower in IGNORED:
                continue
            for field in model._meta.concrete_fields:
                target = getattr(field, "related_model", None)
                key = f"{model._meta.label_lower}.{field.name}"
                if not field.is_relation or target not in owned or key in state:
                    continue
                rows = model.objects.filter(**{f"{field.name}__in": owned[target]}).order_by("pk")
                state[key] = list(rows.values_list())
                found.setdefault(model, set()).update(rows.values_list("pk", flat=True))
        for model, pks in found.items():
            owned.setdefault(model, set()).update(pks)
    return state


def _variants(url: str, world: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(method, query, extra body) of every call made to `url`: each method; a GET also
    with firm B's ids as list filters; a page's POST also once per `action`."""
    out: list[tuple[str, Any, Any]] = [(m, None, None) for m in METHODS]
    out.append(("get", world["query"], None))
    if not url.startswith("/api/"):
        out += [("post", None, {"action": a}) for a in PAGE_ACTIONS]
    return out


def _stay_logged_in(client: Client, world: dict[str, Any]) -> None:
    """A route may log the caller out (accounts/logout/): log back in, so no later route
    is refused merely for want of a session."""
    if client.session.get("_auth_user_id") != str(world["member_a"].pk):
        client.force_login(world["member_a"])


def _refused(r: Any) -> bool:
    return r.status_code in (403, 404, 405)


def test_member_of_firm_a_cannot_reach_firm_b_anywhere(world):
    client = Client()
    client.force_login(world["member_a"])
    all_routes = _all_routes()
    routes = _routes()
    # Every mounted route is walked, or left out above with its reason.
    assert [r for r in all_routes if r not in routes and not r.startswith(UNWALKED)] == []
    # The walk must really cover the apps it guards.
    for prefix in PREFIXES + API_PREFIXES:
        assert any(r.startswith(prefix) for r in routes), prefix
    for expected in (
        "portal/reports/<int:report_id>/",
        "tickets/<int:ticket_id>/attachments/<int:attachment_id>/",
        "api/v1/tickets/<ticket_id>",
        "api/v1/portal/reports/<report_id>/accept",
        "enterprises/<int:pk>/figures/<int:year>/",
        "api/v1/enterprises/<enterprise_id>",
        "cultivation/enterprises/<int:pk>/<str:kind>/<int:record_id>/delete/",
        "leasing/<int:pk>/payments/new/",
        "attraction/leads/<int:pk>/sign/",
        "sharing/bookings/<int:pk>/<slug:action>/",
        "api/v1/sharing/statements/<enterprise_id>",
        "api/v1/leasing/leases/<lease_id>/payments",
        "api/v1/cultivation/titles/<title_id>",
        "api/v1/attraction/leads/<lead_id>",
        "accounts/tokens/<int:pk>/revoke/",
    ):
        assert expected in routes
    before = _db_state()
    firm_b_before = _firm_state(world["b"])
    failures: list[str] = []

    def check(url: str, r: Any, ok: bool, method: str, query: Any, extra: Any) -> None:
        if not ok:
            failures.append(
                f"{method.upper()} {url} {query or ''}{extra or ''} -> {r.status_code} {_leaks(r, world)}"
            )

    # 1. Routes with ids, each id firm B's (or another park's): every call refused, and
    # the whole database compared afterwards.
    for route in [r for r in routes if "<" in r]:
        for url in _urls(route, world):
            for method, query, extra in _variants(url, world):
                _stay_logged_in(client, world)
                r = _call(client, method, url, world, query, extra)
                if route.startswith("portal/activate/"):
                    ok = r.status_code in (200, 302, 405) and not _leaks(r, world)
                else:
                    ok = _refused(r)
                check(url, r, ok, method, query, extra)
    after = _db_state()
    assert [label for label in before if before[label] != after.get(label)] == []
    # 2. Routes without ids, and the park's shared records: they may answer and may write
    # firm A's own rows (open a ticket, book the park's meeting room), so only firm B's
    # rows are compared; no answer carries firm B's data, whatever the query asks for.
    for route in [r for r in routes if "<" not in r or _is_shared(r, world)]:
        for url in _urls(route, world, shared=True):
            for method, query, extra in _variants(url, world):
                _stay_logged_in(client, world)
                r = _call(client, method, url, world, query, extra)
                check(url, r, r.status_code < 500 and not _leaks(r, world), method, query, extra)
    assert failures == [], "\n".join(failures)
    firm_b_after = _firm_state(world["b"])
    assert [k for k in firm_b_before if firm_b_before[k] != firm_b_after.get(k)] == []
    assert not LoginFailure.objects.exists()
    for user in (world["member_b"], world["colleague_b"]):
        user.refresh_from_db()
        assert user.is_active and user.check_password("oasis-test-pass-1")


def test_the_walk_also_holds_for_an_api_token(world):
    """Bearer tokens go through the same access helpers as sessions."""
    _row, clear = api_token_create(user=world["member_a"], name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    before = _db_state()
    failures = []
    for route in _routes():
        if not route.startswith("api/") or "<" not in route:
            continue
        for url in _urls(route, world):
            for method in METHODS:
                r = _call(client, method, url, world)
                if not _refused(r):
                    failures.append(f"{method} {url} -> {r.status_code}")
    assert failures == [], "\n".join(failures)
    after = _db_state()
    # The token's last-used time is the only thing allowed to move.
    before.pop("accounts.apitoken")
    after.pop("accounts.apitoken")
    assert [k for k in before if before[k] != after[k]] == []
