import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command

from oasis.accounts.tests.factories import make_user
from oasis.core.models import AuditEntry
from oasis.enterprises.models import AnnualFigure
from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory
from oasis.portal.models import Campaign, PeriodFigure, Report, ReportReminder
from oasis.portal.services import campaign_reminders_send

from .factories import VALUES, form_values, make_campaign, make_report

# --- landing ---------------------------------------------------------------------------


def test_member_lands_on_the_portal(member_client, enterprise, park):
    campaign = make_campaign(park)
    r = member_client.get("/portal/")
    assert r.status_code == 200
    body = r.content.decode()
    assert enterprise.name in body
    assert campaign.title in body
    # Member-editable fields are marked; park-only ones say who keeps them.
    profile = {row["name"]: row["editable"] for row in r.context["profile"]}
    assert profile["website"] is True and profile["name"] is False and profile["uscc"] is False
    assert "由园区维护" in body and "可自行修改" in body


def test_home_sends_members_to_the_portal_and_staff_to_the_campaigns(
    member_client, staff_client, outsider_client
):
    assert member_client.get("/").url == "/portal/"
    assert staff_client.get("/portal/").url == "/portal/campaigns/"


def test_portal_for_a_user_without_role_is_403(db):
    from django.test import Client

    c = Client()
    c.force_login(make_user("nobody"))
    assert c.get("/portal/").status_code == 403
    assert c.get("/tickets/").status_code == 403


# --- filling a report ------------------------------------------------------------------


def test_member_saves_a_draft_then_submits(member_client, member, park, enterprise):
    campaign = make_campaign(park)
    r = member_client.post(
        f"/portal/campaigns/{campaign.pk}/report/", {**form_values(revenue=""), "action": "draft"}
    )
    assert r.status_code == 302
    report = Report.objects.get(campaign=campaign, enterprise=enterprise)
    assert report.status == "draft" and report.revenue is None
    # Submitting needs every figure the campaign asks for.
    r = member_client.post(
        f"/portal/campaigns/{campaign.pk}/report/", {**form_values(revenue=""), "action": "submit"}
    )
    assert r.status_code == 400
    assert r.context["form"].errors["revenue"] == ["提交前请填写此项。"]
    r = member_client.post(
        f"/portal/campaigns/{campaign.pk}/report/", {**form_values(), "action": "submit"}
    )
    report.refresh_from_db()
    assert r.status_code == 302 and r.url == f"/portal/reports/{report.pk}/"
    assert report.status == "submitted" and report.submitted_by == member and report.flags == []
    assert report.revenue == Decimal("12000000.00")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("revenue", "abc", "输入一个数字。"),
        ("revenue", "-5", "确保该值大于或等于0。"),
        ("headcount", "3.5", "输入整数。"),
    ],
)
def test_bad_figures_are_refused_and_nothing_saved(member_client, park, field, value, message):
    campaign = make_campaign(park)
    r = member_client.post(
        f"/portal/campaigns/{campaign.pk}/report/",
        {**form_values(**{field: value}), "action": "submit"},
    )
    assert r.status_code == 400
    assert r.context["form"].errors[field] == [message]
    assert not Report.objects.exists()


def test_implausible_jump_asks_for_a_reason_then_accepts_it(member_client, park, enterprise):
    last_year = make_campaign(park, year=2025, title="2025Q3")
    PeriodFigure.objects.create(
        enterprise=enterprise,
        kind="quarterly",
        year=2025,
        period=3,
        revenue=Decimal("4000000"),
        headcount=78,
    )
    assert last_year  # the figure, not the campaign, is what the check reads
    campaign = make_campaign(park)
    url = f"/portal/campaigns/{campaign.pk}/report/"
    r = member_client.post(url, {**form_values(), "action": "submit"})
    assert r.status_code == 400
    errors = r.context["form"].errors["explanation"]
    assert errors == [
        "以下数据可能有误，请核对；如确认无误，请说明原因后再提交：",
        "营业收入同比变化 +200.0%（上年同期 4,000,000），超过 50%。",
    ]
    assert [f["code"] for f in r.context["flags"]] == ["yoy_jump"]
    assert not Report.objects.exists()
    r = member_client.post(
        url, {**form_values(), "explanation": "新产线三季度投产，订单翻倍。", "action": "submit"}
    )
    assert r.status_code == 302
    report = Report.objects.get()
    assert report.status == "submitted" and report.explanation == "新产线三季度投产，订单翻倍。"
    assert [f["field"] for f in report.flags] == ["revenue"]


