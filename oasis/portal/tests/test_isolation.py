"""The strictest boundary in the product: a member of firm A never sees or changes
firm B's data, through any page, export, attachment or API call.

The walk enumerates the URL patterns (so a route added later is covered without
touching this file), substitutes firm B's ids for every URL parameter, and calls each
URL with every method as a member of firm A. Every call must be refused (403/404/405)
and the database must be exactly as it was, row for row. Routes without parameters may
answer, but never with firm B's data in the body."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from oasis.accounts.models import LoginFailure
from oasis.core.testing import (
    BuildingFactory,
    EnterpriseFactory,
    FigureFactory,
    FloorFactory,
    UnitFactory,
    make_user,
)
from oasis.enterprises.models import Contact
from oasis.portal.models import NoticeRead, PeriodFigure
from oasis.tickets import services as ticket_services

from .factories import make_campaign, make_notice, make_report, make_ticket

PREFIXES = (
    "portal/", "tickets/", "enterprises/", "parks/", "dashboard/",
    "api/v1/portal/", "api/v1/tickets/", "api/v1/enterprises/", "api/v1/parks/",
)
SECRET = "乙方机密"  # in every name and title of firm B's rows
METHODS = ("get", "post", "put", "patch", "delete")
# One body that passes the shape checks of as many forms and schemas as possible, so the
# access check (not a validation error) is what refuses the call.
BODY: dict[str, Any] = {
    "revenue": "1", "output_value": "1", "headcount": 1, "body": "篡改", "title": "篡改", "category": "other",
    "comment": "篡改", "rating": 5, "name": "篡改企业", "industry_code": "3976", "explanation": "篡改",
    "submit": True, "action": "submit", "year": 2025, "legal_representative": "篡改", "phone": "1",
    "username": "intruder", "new_password1": "Intruder-pass-9876", "new_password2": "Intruder-pass-9876",
    "code": "X9", "use": "office", "gross_area": "100", "area": "10", "floor_id": 1, "assignee_id": 1,
}
# Models whose rows a request may legitimately touch without changing anyone's data.
IGNORED = {"sessions.session", "accounts.loginfailure", "contenttypes.contenttype", "auth.permission"}


def _walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for p in patterns:
        route = str(p.pattern)
        if isinstance(p, URLResolver):
            out += _walk(p.url_patterns, prefix + route)
        else:
            out.append((prefix + route, p))
    return out


def _routes() -> list[str]:
    seen: list[str] = []
    for route, _pattern in _walk(get_resolver().url_patterns):
        if route.startswith(PREFIXES) and route not in seen:
            seen.append(route)
    return seen


def _db_state() -> dict[str, list[tuple[Any, ...]]]:
    state = {}
    for model in apps.get_models():
        if model._meta.label_lower in IGNORED or not model._meta.managed:
            continue
        state[model._meta.label_lower] = list(model.objects.order_by("pk").values_list())
    return state


@pytest.fixture
def world(park, other_park, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    a = EnterpriseFactory(park=park, name="甲方科技有限公司", focus_industry="automotive")
    b = EnterpriseFactory(park=park, name=f"{SECRET}半导体有限公司", focus_industry="new_energy")
    building = BuildingFactory(park=park)
    unit_b = UnitFactory(floor=FloorFactory(building=building, number=1), building=building)
    b.units.add(unit_b)
    member_a = make_user("member_a", enterprise=a, is_enterprise_admin=True)
    member_b = make_user("member_b", enterprise=b, is_enterprise_admin=True, display_name=f"{SECRET}员工")
    colleague_b = make_user("colleague_b", enterprise=b)
    FigureFactory(enterprise=b, year=2025)
    contact_b = Contact.objects.create(enterprise=b, name=f"{SECRET}联系人")
    campaign = make_campaign(park)
    other_campaign = make_campaign(other_park, title=f"{SECRET}外园区任务")
    make_report(campaign, a)
    report_b = make_report(campaign, b, status="submitted")
    PeriodFigure.objects.create(enterprise=b, kind="quarterly", year=2025, period=3, revenue=1)
    make_ticket(a, member_a, title="甲方自己的工单")
    ticket_b = ticket_services.ticket_open(
        actor=member_b, category="policy", title=f"{SECRET}工单", body=f"{SECRET}内容",
        files=[SimpleUploadedFile(f"{SECRET}.pdf", b"%PDF-1.4 secret")],
    )
    attachment_b = ticket_b.attachments.get()
    make_notice(park, title="全体企业通知")
    notice_b = make_notice(park, title=f"{SECRET}通知", audience_industry="new_energy")
    NoticeRead.objects.create(notice=notice_b, user=member_b, enterprise=b, read_at=timezone.now())
    values = {
        "pk": b.pk, "enterprise_id": b.pk, "year": 2025, "contact_id": contact_b.pk,
        "campaign_id": other_campaign.pk, "report_id": report_b.pk, "notice_id": notice_b.pk,
        "ticket_id": ticket_b.pk, "attachment_id": attachment_b.pk, "user_id": colleague_b.pk,
        "park_pk": other_park.pk, "park_id": other_park.pk, "building_pk": building.pk,
        "building_id": building.pk, "unit_id": unit_b.pk,
        # The one-time activation link: the token is the capability; a wrong one must fail.
        "uidb64": "MQ", "token": "set-password",
    }
    # `pk` means a different thing under each prefix.
    pk_by_prefix = {"parks/buildings/": building.pk, "parks/units/": unit_b.pk, "parks/": other_park.pk}
    return {"a": a, "b": b, "member_a": member_a, "values": values, "pk_by_prefix": pk_by_prefix,
            "member_b": member_b, "colleague_b": colleague_b}


def _url(route: str, world: dict[str, Any]) -> str:
    def sub(m: re.Match[str]) -> str:
        name = m.group(2)
        if name == "pk":
            for prefix, value in world["pk_by_prefix"].items():
                if route.startswith(prefix):
                    return str(value)
        assert name in world["values"], f"{route}: no firm-B value for <{name}>; add one to the isolation test"
        return str(world["values"][name])

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", sub, route)


def _call(client: Client, method: str, url: str) -> Any:
    if url.startswith("/api/"):
        if method == "get":
            return client.get(url)
        return getattr(client, method)(url, json.dumps(BODY), content_type="application/json")
    if method in ("get", "post"):
        return getattr(client, method)(url, BODY if method == "post" else None)
    return getattr(client, method)(url)


def _leaks(response: Any, world: dict[str, Any]) -> list[str]:
    if getattr(response, "streaming", False):
        body = b"".join(response.streaming_content).decode(errors="replace")
    else:
        body = response.content.decode(errors="replace")
    found = [SECRET] if SECRET in body else []
    if response.get("Content-Type", "").startswith("application/json"):
        data = json.loads(body or "null")
        rows = data.get("items", []) if isinstance(data, dict) else data if isinstance(data, list) else []
        found += [f"enterprise_id={world['b'].pk}" for r in rows if isinstance(r, dict) and r.get("enterprise_id") == world["b"].pk]
    return found


def _firm_state(firm: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row that belongs to `firm`: the firm, its people, and every row of any model
    pointing at it (found generically, so new models are covered too)."""
    from oasis.enterprises.models import Enterprise

    state = {"enterprises.enterprise": list(Enterprise.objects.filter(pk=firm.pk).values_list())}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if getattr(field, "related_model", None) is Enterprise:
                rows = model.objects.filter(**{field.name: firm}).order_by("pk").values_list()
                state[f"{model._meta.label_lower}.{field.name}"] = list(rows)
    return state


