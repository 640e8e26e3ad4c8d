"""What only a browser shows: an attraction manager takes a lead from an ambassador
through the board to signing, is warned about a duplicate, and sees the funnel."""

import re

import pytest

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import PASSWORD, make_user
from oasis.attraction.models import Agreement, Lead, Partner
from oasis.enterprises.models import Enterprise
from oasis.parks.tests.factories import ParkFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_manager_takes_a_lead_from_ambassador_to_signing(browser_page):
    page = browser_page
    park = ParkFactory(name="常熟·绿洲芯城")
    make_user("zs1", park=park, role=Role.ATTRACTION)
    amb = Partner.objects.create(
        park=park, kind=Partner.Kind.AMBASSADOR, name="李大使", organisation="上海临港集团"
    )

    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", "zs1")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/dashboard/"))

    # From the ambassador's record, a new lead attributed to them.
    page.goto(page.base_url + f"/attraction/partners/{amb.pk}/")
    page.click("text=录入其推荐的线索")
    page.fill("input[name=company_name]", "苏州绿洲智驾科技有限公司")
    page.fill("input[name=industry_code]", "3670")
    page.select_option("select[name=focus_industry]", "automotive")
    page.fill("input[name=expected_investment]", "200000000")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/attraction/leads/\d+/$"))
    lead = Lead.objects.get()
    assert lead.partner == amb and lead.source == "ambassador"

    # Drag it on the board from 线索 to 洽谈; the board re-renders without a reload.
    page.click("nav.subnav >> text=看板")
    page.wait_for_url(re.compile(r"/attraction/$"))
    card = f".lead-card[data-lead='{lead.pk}']"
    page.drag_and_drop(card, ".board-col[data-stage='negotiation']")
    page.wait_for_selector(f".board-col[data-stage='negotiation'] {card}")
    assert Lead.objects.get().stage == "negotiation"
    for stage in ("visit", "intent", "signed"):
        page.drag_and_drop(card, f".board-col[data-stage='{stage}']")
        page.wait_for_selector(f".board-col[data-stage='{stage}'] {card}")
    assert Lead.objects.get().stage == "signed"

    # A second lead for the same company, spelled differently: warned, then not saved.
    page.goto(page.base_url + "/attraction/leads/new/")
    page.fill("input[name=company_name]", "绿洲智驾（苏州）科技有限公司")
    page.click("main button[type=submit]")
    page.wait_for_selector(".duplicates")
    assert "苏州绿洲智驾科技有限公司" in page.locator(".duplicates").inner_text()
    assert Lead.objects.count() == 1

    # Sign: the enterprise file and the agreement with two years of commitments.
    page.goto(page.base_url + f"/attraction/leads/{lead.pk}/")
    page.click("text=签约转化")
    page.fill("input[name=total_investment]", "200000000")
    page.fill("input[name=c-0-year]", "2025")
    page.fill("input[name=c-0-output]", "100000000")
    page.fill("input[name=c-0-jobs]", "120")
    page.fill("input[name=c-1-year]", "2026")
    page.fill("input[name=c-1-output]", "300000000")
    page.click("main button[type=submit]")
    page.wait_for_selector("#agreement")
    firm = Enterprise.objects.get()
    assert (firm.name, firm.status) == ("苏州绿洲智驾科技有限公司", "signed")
    assert Agreement.objects.get().commitments.count() == 2
    assert page.locator("#agreement tbody tr").count() == 2

    # The funnel shows the lead reaching 签约 from the ambassador channel.
    page.click("nav.subnav >> text=漏斗分析")
    page.wait_for_url(re.compile(r"/attraction/funnel/"))
    row = page.locator("#funnel-source tbody tr", has_text="招商大使")
    assert row.locator("td").nth(1).inner_text() == "1"
    assert "100.0%" in row.inner_text()
