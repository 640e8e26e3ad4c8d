"""Requests, finance matching, events with waitlist, showcases and utilisation: each
through its page or endpoint, with access for every role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from oasis.accounts.tests.factories import make_user
from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory
from oasis.sharing import matching, selectors, services
from oasis.sharing.models import (
    Booking,
    Event,
    FinanceProduct,
    FinancingNeed,
    Institution,
    Match,
    Offering,
    Registration,
    ServiceRequest,
    Share,
    Showcase,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def emc_offering(park):
    return Offering.objects.create(
        park=park,
        share=Share.TECHNOLOGY,
        name="EMC 检测",
        operator="共性技术创新中心",
        delivery="request",
        request_kind="test",
        price_resident=Decimal("800.00"),
        price_outside=Decimal("1200.00"),
        free_quota=Decimal("0"),
        price_unit="each",
    )


@pytest.fixture
def product(park):
    inst = Institution.objects.create(park=park, name="常熟农商银行", kind="bank")
    return FinanceProduct.objects.create(
        institution=inst,
        name="科创贷",
        amount_min=Decimal("1000000"),
        amount_max=Decimal("10000000"),
        term_months_min=6,
        term_months_max=36,
        industries=["nextgen_it"],
        min_revenue=Decimal("20000000"),
        min_rd_ratio=Decimal("5"),
        required_figures=["revenue", "rd_expense"],
    )


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


# --- requests -----------------------------------------------------------------------


def test_request_submitted_assigned_delivered_rated_and_charged(
    member_client, operator_client, operator, member, emc_offering
):
    """A catalogue service is filed, handled and rated as a request of the service desk
    (/api/v1/tickets/); its service line here follows and is charged."""
    r = member_client.post(
        "/api/v1/tickets/",
        {
            "category": "catalogue",
            "offering_id": emc_offering.pk,
            "title": "整机辐射发射预测试",
            "body": "一台样机",
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "open"
    tid = r.json()["id"]
    line = ServiceRequest.objects.get(ticket_id=tid)
    assert member_client.get(f"/api/v1/sharing/requests/{line.pk}").json()["ticket_id"] == tid
    assert (
        member_client.post(
            f"/api/v1/tickets/{tid}/assign",
            {"assignee_id": operator.pk},
            content_type="application/json",
        ).status_code
        == 403
    )
    r = operator_client.post(
        f"/api/v1/tickets/{tid}/assign", {"assignee_id": member.pk}, content_type="application/json"
    )
    assert r.status_code == 400
    r = operator_client.post(
        f"/api/v1/tickets/{tid}/assign",
        {"assignee_id": operator.pk},
        content_type="application/json",
    )
    assert r.json()["status"] == "in_progress"
    line.refresh_from_db()
    assert line.status == "assigned"
    r = operator_client.post(
        f"/api/v1/tickets/{tid}/resolve", {"body": "报告已出具"}, content_type="application/json"
    )
    assert r.json()["status"] == "resolved"
    line.refresh_from_db()
    assert line.status == "delivered"
    r = member_client.post(
        f"/api/v1/tickets/{tid}/confirm", {"rating": 6}, content_type="application/json"
    )
    assert r.status_code == 400
    r = member_client.post(
        f"/api/v1/tickets/{tid}/confirm",
        {"rating": 5, "comment": "快"},
        content_type="application/json",
    )
    assert r.json()["status"] == "closed" and r.json()["rating"] == 5
    line.refresh_from_db()
    assert (line.status, line.rating) == ("closed", 5)
    view = selectors.statement_build(
        enterprise=member.enterprise, month=timezone.localdate().replace(day=1)
    )
    assert view.total == Decimal("800.00")


def test_old_request_pages_lead_to_the_one_request(member_client, emc_offering):
    """Issue 14: 服务申请 is a type of the service desk's request; old URLs redirect."""
    r = member_client.get(f"/sharing/requests/new/?offering={emc_offering.pk}")
    assert r.url == f"/tickets/new/?category=catalogue&offering={emc_offering.pk}"
    assert member_client.get("/sharing/requests/").url == "/tickets/?category=catalogue"
    assert member_client.post("/sharing/requests/new/", {"title": "x"}).status_code == 405


