"""The park dashboard: every KPI exact, access by role, a fixed query count, local charts."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from html import unescape

import pytest
from django.conf import settings
from django.test import Client

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import make_user
from oasis.dashboards.selectors import dashboard_figures
from oasis.enterprises.models import AnnualFigure, Enterprise, FocusIndustry
from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory
from oasis.parks.models import Unit, UnitUse
from oasis.parks.tests.factories import BuildingFactory, FloorFactory, ParkFactory, UnitFactory

URL = "/dashboard/"
S = Enterprise.Status


def _unit(
    building,
    code: str,
    *,
    area: str,
    status: str,
    use: str = UnitUse.MANUFACTURING,
    occupants: int = 0,
) -> Unit:
    floor = FloorFactory(building=building)
    return UnitFactory.create(
        building=building,
        floor=floor,
        code=code,
        area=Decimal(area),
        status=status,
        use=use,
        occupants=occupants,
    )


def _figure(enterprise, year: int, **values):
    """A figure row with every field NULL unless given: the scenario says exactly what was reported."""
    blank = dict.fromkeys(AnnualFigure.FIGURE_FIELDS)
    return FigureFactory(enterprise=enterprise, year=year, **{**blank, **values})


@pytest.fixture
def scene(park, other_park):
    """A small park whose every total is known by hand (see the comments for the sums)."""
    plant = BuildingFactory(park=park, code="A", name="1号厂房", phase=1)
    flats = BuildingFactory(park=park, code="R", name="人才公寓", phase=1, use=UnitUse.APARTMENT)
    u1 = _unit(plant, "101", area="1000.00", status=Unit.Status.LEASED, occupants=7)  # not housing
    u2 = _unit(plant, "102", area="500.25", status=Unit.Status.LEASED)
    _unit(plant, "103", area="800.00", status=Unit.Status.VACANT)
    _unit(plant, "104", area="200.00", status=Unit.Status.RESERVED)
    _unit(plant, "105", area="300.00", status=Unit.Status.UNAVAILABLE)
    _unit(flats, "201", area="60.00", status=Unit.Status.LEASED, use=UnitUse.APARTMENT, occupants=2)
    _unit(flats, "202", area="60.00", status=Unit.Status.LEASED, use=UnitUse.APARTMENT, occupants=3)
    _unit(flats, "203", area="60.00", status=Unit.Status.VACANT, use=UnitUse.APARTMENT)
    # Another park's building: none of it may show.
    far = BuildingFactory(park=other_park, code="Z", name="外园厂房")
    _unit(
        far, "901", area="5000.00", status=Unit.Status.LEASED, use=UnitUse.APARTMENT, occupants=50
    )

    s1 = EnterpriseFactory(park=park, name="芯一", focus_industry=FocusIndustry.NEXTGEN_IT)
    s2 = EnterpriseFactory(park=park, name="车二", focus_industry=FocusIndustry.AUTOMOTIVE)
    s3 = EnterpriseFactory(park=park, name="车三", focus_industry=FocusIndustry.AUTOMOTIVE)
    s4 = EnterpriseFactory(park=park, name="能四", focus_industry=FocusIndustry.NEW_ENERGY)
    s1.units.set([u1])
    s2.units.set([u1, u2])  # two units in one building: still one firm there
    _figure(
        s1,
        2024,
        output_value=Decimal("100000000.00"),
        revenue=Decimal("120000000.00"),
        tax_paid=Decimal("1000000.00"),
        headcount=100,
    )
    _figure(
        s1,
        2025,
        output_value=Decimal("150000000.50"),
        revenue=Decimal("160000000.00"),
        tax_paid=Decimal("2000000.00"),
        headcount=120,
    )
    _figure(s2, 2025, tax_paid=Decimal("400000.25"), headcount=80)  # output not reported
    _figure(s2, 2022)  # a row with nothing reported at all
    _figure(s3, 2025, output_value=Decimal("50000000.00"))  # headcount not reported
    _figure(s4, 2023, output_value=Decimal("10000000.00"), headcount=10)  # nothing for 2025

    for name, status in [("意向甲", S.PROSPECT), ("意向乙", S.PROSPECT), ("签约丙", S.SIGNED)]:
        EnterpriseFactory(park=park, name=name, status=status)
    gone = EnterpriseFactory(
        park=park, name="迁出丁", status=S.EXITED, focus_industry=FocusIndustry.AUTOMOTIVE
    )
    gone.units.set([u2])
    _figure(
        gone,
        2025,
        output_value=Decimal("999000000.00"),
        tax_paid=Decimal("9990000.00"),
        headcount=999,
    )
    far_firm = EnterpriseFactory(park=other_park, name="外园企业")
    _figure(far_firm, 2025, output_value=Decimal("888000000.00"), headcount=888)
    _figure(far_firm, 2026, output_value=Decimal("1.00"), headcount=1)
    return {"plant": plant, "flats": flats}


def _kpi(html: str, kpi_id: str) -> str:
    """The visible text of one KPI card, whitespace collapsed."""
    match = re.search(rf'<article class="kpi" id="{kpi_id}">(.*?)</article>', html, re.S)
    assert match, kpi_id
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", match.group(1)))).strip()


def _kpi_href(html: str, kpi_id: str) -> str:
    match = re.search(rf'<article class="kpi" id="{kpi_id}">\s*<a href="([^"]+)"', html)
    assert match, kpi_id
    return unescape(match.group(1))


def _json(html: str, element_id: str) -> dict:
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S
    )
    assert match, element_id
    return json.loads(match.group(1))


# --- the numbers ------------------------------------------------------------------


def test_selector_figures_for_latest_year(park, scene):
    fig = dashboard_figures(park=park)

    assert fig.year == 2025
    assert fig.years == (2025, 2024, 2023, 2022)
    assert [(s.status, s.count) for s in fig.statuses] == [
        ("prospect", 2),
        ("signed", 1),
        ("settled", 4),
        ("exited", 1),
    ]
    assert fig.settled == 4
    assert fig.pipeline == 3

    t = fig.totals
    assert t.rows == 3
    assert t.output_value == Decimal("200000000.50")
    assert t.output_reported == 2
    assert t.output_per_firm == Decimal("100000000.25")  # a NULL is not a zero in the mean
    assert t.headcount == 200
    assert t.headcount_reported == 2
    assert t.tax_paid == Decimal("2400000.25")
    assert t.tax_reported == 2
    assert t.revenue == Decimal("160000000.00")
    assert isinstance(t.output_value, Decimal)

    assert fig.residents == 5
    assert fig.leased_area == Decimal("1620.25")
    assert fig.lettable_area == Decimal("2680.25")
    assert fig.occupancy_rate == Decimal("1620.25") / Decimal("2680.25")


def test_selector_industries_buildings_and_trend(park, scene):
    fig = dashboard_figures(park=park)

    assert [
        (i.industry, i.settled, i.totals.output_value, i.totals.output_reported)
        for i in fig.industries
    ] == [
        ("automotive", 2, Decimal("50000000.00"), 1),
        ("nextgen_it", 1, Decimal("150000000.50"), 1),
        ("life_health", 0, Decimal("0"), 0),
        ("new_energy", 1, Decimal("0"), 0),  # settled, but no 2025 row: no rows means 0
        ("other", 0, Decimal("0"), 0),
    ]
    assert [
        (
            b.code,
            b.leased_area,
            b.reserved_area,
            b.vacant_area,
            b.unavailable_area,
            b.residents,
            b.firms,
        )
        for b in fig.buildings
    ] == [
        ("A", Decimal("1500.25"), Decimal("200.00"), Decimal("800.00"), Decimal("300.00"), 0, 2),
        ("R", Decimal("120.00"), Decimal("0"), Decimal("60.00"), Decimal("0"), 5, 0),
    ]
    assert [
        (p.year, p.totals.rows, p.totals.output_value, p.totals.headcount, p.totals.tax_paid)
        for p in fig.trend
    ] == [
        (2022, 1, None, None, None),  # rows exist but nothing reported: unknown, not 0
        (2023, 1, Decimal("10000000.00"), 10, None),
        (2024, 1, Decimal("100000000.00"), 100, Decimal("1000000.00")),
        (2025, 3, Decimal("200000000.50"), 200, Decimal("2400000.25")),
    ]


def test_selector_other_years(park, scene):
    fig = dashboard_figures(park=park, year=2024)
    assert (fig.totals.rows, fig.totals.output_value, fig.totals.headcount) == (
        1,
        Decimal("100000000.00"),
        100,
    )

    empty = dashboard_figures(park=park, year=2030).totals
    assert (
        empty.rows,
        empty.output_value,
        empty.headcount,
        empty.tax_paid,
        empty.output_per_firm,
    ) == (
        0,
        Decimal("0"),
        0,
        Decimal("0"),
        None,
    )


def test_selector_empty_park(other_park):
    fig = dashboard_figures(park=ParkFactory(name="空园区"))
    assert (fig.settled, fig.pipeline, fig.residents, fig.leased_area, fig.occupancy_rate) == (
        0,
        0,
        0,
        Decimal("0"),
        None,
    )
    assert fig.years == ()
    assert fig.buildings == ()


def test_page_shows_each_kpi_and_links_to_its_records(staff_client, park, scene):
    r = staff_client.get(URL)
    assert r.status_code == 200
    html = r.content.decode()
    p = park.pk

    assert _kpi(html, "kpi-enterprises") == "入驻企业 4 家 目标 300 家 · 1.3%"
    assert _kpi_href(html, "kpi-enterprises") == f"/enterprises/?park={p}&status=settled"
    assert (
        _kpi(html, "kpi-jobs") == "就业人数 200 人 目标 6,000–8,000 人 · 达下限 3.3% 2/4 家已报送"
    )
    assert _kpi_href(html, "kpi-jobs") == f"/enterprises/?park={p}&status=settled"
    assert (
        _kpi(html, "kpi-output")
        == "年产值 2.00 亿元 目标 500.00 亿元 · 0.4% 2/4 家已报送 · 户均 10,000.00 万元"
    )
    assert _kpi_href(html, "kpi-output") == f"/enterprises/?park={p}&status=settled"
    assert _kpi(html, "kpi-residents") == "园区居住人才 5 人 目标 3,000 人 · 0.2%"
    assert _kpi_href(html, "kpi-residents") == f"/parks/units/?park={p}&use=apartment"
    assert (
        _kpi(html, "kpi-leased")
        == "已出租面积 1,620 ㎡ 规划建筑面积 518,000 ㎡ · 0.3% 出租率 60.5%（可租面积 2,680 ㎡）"
    )
    assert _kpi_href(html, "kpi-leased") == f"/parks/units/?park={p}&status=leased"
    assert _kpi(html, "kpi-pipeline") == "在谈企业（意向 + 已签约） 3 家 意向 2 · 已签约 1"
    assert f'href="/enterprises/?park={p}&amp;status=prospect"' in html
    assert f'href="/enterprises/?park={p}&amp;status=signed"' in html
    assert _kpi(html, "kpi-tax") == "2025 年纳税额 0.02 亿元 2/4 家已报送"
    # Progress bars carry the percentage of target, capped at 100.
    assert '<progress value="1.3333333333333333" max="100">' in html


def test_page_year_selector(staff_client, park, scene):
    html = staff_client.get(URL, {"year": 2024}).content.decode()
    assert _kpi(html, "kpi-output").startswith("年产值 1.00 亿元")
    assert '<option value="2024" selected>2024</option>' in html
    assert [int(y) for y in re.findall(r'<option value="(\d{4})"', html)] == [
        2025,
        2024,
        2023,
        2022,
    ]

    # A year without data still renders, with zeros and nobody reporting.
    html = staff_client.get(URL, {"year": 2019}).content.decode()
    assert _kpi(html, "kpi-jobs").startswith("就业人数 0 人")
    assert "0/4 家已报送" in _kpi(html, "kpi-jobs")
    assert '<option value="2019" selected>2019</option>' in html


def test_page_rejects_junk_parameters(staff_client, park):
    for query in [{"year": "abc"}, {"year": "1800"}, {"park": "x"}, {"park": "-1"}]:
        r = staff_client.get(URL, query)
        assert r.status_code == 400, query
        assert r.content.decode() == "园区或年度参数无效。"


def test_chart_data_blocks(staff_client, park, scene):
    html = staff_client.get(URL).content.decode()
    p = park.pk

    industry = _json(html, "chart-industry-data")
    assert industry["categories"] == [
        "汽车",
        "新一代信息技术",
        "新能源",
    ]  # empty industries left out
    assert industry["firms"] == [2, 1, 1]
    assert industry["output"] == [0.5, 1.5, 0.0]
    assert (
        industry["links"][0] == f"/enterprises/?park={p}&status=settled&focus_industry=automotive"
    )

    building = _json(html, "chart-building-data")
    assert building["categories"] == ["A", "R"]
    assert building["titles"] == ["1号厂房", "人才公寓"]
    assert building["leased"] == [1500.25, 120.0]
    assert building["vacant"] == [800.0, 60.0]
    assert building["reserved"] == [200.0, 0.0]
    assert building["firms"] == [2, 0]
    assert building["links"] == [
        f"/parks/units/?park={p}&building={scene['plant'].pk}",
        f"/parks/units/?park={p}&building={scene['flats'].pk}",
    ]

    trend = _json(html, "chart-trend-data")
    assert trend["categories"] == ["2022", "2023", "2024", "2025"]
    assert trend["output"] == [None, 0.1, 1.0, 2.0]
    assert trend["revenue"] == [None, None, 1.2, 1.6]
    assert trend["tax"] == [None, None, 0.01, 0.024]
    assert trend["headcount"] == [None, 10, 100, 200]
    assert trend["names"]["output"] == "产值"

    status = _json(html, "chart-status-data")
    assert status["categories"] == ["意向", "已签约", "已入驻", "已迁出"]
    assert status["counts"] == [2, 1, 4, 1]
    assert status["links"][2] == f"/enterprises/?park={p}&status=settled"


def test_page_loads_local_echarts_only(staff_client, park, scene):
    html = staff_client.get(URL).content.decode()
    assert '<script src="/static/oasis/vendor/echarts.min.js"></script>' in html
    assert '<script src="/static/oasis/dashboard.js"></script>' in html
    assert html.index("echarts.min.js") < html.index("dashboard.js")
    assert not re.search(r'<script[^>]+src="(https?:)?//', html)  # no CDN
    for chart in ["industry", "building", "trend", "status"]:
        assert f'data-chart="{chart}" data-source="chart-{chart}-data"' in html
        assert f'<script id="chart-{chart}-data" type="application/json">' in html


# --- access -----------------------------------------------------------------------


def test_staff_and_viewer_see_the_dashboard(staff_client, viewer_client, park):
    for client in (staff_client, viewer_client):
        r = client.get(URL)
        assert r.status_code == 200
        assert r.context["park"] == park
        assert 'name="park"' not in r.content.decode()  # one park: no park selector


def test_member_and_roleless_user_are_refused(member_client, park):
    assert member_client.get(URL).status_code == 403
    assert member_client.get(URL, {"park": park.pk}).status_code == 403
    nobody = Client()
    nobody.force_login(make_user("nobody"))
    assert nobody.get(URL).status_code == 403


def test_anonymous_is_sent_to_login(client, park):
    r = client.get(URL)
    assert r.status_code == 302
    assert r["Location"] == f"/accounts/login/?next={URL}"


def test_outsider_sees_only_their_own_park(outsider_client, park, other_park, scene):
    assert outsider_client.get(URL, {"park": park.pk}).status_code == 404
    r = outsider_client.get(URL)
    assert r.status_code == 200
    assert r.context["park"] == other_park
    html = r.content.decode()
    assert park.name not in html
    assert _kpi(html, "kpi-enterprises").startswith("入驻企业 1 家")
    assert _kpi(html, "kpi-residents").startswith("园区居住人才 50 人")


def test_staff_of_several_parks_pick_one(park, other_park, scene):
    both = make_user("group", park=park, role=Role.VIEWER)
    both.park_roles.create(park=other_park, role=Role.PARK_ADMIN)
    c = Client()
    c.force_login(both)

    r = c.get(URL)
    assert r.context["park"] == park  # the first park by id
    html = r.content.decode()
    assert f'<option value="{park.pk}" selected>' in html
    assert f'<option value="{other_park.pk}" >' in html

    r = c.get(URL, {"park": other_park.pk})
    assert r.context["park"] == other_park
    assert r.context["fig"].year == 2026
    assert _kpi(r.content.decode(), "kpi-output").startswith("年产值 0.00 亿元")


def test_superuser_sees_any_park(park, other_park):
    admin = make_user("root", is_superuser=True)
    c = Client()
    c.force_login(admin)
    assert c.get(URL, {"park": other_park.pk}).context["park"] == other_park


# --- query count ------------------------------------------------------------------

# Measured: session, user, park roles, the user's parks, then the five dashboard
# aggregates (trend by year, firms by status, industries for the year, building
# areas, firms per building), then six for the month's shared-service utilisation
# (resources, bookings, charges, requests, offerings), and the header's unread-message
# count. Exact, so any new per-request query is noticed.
QUERY_CEILING = 16


def _populate(park, n: int) -> None:
    building = BuildingFactory(park=park)
    industries = list(FocusIndustry.values)
    for i in range(n):
        unit = _unit(
            building,
            f"Q{i}",
            area="100.00",
            status=Unit.Status.LEASED if i % 2 else Unit.Status.VACANT,
        )
        firm = EnterpriseFactory.create(
            park=park,
            focus_industry=industries[i % len(industries)],
            status=S.SETTLED if i % 3 else S.PROSPECT,
        )
        firm.units.set([unit])
        FigureFactory(enterprise=firm, year=2024)
        FigureFactory(
            enterprise=firm, year=2025, output_value=None if i % 4 == 0 else Decimal("1000.00")
        )


@pytest.mark.parametrize("n", [10, 150])
def test_query_count_does_not_grow_with_firms(staff_client, park, n, django_assert_max_num_queries):
    _populate(park, n)
    with django_assert_max_num_queries(QUERY_CEILING):
        r = staff_client.get(URL)
    assert r.status_code == 200
    assert r.context["fig"].settled == sum(1 for i in range(n) if i % 3)


def test_cached_dashboard_moves_on_the_next_request_after_a_write(
    staff_client,
    park,
    enterprise,
    staff,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    from oasis.enterprises.services import annual_figure_save

    FigureFactory(enterprise=enterprise, year=2025, headcount=100)
    first = staff_client.get(f"/dashboard/?park={park.pk}&year=2025").context["fig"]
    assert first.totals.headcount == 100
    # A repeated request is served from the cache: only session, user and access reads
    # (and the header's unread-message count).
    with django_assert_max_num_queries(5):
        staff_client.get(f"/dashboard/?park={park.pk}&year=2025")
    with django_capture_on_commit_callbacks(execute=True):
        annual_figure_save(actor=staff, enterprise=enterprise, year=2025, data={"headcount": 140})
    again = staff_client.get(f"/dashboard/?park={park.pk}&year=2025").context["fig"]
    assert again.totals.headcount == 140


def test_dashboard_shows_this_months_shared_services(staff_client, park):
    r = staff_client.get(URL)
    html = r.content.decode()
    assert 'id="chart-sharing-data"' in html and "五大共享 · 本月利用" in html
    data = r.context["charts"]["sharing"]
    assert len(data["categories"]) == 5
    assert data["links"][0].startswith(f"/sharing/stats/?park={park.pk}&month=")


def test_cached_dashboard_speaks_each_readers_language(staff_client, park, scene):
    """A Chinese reader fills the cache first; an English reader still gets English."""
    html = staff_client.get(URL).content.decode()
    assert _json(html, "chart-status-data")["categories"][0] == "意向"
    assert _json(html, "chart-sharing-data")["categories"][0] == "共享数字"
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = staff_client.get(URL).content.decode()
    assert _json(html, "chart-status-data")["categories"] == [
        "Prospect",
        "Signed",
        "Settled",
        "Exited",
    ]
    assert _json(html, "chart-industry-data")["categories"][0] == "Automotive"
    assert _json(html, "chart-sharing-data")["categories"][0] == "Shared digital"
