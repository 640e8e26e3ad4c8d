"""Escalation as data, amendments that set the rate in force, 29 February, conventions:
the finance office's figures, worked by hand."""

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from oasis.leasing import services
from oasis.leasing.models import Bill, Lease, LeaseAmendment

from .conftest import lease_data
from .oracle import oracle_totals

D = Decimal


def rents(lease):
    return [b.rent for b in lease.bills.filter(kind="rent").order_by("period_start")]


@pytest.fixture
def big(staff, enterprise, units):
    """1,000 ㎡ at 2.00 元/㎡/天, +5 % a year, 2026–2030, billed yearly."""
    return services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[units[0].pk, units[1].pk],
        data=lease_data(
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2030, 12, 31),
            rent_rate=D("2.00"),
            property_fee_rate=D("0"),
            deposit=D("0"),
            escalation_pct=D("5"),
            cycle=12,
        ),
        activate=True,
    )


def test_amending_the_rate_from_year_3_bills_the_amended_rate(big, staff):
    services.lease_amend(
        actor=staff,
        lease=big,
        data={"rent_rate": D("2.50")},
        effective_on=dt.date(2028, 1, 1),
        reason="重新议价",
    )
    # Year 1: 2.00 × 1,000 × 365 = 730,000; year 2: 2.10 × 365,000 = 766,500;
    # year 3 (2028, 366 days): 2.50 × 366,000 = 915,000 — not 1,008,787.50 (2.50 × 1.05²);
    # year 4: 2.625 × 365,000 = 958,125; year 5: 2.75625 × 365,000 = 1,006,031.25.
    assert rents(big) == [
        D("730000.00"),
        D("766500.00"),
        D("915000.00"),
        D("958125.00"),
        D("1006031.25"),
    ]
    a = LeaseAmendment.objects.get(lease=big)
    # Recorded as the rate in force on that day (2.2050 after two steps) → 2.5000.
    assert a.changes == {"rent_rate": ["2.2050", "2.5000"]}
    big.refresh_from_db()
    assert big.rent_rate == D("2.0000")  # the lease as signed


def test_a_lower_percentage_changes_only_later_steps(big, staff):
    services.lease_amend(
        actor=staff,
        lease=big,
        data={"escalation_pct": D("3")},
        effective_on=dt.date(2029, 6, 1),
        reason="调整递增",
    )
    # Years 1–4 unchanged (2029: 2.315250 × 365,000 = 845,066.25); year 5: × 1.03 =
    # 2.38470750 × 365,000 = 870,418.2375 → 870,418.24. The rent never falls.
    assert rents(big) == [
        D("730000.00"),
        D("766500.00"),
        D("807030.00"),
        D("845066.25"),
        D("870418.24"),
    ]


def test_plus_5_percent_a_year_from_year_3_is_a_term_not_an_amendment(staff, enterprise, units):
    lease = services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[units[0].pk, units[1].pk],
        data=lease_data(
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2028, 12, 31),
            rent_rate=D("2.00"),
            property_fee_rate=D("0"),
            deposit=D("0"),
            escalation_pct=D("5"),
            escalation_from=3,
            cycle=12,
        ),
        activate=True,
    )
    # 730,000, 730,000, then 2.10 × 366,000 = 768,600 (+5 %, not +10.25 %).
    assert rents(lease) == [D("730000.00"), D("730000.00"), D("768600.00")]


def test_a_step_table(staff, enterprise, units):
    lease = services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[units[0].pk],
        data=lease_data(
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2028, 12, 31),
            rent_rate=D("1.00"),
            property_fee_rate=D("0"),
            deposit=D("0"),
            escalation_pct=D("0"),
            rent_steps=[{"year": 2, "rate": "1.20"}, {"year": 3, "rate": "1.50"}],
            cycle=12,
        ),
        activate=True,
    )
    # 500 ㎡: 1.00 × 182,500 = 182,500; 1.20 × 182,500 = 219,000; 1.50 × 183,000 = 274,500.
    assert rents(lease) == [D("182500.00"), D("219000.00"), D("274500.00")]


