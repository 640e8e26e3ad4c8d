"""The demo park generator and the `seed-demo` command."""

from __future__ import annotations

import random
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Sum
from django.test import Client

from oasis.accounts.models import ParkRole, Role, User
from oasis.core.identifiers import industry_section, industry_table, validate_uscc
from oasis.demo import generator
from oasis.enterprises.models import AnnualFigure, Contact, Enterprise
from oasis.enterprises.services import search_key_for
from oasis.enterprises.validation import figure_errors
from oasis.parks.models import Building, Park, Unit, UnitUse
from oasis.parks.tests.factories import ParkFactory

SMALL = 30


def _snapshot() -> tuple[list, list]:
    firms = list(
        Enterprise.objects.order_by("name").values_list(
            "name",
            "uscc",
            "industry_code",
            "status",
            "settled_on",
            "legal_representative",
        )
    )
    figures = list(
        AnnualFigure.objects.order_by("enterprise__name", "year").values_list(
            "enterprise__name",
            "year",
            "revenue",
            "rd_expense",
            "headcount",
            "output_value",
        )
    )
    return firms, figures


def _seed(n: int = SMALL, seed: int = 2023) -> generator.DemoSummary:
    return generator.generate_park(enterprises=n, seed=seed)


@pytest.mark.django_db
def test_same_seed_gives_the_same_park():
    _seed(seed=7)
    first = _snapshot()
    generator.demo_delete()
    _seed(seed=7)
    assert _snapshot() == first
    generator.demo_delete()
    _seed(seed=8)
    assert _snapshot()[0] != first[0]


@pytest.mark.django_db
def test_usccs_are_valid_and_unique_and_codes_exist():
    _seed(n=200)
    firms = list(Enterprise.objects.all())
    usccs = [e.uscc for e in firms if e.uscc]
    assert len(usccs) == len(set(usccs))
    for code in usccs:
        validate_uscc(code)
    assert len({e.name for e in firms}) == 200
    table = industry_table()
    for e in firms:
        assert e.industry_code in table
        assert table[e.industry_code].level == 4
        assert e.industry_section == industry_section(e.industry_code)
        assert e.search_key == search_key_for(e.name)
    # Prospects may be unknown to the registry; everyone further along is known.
    assert all(e.uscc for e in firms if e.status != Enterprise.Status.PROSPECT)


def test_composed_search_key_matches_the_service():
    """The generator builds search keys from cached parts; they must equal the service's."""
    maker = generator._FirmMaker(random.Random(1), Park(), 2000)
    for i in range(2000):
        e = maker.make(i).enterprise
        assert e.search_key == search_key_for(e.name), e.name


@pytest.mark.django_db
def test_buildings_fill_the_plan_exactly():
    summary = _seed()
    park = Park.objects.get(pk=summary.park_id)
    total = Building.objects.filter(park=park).aggregate(s=Sum("gross_area"))["s"]
    assert total == Decimal("518000") == park.planned_floor_area
    phase_one = Building.objects.filter(park=park, phase=1)
    assert phase_one.count() == 9
    assert phase_one.aggregate(s=Sum("gross_area"))["s"] == Decimal("70000")
    assert set(Building.objects.values_list("status", flat=True)) == set(Building.Status.values)
    # Only finished buildings are divided into floors and units.
    assert not Unit.objects.exclude(building__status=Building.Status.COMPLETED).exists()


@pytest.mark.django_db
def test_units_have_sensible_areas_and_residents():
    # The default size: how full phase one is depends on how many firms there are.
    summary = _seed(n=150)
    ranges = {
        UnitUse.MANUFACTURING: (500, 3000),
        UnitUse.RND: (80, 800),
        UnitUse.OFFICE: (80, 800),
        UnitUse.APARTMENT: (35, 90),
        UnitUse.COMMERCIAL: (80, 3000),
    }
    for use, area in Unit.objects.values_list("use", "area"):
        lo, hi = ranges[use]
        assert lo <= area <= hi, (use, area)
    assert 1500 <= summary.residents <= 2200
    assert not Unit.objects.exclude(use=UnitUse.APARTMENT).filter(occupants__gt=0).exists()
    assert not Unit.objects.exclude(status=Unit.Status.LEASED).filter(occupants__gt=0).exists()
    phase_one = Unit.objects.filter(building__phase=1)
    leased = phase_one.filter(status=Unit.Status.LEASED).count()
    assert 0.5 < leased / phase_one.count() < 1


