import datetime as dt
import random

import pytest
from django.test import Client

from oasis.accounts.models import User
from oasis.demo.generator import demo_delete, generate_park
from oasis.parks.models import Park
from oasis.portal.demo import delete_portal, seed_portal
from oasis.portal.models import Campaign, Notice, NoticeRead, Report
from oasis.portal.selectors import campaign_progress
from oasis.tickets.models import Ticket

REF = dt.date(2026, 11, 1)


@pytest.fixture
def demo_park(db):
    summary = generate_park(enterprises=30, seed=1, stdout=None)
    park = Park.objects.get(pk=summary.park_id)
    seed_portal(park=park, rng=random.Random(1), reference_date=REF)
    return park


def test_seed_portal_builds_every_state(demo_park):
    current = Campaign.objects.get(park=demo_park, kind="quarterly", status="open")
    assert (current.year, current.period) == (2026, 3)
    statuses = set(current.reports.values_list("status", flat=True))
    assert {"submitted", "returned", "accepted"} <= statuses
    progress = campaign_progress(campaign=current, today=REF)
    assert progress.late and 0 < progress.submitted < progress.expected
    assert current.reports.exclude(flags=[]).exclude(explanation="").exists()
    assert Campaign.objects.filter(park=demo_park).count() == 4
    assert set(Ticket.objects.filter(park=demo_park).values_list("status", flat=True)) == {
        "open",
        "in_progress",
        "resolved",
        "closed",
    }
    assert Ticket.objects.filter(
        park=demo_park, response_breached=True, escalated_at__isnull=False
    ).exists()
    assert Ticket.objects.filter(park=demo_park, resolution_breached=True).exists()
    assert sorted(Ticket.objects.filter(rating__isnull=False).values_list("rating", flat=True)) == [
        3,
        4,
        5,
        5,
    ]
    assert all(t.messages.exists() for t in Ticket.objects.exclude(status="open"))
    assert Notice.objects.filter(park=demo_park).count() == 5 and NoticeRead.objects.exists()


def test_demo_pages_render_for_staff_and_member(demo_park):
    for username, urls in (
        (
            "service",
            ["/portal/campaigns/", "/portal/reports/review/", "/tickets/", "/portal/notices/"],
        ),
        ("member", ["/portal/", "/tickets/", "/portal/notices/"]),
    ):
        c = Client()
        c.force_login(User.objects.get(username=username))
        for url in urls:
            assert c.get(url).status_code == 200, (username, url)
    c = Client()
    c.force_login(User.objects.get(username="service"))
    current = Campaign.objects.get(park=demo_park, kind="quarterly", status="open")
    assert c.get(f"/portal/campaigns/{current.pk}/").status_code == 200
    report = Report.objects.filter(campaign=current, status="submitted").first()
    assert c.get(f"/portal/reports/{report.pk}/").status_code == 200


def test_same_seed_same_portal_and_delete_lets_the_demo_be_rebuilt(demo_park):
    def fingerprint():
        return (
            sorted(
                Report.objects.values_list(
                    "enterprise__name", "campaign__title", "status", "revenue"
                )
            ),
            sorted(Ticket.objects.values_list("title", "status", "rating")),
        )

    first = fingerprint()
    delete_portal(park=demo_park)
    assert demo_delete() is True
    park = Park.objects.get(pk=generate_park(enterprises=30, seed=1, stdout=None).park_id)
    seed_portal(park=park, rng=random.Random(1), reference_date=REF)
    assert fingerprint() == first
