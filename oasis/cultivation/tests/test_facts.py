"""The facts builder: what the database holds becomes exactly the engine's facts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from oasis.cultivation.facts import build_facts_frame, enterprise_facts, facts_dicts
from oasis.cultivation.models import InnovationProfile
from oasis.enterprises.models import Enterprise
from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory
from oasis.rules import assess_frame, facts_frame
from oasis.rules.tests.factories import base_facts

from .factories import ON, add_award, add_equity, store_full_file


@pytest.mark.django_db
def test_stored_file_gives_the_hand_written_facts(enterprise):
    store_full_file(enterprise)
    add_award(enterprise)
    add_equity(enterprise)
    expected = base_facts(id=str(enterprise.pk))
    expected["awards"] = [{"level": "provincial", "year": 2024, "rank": 2}]
    expected["equity_financing"] = [{"year": 2025, "amount": Decimal("25000000.50")}]
    expected["market"]["share"] = Decimal("0.15")  # exact, not the float the engine tests type
    assert enterprise_facts(enterprise, ON) == expected


@pytest.mark.django_db
def test_bulk_frame_equals_the_engine_flattening_of_the_same_facts(park):
    firms = [EnterpriseFactory(park=park) for _ in range(3)]
    store_full_file(firms[0])
    add_award(firms[0])
    add_equity(firms[0])
    FigureFactory(enterprise=firms[1], year=2025, rd_expense=None, net_profit=Decimal("-12.34"))
    InnovationProfile.objects.create(
        enterprise=firms[1], niche_years=Decimal("2.5"), market_share=Decimal("0.012345")
    )
    ff, ids = build_facts_frame(Enterprise.objects.filter(park=park), ON)
    assert ids == sorted(f.pk for f in firms)
    again = facts_frame(facts_dicts(ff))
    assert_frame_equal(ff.main, again.main)
    for a, b in ((ff.titles, again.titles), (ff.awards, again.awards), (ff.equity, again.equity)):
        assert_frame_equal(a, b)
    # And the engine gives the same verdicts from either.
    assert_frame_equal(assess_frame(ff, "miit-2026"), assess_frame(again, "miit-2026"))


@pytest.mark.django_db
def test_unknown_stays_unknown(enterprise):
    facts = enterprise_facts(enterprise, ON)
    assert facts == {
        "id": str(enterprise.pk),
        "assessment_date": "2026-05-01",
        "industry_code": "3976",
        "years": {},
    }
    row = assess_frame(facts_frame([facts]), "miit-2026").row(0, named=True)
    assert row["innovative_sme.status"] == "review"


@pytest.mark.django_db
def test_a_recorded_title_makes_the_title_list_known(enterprise):
    from oasis.cultivation.models import Title

    Title.objects.create(
        enterprise=enterprise, kind="high_tech_enterprise", valid_until=dt.date(2026, 12, 31)
    )
    facts = enterprise_facts(enterprise, ON)
    assert facts["titles"] == [{"kind": "high_tech_enterprise", "valid_until": "2026-12-31"}]
    assert "awards" not in facts


@pytest.mark.django_db
def test_facts_builder_query_count_does_not_grow(park, django_assert_max_num_queries):
    for _ in range(5):
        store_full_file(EnterpriseFactory(park=park))
    with django_assert_max_num_queries(7):
        ff, _ = build_facts_frame(Enterprise.objects.filter(park=park), ON)
    assert ff.height == 5
    assert ff.main.schema["y1_revenue"] == pl.Int64
