"""`seed_cultivation` on the demo park: a believable spread of tiers, deterministic."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from oasis.cultivation.demo import seed_cultivation
from oasis.cultivation.filters import ScreeningFilter
from oasis.cultivation.models import InnovationProfile, PoolEntry, Title
from oasis.cultivation.selectors import screening_run
from oasis.demo.generator import REFERENCE_DATE, generate_park
from oasis.parks.models import Park

pytestmark = pytest.mark.django_db


def _spread(park: Park, on: dt.date) -> tuple[Counter, int]:
    from oasis.accounts.models import User

    admin = User.objects.create_superuser("spread-admin", password="x-secret-1")
    run = screening_run(user=admin, filters=ScreeningFilter.model_validate({"date": on}))
    top = Counter(r.top_tier or "none" for r in run.rows if True)
    return top, sum(1 for r in run.rows if r.near_miss)


def test_seed_cultivation_gives_a_believable_spread():
    summary = generate_park(enterprises=300, seed=2023)
    park = Park.objects.get(pk=summary.park_id)
    seed_cultivation(park=park, rng=random.Random(7), reference_date=REFERENCE_DATE)
    settled = park.enterprises.filter(status="settled").count()
    assert InnovationProfile.objects.filter(enterprise__park=park).count() == settled
    top, near = _spread(park, REFERENCE_DATE)
    print(dict(top), "near misses", near, "of", settled)
    tier1 = top["innovative_sme"] + top["tech_sme"]
    assert tier1 >= settled * 0.3  # many innovative SMEs
    assert settled * 0.05 <= top["srdi_sme"] <= settled * 0.35  # some SRDI
    assert 1 <= top["little_giant"] <= settled * 0.08  # a few little giants
    assert near >= settled * 0.1  # many near misses
    assert PoolEntry.objects.filter(enterprise__park=park).exists()
    # Titles follow verdicts: nobody holds SRDI without a tier-1 title.
    srdi = set(Title.objects.filter(kind="srdi_sme").values_list("enterprise_id", flat=True))
    tier1_holders = set(
        Title.objects.filter(kind__in=("innovative_sme", "tech_sme")).values_list(
            "enterprise_id", flat=True
        )
    )
    assert srdi <= tier1_holders
    assert Title.objects.filter(
        valid_until__lte=REFERENCE_DATE + dt.timedelta(days=90), valid_until__gte=REFERENCE_DATE
    ).exists()  # reminders have work to do


def test_seed_cultivation_is_deterministic(park):
    from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory

    for _ in range(5):
        FigureFactory(enterprise=EnterpriseFactory(park=park), year=2025)
    seed_cultivation(park=park, rng=random.Random(1), reference_date=REFERENCE_DATE)
    first = list(
        InnovationProfile.objects.order_by("enterprise_id").values_list(
            "ip_class1", "digital_level"
        )
    )
    InnovationProfile.objects.all().delete()
    Title.objects.all().delete()
    PoolEntry.objects.all().delete()
    from oasis.cultivation.models import Award, DevelopmentScore, EquityFinancing, ExtraFigure

    for m in (Award, DevelopmentScore, EquityFinancing, ExtraFigure):
        m.objects.all().delete()
    seed_cultivation(park=park, rng=random.Random(1), reference_date=REFERENCE_DATE)
    assert (
        list(
            InnovationProfile.objects.order_by("enterprise_id").values_list(
                "ip_class1", "digital_level"
            )
        )
        == first
    )
