"""What only a browser shows: log in, the dashboard's charts draw, htmx search, the file."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import PASSWORD, make_user
from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory
from oasis.parks.tests.factories import ParkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_dashboard_search_and_open_the_file(browser_page):
    page = browser_page
    park = ParkFactory(name="常熟·绿洲芯城")
    make_user("admin1", park=park, role=Role.PARK_ADMIN)
    target = EnterpriseFactory(park=park, name="临港芯星半导体有限公司", industry_code="3973")
    FigureFactory(enterprise=target, year=2025, output_value=Decimal("88000000"))
    for e in EnterpriseFactory.create_batch(12, park=park):
        FigureFactory(enterprise=e, year=2025)

    page.goto(page.base_url + "/accounts/login/")
    # Chinese first, even though this browser asks for English.
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.fill("input[name=username]", "admin1")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/"))
    assert page.locator("h1").first.inner_text().startswith("园区驾驶舱")
    # ECharts draws into canvases once its local script has loaded.
    page.wait_for_selector("canvas")
    assert page.locator("canvas").count() >= 3

    page.click("text=企业档案")
    page.wait_for_url(re.compile(r"/enterprises/"))
    page.fill("input[name=q]", "lgxx")
    # htmx swaps the results without a reload; the other twelve firms disappear.
    # (a locator, not wait_for_function: that evaluates a string, which the CSP forbids)
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert "q=lgxx" in page.url
    page.click("#results >> text=临港芯星半导体有限公司")
    page.wait_for_url(re.compile(rf"/enterprises/{target.pk}/$"))
    assert page.locator("h1").inner_text().startswith("临港芯星半导体有限公司")
    assert "3973 集成电路制造" in page.content()


def test_member_on_a_phone_sees_their_firm(browser_page):
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    park = ParkFactory()
    firm = EnterpriseFactory(park=park, name="手机端测试有限公司")
    make_user("m1", enterprise=firm)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", "m1")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/portal/$"))
    assert "手机端测试有限公司" in page.content()
    # The menu collapses behind a toggle and nothing overflows sideways.
    assert not page.locator(".nav-links").is_visible()
    page.click(".nav-toggle-label")
    assert page.locator(".nav-links").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
