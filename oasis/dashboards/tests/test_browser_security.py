"""In a real browser: a building named like a script renders as text in the dashboard's
chart tooltip and runs nothing, and the Content-Security-Policy that would stop the
next such bug leaves the page working (no violation reported)."""

import re
from decimal import Decimal

import pytest

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import PASSWORD, make_user
from oasis.parks.tests.factories import BuildingFactory, FloorFactory, ParkFactory, UnitFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EVIL = "<img src=x onerror=window.__pwned=1>"
# Records script that ran from an injected handler and every CSP violation on the page.
WATCH = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def test_a_building_named_like_a_script_is_shown_as_text(browser_page):
    page = browser_page
    park = ParkFactory(name="常熟·绿洲芯城")
    make_user("admin1", park=park, role=Role.PARK_ADMIN)
    building = BuildingFactory(park=park, name=EVIL, code="<b>X</b>")
    UnitFactory(
        floor=FloorFactory(building=building, number=1),
        building=building,
        status="leased",
        area=Decimal("800"),
    )
    page.add_init_script(WATCH)
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", "admin1")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/"))
    chart = page.locator("[data-chart=building]")
    chart.scroll_into_view_if_needed()
    page.wait_for_selector("[data-chart=building] canvas")
    box = chart.bounding_box()
    assert box is not None
    # Hover over the one bar until ECharts shows its tooltip (a div inside the chart).
    tooltip = chart.locator("div").filter(has_text="<b>X</b>").last
    for dx in (0.5, 0.45, 0.55, 0.4, 0.6):
        page.mouse.move(box["x"] + box["width"] * dx, box["y"] + box["height"] * 0.6)
        page.wait_for_timeout(300)
        if tooltip.count() and tooltip.is_visible():
            break
    text = tooltip.inner_text()
    # The names are shown literally, as the user typed them...
    assert EVIL in text and "<b>X</b>" in text
    # ...and nothing in them became markup or ran.
    assert chart.locator("img").count() == 0 and chart.locator("b").count() == 0
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("window.__violations") == []


def test_pages_send_a_strict_policy_and_work_under_it(browser_page):
    page = browser_page
    park = ParkFactory()
    make_user("admin2", park=park, role=Role.PARK_ADMIN)
    page.add_init_script(WATCH)
    response = page.goto(page.base_url + "/accounts/login/")
    assert response is not None
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
    # An inline script is refused by the browser (the policy really applies).
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__inline = 1'; document.body.appendChild(s); }"
    )
    assert page.evaluate("window.__inline") is None
    assert page.evaluate("window.__violations.length") == 1
    page.evaluate("window.__violations = []")
    page.fill("input[name=username]", "admin2")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.wait_for_selector("canvas")
    # The park selector applies on change through oasis.js (no inline handler).
    for path in ("/enterprises/", "/attraction/partners/", "/admin/", "/api/docs"):
        page.goto(page.base_url + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__violations") == [], path
    assert page.locator(".swagger-ui").count() == 1  # Swagger UI ran under the policy
