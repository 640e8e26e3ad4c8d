import datetime as dt
import random

from django.core.management import call_command
from django.db.models import Count

from oasis.attraction import selectors
from oasis.attraction.demo import seed_attraction
from oasis.attraction.models import Activity, Agreement, Commitment, Lead, Partner, StageChange
from oasis.demo.generator import generate_park
from oasis.enterprises.models import Enterprise
from oasis.parks.models import Park


def test_seed_attraction_on_the_demo_park(db):
    summary = generate_park(enterprises=30, seed=1, stdout=None)
    park = Park.objects.get(pk=summary.park_id)
    firms_before = Enterprise.objects.count()
    seed_attraction(park=park, rng=random.Random(7), reference_date=dt.date(2025, 6, 30))

    assert Enterprise.objects.count() == firms_before  # linked, not duplicated
    assert Lead.objects.filter(park=park).count() == 120
    kinds = dict(Partner.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds == {"ambassador": 6, "advisor": 5, "institution": 5}
    signed = Lead.objects.filter(stage__in=["signed", "settled"])
    assert signed.count() == Agreement.objects.count() > 0
    assert all(
        lead.enterprise.status in ("signed", "settled")
        for lead in signed.select_related("enterprise")
    )
    assert Commitment.objects.count() == 3 * Agreement.objects.count()
    lost = Lead.objects.filter(stage="lost")
    assert lost.count() >= 5 and not lost.filter(lost_reason="").exists()
    assert set(Lead.objects.values_list("stage", flat=True)) == {
        "lead",
        "negotiation",
        "visit",
        "intent",
        "signed",
        "settled",
        "lost",
    }
    assert StageChange.objects.count() >= 120 and Activity.objects.count() >= 240
    # Every lead's stage history ends in its stage.
    for lead in Lead.objects.all():
        assert lead.stage_changes.order_by("-at", "-id").first().to_stage == lead.stage
    # The funnel and pool work on it.
    from oasis.accounts.models import User

    admin = User.objects.get(username="parkadmin")
    report = selectors.funnel_report(user=admin, park_id=park.pk)
    assert report["totals"]["total"] == 120
    agreement = Agreement.objects.first()
    assert {r.status for r in selectors.agreement_progress(agreement=agreement)} <= {
        "on_track",
        "behind",
        "not_reported",
    }
    call_command("attraction-reclaim-pool", now="2025-06-30T12:00:00")
    assert Lead.objects.pool().count() > 0
