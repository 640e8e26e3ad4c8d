import json

import pytest
from django.test import Client
from django.utils import timezone

from oasis.accounts.models import User
from oasis.accounts.tests.factories import logged_in, make_user
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.parks.tests.factories import BuildingFactory, FloorFactory, UnitFactory
from oasis.portal.models import Notice, NoticeRead

from .factories import make_notice

# --- notices -----------------------------------------------------------------------------


def test_staff_publish_to_an_audience_and_members_see_unread(
    staff_client, member_client, member, park, enterprise
):
    building = BuildingFactory(park=park)
    unit = UnitFactory(floor=FloorFactory(building=building, number=1), building=building)
    enterprise.units.add(unit)
    r = staff_client.post(
        "/portal/notices/new/",
        {"title": "本楼停电通知", "body": "周六停电", "audience_building": building.pk},
    )
    notice = Notice.objects.get()
    assert r.status_code == 302 and r.url == f"/portal/notices/{notice.pk}/"
    make_notice(
        park, title="新能源企业专场", audience_industry="new_energy"
    )  # member's firm is nextgen_it
    other_building = BuildingFactory(park=park)
    make_notice(park, title="别的楼", audience_building=other_building)
    titles = [n.title for n in member_client.get("/portal/notices/").context["page"]]
    assert titles == ["本楼停电通知"]
    home = member_client.get("/portal/")
    assert home.context["unread"] == 1
    assert member_client.get(f"/portal/notices/{notice.pk}/").status_code == 200
    assert member_client.get(f"/portal/notices/{notice.pk}/").status_code == 200  # once only
    assert NoticeRead.objects.filter(notice=notice, user=member).count() == 1
    assert member_client.get("/portal/").context["unread"] == 0
    # Staff see who read it, firm by firm.
    neighbour = EnterpriseFactory(park=park)
    neighbour.units.add(unit)
    receipts = staff_client.get(f"/portal/notices/{notice.pk}/").context["receipts"]
    assert {row.enterprise.pk: [x.user for x in row.readers] for row in receipts} == {
        enterprise.pk: [member],
        neighbour.pk: [],
    }
    assert not NoticeRead.objects.exclude(user=member).exists()  # staff reading leaves no receipt


def test_member_cannot_open_a_notice_not_meant_for_them(member_client, park):
    notice = make_notice(park, audience_industry="new_energy")
    assert member_client.get(f"/portal/notices/{notice.pk}/").status_code == 404
    assert member_client.get(f"/api/v1/portal/notices/{notice.pk}").status_code == 404
    assert not NoticeRead.objects.exists()


def test_future_notice_is_not_shown_yet(member_client, park):
    make_notice(park, published_at=timezone.now() + timezone.timedelta(days=1))
    assert member_client.get("/api/v1/portal/notices").json()["count"] == 0


