"""Operators and park admins manage partner institutions and their products through
pages and the API; viewers, members and staff of another park are refused with nothing
saved; every finance page answers every role."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oasis.accounts.tests.access import assert_writes_refused, table_rows
from oasis.accounts.tests.factories import logged_in
from oasis.core.models import AuditEntry
from oasis.finance.models import FinanceProduct, Institution

pytestmark = pytest.mark.django_db

JSON = "application/json"


# Every model the management pages and endpoints could write.
MODELS = (Institution, FinanceProduct)


def _state() -> list:
    return table_rows(MODELS)


INSTITUTION = {"name": "苏州银行常熟支行", "kind": "bank", "contact": "王经理"}


PRODUCT = {
    "name": "专精特新贷",
    "kind": "loan",
    "amount_min": "1000000",
    "amount_max": "5000000",
    "rate_min": "3.10",
    "rate_max": "4.20",
    "term_months_min": 6,
    "term_months_max": 36,
    "stages": ["growth", "mature"],
    "industries": ["nextgen_it"],
    "min_tier": "srdi_sme",
    "required_figures": ["revenue"],
    "description": "",
    "is_active": "on",
}


@pytest.fixture
def institution(park):
    return Institution.objects.create(park=park, name="常熟农商银行", kind="bank")


@pytest.fixture
def product(institution):
    return FinanceProduct.objects.create(
        institution=institution,
        name="科创贷",
        amount_min=Decimal("1000000"),
        amount_max=Decimal("10000000"),
        term_months_min=6,
        term_months_max=36,
    )


def test_operator_manages_institutions_and_products_through_pages(operator_client, park):
    r = operator_client.post(f"/sharing/finance/institutions/new/?park={park.pk}", INSTITUTION)
    assert r.status_code == 302 and r["Location"] == f"/sharing/finance/?park={park.pk}"
    inst = Institution.objects.get()
    assert (inst.park, inst.contact) == (park, "王经理")
    r = operator_client.post(
        f"/sharing/finance/institutions/{inst.pk}/edit/", {**INSTITUTION, "contact": "李经理"}
    )
    assert r.status_code == 302
    inst.refresh_from_db()
    assert inst.contact == "李经理"
    r = operator_client.post(f"/sharing/finance/institutions/{inst.pk}/products/new/", PRODUCT)
    assert r.status_code == 302
    p = FinanceProduct.objects.get()
    assert (p.institution, p.stages, p.industries, p.required_figures, p.min_tier) == (
        inst,
        ["growth", "mature"],
        ["nextgen_it"],
        ["revenue"],
        "srdi_sme",
    )
    r = operator_client.get(f"/sharing/finance/products/{p.pk}/edit/")
    assert r.status_code == 200 and r.context["form"].initial["stages"] == ["growth", "mature"]
    r = operator_client.post(
        f"/sharing/finance/products/{p.pk}/edit/", {**PRODUCT, "stages": [], "rate_max": "3.90"}
    )
    assert r.status_code == 302
    p.refresh_from_db()
    assert (p.stages, p.rate_max) == ([], Decimal("3.90"))
    assert AuditEntry.objects.filter(model="finance.financeproduct", action="update").count() == 1
    body = operator_client.get(f"/sharing/finance/?park={park.pk}").content.decode()
    assert (
        f"/sharing/finance/products/{p.pk}/edit/" in body
        and "/sharing/finance/institutions/new/" in body
    )


def test_park_admin_manages_institutions_and_products_through_the_api(staff_client, park):
    r = staff_client.post(
        "/api/v1/sharing/institutions", {"name": "常熟担保", "kind": "guarantee"}, content_type=JSON
    )
    assert r.status_code == 201, r.json()
    inst_id = r.json()["id"]
    r = staff_client.patch(
        f"/api/v1/sharing/institutions/{inst_id}", {"contact": "赵经理"}, content_type=JSON
    )
    assert r.status_code == 200 and r.json()["contact"] == "赵经理"
    r = staff_client.post(
        f"/api/v1/sharing/institutions/{inst_id}/products",
        {
            "name": "担保贷",
            "kind": "guarantee",
            "amount_min": "500000",
            "amount_max": "3000000",
            "industries": ["automotive"],
        },
        content_type=JSON,
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["term_months_max"], r.json()["industries"]) == (36, ["automotive"])
    r = staff_client.patch(
        f"/api/v1/sharing/products/{r.json()['id']}", {"is_active": False}, content_type=JSON
    )
    assert r.status_code == 200 and r.json()["is_active"] is False
    listed = staff_client.get("/api/v1/sharing/institutions").json()
    assert [(i["name"], [p["name"] for p in i["products"]]) for i in listed] == [
        ("常熟担保", ["担保贷"])
    ]


def test_invalid_product_gives_the_exact_field_error_and_saves_nothing(
    operator_client, institution, product
):
    before = _state()
    r = operator_client.post(
        f"/sharing/finance/institutions/{institution.pk}/products/new/",
        {**PRODUCT, "amount_min": "5000000", "amount_max": "1000000"},
    )
    assert r.status_code == 400
    assert r.context["form"].errors["amount_max"] == ["最高金额不能小于最低金额。"]
    r = operator_client.post(
        f"/api/v1/sharing/institutions/{institution.pk}/products",
        {"name": "x", "amount_min": "5", "amount_max": "1"},
        content_type=JSON,
    )
    assert r.json() == {
        "detail": "Invalid input.",
        "fields": {"amount_max": ["最高金额不能小于最低金额。"]},
    }
    r = operator_client.patch(
        f"/api/v1/sharing/products/{product.pk}", {"stages": ["unicorn"]}, content_type=JSON
    )
    assert r.json()["fields"] == {"stages": ["未知的发展阶段。"]}
    r = operator_client.patch(
        f"/api/v1/sharing/products/{product.pk}", {"term_months_min": 48}, content_type=JSON
    )
    assert r.json()["fields"] == {"term_months_max": ["最长期限不能小于最短期限。"]}
    r = operator_client.post(
        "/api/v1/sharing/institutions", {"name": "常熟农商银行", "kind": "bank"}, content_type=JSON
    )
    assert r.json()["fields"] == {"name": ["本园区已有同名机构。"]}
    assert _state() == before


def _page_writes(park, institution, product):
    return [
        (f"/sharing/finance/institutions/new/?park={park.pk}", INSTITUTION),
        (f"/sharing/finance/institutions/{institution.pk}/edit/", INSTITUTION),
        (f"/sharing/finance/institutions/{institution.pk}/products/new/", PRODUCT),
        (f"/sharing/finance/products/{product.pk}/edit/", PRODUCT),
    ]


def _api_writes(park, institution, product):
    return [
        (
            "post",
            "/api/v1/sharing/institutions",
            {"park_id": park.pk, "name": "篡改", "kind": "bank"},
        ),
        ("patch", f"/api/v1/sharing/institutions/{institution.pk}", {"name": "篡改"}),
        (
            "post",
            f"/api/v1/sharing/institutions/{institution.pk}/products",
            {"name": "x", "amount_min": 1, "amount_max": 2},
        ),
        ("patch", f"/api/v1/sharing/products/{product.pk}", {"name": "篡改"}),
    ]


@pytest.mark.parametrize("who", ["viewer", "member"])
def test_viewer_and_member_are_refused_everywhere_and_nothing_is_saved(
    who, viewer, member, park, institution, product
):
    client = logged_in(viewer if who == "viewer" else member)
    before = _state()
    assert_writes_refused(
        client,
        pages=_page_writes(park, institution, product),
        apis=_api_writes(park, institution, product),
        status=403,
        models=MODELS,
    )
    assert _state() == before
    page = client.get("/sharing/finance/").content.decode()
    assert "/new/" not in page.replace("/sharing/finance/needs/new/", "")


def test_outsider_gets_404_and_nothing_is_saved(outsider_client, park, institution, product):
    assert_writes_refused(
        outsider_client,
        pages=_page_writes(park, institution, product),
        apis=_api_writes(park, institution, product),
        status=404,
        models=MODELS,
    )


def test_operator_sees_the_manage_links(operator_client, park, institution, product):
    body = operator_client.get(f"/sharing/finance/?park={park.pk}").content.decode()
    for link in (
        f"/sharing/finance/institutions/new/?park={park.pk}",
        f"/sharing/finance/institutions/{institution.pk}/edit/",
        f"/sharing/finance/institutions/{institution.pk}/products/new/",
        f"/sharing/finance/products/{product.pk}/edit/",
    ):
        assert link in body
    for url, _data in _page_writes(park, institution, product):
        assert operator_client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["staff", "operator", "viewer", "member"])
def test_the_finance_page_renders_for_every_role(request, who, product):
    c = logged_in(request.getfixturevalue(who))
    assert c.get("/sharing/finance/").status_code == 200
    assert [i["name"] for i in c.get("/api/v1/sharing/institutions").json()] == ["常熟农商银行"]
