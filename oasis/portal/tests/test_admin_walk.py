"""The role walk through Django's admin (/admin/): a park-A administrator sees, chooses
and saves only park A's rows; every other staff role and every member is turned away.

The walk takes every model registered in the admin (so a model added later is covered),
with park B's rows named SECRET, and as park A's administrator
* opens the changelist (also as a raw-id lookup popup and with park B's ids as filters),
  the add form and the change form of park A's row: none shows park B's data;
* opens and posts to park B's row: not found, nothing changes;
* posts park A's row (change) and a new row (add) with each foreign key or many-to-many
  field pointed at park B's row: refused on that very field, nothing written. The same
  form posted unchanged saves, so the refusals are the scope's and not a bad form."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.widgets import ManyToManyRawIdWidget, RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory

from oasis.accounts.models import Role
from oasis.accounts.tests.factories import make_user
from oasis.attraction.models import AttractionSettings, Partner
from oasis.enterprises.models import Contact, Enterprise
from oasis.enterprises.tests.factories import EnterpriseFactory, FigureFactory
from oasis.parks.admin_scoping import ParkScopedAdmin, park_path
from oasis.parks.models import Building, Floor, Park, Unit
from oasis.parks.tests.factories import BuildingFactory, FloorFactory, UnitFactory

SECRET = "乙园机密"
SUPERUSER_ONLY = {
    "accounts.user",
    "accounts.apitoken",
    "core.auditentry",
    "auth.group",
    "django_tasks_database.dbtaskresult",
}
IGNORED = {"sessions.session", "contenttypes.contenttype", "auth.permission"}


def _rows(park: Park, tag: str) -> dict[type, Any]:
    building = BuildingFactory(park=park, name=f"{tag}楼", code=f"{tag[:2]}B")
    floor = FloorFactory(building=building, number=1)
    unit = UnitFactory(floor=floor, building=building, code=f"{tag}单元")
    firm: Any = EnterpriseFactory(park=park, name=f"{tag}企业")
    firm.units.add(unit)
    Contact.objects.create(enterprise=firm, name=f"{tag}联系人")
    FigureFactory(enterprise=firm, year=2025)
    partner = Partner.objects.create(park=park, kind="ambassador", name=f"{tag}大使")
    settings = AttractionSettings.objects.get_or_create(park=park)[0]
    return {
        Park: park,
        Building: building,
        Floor: floor,
        Unit: unit,
        Enterprise: firm,
        Partner: partner,
        AttractionSettings: settings,
    }


@pytest.fixture
def world(park, other_park):
    other_park.name = f"{SECRET}园区"
    other_park.save()
    return {"a": _rows(park, "甲园"), "b": _rows(other_park, SECRET)}


def _db_state() -> dict[str, list[tuple[Any, ...]]]:
    models: list[Any] = apps.get_models(include_auto_created=True)
    return {
        m._meta.label_lower: list(m.objects.order_by("pk").values_list())
        for m in models
        if m._meta.managed and m._meta.label_lower not in IGNORED
    }


def _scoped_admins() -> list[tuple[type, Any]]:
    out = [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.label_lower not in SUPERUSER_ONLY
    ]
    # Every admin of park data is scoped; only the superusers' admins are not.
    assert all(isinstance(ma, ParkScopedAdmin) for _m, ma in out), out
    assert {m for m, _ma in out} >= {Park, Building, Floor, Unit, Enterprise, Partner}
    return out


def _url(model: Any, suffix: str = "") -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/{suffix}"


def _inner(widget: Any) -> Any:
    return widget.widget if isinstance(widget, RelatedFieldWidgetWrapper) else widget


def _bound_data(form: Any, data: dict[str, Any]) -> None:
    for bf in form:
        value = bf.value()
        widget = _inner(bf.field.widget)
        if isinstance(widget, forms.MultiWidget):
            for i, part in enumerate(widget.decompress(value) or []):
                data[f"{bf.html_name}_{i}"] = "" if part is None else str(part)
        elif isinstance(widget, ManyToManyRawIdWidget):
            data[bf.html_name] = ",".join(str(v) for v in value or [])
        elif isinstance(value, bool):
            if value:
                data[bf.html_name] = "on"
        elif isinstance(value, (list, tuple)):
            data[bf.html_name] = [str(v) for v in value]
        else:
            data[bf.html_name] = "" if value is None else str(value)


def _form_data(response: Any) -> dict[str, Any]:
    """The POST a browser would send for the change form in `response`, as it stands."""
    data: dict[str, Any] = {}
    _bound_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _bound_data(formset.management_form, data)
        for form in formset.forms:
            _bound_data(form, data)
    return data


def _relation_fields(form: Any) -> list[tuple[str, type]]:
    fields: dict[str, Any] = form.fields
    return [
        (name, field.queryset.model)  # type: ignore[union-attr]
        for name, field in fields.items()
        if isinstance(field, forms.ModelChoiceField)
    ]


def _attacked(data: dict[str, Any], name: str, form: Any, pk: int) -> dict[str, Any]:
    out = dict(data)
    widget = _inner(form.fields[name].widget)
    if isinstance(widget, ManyToManyRawIdWidget):
        out[name] = ",".join(filter(None, [out.get(name, ""), str(pk)]))
    elif isinstance(form.fields[name], forms.ModelMultipleChoiceField):
        out[name] = [*out.get(name, []), str(pk)]
    else:
        out[name] = str(pk)
    return out


def test_park_admin_sees_chooses_and_saves_only_their_parks(world, park):
    client = Client()
    client.force_login(make_user("walk_admin", park=park, role=Role.PARK_ADMIN))
    failures: list[str] = []
    before = _db_state()
    attacks = 0
    for model, _model_admin in _scoped_admins():
        mine, theirs = world["a"][model], world["b"][model]
        path = park_path(model)
        filters = {f"{path}__id__exact": world["b"][Park].pk} if path != "pk" else {}
        for url, query in (
            (_url(model), {}),
            (_url(model), {"_popup": "1", "_to_field": "id"}),  # the raw-id lookup
            (_url(model), filters),
            (_url(model, "add/"), {}),
            (_url(model, f"{mine.pk}/change/"), {}),
            (_url(model, f"{mine.pk}/history/"), {}),
        ):
            r = client.get(url, query)
            if r.status_code not in (200, 400, 403) or SECRET in r.content.decode():
                failures.append(f"GET {url} {query} -> {r.status_code} shows park B")
        for suffix in ("change/", "history/", "delete/"):
            r = client.get(_url(model, f"{theirs.pk}/{suffix}"))
            if r.status_code not in (302, 403, 404) or SECRET in r.content.decode():
                failures.append(f"GET park B's {model.__name__} {suffix} -> {r.status_code}")
        r = client.get(_url(model, f"{mine.pk}/change/"))
        data = _form_data(r)
        form = r.context["adminform"].form
        if client.post(_url(model, f"{theirs.pk}/change/"), data).status_code not in (302, 403):
            failures.append(f"POST park B's {model.__name__} was not refused")
        for name, related in _relation_fields(form):
            if related not in world["b"]:
                continue
            attack = _attacked(data, name, form, world["b"][related].pk)
            for url in (_url(model, f"{mine.pk}/change/"), _url(model, "add/")):
                attacks += 1
                r = client.post(url, attack)
                refused = r.status_code == 403 or (
                    r.status_code == 200 and name in r.context["adminform"].form.errors
                )
                if not refused:
                    failures.append(f"POST {url} with park B's {related.__name__} as {name}")
    assert failures == [], "\n".join(failures)
    # Enough attacks ran to mean something: park, building, floor, units, enterprise...
    assert attacks >= 12
    assert _db_state() == before
    # The control: the same forms posted unchanged save (so the refusals are the scope's).
    for model, _model_admin in _scoped_admins():
        url = _url(model, f"{world['a'][model].pk}/change/")
        r = client.post(url, _form_data(client.get(url)))
        assert r.status_code == 302, (url, r.context and r.context["adminform"].form.errors)


def test_park_admin_cannot_add_rows_to_another_park(world, park, other_park):
    client = Client()
    client.force_login(make_user("walk_admin", park=park, role=Role.PARK_ADMIN))
    b = world["b"]
    cases = [
        (
            Building,
            {
                "park": other_park.pk,
                "name": "越权楼",
                "code": "X1",
                "phase": 1,
                "use": "office",
                "floors_above": 1,
                "gross_area": "100",
                "status": "in_use",
            },
        ),
        (
            Partner,
            {"park": other_park.pk, "kind": "ambassador", "name": "越权大使", "active": "on"},
        ),
        (AttractionSettings, {"park": other_park.pk, "neglect_days": 7, "claim_limit": 3}),
        (
            Unit,
            {
                "building": b[Building].pk,
                "floor": b[Floor].pk,
                "code": "X1",
                "use": "office",
                "area": "10",
                "status": "vacant",
                "occupants": 0,
            },
        ),
    ]
    for model, data in cases:
        count = model.objects.count()
        r = client.post(_url(model, "add/"), data)
        assert r.status_code == 200, model
        assert r.context["adminform"].form.errors, model
        assert model.objects.count() == count
    # Linking park B's unit to park A's firm is refused on the field and changes nothing.
    firm = world["a"][Enterprise]
    url = _url(Enterprise, f"{firm.pk}/change/")
    data = _form_data(client.get(url))
    data["units"] = f"{world['a'][Unit].pk},{b[Unit].pk}"
    r = client.post(url, data)
    assert "units" in r.context["adminform"].form.errors
    assert list(firm.units.all()) == [world["a"][Unit]]
    # The drop-downs never offer park B's rows.
    body = client.get(_url(Unit, "add/")).content.decode()
    assert SECRET not in body and "甲园楼" in body


def test_superuser_admins_refuse_park_admins(world, park):
    client = Client()
    client.force_login(make_user("walk_admin", park=park, role=Role.PARK_ADMIN))
    for model in admin.site._registry:
        if model._meta.label_lower in SUPERUSER_ONLY:
            assert client.get(_url(model)).status_code == 403, model
            assert client.get(_url(model, "add/")).status_code == 403, model


def test_every_save_is_checked_even_past_the_form(world, park):
    """The backstop: a save that reaches the admin some other way is refused too."""
    user = make_user("walk_admin", park=park, role=Role.PARK_ADMIN)
    request = RequestFactory().post("/admin/")
    request.user = user
    building_admin = admin.site._registry[Building]
    stray = Building(park=world["b"][Park], name="越权楼", code="X2", use="office", gross_area=1)
    with pytest.raises(PermissionDenied):
        building_admin.save_model(request, stray, None, change=False)
    assert not Building.objects.filter(code="X2").exists()
    unit = world["a"][Unit]
    unit.building = world["b"][Building]  # park A's unit moved under park B's building
    with pytest.raises(PermissionDenied):
        admin.site._registry[Unit].save_model(request, unit, None, change=True)


@pytest.mark.parametrize(
    "role", [Role.VIEWER, Role.ATTRACTION, Role.SERVICE, Role.LEASING, Role.SHARING]
)
def test_other_roles_are_turned_away_from_the_admin(world, park, role):
    client = Client()
    client.force_login(make_user(f"walk_{role}", park=park, role=role))
    for model, _ma in _scoped_admins():
        for suffix in ("", "add/", f"{world['a'][model].pk}/change/"):
            r = client.get(_url(model, suffix))
            assert r.status_code == 302 and "/login/" in r["Location"], (model, suffix)
        r = client.post(_url(model, f"{world['a'][model].pk}/change/"), {"name": "x"})
        assert r.status_code == 302


def test_members_are_turned_away_from_the_admin(world):
    client = Client()
    client.force_login(make_user("walk_member", enterprise=world["a"][Enterprise]))
    before = _db_state()
    for model, _ma in _scoped_admins():
        for suffix in ("", "add/", f"{world['a'][model].pk}/change/"):
            assert client.get(_url(model, suffix)).status_code == 302
            assert client.post(_url(model, suffix), {"name": "x"}).status_code == 302
    assert _db_state() == before