def test_notice_bad_input_and_access(
    staff_client, member_client, viewer_client, outsider_client, park
):
    r = staff_client.post("/portal/notices/new/", {"title": "", "body": "x"})
    assert r.status_code == 400 and r.context["form"].errors["title"] == ["这个字段是必填项。"]
    assert member_client.get("/portal/notices/new/").status_code == 403
    assert (
        viewer_client.post("/portal/notices/new/", {"title": "t", "body": "b"}).status_code == 403
    )
    r = outsider_client.post(
        "/api/v1/portal/notices",
        json.dumps({"park_id": park.pk, "title": "t", "body": "b"}),
        content_type="application/json",
    )
    assert r.status_code == 404
    r = viewer_client.post(
        "/api/v1/portal/notices",
        json.dumps({"park_id": park.pk, "title": "t", "body": "b"}),
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json() == {
        "detail": "没有在该园区发布通知的权限。",
        "fields": {},
    }
    assert not Notice.objects.exists()


def test_api_publish_and_read(staff_client, member_client, park):
    r = staff_client.post(
        "/api/v1/portal/notices",
        json.dumps({"park_id": park.pk, "title": "政策速递", "body": "……"}),
        content_type="application/json",
    )
    assert r.status_code == 201
    nid = r.json()["id"]
    assert member_client.get("/api/v1/portal/notices").json()["items"][0]["is_read"] is False
    assert member_client.get(f"/api/v1/portal/notices/{nid}").status_code == 200
    assert member_client.get("/api/v1/portal/notices").json()["items"][0]["is_read"] is True
    assert staff_client.get("/api/v1/portal/notices").json()["items"][0]["read_count"] == 1


@pytest.mark.parametrize("rows", [10, 200])
def test_notice_lists_do_not_grow_with_rows(
    staff_client, member_client, member, enterprise, park, rows, django_assert_max_num_queries
):
    for i in range(rows):
        n = make_notice(park, title=f"通知{i}")
        if i % 2:
            NoticeRead.objects.create(
                notice=n, user=member, enterprise=enterprise, read_at=timezone.now()
            )
    for c in (staff_client, member_client):
        with django_assert_max_num_queries(10):
            assert c.get("/portal/notices/").status_code == 200
        with django_assert_max_num_queries(10):
            assert c.get("/api/v1/portal/notices?limit=100").json()["count"] == rows
    # The landing page also asks cultivation for the tier verdict: a constant cost.
    with django_assert_max_num_queries(25):
        assert member_client.get("/portal/").status_code == 200


# --- members -----------------------------------------------------------------------------


def test_firm_admin_invites_a_colleague_who_sets_a_password(enterprise, park):
    admin = make_user("boss", enterprise=enterprise, is_enterprise_admin=True)
    c = logged_in(admin)
    r = c.post(
        "/portal/members/",
        {"username": "xiaowang", "display_name": "小王", "email": "", "phone": ""},
    )
    assert r.status_code == 200
    new = User.objects.get(username="xiaowang")
    assert (
        new.enterprise == enterprise
        and not new.is_enterprise_admin
        and not new.has_usable_password()
    )
    link = r.context["invited"]["link"]
    path = link.replace("http://testserver", "")
    # The link shows once: the next page load does not carry it.
    assert "invite-link" not in c.get("/portal/members/").content.decode()
    anon = Client()
    r = anon.get(path, follow=True)
    assert r.context["validlink"] is True
    r = anon.post(
        r.redirect_chain[-1][0],
        {"new_password1": "Xiaowang-pass-2026", "new_password2": "Xiaowang-pass-2026"},
    )
    assert r.status_code == 302
    new.refresh_from_db()
    assert new.check_password("Xiaowang-pass-2026")
    # One-time: the same link no longer works.
    assert anon.get(path, follow=True).context["validlink"] is False


def _invite(c, username, email=""):
    r = c.post(
        "/portal/members/",
        {"username": username, "display_name": "", "email": email, "phone": ""},
    )
    return r.context["invited"]["link"].replace("http://testserver", "")


def test_a_removed_colleagues_unused_link_stops_working(enterprise):
    """Issue 14, finding 8."""
    admin = make_user("boss", enterprise=enterprise, is_enterprise_admin=True)
    c = logged_in(admin)
    path = _invite(c, "xiaoli")
    new = User.objects.get(username="xiaoli")
    c.post(f"/portal/members/{new.pk}/remove/")
    anon = Client()
    r = anon.get(path, follow=True)
    assert r.context["validlink"] is False
    r = anon.post(
        path.replace(path.rsplit("/", 2)[-2], "set-password"),
        {"new_password1": "Xiaoli-pass-2026", "new_password2": "Xiaoli-pass-2026"},
    )
    new.refresh_from_db()
    assert not new.has_usable_password()


def test_an_expired_invitation_is_resent_by_email(enterprise, settings, committed):
    """Issue 14, finding 8: a new link (emailed when the colleague has an address)."""
    import datetime as dt
    from unittest import mock

    from django.core import mail

    admin = make_user("boss", enterprise=enterprise, is_enterprise_admin=True)
    c = logged_in(admin)
    with committed():
        old = _invite(c, "xiaozhao", email="zhao@example.cn")
    assert len(mail.outbox) == 1 and old in mail.outbox[0].body
    new = User.objects.get(username="xiaozhao")
    members_page = c.get("/portal/members/").content.decode()
    assert f"/portal/members/{new.pk}/resend/" in members_page
    # Django's token clock is naive local time.
    later = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 3600)
    with mock.patch(
        "django.contrib.auth.tokens.PasswordResetTokenGenerator._now", return_value=later
    ):
        assert Client().get(old, follow=True).context["validlink"] is False
        with committed():
            r = c.post(f"/portal/members/{new.pk}/resend/")
        assert r.status_code == 200
        fresh = r.context["invited"]["link"].replace("http://testserver", "")
        assert fresh != old and len(mail.outbox) == 2 and fresh in mail.outbox[1].body
        assert Client().get(fresh, follow=True).context["validlink"] is True
    # Once the password is set there is nothing to resend; another firm's admin cannot.
    new.set_password("Zhao-pass-2026")
    new.save()
    r = c.post(f"/portal/members/{new.pk}/resend/", follow=True)
    assert "该同事已设置密码，无需重新邀请。" in r.content.decode()
    other = make_user("other_boss", enterprise=EnterpriseFactory(), is_enterprise_admin=True)
    assert logged_in(other).post(f"/portal/members/{new.pk}/resend/").status_code == 404


def test_invite_bad_input(enterprise, member):
    admin = make_user("boss", enterprise=enterprise, is_enterprise_admin=True)
    r = logged_in(admin).post("/portal/members/", {"username": "member"})
    assert r.status_code == 400 and r.context["form"].errors["username"] == ["该用户名已被使用。"]
    r = logged_in(admin).post("/portal/members/", {"username": "bad name!"})
    assert r.context["form"].errors["username"] == ["登录名只能包含字母、数字和 @/./+/-/_。"]


def test_firm_admin_removes_a_colleague_but_not_others(enterprise, member, park):
    admin = make_user("boss", enterprise=enterprise, is_enterprise_admin=True)
    stranger = make_user("stranger", enterprise=EnterpriseFactory(park=park))
    c = logged_in(admin)
    assert c.post(f"/portal/members/{stranger.pk}/remove/").status_code == 404
    assert c.post(f"/portal/members/{admin.pk}/remove/").status_code == 302
    admin.refresh_from_db()
    assert admin.is_active  # never oneself
    assert c.post(f"/portal/members/{member.pk}/remove/").status_code == 302
    member.refresh_from_db()
    stranger.refresh_from_db()
    assert not member.is_active and stranger.is_active


def test_plain_member_and_staff_cannot_manage_accounts(member_client, staff_client, member):
    assert member_client.get("/portal/members/").status_code == 403
    assert member_client.post(f"/portal/members/{member.pk}/remove/").status_code == 403
    assert staff_client.get("/portal/members/").status_code == 403
    member.refresh_from_db()
    assert member.is_active
