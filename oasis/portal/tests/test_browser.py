"""What only a browser shows, on a phone-sized screen: the member reports, is asked to
explain an implausible jump and does; staff accept and the dashboard moves; the member
opens a ticket, staff resolve it, the member rates it.

The report is an annual one: accepted annual figures are the official figures the
dashboard sums (quarterly ones go to the firm's period figures, which the dashboard
does not read)."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import PASSWORD, make_user
from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory
from oasis.parks.tests.factories import ParkFactory
from oasis.portal.models import Report
from oasis.portal.tests.factories import make_campaign
from oasis.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def _output_kpi(page, park_id: int) -> str:
    page.goto(page.base_url + f"/dashboard/?park={park_id}&year=2025")
    return page.locator("#kpi-output .value").inner_text()


def test_member_reports_staff_accept_dashboard_moves_then_a_ticket_is_rated(browser_page):
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    park = ParkFactory(name="常熟·绿洲芯城")
    firm = EnterpriseFactory(park=park, name="手机填报测试有限公司")
    FigureFactory(
        enterprise=firm,
        year=2024,
        revenue=Decimal("100000000"),
        main_business_revenue=Decimal("90000000"),
        output_value=Decimal("100000000"),
        headcount=100,
        rd_staff=20,
    )
    FigureFactory(
        enterprise=EnterpriseFactory(park=park), year=2025, output_value=Decimal("200000000")
    )
    make_user("m1", enterprise=firm)
    make_user("admin1", park=park, role=Role.PARK_ADMIN)
    campaign = make_campaign(
        park,
        kind="annual",
        year=2025,
        period=0,
        title="2025年度数据年报",
        fields=["revenue", "output_value", "headcount"],
        opens_on=dt.date(2020, 1, 1),
        due_on=dt.date(2099, 12, 31),
    )

    _login(page, "admin1")
    assert _output_kpi(page, park.pk).startswith("2")  # 2 亿元 before

    # The member lands on the portal and fills the report.
    _login(page, "m1")
    page.wait_for_url(re.compile(r"/portal/$"))
    _no_sideways_scroll(page)
    page.click(f"#portal-reporting >> text={campaign.title}")
    page.fill("input[name=revenue]", "300000000")
    page.fill("input[name=output_value]", "300000000")
    page.fill("input[name=headcount]", "120")
    page.click("button[value=submit]")
    # Not refused: asked to explain.
    page.wait_for_selector("#flags")
    assert "营业收入同比变化 +200.0%" in page.locator("#flags").inner_text()
    assert Report.objects.count() == 0
    _no_sideways_scroll(page)
    page.fill("textarea[name=explanation]", "新产线投产，订单翻倍。")
    page.click("button[value=submit]")
    page.wait_for_url(re.compile(r"/portal/reports/\d+/$"))
    assert page.locator("#report-status").inner_text() == "待审核"

    # Staff accept it from the queue; the dashboard moves.
    _login(page, "admin1")
    page.goto(page.base_url + "/portal/reports/review/")
    page.click("table a:has-text('审核')")
    page.wait_for_url(re.compile(r"/portal/reports/\d+/$"))
    assert "新产线投产，订单翻倍。" in page.content()
    page.click("button[name=accept]")
    page.wait_for_url(re.compile(r"/portal/reports/review/$"))
    assert Report.objects.get().status == "accepted"
    assert _output_kpi(page, park.pk).startswith("5")  # 2 + 3 亿元

    # The member opens a ticket.
    _login(page, "m1")
    page.goto(page.base_url + "/tickets/new/")
    page.select_option("select[name=category]", "property_repair")
    page.fill("input[name=title]", "车间空调漏水")
    page.fill("textarea[name=body]", "二楼车间空调漏水")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))
    ticket = Ticket.objects.get()
    assert page.locator("#ticket-status").inner_text() == "已受理"
    _no_sideways_scroll(page)

    # Staff resolve it.
    _login(page, "admin1")
    page.goto(page.base_url + f"/tickets/{ticket.pk}/")
    page.fill("#resolve textarea[name=body]", "已更换冷凝水管")
    page.click("button[name=resolve]")
    page.wait_for_selector("#ticket-status:has-text('待确认')")

    # The member confirms and rates.
    _login(page, "m1")
    page.goto(page.base_url + f"/tickets/{ticket.pk}/")
    page.check("#confirm input[name=rating][value='5']")
    page.click("button[name=confirm]")
    page.wait_for_selector("#ticket-status:has-text('已关闭')")
    assert "已更换冷凝水管" in page.locator(".thread").inner_text()
    ticket.refresh_from_db()
    assert (ticket.status, ticket.rating) == ("closed", 5)
