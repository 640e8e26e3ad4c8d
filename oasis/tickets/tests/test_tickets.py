import datetime as dt
import io
import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from oasis.accounts.tests.factories import make_user
from oasis.core.models import AuditEntry
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.tickets.models import Ticket, TicketAttachment, TicketMessage
from oasis.tickets.services import ticket_sla_check
from oasis.tickets.tests.factories import make_ticket

PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


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
    assert ticket.response_due_at - ticket.opened_at == dt.timedelta(hours=4)
    assert ticket.resolution_due_at - ticket.opened_at == dt.timedelta(hours=48)
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
    oc = _client(officer)
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
    english_staff = _client(staff)
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
    for c in (outsider_client, _client(neighbour)):
        assert c.get(f"/tickets/{ticket.pk}/").status_code == 404
        assert c.post(f"/tickets/{ticket.pk}/resolve/", {"body": "x"}).status_code == 404
        assert c.get(f"/api/v1/tickets/{ticket.pk}").status_code == 404
        assert c.get("/api/v1/tickets/").json()["count"] == 0
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_sla_breach_and_escalation_is_idempotent(member, enterprise):
    opened = timezone.now() - dt.timedelta(hours=30)
    late = make_ticket(enterprise, member, category="policy", opened_at=opened)  # 24h response
    answered = make_ticket(
        enterprise,
        member,
        category="policy",
        opened_at=opened,
        first_response_at=opened,
        status="in_progress",
    )
    fresh = make_ticket(enterprise, member, category="policy")
    assert ticket_sla_check() == {"response": 1, "resolution": 0, "escalated": 1}
    out = io.StringIO()
    call_command("tickets-sla", stdout=out)
    assert out.getvalue().strip() == "response=0 resolution=0 escalated=0"
    late.refresh_from_db()
    answered.refresh_from_db()
    fresh.refresh_from_db()
    assert late.response_breached and late.escalated_at and not late.resolution_breached
    assert not answered.is_breached and not fresh.is_breached
    assert TicketMessage.objects.filter(ticket=late, kind="event").count() == 1
    # Later the resolution deadline passes too: flagged once more, escalated already.
    assert ticket_sla_check(now=timezone.now() + dt.timedelta(days=5)) == {
        "response": 1,
        "resolution": 3,
        "escalated": 2,
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