def test_request_access(outsider_client, viewer_client, member, park, emc_offering):
    item = services.request_submit(actor=member, offering=emc_offering, title="专利检索")
    neighbour = _client(make_user("neighbour", enterprise=EnterpriseFactory(park=park)))
    for c in (outsider_client, neighbour):
        assert c.get(f"/sharing/requests/{item.pk}/").status_code == 404
        assert c.get(f"/api/v1/sharing/requests/{item.pk}").status_code == 404
        assert (
            c.post(
                f"/api/v1/sharing/requests/{item.pk}/rate",
                {"rating": 1},
                content_type="application/json",
            ).status_code
            == 404
        )
    # Filing is the service desk's (one request): no second way in here.
    assert (
        viewer_client.post(
            "/api/v1/sharing/requests",
            {"offering_id": emc_offering.pk, "title": "观察员申请"},
            content_type="application/json",
        ).status_code
        == 405
    )
    assert ServiceRequest.objects.count() == 1


# --- finance ------------------------------------------------------------------------


def test_matching_pure_verdicts_and_reasons():
    terms = matching.Terms(
        Decimal("100"),
        Decimal("1000"),
        6,
        36,
        (),
        ("nextgen_it",),
        "srdi_sme",
        Decimal("1000"),
        Decimal("5"),
        ("revenue",),
    )
    firm = matching.FirmFacts(
        "nextgen_it",
        dt.date(2015, 1, 1),
        "srdi_sme",
        2025,
        Decimal("2000"),
        Decimal("200"),
        frozenset({"revenue"}),
    )
    today = dt.date(2026, 6, 1)
    assert (
        matching.match(firm, matching.Need(Decimal("500"), 12), terms, today=today).verdict
        == "eligible"
    )
    near = matching.match(firm, matching.Need(Decimal("1100"), 12), terms, today=today)
    assert near.verdict == "near" and near.reasons[0] == {
        "status": "near",
        "text": "金额 1100 元略高于产品上限 1000 元。",
    }
    low = matching.FirmFacts(
        "automotive", None, "innovative_sme", 2025, Decimal("900"), Decimal("10"), frozenset()
    )
    result = matching.match(low, matching.Need(Decimal("500"), None), terms, today=today)
    assert result.verdict == "not"
    assert [r["status"] for r in result.reasons] == ["ok", "fail", "near", "near", "fail", "near"]


def test_financing_need_matches_products_with_reasons(member_client, member, enterprise, product):
    FigureFactory(
        enterprise=enterprise, year=2025, revenue=Decimal("50000000"), rd_expense=Decimal("3000000")
    )
    r = member_client.post(
        "/api/v1/sharing/needs",
        {"amount": "5000000", "purpose": "购置测试设备", "term_months": 24, "consent": True},
        content_type="application/json",
    )
    assert r.status_code == 201
    need = FinancingNeed.objects.get()
    matches = member_client.get(f"/api/v1/sharing/needs/{need.pk}/matches").json()
    assert [(m["product_name"], m["verdict"]) for m in matches] == [("科创贷", "eligible")]
    texts = [x["text"] for x in matches[0]["reasons"]]
    assert "2025 年营业收入 50000000.00 元，不低于 20000000.00 元。" in texts
    assert "研发投入占比 6.00%，不低于 5.00%。" in texts
    page = member_client.get(f"/sharing/finance/needs/{need.pk}/")
    assert "科创贷" in page.content.decode() and "符合" in page.content.decode()


def test_need_without_consent_is_not_matched(member, product):
    need = services.need_create(
        actor=member, data={"amount": Decimal("5000000"), "purpose": "流动资金", "consent": False}
    )
    assert need.matches.count() == 0
    with pytest.raises(Exception, match="企业未同意"):
        services.need_match(actor=member, need=need)


