import json
from decimal import Decimal

import pytest
from django.test import Client

from oasis.core.models import AuditEntry
from oasis.parks.models import Building, Floor, Park, Unit
from oasis.parks.tests.factories import BuildingFactory, FloorFactory, UnitFactory


@pytest.fixture
def building(park):
    return BuildingFactory(park=park, name="1号厂房", code="F1")


@pytest.fixture
def unit(building):
    floor = FloorFactory(building=building, number=1)
    return UnitFactory(floor=floor, building=building, code="101", area=Decimal("1500.00"))


def building_form(**over):
    data = {
        "name": "9号厂房",
        "code": "F9",
        "phase": 2,
        "use": "manufacturing",
        "floors_above": 4,
        "gross_area": "12000",
        "status": "completed",
        "completed_on": "",
    }
    data.update(over)
    return data


# --- pages: staff / member / outsider ---------------------------------------------


def test_staff_pages(staff_client, park, building, unit):
    for url in [
        "/parks/",
        f"/parks/{park.pk}/",
        f"/parks/{park.pk}/edit/",
        f"/parks/buildings/{building.pk}/",
        f"/parks/buildings/{building.pk}/edit/",
        f"/parks/{park.pk}/buildings/new/",
        f"/parks/buildings/{building.pk}/units/new/",
        f"/parks/units/{unit.pk}/",
        "/parks/units/",
    ]:
        assert staff_client.get(url).status_code == 200, url


def test_member_sees_no_park_pages(member_client, park, building, unit):
    assert member_client.get("/parks/").status_code == 403
    assert member_client.get("/parks/units/").status_code == 403
    for url in [
        f"/parks/{park.pk}/",
        f"/parks/buildings/{building.pk}/",
        f"/parks/units/{unit.pk}/",
    ]:
        assert member_client.get(url).status_code == 404, url


def test_outsider_sees_nothing_of_the_park(outsider_client, park, building, unit):
    assert park.name not in outsider_client.get("/parks/").content.decode()
    for url in [
        f"/parks/{park.pk}/",
        f"/parks/{park.pk}/edit/",
        f"/parks/buildings/{building.pk}/",
        f"/parks/units/{unit.pk}/",
        f"/parks/{park.pk}/buildings/new/",
    ]:
        assert outsider_client.get(url).status_code == 404, url
    r = outsider_client.post(f"/parks/{park.pk}/buildings/new/", building_form())
    assert r.status_code == 404
    assert not Building.objects.filter(code="F9").exists()
    assert "101" not in outsider_client.get("/parks/units/").content.decode()


def test_viewer_reads_but_cannot_change(viewer_client, park, building, unit):
    assert viewer_client.get(f"/parks/{park.pk}/").status_code == 200
    assert viewer_client.get(f"/parks/{park.pk}/edit/").status_code == 403
    r = viewer_client.post(f"/parks/{park.pk}/buildings/new/", building_form())
    assert r.status_code == 403
    assert not Building.objects.filter(code="F9").exists()
    r = viewer_client.post(
        f"/parks/units/{unit.pk}/",
        {"code": "101", "use": "office", "area": "1", "status": "vacant", "occupants": 0},
    )
    assert r.status_code == 403
    unit.refresh_from_db()
    assert unit.use == "manufacturing"


def test_leasing_officer_creates_building_with_floors_and_audit(leasing, park):
    c = Client()
    c.force_login(leasing)
    r = c.post(f"/parks/{park.pk}/buildings/new/", building_form())
    b = Building.objects.get(code="F9")
    assert r.status_code == 302 and r.url == f"/parks/buildings/{b.pk}/"
    assert list(b.floors.order_by("number").values_list("number", flat=True)) == [1, 2, 3, 4]
    entry = AuditEntry.objects.get(model="parks.building", object_id=str(b.pk))
    assert entry.actor == leasing and entry.action == "create" and entry.park_id == park.pk
    assert entry.changes["gross_area"] == [None, "12000.00"]
    # But a leasing officer cannot change the park's targets.
    assert c.get(f"/parks/{park.pk}/edit/").status_code == 403


