"""What only a browser shows: a member books an instrument they are trained on, is
refused one they are not, cancels within the deadline and finds the charge on the
month's statement."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from oasis.accounts.tests.factories import PASSWORD, make_user
from oasis.enterprises.tests.factories import EnterpriseFactory
from oasis.parks.tests.factories import ParkFactory
from oasis.sharing.models import Booking, Certification, Delivery, Offering, Resource, Share

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_books_is_gated_cancels_and_sees_the_charge(browser_page):
    page = browser_page
    park = ParkFactory(name="常熟·绿洲芯城")
    firm = EnterpriseFactory(park=park, name="常熟临芯微电子有限公司")
    user = make_user("m1", enterprise=firm)
    offering = Offering.objects.create(
        park=park,
        share=Share.TECHNOLOGY,
        name="材料与光谱分析",
        operator="共性技术创新中心",
        delivery=Delivery.RESOURCE,
        price_resident=Decimal("200.00"),
        price_outside=Decimal("300.00"),
    )
    rules = {
        "opens_at": dt.time(8),
        "closes_at": dt.time(18),
        "open_weekdays": "1234567",
        "slot_minutes": 30,
        "min_minutes": 30,
        "max_minutes": 240,
        "lead_hours": 2,
        "training_required": True,
        "cancel_hours": 24,
    }
    spectrometer = Resource.objects.create(
        offering=offering, park=park, name="傅里叶红外光谱仪", **rules
    )
    chamber = Resource.objects.create(offering=offering, park=park, name="EMC 预测试暗室", **rules)
    today = timezone.localdate()
    Certification.objects.create(
        resource=spectrometer,
        user=user,
        certified_on=today,
        expires_on=today + dt.timedelta(days=365),
    )
    day = today + dt.timedelta(days=3)

    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", "m1")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    def book(resource, start, end):
        page.goto(f"{page.base_url}/sharing/resources/{resource.pk}/")
        page.fill("input[name=day]", day.isoformat())
        page.fill("input[name=start]", start)
        page.fill("input[name=end]", end)
        page.click("#booking-form button[type=submit]")

    # Certified: two bookings go through.
    book(spectrometer, "09:00", "11:00")
    page.wait_for_url(re.compile(r"/sharing/bookings/"))
    assert "预约成功" in page.locator(".flash").inner_text()
    book(spectrometer, "14:00", "15:00")
    page.wait_for_url(re.compile(r"/sharing/bookings/"))

    # Not certified: refused with the reason, nothing stored.
    book(chamber, "09:00", "10:00")
    assert "您尚未通过该设备的培训认证" in page.locator("#booking-form").inner_text()
    assert not Booking.objects.filter(resource=chamber).exists()

    # Cancel the afternoon booking (well before the 24-hour deadline).
    later = Booking.objects.filter(resource=spectrometer).order_by("start").last()
    page.goto(f"{page.base_url}/sharing/bookings/?month={day:%Y-%m}")
    page.click(f"#booking-{later.pk} >> text=取消预约")
    page.wait_for_selector(f"#booking-{later.pk} >> text=已取消")

    # The statement charges the kept two hours at ¥200 and nothing for the cancelled one.
    page.goto(f"{page.base_url}/sharing/statements/?month={day:%Y-%m}")
    rows = page.locator("#statement tbody tr")
    assert rows.count() == 1
    assert "傅里叶红外光谱仪" in rows.first.inner_text() and "400.00" in rows.first.inner_text()
    assert page.locator("#statement-total").inner_text() == "400.00"