def test_match_outcome_tracked_by_operator_only(
    member, operator_client, member_client, outsider_client, product
):
    FigureFactory(enterprise=member.enterprise, year=2025)
    need = services.need_create(
        actor=member, data={"amount": Decimal("2000000"), "purpose": "扩产", "consent": True}
    )
    m = need.matches.get()
    url = f"/api/v1/sharing/matches/{m.pk}/outcome"
    assert (
        member_client.post(url, {"outcome": "funded"}, content_type="application/json").status_code
        == 403
    )
    assert (
        outsider_client.post(
            url, {"outcome": "funded"}, content_type="application/json"
        ).status_code
        == 404
    )
    r = operator_client.post(url, {"outcome": "funded"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["fields"] == {"funded_amount": ["请填写放款金额。"]}
    r = operator_client.post(
        url, {"outcome": "funded", "funded_amount": "2000000"}, content_type="application/json"
    )
    assert r.json()["outcome"] == "funded"
    m.refresh_from_db()
    assert (m.outcome, m.funded_amount) == (Match.Outcome.FUNDED, Decimal("2000000.00"))


def test_need_access(member, park, outsider_client, product):
    need = services.need_create(
        actor=member, data={"amount": Decimal("2000000"), "purpose": "扩产", "consent": True}
    )
    neighbour = _client(make_user("neighbour", enterprise=EnterpriseFactory(park=park)))
    for c in (outsider_client, neighbour):
        assert c.get(f"/sharing/finance/needs/{need.pk}/").status_code == 404
        assert c.get(f"/api/v1/sharing/needs/{need.pk}/matches").status_code == 404
        assert c.get("/api/v1/sharing/needs").json()["count"] == 0


def test_firm_tier_adapter_returns_a_tier_or_none(enterprise):
    FigureFactory(enterprise=enterprise, year=2025)
    tier = selectors.firm_tier(enterprise)
    assert tier is None or tier in ("", "innovative_sme", "srdi_sme", "little_giant")


# --- events -------------------------------------------------------------------------


@pytest.fixture
def event(park):
    start = timezone.now() + dt.timedelta(days=7)
    return Event.objects.create(
        park=park,
        title="专精特新路演日",
        kind="roadshow",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=3),
        capacity=2,
    )


def test_event_fills_up_waitlists_promotes_and_checks_in(park, event, operator_client, operator):
    users = [make_user(f"guest{i}", enterprise=EnterpriseFactory(park=park)) for i in range(4)]
    statuses = []
    for u in users:
        r = _client(u).post(f"/api/v1/sharing/events/{event.pk}/register")
        assert r.status_code == 201
        statuses.append(r.json()["status"])
    assert statuses == ["registered", "registered", "waitlisted", "waitlisted"]
    r = _client(users[0]).post(f"/api/v1/sharing/events/{event.pk}/register")
    assert r.status_code == 400 and r.json()["fields"] == {"event": ["您已报名该活动。"]}
    first = Registration.objects.get(user=users[0])
    assert (
        _client(users[0]).post(f"/api/v1/sharing/registrations/{first.pk}/cancel").json()["status"]
        == "cancelled"
    )
    assert Registration.objects.get(user=users[2]).status == "registered"
    assert Registration.objects.get(user=users[3]).status == "waitlisted"
    second = Registration.objects.get(user=users[1])
    assert (
        _client(users[1]).post(f"/api/v1/sharing/registrations/{second.pk}/check-in").status_code
        == 403
    )
    # A week ahead check-in is not open yet; half an hour before the start it is.
    r = operator_client.post(f"/api/v1/sharing/registrations/{second.pk}/check-in")
    assert r.json()["fields"] == {"status": ["签到只在活动开始前 1 小时至活动结束之间开放。"]}
    soon = timezone.now() + dt.timedelta(minutes=30)
    Event.objects.filter(pk=event.pk).update(starts_at=soon, ends_at=soon + dt.timedelta(hours=3))
    r = operator_client.post(f"/api/v1/sharing/registrations/{second.pk}/check-in")
    assert r.status_code == 200 and r.json()["checked_in_at"]
    waiting = Registration.objects.get(user=users[3])
    r = operator_client.post(f"/api/v1/sharing/registrations/{waiting.pk}/check-in")
    assert r.json()["fields"] == {"status": ["只有已报名（非候补）的人员可以签到。"]}
    listing = operator_client.get("/api/v1/sharing/events").json()["items"]
    assert [(e["registered"], e["waitlisted"]) for e in listing] == [(2, 1)]


def test_event_window_holds_for_cancel_promotion_and_check_in(park, event, operator):
    """Issue 14, finding 5: nothing moves 20 days after the event; a checked-in
    registration cannot be cancelled; a promoted person is told."""
    from oasis.notifications.models import Notification

    guests = [make_user(f"g{i}", enterprise=EnterpriseFactory(park=park)) for i in range(4)]
    regs = [services.event_register(actor=u, event=event) for u in guests]
    assert [r.status for r in regs] == ["registered", "registered", "waitlisted", "waitlisted"]
    # Before the start: a cancelled seat goes to the first on the waitlist, who is told.
    services.registration_cancel(actor=guests[0], registration=regs[0])
    regs[2].refresh_from_db()
    assert regs[2].status == "registered"
    note = Notification.objects.get(recipient=guests[2])
    assert note.event == "waitlist_promoted" and "专精特新路演日" in note.subject
    # During the event: check-in works, and a checked-in seat cannot be cancelled.
    during = event.starts_at + dt.timedelta(minutes=10)
    services.registration_check_in(actor=operator, registration=regs[1], now=during)
    with pytest.raises(ValidationError) as exc:
        services.registration_cancel(actor=guests[1], registration=regs[1], now=during)
    assert exc.value.message_dict == {"status": ["已签到的报名不能取消。"]}
    # A seat given up after the start goes to nobody: the event is under way.
    services.registration_cancel(actor=guests[2], registration=regs[2], now=during)
    regs[3].refresh_from_db()
    assert regs[3].status == "waitlisted"
    # Twenty days after: no cancellation, no check-in.
    after = event.ends_at + dt.timedelta(days=20)
    with pytest.raises(ValidationError) as exc:
        services.registration_cancel(actor=guests[3], registration=regs[3], now=after)
    assert exc.value.message_dict == {"status": ["活动已结束，不能再取消报名。"]}
    regs[1].checked_in_at = None
    regs[1].save()
    with pytest.raises(ValidationError):
        services.registration_check_in(actor=operator, registration=regs[1], now=after)
    # Raising the capacity after the start promotes nobody.
    Event.objects.filter(pk=event.pk).update(
        starts_at=timezone.now() - dt.timedelta(hours=1),
        ends_at=timezone.now() + dt.timedelta(hours=1),
    )
    event.refresh_from_db()
    services.event_save(actor=operator, park=park, data={"capacity": 10}, event=event)
    regs[3].refresh_from_db()
    assert regs[3].status == "waitlisted"


def test_event_page_register_and_access(member_client, outsider_client, event):
    r = member_client.post(f"/sharing/events/{event.pk}/", {"action": "register"})
    assert r.status_code == 302
    assert Registration.objects.get().status == "registered"
    assert member_client.get(f"/sharing/events/{event.pk}/").status_code == 200
    assert outsider_client.get(f"/sharing/events/{event.pk}/").status_code == 404
    assert outsider_client.post(f"/api/v1/sharing/events/{event.pk}/register").status_code == 404
    assert Registration.objects.count() == 1


# --- showcase -----------------------------------------------------------------------


def test_showcase_written_by_firm_published_by_park(member_client, operator_client, member, park):
    r = member_client.post(
        "/sharing/showcases/mine/", {"headline": "车规级芯片测试专家", "body": "十年经验"}
    )
    assert r.status_code == 302
    sc = Showcase.objects.get()
    neighbour = _client(make_user("neighbour", enterprise=EnterpriseFactory(park=park)))
    assert neighbour.get(f"/sharing/showcases/{sc.pk}/").status_code == 404
    assert member_client.post(f"/sharing/showcases/{sc.pk}/", {"published": "1"}).status_code == 403
    assert (
        operator_client.post(f"/sharing/showcases/{sc.pk}/", {"published": "1"}).status_code == 302
    )
    assert neighbour.get(f"/sharing/showcases/{sc.pk}/").status_code == 200


# --- utilisation --------------------------------------------------------------------


def test_utilisation_numbers_and_stats_page(
    park, member, room, staff_client, member_client, outsider_client
):
    month = dt.date(2026, 3, 1)
    tz = timezone.get_current_timezone()
    start = dt.datetime(2026, 3, 2, 9, tzinfo=tz)
    Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        start=start,
        end=start + dt.timedelta(hours=3),
    )
    Booking.objects.create(
        resource=room,
        enterprise=member.enterprise,
        booked_by=member,
        start=start + dt.timedelta(hours=4),
        end=start + dt.timedelta(hours=5),
        status="cancelled",
        occupies=False,
    )
    data = selectors.sharing_utilisation(park=park, month=month)
    digital = next(s for s in data["shares"] if s["share"] == "shared_digital")
    # Room open 08:00–22:00 every day: 31 × 14 h.
    assert (
        digital["hours_booked"],
        digital["hours_available"],
        digital["firms_served"],
        digital["revenue"],
    ) == (3.0, 434.0, 1, Decimal("150.00"))
    assert data["resources"][0]["utilisation"] == round(3 / 434, 4)
    r = staff_client.get("/sharing/stats/?month=2026-03")
    assert r.status_code == 200 and "sharing-stats.js" in r.content.decode()
    assert member_client.get("/sharing/stats/").status_code == 404
    assert outsider_client.get(f"/sharing/stats/?park={park.pk}").status_code == 404
    assert outsider_client.get(f"/api/v1/sharing/utilisation?park_id={park.pk}").status_code == 404
    assert (
        staff_client.get("/api/v1/sharing/utilisation?month=2026-03").json()["revenue"] == "150.00"
    )


