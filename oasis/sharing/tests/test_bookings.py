"""Bookings: rules, the training gate, cancellation, operator actions, statements,
calendars and their query ceilings, and access for every role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from oasis.accounts.tests.factories import make_user
from oasis.core.models import AuditEntry
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.sharing import booking_rules, pricing, selectors, services
from oasis.sharing.models import Booking, Certification, Offering, Resource, Share

pytestmark = pytest.mark.django_db


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def certify(resource, user, days: int = 365):
    today = timezone.localdate()
    return Certification.objects.create(
        resource=resource, user=user, certified_on=today, expires_on=today + dt.timedelta(days=days)
    )


def post_booking(client, resource, start, end):
    return client.post(
        "/api/v1/sharing/bookings",
        {"resource_id": resource.pk, "start": start.isoformat(), "end": end.isoformat()},
        content_type="application/json",
    )


# --- pure rules -------------------------------------------------------------------

RULES = booking_rules.Rules(
    opens_at=dt.time(8),
    closes_at=dt.time(18),
    weekdays=frozenset({1, 2, 3, 4, 5}),
    slot_minutes=30,
    min_minutes=60,
    max_minutes=180,
    lead_hours=24,
    monthly_quota_minutes=300,
    cancel_hours=24,
)
TZ = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 3, 2, tzinfo=TZ)  # a Monday


def test_rules_accept_a_valid_booking():
    assert (
        booking_rules.check_booking(
            RULES,
            start=MON.replace(hour=9),
            end=MON.replace(hour=11),
            now=MON - dt.timedelta(days=2),
        )
        == {}
    )


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ((9, 0), (9, 30), "end", "预约时长不能少于 60 分钟。"),
        ((9, 0), (13, 0), "end", "预约时长不能超过 180 分钟。"),
        ((9, 15), (10, 45), "start", "预约须按 30 分钟的时段对齐。"),
        ((7, 0), (9, 0), "start", "预约须在开放时间 08:00–18:00 之内。"),
        ((17, 0), (19, 0), "start", "预约须在开放时间 08:00–18:00 之内。"),
    ],
)
def test_rules_refuse_with_exact_messages(start, end, field, message):
    errors = booking_rules.check_booking(
        RULES,
        start=MON.replace(hour=start[0], minute=start[1]),
        end=MON.replace(hour=end[0], minute=end[1]),
        now=MON - dt.timedelta(days=2),
    )
    assert message in errors[field]


def test_rules_lead_time_weekday_and_quota():
    sat = MON + dt.timedelta(days=5)
    assert booking_rules.check_booking(
        RULES, start=sat.replace(hour=9), end=sat.replace(hour=10), now=MON
    )["start"] == ["该资源当天不开放。"]
    assert booking_rules.check_booking(
        RULES, start=MON.replace(hour=9), end=MON.replace(hour=10), now=MON.replace(hour=0)
    )["start"] == ["需至少提前 24 小时预约。"]
    errors = booking_rules.check_booking(
        RULES,
        start=MON.replace(hour=9),
        end=MON.replace(hour=11),
        now=MON - dt.timedelta(days=2),
        used_minutes_in_month=240,
    )
    assert errors["end"] == ["超出本企业本月该资源的预约上限（5 小时，已用 4 小时）。"]


def test_rules_cancellation_deadline_and_available_minutes():
    start = MON.replace(hour=9)
    assert booking_rules.can_cancel(RULES, start=start, now=start - dt.timedelta(hours=24))
    assert not booking_rules.can_cancel(RULES, start=start, now=start - dt.timedelta(hours=23))
    # March 2026 has 22 weekdays of 10 open hours.
    assert (
        booking_rules.available_minutes(RULES, dt.date(2026, 3, 1), dt.date(2026, 3, 31))
        == 22 * 600
    )


def test_pricing_free_quota_in_time_order_and_to_the_fen():
    t = dt.datetime(2026, 3, 2, 9, tzinfo=TZ)
    usages = [
        pricing.Usage(("booking", 2), 1, "b", pricing.hours(50), t + dt.timedelta(days=1)),
        pricing.Usage(("booking", 1), 1, "a", pricing.hours(90), t),
        pricing.Usage(("request", 3), 2, "c", Decimal("1"), t),
    ]
    lines = pricing.price_lines(
        usages,
        {
            1: pricing.Price(Decimal("133.33"), Decimal("1.00")),
            2: pricing.Price(Decimal("800.00"), Decimal("0")),
        },
    )
    assert [(ln.ref, ln.quantity, ln.free_quantity, ln.amount) for ln in lines] == [
        (("booking", 1), Decimal("1.50"), Decimal("1.00"), Decimal("66.67")),
        (("request", 3), Decimal("1"), Decimal("0"), Decimal("800.00")),
        (("booking", 2), Decimal("0.83"), Decimal("0"), Decimal("110.66")),
    ]
    assert pricing.total(lines) == Decimal("977.33")


# --- booking through the API --------------------------------------------------------


def test_member_books_a_room_for_their_own_firm(member_client, member, room):
    r = post_booking(member_client, room, at(2, 9), at(2, 11))
    assert r.status_code == 201, r.json()
    booking = Booking.objects.get()
    assert (booking.enterprise_id, booking.booked_by_id, booking.status) == (
        member.enterprise_id,
        member.pk,
        "confirmed",
    )
    assert (
        AuditEntry.objects.filter(
            model="sharing.booking", object_id=str(booking.pk), action="create"
        ).count()
        == 1
    )


def test_overlapping_booking_is_refused_with_the_exact_error(member_client, room):
    assert post_booking(member_client, room, at(2, 9), at(2, 11)).status_code == 201
    r = post_booking(member_client, room, at(2, 10), at(2, 12))
    assert r.status_code == 400
    assert r.json() == {
        "detail": "Invalid input.",
        "fields": {"start": ["该时段已被预约，请选择其他时间。"]},
    }
    # Back to back is fine.
    assert post_booking(member_client, room, at(2, 11), at(2, 12)).status_code == 201


def test_rule_breach_is_a_400_with_fields(member_client, room):
    r = post_booking(member_client, room, at(2, 9, 10), at(2, 9, 40))
    assert r.status_code == 400
    assert r.json()["fields"] == {"start": ["预约须按 30 分钟的时段对齐。"]}
    assert Booking.objects.count() == 0


def test_training_gate_certified_books_uncertified_refused_expired_refused(
    member_client, member, spectrometer
):
    r = post_booking(member_client, spectrometer, at(2, 9), at(2, 10))
    assert r.status_code == 400
    assert r.json()["fields"] == {
        "resource": ["您尚未通过该设备的培训认证（或认证已过期），不能预约。"]
    }
    cert = certify(spectrometer, member, days=1)
    # Certification expires tomorrow; a booking the day after is refused, tomorrow's is fine.
    assert post_booking(member_client, spectrometer, at(2, 9), at(2, 10)).status_code == 400
    assert post_booking(member_client, spectrometer, at(1, 12), at(1, 13)).status_code == 201
    cert.expires_on = timezone.localdate() + dt.timedelta(days=30)
    cert.save()
    assert post_booking(member_client, spectrometer, at(2, 9), at(2, 10)).status_code == 201


def test_monthly_quota_per_firm(member_client, room):
    room.monthly_quota_hours = Decimal("2")
    room.save()
    day = (
        2
        if (timezone.localdate() + dt.timedelta(days=3)).month
        == (timezone.localdate() + dt.timedelta(days=2)).month
        else 1
    )
    assert post_booking(member_client, room, at(day, 9), at(day, 11)).status_code == 201
    r = post_booking(member_client, room, at(day, 14), at(day, 15))
    assert r.status_code == 400 and "超出本企业本月该资源的预约上限" in r.json()["fields"]["end"][0]


def test_approval_required_then_operator_approves(member_client, operator_client, room):
    room.approval_required = True
    room.save()
    r = post_booking(member_client, room, at(2, 9), at(2, 10))
    assert r.json()["status"] == "pending"
    pk = r.json()["id"]
    assert member_client.post(f"/api/v1/sharing/bookings/{pk}/approve").status_code == 403
    r = operator_client.post(f"/api/v1/sharing/bookings/{pk}/approve")
    assert r.status_code == 200 and r.json()["status"] == "confirmed"
    r = operator_client.post(f"/api/v1/sharing/bookings/{pk}/approve")
    assert r.status_code == 400 and r.json()["fields"] == {"status": ["只有待审批的预约可以审批。"]}


def test_cancel_within_deadline_frees_the_slot_and_after_deadline_is_refused(
    member_client, member, room
):
    pk = post_booking(member_client, room, at(2, 9), at(2, 10)).json()["id"]
    r = member_client.post(f"/api/v1/sharing/bookings/{pk}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert post_booking(member_client, room, at(2, 9), at(2, 10)).status_code == 201
    # Deadline passed: 2 hours before start, booked 1 hour ahead.
    soon = timezone.localtime() + dt.timedelta(hours=1)
    booking = Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        start=soon,
        end=soon + dt.timedelta(minutes=30),
    )
    r = member_client.post(f"/api/v1/sharing/bookings/{booking.pk}/cancel")
    assert r.status_code == 400 and "已过取消截止时间" in r.json()["fields"]["status"][0]
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_operator_records_usage_and_no_show(operator, member, room):
    past = Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        start=at(-1, 9),
        end=at(-1, 11),
    )
    services.booking_mark_no_show(actor=operator, booking=past)
    past.refresh_from_db()
    assert (past.status, past.occupies) == ("no_show", True)
    used = Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        start=at(-1, 12),
        end=at(-1, 14),
    )
    services.booking_record_usage(actor=operator, booking=used, used_minutes=90)
    used.refresh_from_db()
    assert (used.status, used.charged_minutes) == ("completed", 90)


def test_statement_charges_reconcile_to_the_fen_and_issue(operator, member, room):
    room.offering.free_quota = Decimal("1.00")
    room.offering.save()
    month = timezone.localdate().replace(day=1)
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(month, dt.time(9), tzinfo=tz)
    a = Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        start=first,
        end=first + dt.timedelta(minutes=150),
    )
    b = Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        start=first + dt.timedelta(hours=5),
        end=first + dt.timedelta(hours=6),
    )
    Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        status="cancelled",
        occupies=False,
        start=first + dt.timedelta(hours=7),
        end=first + dt.timedelta(hours=8),
    )
    services.booking_record_usage(actor=operator, booking=b, used_minutes=50)
    view = selectors.statement_build(enterprise=member.enterprise, month=month)
    # 2.50 h − 1 free h at ¥50 = 75.00; 50 min = 0.83 h at ¥50 = 41.50.
    assert [(ln.quantity, ln.free_quantity, ln.amount) for ln in view.lines] == [
        (Decimal("2.50"), Decimal("1.00"), Decimal("75.00")),
        (Decimal("0.83"), Decimal("0.00"), Decimal("41.50")),
    ]
    assert view.total == Decimal("116.50") and view.reconciles
    statement = services.statement_issue(actor=operator, enterprise=member.enterprise, month=month)
    assert statement.total == Decimal("116.50")
    assert sum(ln.amount for ln in statement.lines.all()) == statement.total
    assert sorted(statement.lines.values_list("booking_id", flat=True)) == sorted([a.pk, b.pk])
    with pytest.raises(Exception, match="该月账单已出具"):
        services.statement_issue(actor=operator, enterprise=member.enterprise, month=month)


def test_outside_firm_pays_outside_price_and_no_free_quota(park, room):
    firm = EnterpriseFactory(park=park, status="prospect")
    user = make_user("outfirm", enterprise=firm)
    month = timezone.localdate().replace(day=1)
    start = dt.datetime.combine(month, dt.time(9), tzinfo=timezone.get_current_timezone())
    Booking.objects.create(
        resource=room,
        enterprise=firm,
        booked_by=user,
        start=start,
        end=start + dt.timedelta(hours=2),
    )
    view = selectors.statement_build(enterprise=firm, month=month)
    assert view.total == Decimal("160.00")


def test_resident_only_resource_refuses_outside_firm(park, room):
    room.offering.audience = "resident"
    room.offering.save()
    user = make_user("outfirm", enterprise=EnterpriseFactory(park=park, status="signed"))
    c = Client()
    c.force_login(user)
    r = post_booking(c, room, at(2, 9), at(2, 10))
    assert r.json()["fields"] == {"resource": ["该资源仅限入驻企业使用。"]}


# --- access -------------------------------------------------------------------------


def test_member_sees_only_own_bookings_and_statements(
    member_client, member, park, room, enterprise
):
    other_firm = EnterpriseFactory(park=park)
    other = make_user("neighbour", enterprise=other_firm)
    theirs = Booking.objects.create(
        resource=room, enterprise=other_firm, booked_by=other, start=at(2, 9), end=at(2, 10)
    )
    mine = Booking.objects.create(
        resource=room, enterprise=enterprise, booked_by=member, start=at(2, 10), end=at(2, 11)
    )
    r = member_client.get("/api/v1/sharing/bookings")
    assert [b["id"] for b in r.json()["items"]] == [mine.pk]
    assert member_client.get(f"/api/v1/sharing/bookings/{theirs.pk}").status_code == 404
    assert member_client.post(f"/api/v1/sharing/bookings/{theirs.pk}/cancel").status_code == 404
    assert member_client.get(f"/api/v1/sharing/statements/{other_firm.pk}").status_code == 404
    assert member_client.get(f"/api/v1/sharing/statements/{enterprise.pk}").status_code == 200
    page = member_client.get(f"/sharing/bookings/?month={at(2, 9):%Y-%m}")
    assert [row.booking.pk for row in page.context["bookings"]] == [mine.pk]
    assert (
        member_client.get(f"/sharing/statements/?enterprise={other_firm.pk}").context["enterprise"]
        == enterprise
    )
    theirs.refresh_from_db()
    assert theirs.status == "confirmed"


def test_resource_calendar_hides_other_firms_from_members(member_client, park, room):
    other_firm = EnterpriseFactory(park=park, name="隔壁保密科技有限公司")
    other = make_user("neighbour", enterprise=other_firm)
    Booking.objects.create(
        resource=room, enterprise=other_firm, booked_by=other, start=at(1, 9), end=at(1, 10)
    )
    month = at(1, 9).strftime("%Y-%m")
    body = member_client.get(f"/sharing/resources/{room.pk}/?month={month}").content.decode()
    assert "已占用" in body and "隔壁保密科技有限公司" not in body


def test_outsider_gets_404_everywhere_and_changes_nothing(outsider_client, member, room):
    booking = Booking.objects.create(
        resource=room, enterprise=member.enterprise, booked_by=member, start=at(2, 9), end=at(2, 10)
    )
    for url in (
        f"/sharing/resources/{room.pk}/",
        f"/sharing/resources/{room.pk}/edit/",
        f"/api/v1/sharing/resources/{room.pk}",
        f"/api/v1/sharing/bookings/{booking.pk}",
        f"/api/v1/sharing/statements/{member.enterprise_id}",
        f"/sharing/statements/?enterprise={member.enterprise_id}",
    ):
        assert outsider_client.get(url).status_code == 404, url
    for url in (
        f"/api/v1/sharing/bookings/{booking.pk}/cancel",
        f"/api/v1/sharing/bookings/{booking.pk}/no-show",
        f"/sharing/bookings/{booking.pk}/cancel/",
        f"/sharing/resources/{room.pk}/certifications/",
    ):
        assert outsider_client.post(url).status_code == 404, url
    assert post_booking(outsider_client, room, at(3, 9), at(3, 10)).status_code == 404
    assert outsider_client.get("/api/v1/sharing/bookings").json()["count"] == 0
    booking.refresh_from_db()
    assert booking.status == "confirmed" and Booking.objects.count() == 1


def test_viewer_reads_but_changes_nothing(viewer_client, member, room):
    booking = Booking.objects.create(
        resource=room, enterprise=member.enterprise, booked_by=member, start=at(2, 9), end=at(2, 10)
    )
    assert viewer_client.get("/sharing/").status_code == 200
    assert viewer_client.get(f"/sharing/resources/{room.pk}/").status_code == 200
    assert viewer_client.get("/api/v1/sharing/bookings").json()["count"] == 1
    assert viewer_client.post(f"/api/v1/sharing/bookings/{booking.pk}/cancel").status_code == 403
    assert (
        viewer_client.post(f"/sharing/resources/{room.pk}/", {"day": "2030-01-01"}).status_code
        == 403
    )
    assert post_booking(viewer_client, room, at(3, 9), at(3, 10)).status_code == 403
    assert viewer_client.get(f"/sharing/resources/{room.pk}/edit/").status_code == 403
    booking.refresh_from_db()
    assert booking.status == "confirmed"


def test_operator_manages_only_their_parks_resources(operator_client, operator, other_park, room):
    foreign_offering = Offering.objects.create(
        park=other_park,
        share=Share.MANUFACTURING,
        name="外园产线",
        operator="外园",
        delivery="resource",
    )
    foreign = Resource.objects.create(offering=foreign_offering, park=other_park, name="外园SMT")
    assert operator_client.get(f"/sharing/resources/{foreign.pk}/edit/").status_code == 404
    r = operator_client.post(
        f"/sharing/resources/{room.pk}/edit/",
        {
            "name": "路演厅A",
            "location": "",
            "opens_at": "09:00",
            "closes_at": "21:00",
            "open_weekdays": "12345",
            "slot_minutes": 30,
            "min_minutes": 30,
            "max_minutes": 240,
            "lead_hours": 1,
            "cancel_hours": 4,
            "is_active": "on",
        },
    )
    assert r.status_code == 302
    room.refresh_from_db()
    assert (room.name, room.opens_at, room.cancel_hours) == ("路演厅A", dt.time(9), 4)
    r = operator_client.post(
        f"/sharing/resources/{room.pk}/edit/",
        {
            "name": "路演厅A",
            "opens_at": "21:00",
            "closes_at": "09:00",
            "open_weekdays": "12345",
            "slot_minutes": 30,
            "min_minutes": 30,
            "max_minutes": 240,
            "lead_hours": 1,
            "cancel_hours": 4,
        },
    )
    assert r.status_code == 400 and "关闭时间必须晚于开放时间。" in r.content.decode()


def test_operator_certifies_a_member(operator_client, member, spectrometer):
    r = operator_client.post(
        f"/sharing/resources/{spectrometer.pk}/certifications/",
        {"user": member.pk, "certified_on": "2026-01-05", "expires_on": "2027-01-04"},
    )
    assert r.status_code == 302
    assert Certification.objects.get().expires_on == dt.date(2027, 1, 4)


# --- pages and calendars ---------------------------------------------------------------


def test_catalogue_groups_by_the_five_shares_with_anchors(member_client, room, spectrometer):
    r = member_client.get("/sharing/")
    body = r.content.decode()
    for anchor in (
        "shared_digital",
        "shared_manufacturing",
        "shared_technology",
        "shared_finance",
        "shared_brand",
        "ip_services",
    ):
        assert f'id="{anchor}"' in body
    sections = {s.key: [o.name for o in s.offerings] for s in r.context["sections"]}
    assert sections["shared_digital"] == ["会议室"] and sections["shared_technology"] == [
        "光谱分析"
    ]


def test_member_books_through_the_page(member_client, room):
    day = at(2, 9)
    r = member_client.post(
        f"/sharing/resources/{room.pk}/",
        {"day": day.date().isoformat(), "start": "09:00", "end": "10:30"},
    )
    assert r.status_code == 302
    assert Booking.objects.get().end == at(2, 10, 30)
    r = member_client.post(
        f"/sharing/resources/{room.pk}/",
        {"day": day.date().isoformat(), "start": "10:00", "end": "11:00"},
    )
    assert r.status_code == 400 and "该时段已被预约，请选择其他时间。" in r.content.decode()


def _bulk(park, resources: int, per_resource: int, month: dt.date):
    firm = EnterpriseFactory.create(park=park)
    user = make_user(f"bulk{resources}", enterprise=firm)
    offering = Offering.objects.create(
        park=park,
        share=Share.MANUFACTURING,
        name=f"批量{resources}",
        operator="x",
        delivery="resource",
    )
    rs = Resource.objects.bulk_create(
        [Resource(offering=offering, park=park, name=f"R{i:03d}") for i in range(resources)]
    )
    tz = timezone.get_current_timezone()
    rows = []
    for r in rs:
        for k in range(per_resource):
            day = month + dt.timedelta(days=k % 28)
            hour = 8 + (k // 28) * 2
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=tz)
            rows.append(
                Booking(
                    resource=r,
                    enterprise=firm,
                    booked_by=user,
                    start=start,
                    end=start + dt.timedelta(hours=1),
                )
            )
    Booking.objects.bulk_create(rows)


@pytest.mark.parametrize(("resources", "per_resource"), [(2, 3), (50, 100)])
def test_month_calendar_query_count_is_fixed(
    staff_client, park, resources, per_resource, django_assert_max_num_queries
):
    month = dt.date(2026, 3, 1)
    _bulk(park, resources, per_resource, month)
    with django_assert_max_num_queries(8):
        r = staff_client.get("/sharing/calendar/?month=2026-03")
    assert r.status_code == 200
    rows = r.context["rows"]
    assert (
        len(rows) == resources
        and sum(len(c.bookings) for row in rows for c in row.cells) == resources * per_resource
    )


@pytest.mark.parametrize("rows", [5, 200])
def test_booking_list_query_count_is_fixed(staff_client, park, rows, django_assert_max_num_queries):
    _bulk(park, 1, rows, dt.date(2026, 3, 1))
    with django_assert_max_num_queries(8):
        r = staff_client.get("/sharing/bookings/?month=2026-03")
    assert len(r.context["bookings"]) == rows
    with django_assert_max_num_queries(6):
        r = staff_client.get("/api/v1/sharing/bookings?month=2026-03&limit=500")
    assert r.json()["count"] == rows


def test_calendar_htmx_returns_the_partial(staff_client, park, room):
    r = staff_client.get(
        "/sharing/calendar/?month=2026-03", HTTP_HX_REQUEST="true", HTTP_HX_TARGET="calendar"
    )
    body = r.content.decode().lstrip()
    assert body.startswith('<section id="calendar">') and "<html" not in body
