import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from oasis.attraction import selectors, services
from oasis.attraction.models import Agreement, Commitment
from oasis.enterprises.models import Enterprise
from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory

VALID_USCC = "91130600738737199K"


def _to_signed(lead, actor):
    for s in ("negotiation", "visit", "intent", "signed"):
        lead = services.lead_move(actor=actor, lead=lead, stage=s)
    return lead


def sign_form(**over):
    data = {
        "enterprise": "",
        "signed_on": "2025-03-01",
        "total_investment": "300000000",
        "note": "",
        "c-TOTAL_FORMS": "5",
        "c-INITIAL_FORMS": "0",
        "c-MIN_NUM_FORMS": "0",
        "c-MAX_NUM_FORMS": "10",
        "c-0-year": "2025",
        "c-0-investment": "100000000",
        "c-0-output": "200000000",
        "c-0-tax": "8000000",
        "c-0-jobs": "150",
        "c-1-year": "2026",
        "c-1-output": "400000000",
        "c-1-tax": "16000000",
        "c-1-jobs": "300",
    }
    data.update(over)
    return data


def test_sign_creates_enterprise_and_agreement(manager, manager_client, make_lead, park):
    lead = _to_signed(
        make_lead(
            "苏州绿洲智驾科技有限公司",
            uscc=VALID_USCC,
            industry_code="3670",
            focus_industry="automotive",
        ),
        manager,
    )
    r = manager_client.post(f"/attraction/leads/{lead.pk}/sign/", sign_form())
    assert r.status_code == 302
    firm = Enterprise.objects.get(uscc=VALID_USCC)
    assert (firm.name, firm.park, firm.status, firm.industry_code, firm.focus_industry) == (
        "苏州绿洲智驾科技有限公司",
        park,
        "signed",
        "3670",
        "automotive",
    )
    agreement = Agreement.objects.get(lead=lead)
    assert agreement.enterprise == firm and agreement.total_investment == Decimal("300000000.00")
    assert list(Commitment.objects.values_list("year", "output", "jobs")) == [
        (2025, Decimal("200000000.00"), 150),
        (2026, Decimal("400000000.00"), 300),
    ]
    lead.refresh_from_db()
    assert lead.enterprise == firm
    # Moving in marks the firm settled.
    services.lead_move(actor=manager, lead=lead, stage="settled")
    firm.refresh_from_db()
    assert firm.status == "settled" and firm.settled_on is not None


def test_sign_links_existing_enterprise(manager, manager_client, make_lead, park):
    firm = EnterpriseFactory(park=park, name="绿洲智驾（苏州）科技有限公司", status="prospect")
    lead = _to_signed(make_lead("苏州绿洲智驾科技有限公司"), manager)
    r = manager_client.post(f"/attraction/leads/{lead.pk}/sign/", sign_form(enterprise=firm.pk))
    assert r.status_code == 302
    assert Enterprise.objects.count() == 1
    firm.refresh_from_db()
    assert firm.status == "signed"
    assert Agreement.objects.get().enterprise == firm


def test_sign_refused_before_signed_stage_and_twice(manager, manager_client, make_lead):
    lead = make_lead(industry_code="3670")
    r = manager_client.post(f"/attraction/leads/{lead.pk}/sign/", sign_form())
    assert r.status_code == 400
    assert r.context["form"].non_field_errors() == ["只有处于“签约”阶段的线索才能转化为企业。"]
    lead = _to_signed(lead, manager)
    assert manager_client.post(f"/attraction/leads/{lead.pk}/sign/", sign_form()).status_code == 302
    r = manager_client.post(f"/attraction/leads/{lead.pk}/sign/", sign_form())
    assert r.context["form"].non_field_errors() == ["该线索已有投资协议。"]
    assert Agreement.objects.count() == 1


def test_sign_needs_industry_code_and_unique_years(manager, manager_client, make_lead):
    lead = _to_signed(make_lead(), manager)
    r = manager_client.post(f"/attraction/leads/{lead.pk}/sign/", sign_form())
    assert r.status_code == 400
    assert r.context["form"].non_field_errors() == [
        "行业代码：创建企业档案须先填写线索的行业代码。"
    ]
    r = manager_client.post(f"/attraction/leads/{lead.pk}/sign/", sign_form(**{"c-1-year": "2025"}))
    assert r.context["form"].non_field_errors() == ["年度承诺：承诺年度不能重复。"]
    r = manager_client.post(f"/attraction/leads/{lead.pk}/sign/", sign_form(**{"c-0-year": ""}))
    assert r.status_code == 400 and r.context["formset"].forms[0].errors == {
        "year": ["请填写年度。"]
    }
    assert not Enterprise.objects.exists() and not Agreement.objects.exists()


def test_sign_access(viewer_client, outsider_client, member_client, manager, make_lead):
    lead = _to_signed(make_lead(industry_code="3670"), manager)
    assert viewer_client.post(f"/attraction/leads/{lead.pk}/sign/", sign_form()).status_code == 403
    assert (
        outsider_client.post(f"/attraction/leads/{lead.pk}/sign/", sign_form()).status_code == 404
    )
    assert member_client.post(f"/attraction/leads/{lead.pk}/sign/", sign_form()).status_code == 403
    assert not Agreement.objects.exists()