@pytest.mark.parametrize("resources", [2, 30])
def test_utilisation_query_count_is_fixed(park, member, resources, django_assert_max_num_queries):
    offering = Offering.objects.create(
        park=park, share=Share.MANUFACTURING, name="产线", operator="x", delivery="resource"
    )
    from oasis.sharing.models import Resource

    rs = Resource.objects.bulk_create(
        [Resource(offering=offering, park=park, name=f"L{i}") for i in range(resources)]
    )
    tz = timezone.get_current_timezone()
    Booking.objects.bulk_create(
        [
            Booking(
                resource=r,
                enterprise=member.enterprise,
                booked_by=member,
                start=dt.datetime(2026, 3, 2 + k, 9, tzinfo=tz),
                end=dt.datetime(2026, 3, 2 + k, 10, tzinfo=tz),
            )
            for r in rs
            for k in range(3)
        ]
    )
    with django_assert_max_num_queries(8):
        selectors.sharing_utilisation(park=park, month=dt.date(2026, 3, 1))


# --- every page answers -------------------------------------------------------------------

PAGES = [
    "/sharing/",
    "/sharing/calendar/",
    "/sharing/bookings/",
    "/sharing/statements/",
    "/sharing/finance/",
    "/sharing/events/",
    "/sharing/showcases/",
]


@pytest.mark.parametrize("who", ["staff", "operator", "viewer", "member"])
def test_every_page_renders_for_every_role(request, who, room, park):
    c = _client(request.getfixturevalue(who))
    for url in PAGES + ([] if who == "member" else ["/sharing/stats/"]):
        assert c.get(url).status_code == 200, url


def test_anonymous_is_sent_to_login():
    assert Client().get("/sharing/").status_code == 302
    assert Client().get("/api/v1/sharing/bookings").status_code == 401


def test_api_catalogue(member_client, room, spectrometer):
    data = member_client.get("/api/v1/sharing/catalogue").json()
    assert [s["share"] for s in data] == [
        "shared_digital",
        "shared_manufacturing",
        "shared_technology",
        "shared_finance",
        "shared_brand",
    ]
    assert [o["name"] for o in data[0]["offerings"]] == ["会议室"]
    assert data[2]["offerings"][0]["resources"][0]["training_required"] is True
