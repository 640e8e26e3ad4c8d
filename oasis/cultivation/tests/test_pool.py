"""The cultivation pool, the title registry and the daily reminders."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from oasis.core.models import AuditEntry
from oasis.cultivation.models import PoolEntry, Reminder, Title
from oasis.cultivation.services import reminders_generate
from oasis.enterprises.tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db


def test_pool_entry_create_via_page(staff_client, staff, enterprise):
    resp = staff_client.get(f"/cultivation/pool/new/?enterprise={enterprise.pk}")
    assert resp.status_code == 200
    resp = staff_client.post(
        "/cultivation/pool/new/",
        {
            "enterprise": enterprise.pk,
            "target_tier": "srdi_sme",
            "target_year": "2027",
            "owner": staff.pk,
            "plan": "申报省级专精特新",
            "progress": "10",
            "status": "active",
        },
    )
    assert resp.status_code == 302
    entry = PoolEntry.objects.get()
    assert (entry.target_tier, entry.target_year, entry.owner, entry.progress) == (
        "srdi_sme",
        2027,
        staff,
        10,
    )
    assert AuditEntry.objects.filter(model="cultivation.poolentry", action="create").count() == 1
    resp = staff_client.get("/cultivation/pool/")
    assert resp.status_code == 200 and "申报省级专精特新" in resp.content.decode()


def test_pool_entry_duplicate_target_is_a_field_error(staff_client, enterprise):
    PoolEntry.objects.create(enterprise=enterprise, target_tier="srdi_sme", target_year=2027)
    resp = staff_client.post(
        "/cultivation/pool/new/",
        {
            "enterprise": enterprise.pk,
            "target_tier": "srdi_sme",
            "target_year": "2027",
            "progress": "0",
            "status": "active",
        },
    )
    assert resp.status_code == 400
    assert PoolEntry.objects.count() == 1


def test_pool_access(member_client, outsider_client, viewer_client, enterprise):
    entry = PoolEntry.objects.create(
        enterprise=enterprise, target_tier="srdi_sme", target_year=2027
    )
    assert member_client.get("/cultivation/pool/").status_code == 403
    assert outsider_client.get(f"/cultivation/pool/{entry.pk}/").status_code == 404
    resp = outsider_client.post(
        "/cultivation/pool/new/",
        {
            "enterprise": enterprise.pk,
            "target_tier": "little_giant",
            "target_year": "2028",
            "progress": "0",
            "status": "active",
        },
    )
    assert resp.status_code == 400  # the firm is not among the outsider's choices
    assert viewer_client.get("/cultivation/pool/").status_code == 200
    assert viewer_client.get("/cultivation/pool/new/").status_code == 403
    assert PoolEntry.objects.count() == 1


@pytest.mark.parametrize("n", [10, 200])
def test_pool_list_query_ceiling(staff_client, park, django_assert_max_num_queries, n):
    for _ in range(n):
        e = EnterpriseFactory(park=park)
        PoolEntry.objects.create(enterprise=e, target_tier="innovative_sme", target_year=2027)
        Title.objects.create(
            enterprise=e, kind="innovative_sme", valid_until=dt.date.today() + dt.timedelta(days=30)
        )
    reminders_generate()
    with django_assert_max_num_queries(12):
        resp = staff_client.get("/cultivation/pool/")
    assert resp.status_code == 200
    assert resp.context["page"].paginator.count == n


def test_reminders_are_recorded_once(enterprise):
    today = dt.date(2026, 11, 1)
    soon = Title.objects.create(
        enterprise=enterprise, kind="srdi_sme", valid_until=dt.date(2027, 1, 15)
    )
    Title.objects.create(
        enterprise=enterprise, kind="innovative_sme", valid_until=dt.date(2026, 12, 31)
    )
    Title.objects.create(
        enterprise=enterprise, kind="high_tech_enterprise", valid_until=dt.date(2028, 12, 31)
    )
    Title.objects.create(
        enterprise=enterprise, kind="innovative_sme", valid_until=dt.date(2026, 10, 1)
    )  # lapsed
    out = io.StringIO()
    call_command("cultivation-reminders", "--date", today.isoformat(), stdout=out)
    assert out.getvalue().strip() == "3 reminder(s) recorded"
    kinds = sorted((r.title.kind, r.kind, r.due_on) for r in Reminder.objects.all())
    assert kinds == [
        ("innovative_sme", "expiry", dt.date(2026, 12, 31)),
        ("srdi_sme", "expiry", dt.date(2027, 1, 15)),
        ("srdi_sme", "re_review", dt.date(2026, 10, 17)),
    ]
    audits = AuditEntry.objects.count()
    out = io.StringIO()
    call_command("cultivation-reminders", "--date", today.isoformat(), stdout=out)
    assert out.getvalue().strip() == "0 reminder(s) recorded"
    assert Reminder.objects.count() == 3 and AuditEntry.objects.count() == audits
    assert soon.reminders.count() == 2


def test_reminder_done(staff_client, outsider_client, enterprise):
    Title.objects.create(
        enterprise=enterprise,
        kind="innovative_sme",
        valid_until=dt.date.today() + dt.timedelta(days=10),
    )
    (reminder,) = reminders_generate()
    assert outsider_client.post(f"/cultivation/reminders/{reminder.pk}/done/").status_code == 404
    assert staff_client.post(f"/cultivation/reminders/{reminder.pk}/done/").status_code == 302
    reminder.refresh_from_db()
    assert reminder.done_at is not None