def test_rd_above_revenue_is_flagged(member_client, park):
    campaign = make_campaign(park)
    r = member_client.post(
        f"/portal/campaigns/{campaign.pk}/report/",
        {**form_values(rd_expense="20000000"), "action": "submit"},
    )
    assert r.status_code == 400
    assert "研发费用高于营业收入。" in r.context["form"].errors["explanation"]


def test_submitted_report_is_locked_for_the_member(member_client, park, enterprise):
    campaign = make_campaign(park)
    report = make_report(campaign, enterprise)
    r = member_client.get(f"/portal/campaigns/{campaign.pk}/report/")
    assert r.url == f"/portal/reports/{report.pk}/"
    r = member_client.put(
        f"/api/v1/portal/campaigns/{campaign.pk}/report",
        json.dumps({"revenue": 1}),
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json() == {
        "detail": "Invalid input.",
        "fields": {"__all__": ["报表已提交，不能再修改。"]},
    }
    report.refresh_from_db()
    assert report.revenue == VALUES["revenue"]


def test_impossible_figures_are_errors_not_flags(member_client, park):
    campaign = make_campaign(park)
    r = member_client.post(
        f"/portal/campaigns/{campaign.pk}/report/",
        {**form_values(main_business_revenue="13000000"), "action": "draft"},
    )
    assert r.status_code == 400
    assert r.context["form"].errors["main_business_revenue"] == ["主营业务收入不能大于营业收入。"]
    assert not Report.objects.exists()


def test_closed_campaign_refuses_reports(member_client, park):
    campaign = make_campaign(park, status=Campaign.Status.CLOSED)
    r = member_client.post(
        f"/portal/campaigns/{campaign.pk}/report/", {**form_values(), "action": "submit"}
    )
    assert r.status_code == 400
    assert r.context["form"].non_field_errors() == ["该填报任务已结束。"]


# --- review ----------------------------------------------------------------------------


def test_staff_return_with_comment_then_member_fixes_and_staff_accepts_quarterly(
    staff_client, member_client, officer, park, enterprise
):
    campaign = make_campaign(park)
    report = make_report(campaign, enterprise)
    r = staff_client.post(f"/portal/reports/{report.pk}/return/", {"comment": ""})
    assert r.status_code == 400
    assert r.context["review_form"].errors["comment"] == ["退回时请填写审核意见。"]
    r = staff_client.post(
        f"/portal/reports/{report.pk}/return/", {"comment": "纳税额与税务系统不一致"}
    )
    assert r.status_code == 302
    report.refresh_from_db()
    assert report.status == "returned"
    assert (
        "纳税额与税务系统不一致"
        in member_client.get(f"/portal/campaigns/{campaign.pk}/report/").content.decode()
    )
    r = member_client.post(
        f"/portal/campaigns/{campaign.pk}/report/",
        {**form_values(tax_paid="520000"), "action": "submit"},
    )
    assert r.status_code == 302
    from django.test import Client

    c = Client()
    c.force_login(officer)
    assert c.post(f"/portal/reports/{report.pk}/accept/", {"comment": ""}).status_code == 302
    report.refresh_from_db()
    assert report.status == "accepted" and report.reviewed_by == officer
    figure = PeriodFigure.objects.get(enterprise=enterprise, kind="quarterly", year=2026, period=3)
    assert figure.tax_paid == Decimal("520000.00") and figure.report == report
    assert (
        AuditEntry.objects.filter(
            model="portal.periodfigure", object_id=str(figure.pk), actor=officer
        ).count()
        == 1
    )
    # Quarterly figures never touch the annual, official ones the dashboard sums.
    assert not AnnualFigure.objects.exists()
    assert "2026 Q3" in member_client.get("/portal/").content.decode()


def test_accepting_an_annual_report_writes_the_official_figures_with_history(
    staff_client, staff, park, enterprise
):
    FigureFactory(
        enterprise=enterprise,
        year=2025,
        revenue=Decimal("10000000"),
        output_value=Decimal("9000000"),
        main_business_revenue=Decimal("9000000"),
    )
    campaign = make_campaign(
        park,
        kind="annual",
        year=2025,
        period=0,
        title="2025年度数据",
        fields=["revenue", "output_value", "new_ip"],
    )
    report = make_report(
        campaign, enterprise, revenue=Decimal("11000000"), output_value=Decimal("9500000"), new_ip=3
    )
    before = AnnualFigure.objects.get(enterprise=enterprise, year=2025)
    r = staff_client.post(f"/portal/reports/{report.pk}/accept/")
    assert r.status_code == 302, r.context["review_form"].errors
    figure = AnnualFigure.objects.get(enterprise=enterprise, year=2025)
    assert figure.revenue == Decimal("11000000.00") and figure.output_value == Decimal("9500000.00")
    assert figure.headcount == before.headcount  # not asked, kept
    entry = AuditEntry.objects.get(model="enterprises.annualfigure", object_id=str(figure.pk))
    assert entry.actor == staff
    assert entry.changes["revenue"] == ["10000000.00", "11000000.00"]


def test_the_dashboard_counts_annual_figures_only_once_accepted(
    staff_client, member_client, park, enterprise
):
    campaign = make_campaign(
        park, kind="annual", year=2025, period=0, title="2025年度数据", fields=["output_value"]
    )
    r = member_client.put(
        f"/api/v1/portal/campaigns/{campaign.pk}/report",
        json.dumps({"output_value": "88000000", "submit": True}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "submitted"
    assert not AnnualFigure.objects.exists()
    report_id = r.json()["id"]
    r = staff_client.post(
        f"/api/v1/portal/reports/{report_id}/accept",
        json.dumps({}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    fig = staff_client.get(f"/dashboard/?park={park.pk}&year=2025").context["fig"]
    assert fig.totals.output_value == Decimal("88000000.00")


def test_viewer_and_outsider_cannot_review(viewer_client, outsider_client, park, enterprise):
    report = make_report(make_campaign(park), enterprise)
    assert viewer_client.get(f"/portal/reports/{report.pk}/").status_code == 200
    assert viewer_client.post(f"/portal/reports/{report.pk}/accept/").status_code == 403
    assert outsider_client.post(f"/portal/reports/{report.pk}/accept/").status_code == 404
    r = viewer_client.post(
        f"/api/v1/portal/reports/{report.pk}/accept",
        json.dumps({}),
        content_type="application/json",
    )
    assert r.status_code == 403
    assert r.json() == {"detail": "没有审核该填报的权限。", "fields": {}}
    report.refresh_from_db()
    assert report.status == "submitted"


def test_staff_cannot_fill_a_report(staff_client, park):
    campaign = make_campaign(park)
    assert staff_client.get(f"/portal/campaigns/{campaign.pk}/report/").status_code == 403


# --- campaigns, progress, late list, reminders ------------------------------------------


def test_staff_creates_a_campaign(staff_client, park, staff):
    r = staff_client.post(
        "/portal/campaigns/new/",
        {
            "park": park.pk,
            "title": "2026年10月月报",
            "kind": "monthly",
            "year": 2026,
            "period": 10,
            "fields": ["revenue", "headcount"],
            "opens_on": "2026-11-01",
            "due_on": "2026-11-10",
            "remind_days_before": 3,
            "jump_threshold": "50",
            "instructions": "",
            "status": "open",
        },
    )
    campaign = Campaign.objects.get()
    assert r.status_code == 302 and r.url == f"/portal/campaigns/{campaign.pk}/"
    assert campaign.fields == ["revenue", "headcount"] and campaign.created_by == staff


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"period": 5}, "__all__", "期数与周期不符（季度 1–4，月份 1–12，年报为 0）。"),
        ({"due_on": "2026-09-01"}, "__all__", "截止日期不能早于开始日期。"),
        ({"fields": []}, "fields", "这个字段是必填项。"),
    ],
)
def test_campaign_bad_input(staff_client, park, over, field, message):
    data = {
        "park": park.pk,
        "title": "Q",
        "kind": "quarterly",
        "year": 2026,
        "period": 3,
        "fields": ["revenue"],
        "opens_on": "2026-10-01",
        "due_on": "2026-10-25",
        "remind_days_before": 3,
        "jump_threshold": "50",
        "status": "open",
    }
    data.update(over)
    r = staff_client.post("/portal/campaigns/new/", data)
    assert r.status_code == 400
    form = r.context["form"]
    errors = form.non_field_errors() if field == "__all__" else form.errors[field]
    assert message in errors
    assert not Campaign.objects.exists()


def test_member_and_viewer_cannot_create_campaigns(member_client, viewer_client):
    assert member_client.get("/portal/campaigns/new/").status_code == 403
    assert viewer_client.get("/portal/campaigns/new/").status_code == 403


def test_completion_rate_and_late_list(staff_client, park, enterprise, settings):
    firms = [enterprise, *EnterpriseFactory.create_batch(3, park=park)]
    EnterpriseFactory(park=park, status="prospect")  # not expected to report
    campaign = make_campaign(park, due_on=dt.date(2020, 1, 31), opens_on=dt.date(2020, 1, 1))
    make_report(campaign, firms[0], status="accepted")
    make_report(campaign, firms[1], status="submitted")
    make_report(campaign, firms[2], status="returned")
    r = staff_client.get(f"/portal/campaigns/{campaign.pk}/")
    progress = r.context["progress"]
    assert (
        progress.expected == 4
        and progress.submitted == 2
        and progress.completion_pct == Decimal("50.0")
    )
    assert sorted(row.enterprise.pk for row in progress.late) == sorted([firms[2].pk, firms[3].pk])
    # ?late=1 shows only the late firms; a junk value shows them all, never an error.
    late_only = staff_client.get(f"/portal/campaigns/{campaign.pk}/", {"late": "1"})
    assert late_only.context["only_late"] is True and firms[0].name not in late_only.text
    assert firms[2].name in late_only.text
    junk = staff_client.get(f"/portal/campaigns/{campaign.pk}/", {"late": "abc"})
    assert junk.status_code == 200 and junk.context["only_late"] is False
    row = next(
        c for c in staff_client.get("/portal/campaigns/").context["page"] if c.pk == campaign.pk
    )
    assert (row.expected, row.n_submitted, row.n_accepted, row.n_returned) == (4, 1, 1, 1)


def test_reminders_are_idempotent(park, enterprise, member):
    from django.core import mail

    member.email = "m@example.cn"
    member.save()
    other = EnterpriseFactory(park=park)
    campaign = make_campaign(park, opens_on=dt.date(2026, 10, 1), due_on=dt.date(2026, 10, 25))
    make_report(campaign, other)  # done: no reminder
    nothing = {"due_soon": 0, "overdue": 0, "emailed": 0, "unreached": 0}
    assert campaign_reminders_send(today=dt.date(2026, 10, 10)) == nothing
    counts = campaign_reminders_send(today=dt.date(2026, 10, 23))
    assert counts == {"due_soon": 1, "overdue": 0, "emailed": 1, "unreached": 0}
    assert campaign_reminders_send(today=dt.date(2026, 10, 23)) == nothing
    assert campaign_reminders_send(today=dt.date(2026, 10, 24)) == nothing
    call_command("portal-reminders", "--date", "2026-10-26", stdout=io.StringIO())
    call_command("portal-reminders", "--date", "2026-10-27", stdout=io.StringIO())
    assert list(ReportReminder.objects.order_by("kind").values_list("enterprise_id", "kind")) == [
        (enterprise.pk, "due_soon"),
        (enterprise.pk, "overdue"),
    ]
    assert mail.outbox == []  # mail goes out on commit; this test's transaction never commits


def test_reminder_counts_say_who_was_actually_reached(park, enterprise, member, committed):
    """Issue 14: a firm nobody can be told about is not counted as reminded."""
    from django.core import mail

    from oasis.notifications.models import Notification

    member.email = "m@example.cn"
    member.save()
    no_email = EnterpriseFactory(park=park)
    make_user("quiet", enterprise=no_email)  # an account, no address: inbox only
    nobody = EnterpriseFactory(park=park)  # no account at all
    make_campaign(park, opens_on=dt.date(2026, 10, 1), due_on=dt.date(2026, 10, 25))
    with committed():
        counts = campaign_reminders_send(today=dt.date(2026, 10, 23))
    assert counts == {"due_soon": 2, "overdue": 0, "emailed": 1, "unreached": 1}
    reminded = set(ReportReminder.objects.values_list("enterprise_id", flat=True))
    assert reminded == {enterprise.pk, no_email.pk} and nobody.pk not in reminded
    assert Notification.objects.filter(event="report_due").count() == 2
    assert [m.to for m in mail.outbox] == [["m@example.cn"]]


# --- query ceilings ----------------------------------------------------------------------


@pytest.mark.parametrize("rows", [10, 200])
def test_campaign_pages_do_not_grow_with_rows(
    staff_client, park, rows, django_assert_max_num_queries
):
    firms = EnterpriseFactory.create_batch(rows, park=park)
    campaigns = [
        make_campaign(park, year=2000 + i % 50, period=1 + i // 50) for i in range(min(rows, 30))
    ]
    for f in firms:
        make_report(campaigns[0], f)
    with django_assert_max_num_queries(10):
        assert staff_client.get("/portal/campaigns/").status_code == 200
    with django_assert_max_num_queries(10):
        assert staff_client.get(f"/portal/campaigns/{campaigns[0].pk}/").status_code == 200
    with django_assert_max_num_queries(10):
        assert staff_client.get("/portal/reports/review/").status_code == 200
    with django_assert_max_num_queries(8):
        r = staff_client.get("/api/v1/portal/reports?limit=100")
    assert r.json()["count"] == rows


def test_report_list_filters(member_client, staff_client, park, enterprise):
    campaign = make_campaign(
        park, kind="annual", year=2025, period=0, title="2025年度数据", fields=["output_value"]
    )
    member_client.put(
        f"/api/v1/portal/campaigns/{campaign.pk}/report",
        json.dumps({"output_value": "1", "submit": True}),
        content_type="application/json",
    )
    api = "/api/v1/portal/reports"
    assert staff_client.get(api, {"status": "submitted"}).json()["count"] == 1
    assert staff_client.get(api, {"status": "accepted"}).json()["count"] == 0
    assert staff_client.get(api, {"status": "", "campaign_id": campaign.pk}).json()["count"] == 1
    assert staff_client.get(api, {"campaign_id": campaign.pk + 1}).json()["count"] == 0
    r = staff_client.get(api, {"status": "bogus"})
    assert r.status_code == 400 and r.json()["fields"] == {"status": ["未知的状态。"]}


def test_a_returned_report_tells_the_person_who_submitted_it(park, enterprise, member, staff):
    from oasis.notifications.models import Notification
    from oasis.portal.services import report_return

    campaign = make_campaign(park)
    report = make_report(campaign, enterprise, status="submitted")
    report.submitted_by = member
    report.save()
    report_return(actor=staff, report=report, comment="研发费用请附明细")
    note = Notification.objects.get(recipient=member)
    assert note.event == "report_returned" and campaign.title in note.subject
    assert "研发费用请附明细" in note.body
    assert note.link == f"/portal/campaigns/{campaign.pk}/report/"
