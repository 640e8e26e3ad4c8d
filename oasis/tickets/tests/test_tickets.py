import datetime as dt
import io
import json
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from oasis.accounts.tests.factories import logged_in, make_user
from oasis.core.models import AuditEntry
from oasis.core.workcalendar import park_calendar
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.notifications.models import Notification
from oasis.tickets import services as ticket_services
from oasis.tickets.models import Ticket, TicketAttachment, TicketMessage
from oasis.tickets.services import ticket_sla_check
from oasis.tickets.tests.factories import make_ticket

SH = ZoneInfo("Asia/Shanghai")
PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_member_opens_a_ticket_with_a_file(member_client, member, enterprise):
    r = member_client.post(
        "/tickets/new/",
        {
            "category": "property_repair",
            "title": "3楼空调漏水",
            "body": "会议室空调漏水",
            "files": [SimpleUploadedFile("照片.png", PNG, content_type="image/png")],
        },
    )
    ticket = Ticket.objects.get()
    assert r.status_code == 302 and r.url == f"/tickets/{ticket.pk}/"
    assert (
        ticket.enterprise == enterprise and ticket.opened_by == member and ticket.status == "open"
    )
    assert ticket.response_due_at == park_calendar().add_working_hours(ticket.opened_at, 4)
    assert ticket.resolution_due_at == park_calendar().add_working_hours(ticket.opened_at, 16)
    att = TicketAttachment.objects.get()
    assert (
        att.original_name == "照片.png" and att.content_type == "image/png" and att.size == len(PNG)
    )
    assert "照片" not in att.file.name  # stored under a random name
    r = member_client.get(f"/tickets/{ticket.pk}/attachments/{att.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PNG
    assert r["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.get(model="tickets.ticket").actor == member


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (
            SimpleUploadedFile("run.exe", b"MZ..."),
            "文件“run.exe”的类型不允许，仅支持 PDF、PNG、JPG、XLSX、DOCX。",
        ),
        (SimpleUploadedFile("fake.pdf", b"MZ not a pdf"), "文件“fake.pdf”的内容与扩展名不符。"),
        (SimpleUploadedFile("big.pdf", PDF + b"0" * 2048), "文件“big.pdf”超过大小上限（0 MB）。"),
    ],
)
def test_bad_files_are_refused_and_nothing_saved(member_client, settings, upload, message):
    settings.OASIS_UPLOAD_MAX_BYTES = 1024
    r = member_client.post(
        "/tickets/new/", {"category": "other", "title": "t", "body": "b", "files": [upload]}
    )
    assert r.status_code == 400
    assert r.context["form"].errors["files"] == [message]
    assert not Ticket.objects.exists() and not TicketAttachment.objects.exists()
    assert not (settings.MEDIA_ROOT / "tickets").exists()


def test_ticket_bad_input(member_client):
    r = member_client.post("/tickets/new/", {"category": "bogus", "title": "", "body": "b"})
    assert r.status_code == 400
    assert r.context["form"].errors["title"] == ["这个字段是必填项。"]
    assert r.context["form"].errors["category"] == ["选择一个有效的选项。 bogus 不在可用的选项中。"]
    assert not Ticket.objects.exists()


def test_staff_cannot_open_tickets(staff_client):
    assert staff_client.get("/tickets/new/").status_code == 403


