"""Portal writes take the one write path: an accepted annual report shows on the cached
dashboard on the next request; a notice (no dashboard figure) moves the data version."""

from oasis.core.cache import park_data_version
from oasis.core.models import AuditEntry
from oasis.portal import services

from .factories import make_campaign, make_report


def test_an_accepted_report_shows_on_the_cached_dashboard(
    dashboard, committed, staff, park, enterprise
):
    campaign = make_campaign(
        park, kind="annual", year=2025, period=0, title="2025年度数据", fields=["headcount"]
    )
    report = make_report(campaign, enterprise, headcount=140)
    assert dashboard(year=2025)[0].totals.headcount == 0
    with committed():
        services.report_accept(actor=staff, report=report)
    assert dashboard(year=2025)[0].totals.headcount == 140


def test_a_notice_moves_the_park_data_version(committed, staff, park):
    start = park_data_version(park.pk)
    with committed():
        notice = services.notice_publish(
            actor=staff, park=park, data={"title": "通知", "body": "内容"}
        )
    assert park_data_version(park.pk) > start
    assert AuditEntry.objects.filter(model="portal.notice", object_id=str(notice.pk)).exists()


def test_a_colleague_invited_then_removed_leaves_no_password_hash_in_the_log(member, enterprise):
    member.is_enterprise_admin = True
    member.save()
    colleague, _link = services.member_invite(actor=member, username="wang")
    services.member_remove(actor=member, user=colleague)
    entries = AuditEntry.objects.filter(model="accounts.user", object_id=str(colleague.pk))
    assert [e.action for e in entries.order_by("id")] == ["create", "update"]
    assert all("password" not in e.changes for e in entries)