@pytest.mark.parametrize(
    "steps",
    [
        [{"year": 3, "rate": "1.2"}, {"year": 2, "rate": "1.1"}],  # unordered
        [{"year": 2, "rate": "1.2"}, {"year": 2, "rate": "1.1"}],  # overlapping
        [{"year": 1, "rate": "1.2"}],  # year 1 is the signed rate
        [{"year": 2, "rate": "-1"}],
        [{"year": "x", "rate": "1"}],
    ],
)
def test_a_bad_step_table_is_refused_naming_the_field_and_nothing_is_saved(
    staff, enterprise, unit, steps
):
    with pytest.raises(ValidationError) as exc:
        services.lease_create(
            actor=staff,
            tenant=enterprise,
            unit_ids=[unit.pk],
            data=lease_data(escalation_pct=D("0"), rent_steps=steps),
            activate=True,
        )
    assert "rent_steps" in exc.value.message_dict
    assert not Lease.objects.exists() and not Bill.objects.exists()


def test_an_amendment_outside_the_term_is_refused(lease, staff):
    for day, message in (
        (dt.date(2025, 12, 31), "早于起租日"),
        (dt.date(2028, 1, 1), "晚于到期日"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.lease_amend(
                actor=staff, lease=lease, data={"rent_rate": D("2")}, effective_on=day, reason="x"
            )
        assert message in exc.value.message_dict["effective_on"][0]
    assert not LeaseAmendment.objects.filter(lease=lease).exists()


def test_a_29_february_lease_steps_up_on_1_march_in_common_years(staff, enterprise, unit):
    lease = services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[unit.pk],
        data=lease_data(
            start_date=dt.date(2028, 2, 29),
            end_date=dt.date(2029, 3, 31),
            rent_rate=D("1.00"),
            property_fee_rate=D("0"),
            deposit=D("0"),
            escalation_pct=D("10"),
            cycle=1,
        ),
        activate=True,
    )
    bills = lease.bills.filter(kind="rent").order_by("period_start")
    feb, mar = bills[len(bills) - 2], bills[len(bills) - 1]
    # February 2029: 28 days × 500 still year 1; March: 31 × 550 (from 1 March).
    assert (feb.period_start, feb.rent) == (dt.date(2029, 2, 1), D("14000.00"))
    assert (mar.period_start, mar.rent) == (dt.date(2029, 3, 1), D("17050.00"))


def test_the_park_default_convention_and_the_lease_page_states_it(
    staff, enterprise, unit, park, leasing_client
):
    park.lease_day_count = "m365"
    park.lease_billing_alignment = "lease"
    park.save()
    lease = services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[unit.pk],
        data=lease_data(
            start_date=dt.date(2026, 1, 15),
            end_date=dt.date(2026, 3, 14),
            rent_rate=D("2.00"),
            property_fee_rate=D("0"),
            deposit=D("0"),
            escalation_pct=D("0"),
            cycle=1,
        ),
        activate=True,
    )
    assert (lease.day_count, lease.billing_alignment) == ("m365", "lease")
    # 月租金 = 2 × 500 × 365 ÷ 12 = 30,416.666…: 30,416.67 then 30,416.66 (cumulative).
    assert rents(lease) == [D("30416.67"), D("30416.66")]
    page = leasing_client.get(reverse("leasing:lease-detail", args=[lease.pk])).content.decode()
    assert "月租金 = 日租金 × 面积 × 365 ÷ 12" in page and "自起租日起算" in page


def test_lease_page_shows_the_rate_in_force_today_and_the_history(big, staff, leasing_client):
    services.lease_amend(
        actor=staff,
        lease=big,
        data={"rent_rate": D("2.50")},
        effective_on=dt.date(2026, 3, 1),
        reason="重新议价",
    )
    page = leasing_client.get(reverse("leasing:lease-detail", args=[big.pk])).content.decode()
    today = page.split('id="rate-today">')[1].split("</dd>")[0]
    assert "2.5000" in today  # the fixed test day is 15 March 2026
    history = page.split('id="rate-history"')[1].split("</table>")[0]
    assert "2026-03-01" in history and "2027-01-01" in history and "2.6250" in history
    amendments = page.split('id="amendments"')[1].split("</section>")[0]
    assert "<code>" not in amendments and "rent_rate" not in amendments
    assert "租金单价 2.0000 → 2.5000" in amendments


