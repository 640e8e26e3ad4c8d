"""Issue 14, done when: a member on a phone files one request, gets an in-app message
when staff reply, and sees the deadline in working hours."""

import re

import pytest

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import PASSWORD, make_user
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.parks.tests.factories import ParkFactory
from oasis.tickets.models import Ticket
from oasis.tickets.services import ticket_reply

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username: str) -> None:
    page.context.clear_cookies()
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_member_on_a_phone_files_a_request_and_is_told_of_the_reply(browser_page):
    page = browser_page
    page.set_viewport_size({"width": 375, "height": 740})
    park = ParkFactory(name="常熟·绿洲芯城")
    firm = EnterpriseFactory(park=park, name="手机报修测试有限公司")
    make_user("phone_member", enterprise=firm)
    officer = make_user("phone_officer", park=park, role=Role.SERVICE)

    _login(page, "phone_member")
    page.goto(page.base_url + "/tickets/new/")
    page.select_option("select[name=category]", "property_repair")
    page.fill("input[name=title]", "二楼卫生间漏水")
    page.fill("textarea[name=body]", "水从天花板滴下来")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/tickets/\d+/$"))
    ticket = Ticket.objects.get(title="二楼卫生间漏水")
    # The deadline, counted in working hours on the park calendar.
    left = page.locator("#hours-left").inner_text()
    assert re.search(r"剩余 \d+(\.\d)? 个工作小时", left), left
    assert "按园区工作日历计算" in left
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    # No message yet.
    assert page.locator("#unread-count").count() == 0

    ticket_reply(actor=officer, ticket=ticket, body="维修师傅下午两点上门")

    page.reload()
    badge = page.locator("#unread-count")
    assert badge.is_visible() and badge.inner_text() == "1"  # in sight on a phone
    page.click("#inbox-link")
    page.wait_for_url(re.compile(r"/notifications/$"))
    item = page.locator("#inbox li").first
    assert "二楼卫生间漏水" in item.inner_text() and "维修师傅下午两点上门" in item.inner_text()
    item.locator("a").first.click()
    page.wait_for_url(re.compile(rf"/tickets/{ticket.pk}/$"))
    assert "维修师傅下午两点上门" in page.locator(".thread").inner_text()
    assert page.locator("#unread-count").count() == 0