@pytest.mark.django_db
def test_settled_firms_occupy_leased_units_after_completion():
    _seed()
    settled = Enterprise.objects.filter(status=Enterprise.Status.SETTLED).prefetch_related(
        "units__building"
    )
    assert settled.count() >= SMALL // 2
    for e in settled:
        assert e.units.exists()
        assert e.settled_on >= generator.OPENED_ON
        for unit in e.units.all():
            assert unit.status == Unit.Status.LEASED
            assert unit.use != UnitUse.APARTMENT
            assert e.settled_on >= unit.building.completed_on
    assert (
        not Enterprise.objects.exclude(status=Enterprise.Status.SETTLED)
        .filter(units__isnull=False)
        .exists()
    )


@pytest.mark.django_db
def test_figures_are_plausible():
    _seed(n=100)
    figures = list(AnnualFigure.objects.all())
    assert {f.year for f in figures} == set(generator.FIGURE_YEARS)
    assert any(f.output_value is None for f in figures), "some lines are left unreported"
    fields = [*AnnualFigure.MONEY_FIELDS, "headcount", "rd_staff"]
    for f in figures:
        assert figure_errors({k: getattr(f, k) for k in fields} | {"year": f.year}) == {}
        assert Decimal("0.85") <= f.main_business_revenue / f.revenue <= 1
        assert Decimal("0.015") <= f.rd_expense / f.revenue <= Decimal("0.18")
        assert 10 <= f.headcount <= 800
    assert Contact.objects.filter(is_primary=True).count() == Enterprise.objects.count()
    # A young park: a few billion yuan of output, far below the ¥50bn target.
    output = AnnualFigure.objects.filter(
        year=2025, enterprise__status=Enterprise.Status.SETTLED
    ).aggregate(s=Sum("output_value"))["s"]
    assert Decimal("5e8") < output < Decimal("1e10")


@pytest.mark.django_db
def test_a_login_for_every_role_and_members_bound_to_firms():
    summary = _seed()
    park_roles = set(
        ParkRole.objects.filter(park_id=summary.park_id).values_list("role", flat=True)
    )
    assert park_roles == set(Role.values)
    assert User.objects.get(username="admin").is_superuser
    members = User.objects.filter(enterprise__isnull=False)
    assert members.count() == 3
    assert members.filter(is_enterprise_admin=True).count() == 1
    assert all(m.enterprise.status == Enterprise.Status.SETTLED for m in members)
    assert [x.username for x in summary.logins] == list(generator.DEMO_USERNAMES)
    client = Client()
    assert client.login(username="parkadmin", password=generator.DEMO_PASSWORD)


@pytest.mark.django_db
def test_command_twice_does_not_duplicate(demo):
    # `demo` is what `seed-demo --enterprises 30` built (once for the test process).
    assert "已生成演示园区：企业 30 家" in demo.stdout
    assert "parkadmin" in demo.stdout
    before = _snapshot()
    out = StringIO()
    call_command("seed-demo", "--enterprises", str(SMALL), stdout=out)
    assert "已存在" in out.getvalue()
    assert "member-admin" in out.getvalue()
    assert Park.objects.count() == 1
    assert User.objects.count() == len(generator.DEMO_USERNAMES)
    assert _snapshot() == before


@pytest.mark.django_db
def test_reset_rebuilds_the_same_park(demo):
    before = _snapshot()
    out = StringIO()
    call_command("seed-demo", "--enterprises", str(SMALL), "--reset", "--quiet", stdout=out)
    assert out.getvalue() == ""
    assert Park.objects.count() == 1
    assert Park.objects.get().pk != demo.park.pk  # rebuilt, not left in place
    assert User.objects.count() == len(generator.DEMO_USERNAMES)
    assert _snapshot() == before


@pytest.mark.django_db
def test_a_real_park_with_the_demo_name_is_never_touched():
    ParkFactory(name=generator.PARK_NAME)
    with pytest.raises(CommandError, match="不是演示数据"):
        call_command("seed-demo", "--reset", "--enterprises", str(SMALL), stdout=StringIO())
    assert Park.objects.count() == 1
    assert not Enterprise.objects.exists()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_a_taken_username_is_refused():
    User.objects.create_user(username="viewer", password="x")
    with pytest.raises(CommandError, match="viewer"):
        call_command("seed-demo", "--enterprises", str(SMALL), stdout=StringIO())
    assert not Park.objects.exists()