def test_member_of_firm_a_cannot_reach_firm_b_anywhere(world):
    client = Client()
    client.force_login(world["member_a"])
    routes = _routes()
    # The walk must really cover the apps it guards.
    for expected in ("portal/reports/<int:report_id>/", "tickets/<int:ticket_id>/attachments/<int:attachment_id>/",
                     "api/v1/tickets/<ticket_id>", "api/v1/portal/reports/<report_id>/accept",
                     "enterprises/<int:pk>/figures/<int:year>/", "api/v1/enterprises/<enterprise_id>"):
        assert expected in routes
    before = _db_state()
    firm_b_before = _firm_state(world["b"])
    failures: list[str] = []
    # Routes with ids first, with the whole database compared afterwards; then the
    # routes without ids, which may legitimately write firm A's own rows (open a ticket,
    # invite a colleague), so only firm B's rows are compared after them.
    with_ids = [r for r in routes if "<" in r]
    without_ids = [r for r in routes if "<" not in r]
    for route in with_ids + without_ids:
        if route == without_ids[0]:
            after = _db_state()
            assert [label for label in before if before[label] != after[label]] == []
        url = _url(route, world)
        has_ids = "<" in route
        for method in METHODS:
            r = _call(client, method, url)
            if has_ids and route.startswith("portal/activate/"):
                ok = r.status_code in (200, 302, 405) and not _leaks(r, world)
            elif has_ids:
                ok = r.status_code in (403, 404, 405)
            else:
                ok = r.status_code < 500 and not _leaks(r, world)
            if not ok:
                failures.append(f"{method.upper()} {url} -> {r.status_code} {_leaks(r, world)}")
    assert failures == [], "\n".join(failures)
    firm_b_after = _firm_state(world["b"])
    assert [k for k in firm_b_before if firm_b_before[k] != firm_b_after[k]] == []
    assert not LoginFailure.objects.exists()
    for user in (world["member_b"], world["colleague_b"]):
        user.refresh_from_db()
        assert user.is_active and user.check_password("oasis-test-pass-1")


def test_the_walk_also_holds_for_an_api_token(world):
    """Bearer tokens go through the same access helpers as sessions."""
    from oasis.accounts.services import api_token_create

    _row, clear = api_token_create(user=world["member_a"], name="t")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {clear}")
    before = _db_state()
    for route in _routes():
        if not route.startswith("api/") or "<" not in route:
            continue
        url = _url(route, world)
        for method in METHODS:
            r = _call(client, method, url)
            assert r.status_code in (403, 404, 405), f"{method} {url} -> {r.status_code}"
    after = _db_state()
    # The token's last-used time is the only thing allowed to move.
    before.pop("accounts.apitoken")
    after.pop("accounts.apitoken")
    assert [k for k in before if before[k] != after[k]] == []