def test_cannot_go_back_or_lose_after_signing(manager, make_lead):
    lead = _to_signed(make_lead(industry_code="3670"), manager)
    services.lead_convert(
        actor=manager, lead=lead, sign=services.SignInput(signed_on=dt.date(2025, 1, 1))
    )
    with pytest.raises(ValidationError) as exc:
        services.lead_move(actor=manager, lead=lead, stage="intent")
    assert exc.value.message_dict == {"stage": ["已签约的线索不能退回签约之前的阶段。"]}
    with pytest.raises(ValidationError) as exc:
        services.lead_move(actor=manager, lead=lead, stage="lost", reason="x")
    assert exc.value.message_dict == {"stage": ["已签约的线索不能标记流失。"]}


def test_commitments_on_track_behind_and_not_reported(manager, manager_client, make_lead):
    lead = _to_signed(make_lead(industry_code="3670"), manager)
    agreement = services.lead_convert(
        actor=manager,
        lead=lead,
        sign=services.SignInput(
            signed_on=dt.date(2024, 1, 1),
            commitments=[
                {
                    "year": 2024,
                    "output": Decimal("50000000"),
                    "tax": Decimal("2000000"),
                    "jobs": 100,
                },
                {
                    "year": 2025,
                    "output": Decimal("80000000"),
                    "tax": Decimal("3000000"),
                    "jobs": 150,
                },
                {"year": 2026, "output": Decimal("90000000"), "jobs": 200},
            ],
        ),
    )
    firm = agreement.enterprise
    FigureFactory(
        enterprise=firm,
        year=2024,
        output_value=Decimal("60000000"),
        tax_paid=Decimal("2500000"),
        headcount=120,
    )
    FigureFactory(
        enterprise=firm,
        year=2025,
        output_value=Decimal("70000000"),
        tax_paid=Decimal("3500000"),
        headcount=160,
    )
    rows = selectors.agreement_progress(agreement=agreement)
    assert [(r.year, r.status) for r in rows] == [
        (2024, "on_track"),
        (2025, "behind"),
        (2026, "not_reported"),
    ]
    assert [(c.measure, c.status) for c in rows[1].checks] == [
        ("output", "behind"),
        ("tax", "on_track"),
        ("jobs", "on_track"),
    ]
    body = manager_client.get(f"/attraction/leads/{lead.pk}/").content.decode()
    assert "commitment-on_track" in body and "commitment-behind" in body and "落后" in body


def test_signing_drafts_a_lease_on_chosen_units(staff, make_lead, park):
    from oasis.leasing.models import Lease
    from oasis.parks.tests.factories import BuildingFactory, FloorFactory, UnitFactory

    b = BuildingFactory(park=park)
    unit = UnitFactory(
        floor=FloorFactory(building=b, number=1), building=b, area=Decimal("1200.00")
    )
    client = Client()
    client.force_login(staff)  # a park administrator may draft leases
    lead = _to_signed(
        make_lead("苏州绿洲智驾科技有限公司", uscc=VALID_USCC, industry_code="3670"), staff
    )
    r = client.post(
        f"/attraction/leads/{lead.pk}/sign/",
        sign_form(units=[unit.pk], lease_start="2025-04-01", lease_years="3", rent_rate="1.2"),
    )
    assert r.status_code == 302
    lease = Lease.objects.get()
    assert lease.tenant.uscc == VALID_USCC and lease.status == "draft"
    assert (lease.start_date, lease.end_date, lease.rent_rate) == (
        dt.date(2025, 4, 1),
        dt.date(2028, 3, 31),
        Decimal("1.2000"),
    )
    assert list(lease.lease_units.values_list("unit_id", flat=True)) == [unit.pk]


def test_drafting_a_lease_needs_leasing_rights_and_then_nothing_is_saved(
    manager, manager_client, make_lead, park
):
    from oasis.parks.tests.factories import BuildingFactory, FloorFactory, UnitFactory

    b = BuildingFactory(park=park)
    unit = UnitFactory(floor=FloorFactory(building=b, number=1), building=b)
    lead = _to_signed(make_lead(industry_code="3670"), manager)
    r = manager_client.post(
        f"/attraction/leads/{lead.pk}/sign/",
        sign_form(units=[unit.pk], lease_start="2025-04-01", rent_rate="1.2"),
    )
    assert r.status_code == 400
    assert r.context["form"].errors["units"] == [
        "起草租赁合同需要租赁权限，请由园区管理员或租赁专员签约，或不选单元。"
    ]
    assert not Agreement.objects.exists() and not Enterprise.objects.exists()
    r = manager_client.post(f"/attraction/leads/{lead.pk}/sign/", sign_form(units=[unit.pk]))
    assert r.status_code == 400
    assert r.context["form"].errors["lease_start"] == ["选择单元时须填写起租日。"]
