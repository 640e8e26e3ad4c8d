"""/api/v1/leasing/: the same scoping as the pages and the {"detail", "fields"} errors."""

import pytest

from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.leasing import services
from oasis.leasing.models import Lease, Payment

from .conftest import lease_data

API = "/api/v1/leasing"


def payload(tenant, unit, **over):
    data = {
        "tenant_id": tenant.pk,
        "unit_ids": [unit.pk],
        "start_date": "2026-01-01",
        "end_date": "2026-12-31",
        "rent_rate": "1.2",
        "property_fee_rate": "5",
        "cycle": 3,
        "activate": True,
        "free_periods": [{"start_date": "2026-01-01", "end_date": "2026-01-31"}],
    }
    data.update(over)
    return data


def test_create_sign_list_bills_pay_and_renew(leasing_client, enterprise, unit):
    r = leasing_client.post(
        f"{API}/leases", payload(enterprise, unit), content_type="application/json"
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["status"], body["unit_ids"], body["area"]) == ("active", [unit.pk], "500.00")
    lease_id = body["id"]
    bills = leasing_client.get(f"{API}/leases/{lease_id}/bills").json()
    # January is rent-free: Q1 = 59 days × 600 rent + 7,500 fee.
    assert [b["rent"] for b in bills] == ["35400.00", "54600.00", "55200.00", "55200.00"]
    r = leasing_client.post(
        f"{API}/leases/{lease_id}/payments",
        {"amount": "50000", "paid_on": "2026-03-15"},
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json() == {
        "detail": "Invalid input.",
        "fields": {"amount": ["收款 50000 元超过应收 42900.00 元；如为预收款，请勾选“允许预收”。"]},
    }
    r = leasing_client.post(
        f"{API}/leases/{lease_id}/payments",
        {"amount": "42900", "paid_on": "2026-03-15"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["unallocated"] == "0.00"
    ageing = leasing_client.get(f"{API}/receivables/ageing").json()
    assert ageing["total"] == "0.00"
    occ = leasing_client.get(f"{API}/occupancy").json()
    assert (
        occ["park"]["leased_units"] == 1
        and occ["park"]["units"] == 3
        and occ["park"]["rate"] == "33.3"
    )
    r = leasing_client.post(
        f"{API}/leases/{lease_id}/renew",
        {"end_date": "2027-12-31", "deposit_action": "carry"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["predecessor_id"] == lease_id
    assert leasing_client.get(f"{API}/leases?tab=running").json()["count"] == 2


@pytest.mark.parametrize(
    ("over", "fields"),
    [
        ({"end_date": "2025-01-01"}, {"end_date": ["到期日不能早于起租日。"]}),
        ({"rent_rate": "-1"}, {"rent_rate": ["租金不能为负数。"]}),
        ({"unit_ids": [999999]}, {"units": ["单元不存在或不属于本园区。"]}),
    ],
)
def test_bad_input_clear_error_nothing_saved(leasing_client, enterprise, unit, over, fields):
    r = leasing_client.post(
        f"{API}/leases", payload(enterprise, unit, **over), content_type="application/json"
    )
    assert r.status_code == 400 and r.json() == {"detail": "Invalid input.", "fields": fields}
    assert Lease.objects.count() == 0


def test_overlap_through_the_api(leasing_client, lease, enterprise, unit):
    r = leasing_client.post(
        f"{API}/leases", payload(enterprise, unit), content_type="application/json"
    )
    assert r.status_code == 400 and list(r.json()["fields"]) == ["units"]
    assert Lease.objects.count() == 1


def test_viewer_reads_but_cannot_write(viewer_client, lease, enterprise, units):
    assert viewer_client.get(f"{API}/leases/{lease.pk}").status_code == 200
    assert viewer_client.get(f"{API}/bills").json()["count"] == 9  # 8 quarters and the deposit
    r = viewer_client.post(
        f"{API}/leases/{lease.pk}/payments",
        {"amount": "1", "paid_on": "2026-03-15"},
        content_type="application/json",
    )
    assert r.status_code == 403
    r = viewer_client.post(
        f"{API}/leases", payload(enterprise, units[1]), content_type="application/json"
    )
    assert r.status_code == 403
    assert Payment.objects.count() == 0 and Lease.objects.count() == 1


def test_member_only_own(member_client, lease, park, staff, units):
    other = services.lease_create(
        actor=staff,
        tenant=EnterpriseFactory(park=park),
        unit_ids=[units[1].pk],
        data=lease_data(),
        activate=True,
    )
    assert [x["id"] for x in member_client.get(f"{API}/leases").json()["items"]] == [lease.pk]
    assert {b["lease_id"] for b in member_client.get(f"{API}/bills").json()["items"]} == {lease.pk}
    assert member_client.get(f"{API}/leases/{other.pk}").status_code == 404
    assert member_client.get(f"{API}/leases/{other.pk}/bills").status_code == 404
    assert member_client.get(f"{API}/receivables/ageing").status_code == 403
    r = member_client.post(
        f"{API}/leases/{lease.pk}/payments",
        {"amount": "1", "paid_on": "2026-03-15"},
        content_type="application/json",
    )
    assert r.status_code == 403
    assert Payment.objects.count() == 0


def test_outsider_404_nothing_changed(outsider_client, lease, enterprise, units):
    assert outsider_client.get(f"{API}/leases").json()["count"] == 0
    assert outsider_client.get(f"{API}/bills").json()["count"] == 0
    for url in [
        f"{API}/leases/{lease.pk}",
        f"{API}/leases/{lease.pk}/bills",
        f"{API}/leases/{lease.pk}/payments",
    ]:
        assert outsider_client.get(url).status_code == 404, url
    r = outsider_client.post(
        f"{API}/leases/{lease.pk}/payments",
        {"amount": "1", "paid_on": "2026-03-15"},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = outsider_client.post(
        f"{API}/leases", payload(enterprise, units[1]), content_type="application/json"
    )
    assert r.status_code == 404
    assert outsider_client.get(f"{API}/receivables/ageing").json()["total"] == "0.00"
    assert Payment.objects.count() == 0 and Lease.objects.count() == 1


@pytest.mark.parametrize("rows", [3, 30])
def test_api_list_query_ceiling(
    staff_client, park, staff, building, rows, django_assert_max_num_queries
):
    from oasis.parks.tests.factories import FloorFactory, UnitFactory

    floor = FloorFactory(building=building, number=5)
    for _ in range(rows):
        services.lease_create(
            actor=staff,
            tenant=EnterpriseFactory(park=park),
            unit_ids=[UnitFactory(floor=floor, building=building).pk],
            data=lease_data(),
            activate=True,
        )
    for url in [f"{API}/leases", f"{API}/bills", f"{API}/occupancy", f"{API}/receivables/ageing"]:
        with django_assert_max_num_queries(6):
            assert staff_client.get(url).status_code == 200


def test_list_filters_are_the_pages_and_bad_values_are_400(viewer_client, lease, park):
    # The API lists every bill by default (the page opens on those to collect).
    assert viewer_client.get(f"{API}/bills", {"state": ""}).json()["count"] == 9
    assert viewer_client.get(f"{API}/bills", {"state": "paid"}).json()["count"] == 0
    assert viewer_client.get(f"{API}/bills", {"park": park.pk + 1000}).json()["count"] == 0
    assert viewer_client.get(f"{API}/leases", {"tab": "", "park": ""}).json()["count"] == 1
    assert viewer_client.get(f"{API}/leases", {"tab": "draft"}).json()["count"] == 0
    for url, params in [
        (f"{API}/leases", {"tab": "closed"}),
        (f"{API}/leases", {"park": "abc"}),
        (f"{API}/bills", {"state": "late"}),
        (f"{API}/occupancy", {"park": "x"}),
        (f"{API}/receivables/ageing", {"park": "1.5"}),
    ]:
        r = viewer_client.get(url, params)
        assert r.status_code == 400, (url, params)
        assert list(r.json()["fields"]) == list(params)