def test_full_lifecycle_thread_and_rating(
    member_client, member, staff_client, staff, officer, enterprise
):
    ticket = make_ticket(enterprise, member)
    r = staff_client.post(f"/tickets/{ticket.pk}/assign/", {"assignee": officer.pk})
    assert r.status_code == 302
    ticket.refresh_from_db()
    assert (
        ticket.assignee == officer and ticket.status == "in_progress" and ticket.first_response_at
    )
    oc = logged_in(officer)
    assert oc.post(f"/tickets/{ticket.pk}/", {"body": "请提供营业执照复印件"}).status_code == 302
    r = member_client.post(
        f"/tickets/{ticket.pk}/", {"body": "已上传", "files": [SimpleUploadedFile("执照.pdf", PDF)]}
    )
    assert r.status_code == 302
    assert oc.post(f"/tickets/{ticket.pk}/resolve/", {"body": ""}).status_code == 400
    assert oc.post(f"/tickets/{ticket.pk}/resolve/", {"body": "已协助完成申报"}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "resolved"
    # Staff cannot rate; the member can, once.
    assert staff_client.post(f"/tickets/{ticket.pk}/confirm/", {"rating": 5}).status_code == 403
    r = member_client.post(f"/tickets/{ticket.pk}/confirm/", {"rating": 9})
    assert r.status_code == 400
    assert r.context["confirm_form"].errors["rating"] == [
        "选择一个有效的选项。 9 不在可用的选项中。"
    ]
    assert (
        member_client.post(
            f"/tickets/{ticket.pk}/confirm/", {"rating": 4, "comment": "及时"}
        ).status_code
        == 302
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating, ticket.rating_comment) == ("closed", 4, "及时")
    thread = [(m.kind, m.body) for m in TicketMessage.objects.filter(ticket=ticket)]
    assert thread == [
        ("event", "已受理，处理人：officer"),
        ("reply", "请提供营业执照复印件"),
        ("reply", "已上传"),
        ("reply", "已协助完成申报"),
        ("event", "已标记为已解决，请企业确认并评价。"),
        ("event", "企业已确认解决，评分 4 分。"),
    ]
    r = member_client.post(f"/tickets/{ticket.pk}/", {"body": "再问一下"})
    assert r.status_code == 400
    assert r.context["reply_form"].errors["body"] == ["工单已关闭，不能再回复。"]


def test_platform_events_read_in_each_readers_language(member_client, member, staff, enterprise):
    """Whoever's action wrote an event, each reader sees it in their own language; the
    stored text (API, exports) is in the default language."""
    ticket = make_ticket(enterprise, member)
    english_staff = logged_in(staff)
    english_staff.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = english_staff.post(f"/tickets/{ticket.pk}/assign/", {"assignee": staff.pk})
    assert r.status_code == 302
    assert TicketMessage.objects.get(ticket=ticket, kind="event").body == "已受理，处理人：staff"
    assert (
        "Accepted; handled by staff" in english_staff.get(f"/tickets/{ticket.pk}/").content.decode()
    )
    assert "已受理，处理人：staff" in member_client.get(f"/tickets/{ticket.pk}/").content.decode()


def test_member_reopens_a_resolved_ticket(member_client, member, enterprise):
    ticket = make_ticket(enterprise, member, status="resolved", resolved_at=timezone.now())
    assert (
        member_client.post(f"/tickets/{ticket.pk}/reopen/", {"body": "仍在漏水"}).status_code == 302
    )
    ticket.refresh_from_db()
    assert ticket.status == "in_progress" and ticket.resolved_at is None


def test_assign_only_to_handlers_of_the_park(staff_client, member, enterprise, viewer, outsider):
    ticket = make_ticket(enterprise, member)
    for user in (viewer, outsider, member):
        r = staff_client.post(f"/tickets/{ticket.pk}/assign/", {"assignee": user.pk})
        assert r.status_code == 400
    ticket.refresh_from_db()
    assert ticket.assignee is None and ticket.status == "open"


def test_viewer_reads_but_cannot_handle(viewer_client, member, enterprise):
    ticket = make_ticket(enterprise, member)
    assert viewer_client.get(f"/tickets/{ticket.pk}/").status_code == 200
    assert viewer_client.post(f"/tickets/{ticket.pk}/", {"body": "x"}).status_code == 403
    assert viewer_client.post(f"/tickets/{ticket.pk}/resolve/", {"body": "x"}).status_code == 403
    r = viewer_client.post(
        f"/api/v1/tickets/{ticket.pk}/resolve",
        json.dumps({"body": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json() == {"detail": "没有处理该工单的权限。", "fields": {}}
    assert not TicketMessage.objects.exists()


def test_outsider_and_other_firm_see_nothing(outsider_client, member, enterprise, park):
    ticket = make_ticket(enterprise, member)
    neighbour = make_user("neighbour", enterprise=EnterpriseFactory(park=park))
    for c in (outsider_client, logged_in(neighbour)):
        assert c.get(f"/tickets/{ticket.pk}/").status_code == 404
        assert c.post(f"/tickets/{ticket.pk}/resolve/", {"body": "x"}).status_code == 404
        assert c.get(f"/api/v1/tickets/{ticket.pk}").status_code == 404
        assert c.get("/api/v1/tickets/").json()["count"] == 0
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_sla_breach_and_escalation_is_idempotent(member, enterprise, staff):
    # Monday 2026-11-23 09:00; 30 calendar hours later (Tuesday 15:00) is 13 working
    # hours: past the 8-hour response target of a policy question.
    opened = dt.datetime(2026, 11, 23, 9, tzinfo=SH)
    now = opened + dt.timedelta(hours=30)
    late = make_ticket(enterprise, member, category="policy", opened_at=opened)
    answered = make_ticket(
        enterprise,
        member,
        category="policy",
        opened_at=opened,
        first_response_at=opened,
        status="in_progress",
    )
    fresh = make_ticket(enterprise, member, category="policy", opened_at=now)
    counts = {"response": 1, "resolution": 0, "escalated": 1, "warned": 0}
    assert ticket_sla_check(now=now) == counts
    with mock.patch("oasis.tickets.services.timezone.now", return_value=now):
        out = io.StringIO()
        call_command("tickets-sla", stdout=out)
    assert out.getvalue().strip() == "response=0 resolution=0 escalated=0 warned=0"
    late.refresh_from_db()
    answered.refresh_from_db()
    fresh.refresh_from_db()
    assert late.response_breached and late.escalated_at and not late.resolution_breached
    for t in (answered, fresh):
        assert not t.response_late_at(now) and not t.resolution_late_at(now)
    assert TicketMessage.objects.filter(ticket=late, kind="event").count() == 1
    # The escalation reached the park's administrator.
    assert Notification.objects.filter(recipient=staff, event="request_escalated").count() == 1
    # 40 working hours from Monday 09:00 ends Friday 18:00; from Tuesday 15:00 it ends
    # the next Tuesday 15:00. On Wednesday 12-02 all three are late: flagged once more.
    assert ticket_sla_check(now=dt.datetime(2026, 12, 2, 10, tzinfo=SH)) == {
        "response": 1,
        "resolution": 3,
        "escalated": 2,
        "warned": 0,
    }


def test_api_open_reply_and_list(member_client, staff_client, enterprise):
    r = member_client.post(
        "/api/v1/tickets/",
        json.dumps({"category": "talent", "title": "人才公寓申请", "body": "如何申请？"}),
        content_type="application/json",
    )
    assert r.status_code == 201
    tid = r.json()["id"]
    r = member_client.post(
        "/api/v1/tickets/",
        json.dumps({"category": "nope", "title": "", "body": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and set(r.json()["fields"]) == {"category", "title"}
    r = staff_client.post(
        f"/api/v1/tickets/{tid}/replies",
        json.dumps({"body": "请提交材料"}),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "in_progress"
    assert [m["body"] for m in r.json()["messages"]] == ["请提交材料"]
    assert member_client.get("/api/v1/tickets/").json()["count"] == 1
    r = staff_client.post(
        f"/api/v1/tickets/{tid}/assign",
        json.dumps({"assignee_id": 99999}),
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["fields"] == {
        "assignee_id": ["该用户不能处理本园区的工单。"]
    }


@pytest.mark.parametrize("rows", [10, 200])
def test_ticket_lists_do_not_grow_with_rows(
    staff_client, member_client, member, enterprise, staff, rows, django_assert_max_num_queries
):
    for i in range(rows):
        t = make_ticket(enterprise, member, title=f"工单{i}", assignee=staff if i % 2 else None)
        TicketMessage.objects.create(
            ticket=t, author=staff, from_staff=True, body="ok", created_at=timezone.now()
        )
    for c in (staff_client, member_client):
        with django_assert_max_num_queries(10):
            r = c.get("/tickets/")
        assert r.status_code == 200 and r.context["page"].paginator.count == rows
        with django_assert_max_num_queries(8):
            assert c.get("/api/v1/tickets/?limit=100").json()["count"] == rows


# --- issue 14, finding 3: lateness when read, recorded at the moment, working days ---


def test_a_ticket_past_its_deadline_is_late_before_any_job_runs(member, enterprise, staff):
    opened = timezone.now() - dt.timedelta(days=25)
    late = make_ticket(enterprise, member, category="policy", opened_at=opened, title="逾期很久")
    make_ticket(enterprise, member, category="policy", title="刚提交")
    c = logged_in(staff)
    page = c.get("/tickets/?breached=1").content.decode()
    assert "逾期很久" in page and "刚提交" not in page
    detail = c.get(f"/tickets/{late.pk}/").content.decode()
    assert "响应超时" in detail and "解决超时" in detail and "已超时" in detail
    r = c.get(f"/api/v1/tickets/{late.pk}")
    assert r.json()["late"] is True and r.json()["working_hours_left"] < 0
    late.refresh_from_db()
    assert not late.response_breached  # nothing was written by reading


def test_a_late_reply_and_a_late_resolution_are_recorded_when_they_happen(
    member, enterprise, staff
):
    opened = dt.datetime(2026, 11, 23, 9, tzinfo=SH)  # Monday; policy: 8 h / 40 h
    ticket = make_ticket(enterprise, member, category="policy", opened_at=opened)
    # Tuesday 10:00 = 9 working hours later: the first answer is an hour late.
    ticket_services.ticket_reply(
        actor=staff, ticket=ticket, body="已收到", now=dt.datetime(2026, 11, 24, 10, tzinfo=SH)
    )
    ticket.refresh_from_db()
    assert ticket.response_breached and not ticket.resolution_breached
    events = [m.body for m in ticket.messages.filter(kind="event")]
    assert events == ["首次响应晚于时限（时限 2026-11-23 18:00）。"]
    # Resolved the next Monday: the 40 working hours ended Friday 18:00.
    ticket_services.ticket_resolve(
        actor=staff, ticket=ticket, body="已办结", now=dt.datetime(2026, 11, 30, 10, tzinfo=SH)
    )
    ticket.refresh_from_db()
    assert ticket.resolution_breached
    assert ticket.messages.filter(body="解决晚于时限（时限 2026-11-27 18:00）。").exists()


def test_reopening_starts_a_new_deadline_in_working_hours(member, enterprise, staff):
    opened = dt.datetime(2026, 11, 23, 9, tzinfo=SH)
    ticket = make_ticket(enterprise, member, category="property_repair", opened_at=opened)
    ticket_services.ticket_resolve(
        actor=staff, ticket=ticket, body="已修复", now=dt.datetime(2026, 11, 23, 11, tzinfo=SH)
    )
    # Reopened on Friday 16:00: 16 working hours → 2 h Friday, 8 h Monday, 6 h Tuesday
    # (09-12, 13-16) → Tuesday 2026-12-01 16:00.
    ticket_services.ticket_reopen(
        actor=member, ticket=ticket, body="又漏了", now=dt.datetime(2026, 11, 27, 16, tzinfo=SH)
    )
    ticket.refresh_from_db()
    assert ticket.status == "in_progress"
    assert ticket.resolution_due_at == dt.datetime(2026, 12, 1, 16, tzinfo=SH)
    assert not ticket.resolution_breached


def test_deadlines_skip_the_spring_festival(member_client, enterprise):
    filed = dt.datetime(2026, 2, 13, 16, tzinfo=SH)  # Friday before 春节
    with mock.patch("oasis.tickets.services.timezone.now", return_value=filed):
        member_client.post(
            "/tickets/new/", {"category": "property_repair", "title": "水管", "body": "漏水"}
        )
    ticket = Ticket.objects.get()
    # 4 h: 2 h Friday, 2 h Saturday 2-14 (调休 working day) → 11:00.
    assert ticket.response_due_at == dt.datetime(2026, 2, 14, 11, tzinfo=SH)
    # 16 h: 2 + 8 (Saturday) then 2-15..2-23 off → Tuesday 2-24 16:00.
    assert ticket.resolution_due_at == dt.datetime(2026, 2, 24, 16, tzinfo=SH)


def test_people_are_told_about_new_tickets_replies_and_near_deadlines(
    member_client, member, enterprise, staff, officer
):
    member_client.post("/tickets/new/", {"category": "policy", "title": "政策", "body": "?"})
    ticket = Ticket.objects.get()
    told = set(Notification.objects.filter(event="request_new").values_list("recipient", flat=True))
    assert {staff.pk, officer.pk} <= told and member.pk not in told
    ticket_services.ticket_reply(actor=officer, ticket=ticket, body="请提供营业执照")
    note = Notification.objects.get(recipient=member, event="request_reply")
    assert "政策" in note.subject and "请提供营业执照" in note.body
    assert note.link == f"/tickets/{ticket.pk}/"
    # Two working hours before the resolution deadline the handler is warned, once.
    near = park_calendar().add_working_hours(timezone.now(), 0)  # next working moment
    ticket.resolution_due_at = park_calendar().add_working_hours(near, 2)
    ticket.save()
    assert ticket_sla_check(now=near)["warned"] == 1
    assert ticket_sla_check(now=near)["warned"] == 0
    warned = Notification.objects.filter(event="request_deadline")
    assert {n.recipient_id for n in warned} == {staff.pk, officer.pk}
    assert "剩余 2.0 个工作小时" in warned[0].body
