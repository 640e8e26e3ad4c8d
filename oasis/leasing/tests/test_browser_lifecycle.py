"""In the browser, a leasing officer's round at the end of a lease: amend the rent, renew
(old and new side by side, the deposit carried), terminate the renewal early and print
the move-out settlement."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import PASSWORD, make_user
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.leasing import services
from oasis.leasing.models import Lease, Settlement
from oasis.parks.tests.factories import BuildingFactory, FloorFactory, ParkFactory, UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leasing_officer_amends_renews_terminates_and_prints_the_settlement(browser_page):
    page = browser_page
    today = services.today()
    park = ParkFactory(name="常熟·绿洲芯城")
    officer = make_user("zhang", park=park, role=Role.LEASING)
    building = BuildingFactory(park=park, name="3号研发楼", code="R3")
    floor = FloorFactory(building=building, number=2)
    unit = UnitFactory(floor=floor, building=building, code="201", area=Decimal("1000.00"))
    firm = EnterpriseFactory(park=park, name="常熟芯测科技有限公司")
    # A one-year lease running today, 2.00 元/㎡/天 +5 % a year, deposit 60,000 paid.
    start = dt.date(today.year, 1, 1)
    lease = services.lease_create(
        actor=officer,
        tenant=firm,
        unit_ids=[unit.pk],
        data={
            "start_date": start,
            "end_date": dt.date(today.year, 12, 31),
            "rent_rate": Decimal("2.00"),
            "escalation_pct": Decimal("5"),
            "deposit": Decimal("60000"),
            "cycle": 1,
        },
        activate=True,
        on=start,
    )
    services.payment_record(
        actor=officer,
        lease=lease,
        amount=Decimal("60000"),
        paid_on=start,
        bill=lease.bills.get(kind="deposit"),
    )

    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", "zhang")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()

    # 1. Amend the rent from the first of this month.
    page.goto(page.base_url + f"/leasing/{lease.pk}/")
    page.click("text=变更")
    amend_on = today.replace(day=1)
    page.fill("input[name=effective_on]", amend_on.isoformat())
    page.fill("input[name=reason]", "重新议价")
    page.fill("input[name=rent_rate]", "2.5")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=变更已生效")
    assert amend_on.isoformat() in page.locator("#rate-history").inner_text()
    assert "2.5000" in page.locator("#rate-today").inner_text()
    assert "租金单价 2.0000 → 2.5000" in page.locator("#amendments").inner_text()

    # 2. Renew for a year on the terms in force: 2.50, shown beside the old rates.
    page.click("text=续签")
    page.fill("input[name=end_date]", f"{today.year + 1}-12-31")
    page.click("#preview-renewal")
    page.wait_for_selector("#renewal-preview")
    assert "2.5000" in page.locator("#renewal-preview .new-rate").first.inner_text()
    page.check("input[name=deposit_action][value=carry]")
    page.click("#confirm-renewal")
    page.wait_for_selector("text=已续签，新合同已生效。")
    successor = Lease.objects.get(predecessor=lease)
    assert successor.rent_rate == Decimal("2.5000")
    assert page.url.endswith(f"/leasing/{successor.pk}/")

    # 3. Terminate the renewal at the end of its third month.
    page.click("text=提前终止")
    page.fill("input[name=terminated_on]", f"{today.year + 1}-03-31")
    page.fill("input[name=reason]", "企业迁出")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=合同已提前终止。")

    # 4. The settlement: the carried deposit (60,000) against January–March unpaid
    # (2.50 × 1,000 × 90 days = 225,000): 165,000 still owed, nothing to refund.
    page.click("#settlement-link")
    page.wait_for_url(re.compile(rf"/leasing/{successor.pk}/settlement/"))
    assert page.locator("[data-figure=deposit]").inner_text() == "60,000.00"
    page.click("#settle")
    page.wait_for_selector("text=退租结算已完成。")
    assert page.locator("[data-figure=shortfall]").inner_text() == "165,000.00"
    assert page.locator("[data-figure=refund]").inner_text() == "0.00"
    assert Settlement.objects.get(lease=successor).shortfall == Decimal("165000.00")
    # Printed, the statement stands alone: no navigation, no buttons.
    page.emulate_media(media="print")
    assert not page.locator("#print").is_visible()
    assert not page.locator("body > header, nav").first.is_visible()
    assert page.locator("#statement").is_visible()