def test_the_data_migration_keeps_old_amendments_bills(staff, enterprise, unit):
    """A lease amended under the old rule (the lease row held the amended rates and the
    amended rent was escalated again from the start) keeps its schedule."""
    lease = services.lease_create(
        actor=staff,
        tenant=enterprise,
        unit_ids=[unit.pk],
        data=lease_data(
            start_date=dt.date(2026, 1, 1),
            end_date=dt.date(2028, 12, 31),
            rent_rate=D("1.00"),
            property_fee_rate=D("0"),
            deposit=D("0"),
            escalation_pct=D("10"),
            cycle=12,
        ),
    )
    # The old state: amended on 1 July 2027 to 2.00 and 5 %: under the old rule from then
    # 2.00 × 1.05¹ = 2.10 a ㎡ a day (year 2), and year 3 2.00 × 1.05² = 2.205.
    Lease.objects.filter(pk=lease.pk).update(rent_rate=D("2.00"), escalation_pct=D("5"))
    LeaseAmendment.objects.create(
        lease=lease,
        effective_on=dt.date(2027, 7, 1),
        reason="old",
        changes={"rent_rate": ["1.0000", "2.0000"], "escalation_pct": ["10.00", "5.00"]},
    )
    from django.apps import apps

    migration = importlib.import_module("oasis.leasing.migrations.0006_amendments_rates_in_force")
    migration.forwards(apps, None)
    lease.refresh_from_db()
    assert (lease.rent_rate, lease.escalation_pct) == (D("1.0000"), D("10.00"))
    terms = services.lease_terms(lease)
    # 2026: 500 × 365 = 182,500; 2027: 181 d × 550 + 184 d × 1,050 = 99,550 + 193,200;
    # 2028: 366 × 1,102.50 = 403,515.
    assert oracle_totals(terms)[0] == D("182500") + D("292750") + D("403515")
    a = LeaseAmendment.objects.get(lease=lease)
    assert a.changes["rent_rate"] == ["1.1000", "2.1000"]


def test_the_lease_form_previews_rates_by_year_and_bills_before_saving(
    leasing_client, unit, enterprise
):
    from .test_pages import sign_form

    data = sign_form(
        unit,
        enterprise,
        start_date="2026-01-01",
        end_date="2028-12-31",
        rent_rate="1.00",
        property_fee_rate="0",
        escalation_pct="0",
        rent_steps="2: 1.20\n3：1.50",
        cycle="12",
        preview="1",
    )
    r = leasing_client.post("/leasing/new/", data)
    page = r.content.decode()
    assert r.status_code == 200 and not Lease.objects.exists()
    years = page.split('id="preview-years"')[1].split("</table>")[0]
    assert "1.0000" in years and "1.2000" in years and "1.5000" in years
    bills = page.split('id="preview-bills"')[1].split("</table>")[0]
    # 500 ㎡: 182,500 + 219,000 + 274,500 = 676,000.
    assert "182,500.00" in bills and "274,500.00" in bills and "676,000.00" in bills
    r = leasing_client.post("/leasing/new/", {**data, "rent_steps": "3: 1.5\n2: 1.2"})
    assert r.status_code == 400 and "由小到大" in r.content.decode()
    r = leasing_client.post("/leasing/new/", {**data, "rent_steps": "第三年 1.5"})
    assert r.status_code == 400 and "第 1 行格式有误" in r.content.decode()
    data.pop("preview")
    assert leasing_client.post("/leasing/new/", data).status_code == 302
    assert Lease.objects.get().steps[1].rate == D("1.50")


def test_each_bill_states_its_convention(leasing_client, lease):
    page = leasing_client.get("/leasing/bills/?state=all").content.decode()
    assert page.count("实际天数 · 自然周期") == lease.bills.exclude(kind="deposit").count()
    detail = leasing_client.get(f"/leasing/{lease.pk}/").content.decode()
    assert detail.count('class="muted convention"') == lease.bills.exclude(kind="deposit").count()
