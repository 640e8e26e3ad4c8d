import datetime as dt
import random

from oasis.demo.generator import generate_park
from oasis.leasing import selectors
from oasis.leasing.demo import seed_leasing, unseed_leasing
from oasis.leasing.models import Bill, Lease, LeaseUnit
from oasis.parks.models import Park, Unit


def test_seed_leasing_makes_a_believable_ledger(django_user_model):
    generate_park(enterprises=30, seed=1, stdout=None)
    park = Park.objects.get()
    day = dt.date(2026, 3, 15)
    leased_before = set(
        Unit.objects.filter(building__park=park, status=Unit.Status.LEASED).values_list(
            "pk", flat=True
        )
    )
    seed_leasing(park=park, rng=random.Random(1), reference_date=day)
    leases = Lease.objects.filter(park=park)
    assert leases.filter(status=Lease.Status.ACTIVE).count() >= 10
    # A step table and a re-priced lease show the escalation rules on fresh data.
    assert leases.exclude(rent_steps=[]).exists()
    assert leases.filter(amendments__reason="市场调价").count() == 1
    renewed = leases.get(status=Lease.Status.RENEWED)
    assert Lease.objects.get(predecessor=renewed).status == Lease.Status.ACTIVE
    # Every leased unit of a settled firm is under a running lease, and none was un-let.
    let = set(
        LeaseUnit.objects.filter(lease__status__in=Lease.RUNNING, start_date__lte=day).values_list(
            "unit_id", flat=True
        )
    )
    assert let <= leased_before
    assert (
        set(
            Unit.objects.filter(building__park=park, status=Unit.Status.LEASED).values_list(
                "pk", flat=True
            )
        )
        == leased_before
    )
    admin = django_user_model.objects.create_superuser("root", password="x")
    total, _rows = selectors.receivables_ageing(user=admin, park=park.pk, on=day)
    assert total.total > 0 and Bill.objects.filter(paid__gt=0).exists()
    assert selectors.expiry_counts(user=admin, on=day)[90] >= 1
    unseed_leasing(park=park)
    assert not Lease.objects.exists() and not Bill.objects.exists()