def test_invalid_building_shows_errors_and_saves_nothing(staff_client, park):
    r = staff_client.post(
        f"/parks/{park.pk}/buildings/new/", building_form(gross_area="-5", code="")
    )
    assert r.status_code == 400
    form = r.context["form"]
    assert form.errors["code"] == ["这个字段是必填项。"]
    assert "gross_area" in form.errors
    assert Building.objects.count() == 0


def test_duplicate_building_code_is_a_field_error(staff_client, park, building):
    r = staff_client.post(f"/parks/{park.pk}/buildings/new/", building_form(code="F1"))
    assert r.status_code == 400
    assert r.context["form"].errors["__all__"] or r.context["form"].errors.get("code")
    assert Building.objects.filter(code="F1").count() == 1


def test_park_targets_edit_records_history(staff_client, park):
    data = {
        f: getattr(park, f)
        for f in [
            "name",
            "short_name",
            "city",
            "address",
            "description",
            "land_mu",
            "planned_floor_area",
            "target_enterprises",
            "target_jobs_min",
            "target_jobs_max",
            "target_output",
            "target_residents",
        ]
    }
    data["opened_on"] = ""
    data["target_enterprises"] = 320
    r = staff_client.post(f"/parks/{park.pk}/edit/", data)
    assert r.status_code == 302
    park.refresh_from_db()
    assert park.target_enterprises == 320
    page = staff_client.get(f"/parks/{park.pk}/").content.decode()
    assert "target_enterprises" in page and "300 → 320" in page


def test_park_jobs_range_must_be_ordered(staff_client, park):
    data = {
        "name": park.name,
        "land_mu": "460",
        "planned_floor_area": "518000",
        "target_enterprises": 300,
        "target_jobs_min": 9000,
        "target_jobs_max": 8000,
        "target_output": "1",
        "target_residents": 1,
    }
    r = staff_client.post(f"/parks/{park.pk}/edit/", data)
    assert r.status_code == 400
    park.refresh_from_db()
    assert park.target_jobs_min == 6000


def test_unit_create_and_edit(staff_client, building):
    floor = Floor.objects.create(building=building, number=2)
    r = staff_client.post(
        f"/parks/buildings/{building.pk}/units/new/",
        {
            "floor": floor.pk,
            "code": "201",
            "use": "rnd",
            "area": "850.5",
            "status": "vacant",
            "occupants": 0,
        },
    )
    assert r.status_code == 302
    u = Unit.objects.get(code="201")
    assert u.area == Decimal("850.50") and u.floor == floor
    r = staff_client.post(
        f"/parks/buildings/{building.pk}/units/new/",
        {
            "floor": floor.pk,
            "code": "202",
            "use": "rnd",
            "area": "0",
            "status": "vacant",
            "occupants": 0,
        },
    )
    assert r.status_code == 400
    assert not Unit.objects.filter(code="202").exists()


def test_building_page_queries_do_not_grow_with_units(
    staff_client, park, django_assert_max_num_queries
):
    b = BuildingFactory(park=park, floors_above=30)
    floors = [FloorFactory(building=b, number=n) for n in range(1, 31)]
    Unit.objects.bulk_create(
        [
            Unit(building=b, floor=floors[i % 30], code=f"U{i}", use="office", area=Decimal("100"))
            for i in range(600)
        ]
    )
    with django_assert_max_num_queries(12):
        r = staff_client.get(f"/parks/buildings/{b.pk}/")
    assert r.status_code == 200


def test_unit_list_query_ceiling(staff_client, park, django_assert_max_num_queries):
    b = BuildingFactory(park=park)
    f = FloorFactory(building=b, number=1)
    Unit.objects.bulk_create(
        [
            Unit(building=b, floor=f, code=f"U{i}", use="office", area=Decimal("50"))
            for i in range(200)
        ]
    )
    with django_assert_max_num_queries(10):
        assert staff_client.get("/parks/units/").status_code == 200


# --- API -----------------------------------------------------------------------------


