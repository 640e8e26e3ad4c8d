"""What only a browser shows: the stacking plan's cells open a lease, and the officer's
whole round — sign on a vacant unit, see the bills, take a payment, watch the ageing
change, renew."""

import re
from decimal import Decimal

import pytest

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import PASSWORD, make_user
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.parks.tests.factories import BuildingFactory, FloorFactory, ParkFactory, UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leasing_officer_signs_pays_and_renews_from_the_stacking_plan(browser_page):
    page = browser_page
    park = ParkFactory(name="常熟·绿洲芯城")
    make_user("zhang", park=park, role=Role.LEASING)
    building = BuildingFactory(park=park, name="3号研发楼", code="R3")
    floor = FloorFactory(building=building, number=2)
    UnitFactory(floor=floor, building=building, code="201", area=Decimal("400.00"))
    UnitFactory(floor=floor, building=building, code="202", area=Decimal("900.00"))
    firm = EnterpriseFactory(park=park, name="常熟芯测科技有限公司")

    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", "zhang")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    page.goto(page.base_url + f"/parks/buildings/{building.pk}/")
    page.click("text=租控图")
    page.wait_for_url(re.compile(rf"/leasing/buildings/{building.pk}/stack/"))
    # Cells are sized by area: the 900 ㎡ unit is wider than the 400 ㎡ one.
    w201 = page.locator("[data-unit='201']").bounding_box()["width"]
    w202 = page.locator("[data-unit='202']").bounding_box()["width"]
    assert w202 > w201 * 1.5
    assert "vacant" in page.locator("[data-unit='201']").get_attribute("class")

    # The cell opens its panel in place (htmx), with a button to sign.
    page.click("[data-unit='201']")
    page.wait_for_selector("#unit-panel #sign-lease")
    assert f"/leasing/buildings/{building.pk}/stack/" in page.url
    page.click("#sign-lease")
    page.wait_for_url(re.compile(r"/leasing/new/"))
    page.select_option("select[name=tenant]", str(firm.pk))
    page.fill("input[name=start_date]", "2026-01-01")
    page.fill("input[name=end_date]", "2026-12-31")
    page.fill("input[name=rent_rate]", "1.5")
    page.fill("input[name=property_fee_rate]", "0")
    page.select_option("select[name=cycle]", "1")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/leasing/\d+/$"))
    assert "执行中" in page.locator("h1").inner_text()
    assert page.locator("#bills tbody tr").count() == 12
    # January: 31 days × 400 ㎡ × 1.5 = 18,600.
    assert "18,600.00" in page.locator("#bills tbody tr").first.inner_text()

    page.goto(page.base_url + "/leasing/receivables/")
    before = page.locator("[data-bucket=total]").inner_text()
    assert before != "0.00"

    page.go_back()
    page.click("#balance summary")
    page.fill("input[name=amount]", "18600")
    page.click("#balance form button[type=submit]")
    page.wait_for_selector("text=收款已登记。")
    page.goto(page.base_url + "/leasing/receivables/")
    after = page.locator("[data-bucket=total]").inner_text()
    assert Decimal(after.replace(",", "")) == Decimal(before.replace(",", "")) - Decimal("18600")

    page.go_back()
    page.click("text=续签")
    page.fill("input[name=end_date]", "2028-12-31")
    page.click("#preview-renewal")
    page.wait_for_selector("#renewal-preview")
    page.click("#confirm-renewal")
    page.wait_for_selector("text=已续签，新合同已生效。")
    assert "2027-01-01 – 2028-12-31" in page.content()
    page.click("text=原合同 >> xpath=following::a[1]")
    assert "已续签" in page.locator("h1").inner_text()

    page.goto(page.base_url + f"/leasing/buildings/{building.pk}/stack/")
    assert "leased" in page.locator("[data-unit='201']").get_attribute("class")
