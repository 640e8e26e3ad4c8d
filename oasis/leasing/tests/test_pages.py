"""Pages: staff succeed, viewer reads only, member sees own firm only, outsider 404."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings

from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.leasing import services
from oasis.leasing.models import Lease, Payment
from oasis.parks.models import Unit
from oasis.parks.tests.factories import FloorFactory, UnitFactory

from .conftest import lease_data


def read_urls(lease, building, unit):
    return [
        "/leasing/",
        "/leasing/?tab=expiring90",
        "/leasing/?tab=all&q=ZL",
        f"/leasing/{lease.pk}/",
        "/leasing/bills/",
        "/leasing/bills/?state=overdue",
        "/leasing/receivables/",
        "/leasing/occupancy/",
        f"/leasing/buildings/{building.pk}/stack/",
        f"/leasing/units/{unit.pk}/",
    ]


def sign_form(unit, tenant, **over):
    data = {
        "tenant": tenant.pk,
        "units": [unit.pk],
        "number": "",
        "start_date": "2026-04-01",
        "end_date": "2028-03-31",
        "rent_basis": "sqm_day",
        "rent_rate": "1.10",
        "property_fee_rate": "5",
        "deposit": "20000",
        "escalation_pct": "3",
        "cycle": "3",
        "free_start": "",
        "free_end": "",
        "notes": "",
        "activate": "on",
    }
    data.update(over)
    return data


def test_staff_and_leasing_officer_read_every_page(
    staff_client, leasing_client, lease, building, unit
):
    for client in (staff_client, leasing_client):
        for url in read_urls(lease, building, unit) + [
            "/leasing/new/",
            f"/leasing/{lease.pk}/renew/",
            f"/leasing/{lease.pk}/payments/new/",
            "/leasing/import/",
        ]:
            assert client.get(url).status_code == 200, url
    page = staff_client.get("/leasing/").content.decode()
    assert lease.number in page and "F1-101" in page


def test_leasing_officer_signs_on_a_vacant_unit(leasing_client, enterprise, units):
    r = leasing_client.post("/leasing/new/", sign_form(units[1], enterprise))
    lease = Lease.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/leasing/{lease.pk}/"
    assert lease.status == Lease.Status.ACTIVE and lease.bills.filter(kind="rent").count() == 8
    units[1].refresh_from_db()
    assert units[1].status == Unit.Status.RESERVED  # starts 1 April; today is 15 March


def test_sign_form_shows_service_errors(leasing_client, lease, enterprise, unit):
    r = leasing_client.post("/leasing/new/", sign_form(unit, enterprise))
    assert r.status_code == 400
    assert (
        "单元 F1-101 在 2026-01-01 至 2027-12-31 已由合同 ZL2026-0001 出租。" in r.content.decode()
    )
    r = leasing_client.post(
        "/leasing/new/", sign_form(unit, enterprise, end_date="2026-01-01", rent_rate="-2")
    )
    assert r.status_code == 400 and "到期日不能早于起租日。" in r.content.decode()
    assert Lease.objects.count() == 1


def test_sign_form_errors_are_in_english_for_an_english_user(leasing_client, enterprise, units):
    leasing_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = leasing_client.post("/leasing/new/", sign_form(units[1], enterprise, end_date="2026-01-01"))
    assert r.status_code == 400
    assert "The expiry date cannot be before the start date." in r.content.decode()
    assert Lease.objects.count() == 0


def test_payment_page_and_overpayment_error(leasing_client, lease):
    r = leasing_client.post(
        f"/leasing/{lease.pk}/payments/new/",
        {"amount": "99999", "paid_on": "2026-03-15", "bill": ""},
    )
    assert r.status_code == 400 and "如为预收款" in r.content.decode()
    r = leasing_client.post(
        f"/leasing/{lease.pk}/payments/new/",
        {"amount": "1000", "paid_on": "2026-03-15", "bill": ""},
    )
    assert r.status_code == 302
    assert Payment.objects.get().amount == Decimal("1000.00")


def test_renew_and_terminate_pages(leasing_client, lease):
    r = leasing_client.post(
        f"/leasing/{lease.pk}/renew/",
        {
            "end_date": "2029-12-31",
            "rent_rate": "",
            "escalation_pct": "",
            "deposit_action": "carry",
        },
    )
    assert r.status_code == 200 and not Lease.objects.filter(predecessor=lease).exists()
    assert "新旧条款对照" in r.content.decode()
    r = leasing_client.post(
        f"/leasing/{lease.pk}/renew/",
        {"end_date": "2029-12-31", "deposit_action": "carry", "confirm": "1"},
    )
    successor = Lease.objects.get(predecessor=lease)
    assert r.status_code == 302 and r["Location"] == f"/leasing/{successor.pk}/"
    r = leasing_client.post(
        f"/leasing/{successor.pk}/terminate/", {"terminated_on": "2028-06-30", "reason": ""}
    )
    assert r.status_code == 400


def test_viewer_reads_but_cannot_change(viewer_client, lease, building, unit, enterprise):
    for url in read_urls(lease, building, unit):
        assert viewer_client.get(url).status_code == 200, url
    for url in [
        "/leasing/new/",
        f"/leasing/{lease.pk}/renew/",
        f"/leasing/{lease.pk}/payments/new/",
        f"/leasing/{lease.pk}/terminate/",
        f"/leasing/{lease.pk}/amend/",
        "/leasing/import/",
    ]:
        assert viewer_client.get(url).status_code == 403, url
    assert (
        viewer_client.post(
            f"/leasing/{lease.pk}/payments/new/", {"amount": "1", "paid_on": "2026-03-15"}
        ).status_code
        == 403
    )
    assert viewer_client.post("/leasing/new/", sign_form(unit, enterprise)).status_code == 403
    assert Payment.objects.count() == 0 and Lease.objects.count() == 1


def test_member_sees_only_their_own_leases(member_client, lease, park, building, units, staff):
    other_firm = EnterpriseFactory(park=park)
    other = services.lease_create(
        actor=staff, tenant=other_firm, unit_ids=[units[1].pk], data=lease_data(), activate=True
    )
    assert member_client.get("/leasing/").status_code == 302
    page = member_client.get("/leasing/my/").content.decode()
    assert lease.number in page and other.number not in page
    assert member_client.get(f"/leasing/{lease.pk}/").status_code == 200
    assert member_client.get(f"/leasing/{other.pk}/").status_code == 404
    for url in [
        "/leasing/bills/",
        "/leasing/receivables/",
        "/leasing/occupancy/",
        "/leasing/new/",
        f"/leasing/buildings/{building.pk}/stack/",
        f"/leasing/units/{units[0].pk}/",
    ]:
        assert member_client.get(url).status_code == 403, url
    assert (
        member_client.post(
            f"/leasing/{lease.pk}/payments/new/", {"amount": "1", "paid_on": "2026-03-15"}
        ).status_code
        == 403
    )
    assert (
        member_client.post(
            f"/leasing/{other.pk}/payments/new/", {"amount": "1", "paid_on": "2026-03-15"}
        ).status_code
        == 404
    )
    # Their firm's page shows the leasing section.
    firm_page = member_client.get(f"/enterprises/{lease.tenant_id}/").content.decode()
    assert lease.number in firm_page
    assert Payment.objects.count() == 0


def test_outsider_gets_404_and_changes_nothing(outsider_client, lease, building, unit, enterprise):
    for url in read_urls(lease, building, unit)[3:4] + [
        f"/leasing/buildings/{building.pk}/stack/",
        f"/leasing/units/{unit.pk}/",
        f"/leasing/{lease.pk}/renew/",
        f"/leasing/{lease.pk}/payments/new/",
    ]:
        assert outsider_client.get(url).status_code == 404, url
    assert lease.number not in outsider_client.get("/leasing/?tab=all").content.decode()
    # The unit's code with its hyphen: a bare "F1" can occur in the page's random CSRF token.
    occupancy = outsider_client.get("/leasing/occupancy/").content.decode()
    assert "F1-101" not in occupancy and "1号厂房" not in occupancy
    r = outsider_client.post(
        f"/leasing/{lease.pk}/payments/new/", {"amount": "1", "paid_on": "2026-03-15"}
    )
    assert r.status_code == 404
    assert outsider_client.post(f"/leasing/{lease.pk}/activate/").status_code == 404
    r = outsider_client.post("/leasing/new/", sign_form(unit, enterprise))
    assert r.status_code in (
        200,
        400,
    )  # their own form; our firm and unit are not among its choices
    assert Payment.objects.count() == 0 and Lease.objects.count() == 1


def test_exports_are_workbooks(staff_client, lease):
    for url in [
        "/leasing/?export=xlsx",
        "/leasing/bills/?export=xlsx&state=all",
        "/leasing/receivables/?export=xlsx",
        "/leasing/occupancy/?export=xlsx",
        "/leasing/import/template.xlsx",
    ]:
        r = staff_client.get(url)
        assert r.status_code == 200 and r["Content-Type"].startswith(
            "application/vnd.openxmlformats"
        ), url


@pytest.mark.parametrize("rows", [3, 40])
def test_list_pages_query_ceiling(
    staff_client, park, staff, building, rows, django_assert_max_num_queries
):
    floor = FloorFactory(building=building, number=2)
    for _i in range(rows):
        unit = UnitFactory(floor=floor, building=building)
        services.lease_create(
            actor=staff,
            tenant=EnterpriseFactory(park=park),
            unit_ids=[unit.pk],
            data=lease_data(),
            activate=True,
        )
    for url in [
        "/leasing/",
        "/leasing/?tab=all",
        "/leasing/bills/?state=all",
        "/leasing/receivables/",
        "/leasing/occupancy/",
    ]:
        with django_assert_max_num_queries(10):
            assert staff_client.get(url).status_code == 200


def test_stacking_plan_fixed_queries_for_30_floors_600_units(
    staff_client, park, staff, building, django_assert_max_num_queries
):
    floors = [FloorFactory(building=building, number=n) for n in range(1, 31)]
    units = Unit.objects.bulk_create(
        [
            Unit(
                building=building,
                floor=f,
                code=f"{f.number:02d}{i:02d}",
                use="office",
                area=Decimal(40 + i * 5),
            )
            for f in floors
            for i in range(20)
        ]
    )
    firm = EnterpriseFactory(park=park)
    for u in units[:30]:
        services.lease_create(
            actor=staff,
            tenant=firm,
            unit_ids=[u.pk],
            activate=True,
            data=lease_data(end_date=dt.date(2026, 5, 31)),
        )
    for u in units[30:60]:
        services.lease_create(
            actor=staff, tenant=firm, unit_ids=[u.pk], activate=True, data=lease_data()
        )
    with django_assert_max_num_queries(10):
        r = staff_client.get(f"/leasing/buildings/{building.pk}/stack/")
    page = r.content.decode()
    assert page.count('role="gridcell"') == 600
    assert (
        page.count('class="cell expiring" data-unit') == 30
        and page.count('class="cell leased" data-unit') == 30
    )


def test_bad_list_filters_are_named_on_the_page_not_a_500(staff_client, lease):
    r = staff_client.get("/leasing/bills/", {"state": "late", "park": ""})
    assert r.status_code == 200 and r.context["state"] == "open"
    assert r.context["errors"] == ["筛选条件“账单状态”的值“late”无效，已忽略。"]
    assert "筛选条件“账单状态”" in r.content.decode()
    r = staff_client.get("/leasing/", {"tab": "closed", "q": "  " + lease.number + "  "})
    # The bad tab falls back to the running leases; the search still finds the lease.
    assert r.context["filters"].tab == "running" and r.context["filters"].q == lease.number
    assert [x.pk for x in r.context["page"]] == [lease.pk]
    assert len(r.context["errors"]) == 1
    for url in ["/leasing/receivables/", "/leasing/occupancy/"]:
        r = staff_client.get(url, {"park": "abc"})
        assert r.status_code == 200
        assert r.context["errors"] == ["筛选条件“园区”的值“abc”无效，已忽略。"]