def test_api_parks_scoped(staff_client, outsider_client, member_client, park, other_park):
    assert [p["id"] for p in staff_client.get("/api/v1/parks/").json()] == [park.pk]
    assert [p["id"] for p in outsider_client.get("/api/v1/parks/").json()] == [other_park.pk]
    assert member_client.get("/api/v1/parks/").json() == []
    assert outsider_client.get(f"/api/v1/parks/{park.pk}").status_code == 404
    assert member_client.get(f"/api/v1/parks/{park.pk}").status_code == 404


def test_api_park_patch(staff_client, viewer_client, park):
    r = viewer_client.patch(
        f"/api/v1/parks/{park.pk}",
        json.dumps({"target_residents": 3500}),
        content_type="application/json",
    )
    assert r.status_code == 403
    r = staff_client.patch(
        f"/api/v1/parks/{park.pk}",
        json.dumps({"target_residents": 3500}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["target_residents"] == 3500
    r = staff_client.patch(
        f"/api/v1/parks/{park.pk}",
        json.dumps({"target_residents": -1}),
        content_type="application/json",
    )
    assert r.status_code == 400
    assert set(r.json()) == {"detail", "fields"} and "target_residents" in r.json()["fields"]


def test_api_park_create_is_for_superusers(staff_client, db):
    r = staff_client.post(
        "/api/v1/parks/", json.dumps({"name": "新园区"}), content_type="application/json"
    )
    assert r.status_code == 403
    assert not Park.objects.filter(name="新园区").exists()


def test_api_buildings_and_units(staff_client, outsider_client, park, building):
    r = staff_client.post(
        f"/api/v1/parks/{park.pk}/buildings",
        json.dumps(building_form(completed_on=None)),
        content_type="application/json",
    )
    assert r.status_code == 201
    bid = r.json()["id"]
    assert Floor.objects.filter(building_id=bid).count() == 4
    floor_id = Floor.objects.get(building_id=bid, number=1).pk
    r = staff_client.post(
        f"/api/v1/parks/buildings/{bid}/units",
        json.dumps({"floor_id": floor_id, "code": "101", "use": "manufacturing", "area": "2000"}),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["floor_number"] == 1
    r = staff_client.post(
        f"/api/v1/parks/buildings/{bid}/units",
        json.dumps({"floor_id": floor_id, "code": "102", "use": "manufacturing", "area": "-3"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "area" in r.json()["fields"]
    r = staff_client.get(f"/api/v1/parks/buildings/{bid}/units")
    assert r.json()["count"] == 1
    assert outsider_client.get(f"/api/v1/parks/buildings/{bid}/units").status_code == 404
    r = outsider_client.post(
        f"/api/v1/parks/{park.pk}/buildings",
        json.dumps(building_form(code="X1", completed_on=None)),
        content_type="application/json",
    )
    assert r.status_code == 404
    assert not Building.objects.filter(code="X1").exists()


def test_api_duplicate_building_code(staff_client, park, building):
    r = staff_client.post(
        f"/api/v1/parks/{park.pk}/buildings",
        json.dumps(building_form(code="F1", completed_on=None)),
        content_type="application/json",
    )
    assert r.status_code == 400
    assert r.json()["fields"]


def test_unit_filters_page_and_api(staff_client, building, unit):
    r = staff_client.get("/parks/units/", {"status": "bogus", "use": "", "building": building.pk})
    assert r.status_code == 200 and [u.pk for u in r.context["page"]] == [unit.pk]
    assert r.context["errors"] == ["筛选条件“状态”的值“bogus”无效，已忽略。"]
    other = "leased" if unit.status != "leased" else "vacant"
    assert list(staff_client.get("/parks/units/", {"status": other}).context["page"]) == []
    api = f"/api/v1/parks/buildings/{building.pk}/units"
    assert staff_client.get(api, {"status": unit.status, "use": ""}).json()["count"] == 1
    r = staff_client.get(api, {"status": "bogus"})
    assert r.status_code == 400 and list(r.json()["fields"]) == ["status"]
