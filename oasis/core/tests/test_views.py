"""The shared page loops: page or htmx partial, form submit, one-click action."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from oasis.core.forms import add_service_errors
from oasis.core.views import act, act_form, htmx_target, render_page, submit
from oasis.parks.models import Park


def _request(method: str = "get", data: dict | None = None, **headers: str):
    request = getattr(RequestFactory(), method)("/x/", data or {}, headers=headers)
    request.htmx = HtmxDetails(request)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


class NameForm(forms.Form):
    name = forms.CharField(label="名称", max_length=10)


class ParkNameForm(forms.ModelForm):
    class Meta:
        model = Park
        fields = ["name"]


def test_htmx_target_is_none_for_full_pages_and_history_restores():
    assert htmx_target(_request()) is None
    assert htmx_target(_request(HX_Request="true", HX_Target="results")) == "results"
    restore = _request(HX_Request="true", HX_Target="results", HX_History_Restore_Request="true")
    assert htmx_target(restore) is None


def test_render_page_answers_the_partial_htmx_asked_for_and_varies_on_it():
    template = "tickets/ticket_list.html"
    full = render_page(_request(), template, {"page": [], "filters": {}})
    part = render_page(_request(HX_Request="true", HX_Target="results"), template, {"page": []})
    assert b"<html" in full.content and b"<html" not in part.content
    assert full["Vary"] == part["Vary"] == "HX-Request, HX-Target"


def test_submit_redirects_with_the_message_when_the_service_accepts():
    request = _request("post", {"name": "甲"})
    saved = []
    resp = submit(
        request,
        NameForm(request.POST),
        lambda data: saved.append(data["name"]) or "done",
        success=lambda result: f"已保存：{result}",
        next=lambda result: f"/after/{result}/",
    )
    assert (resp.status_code, resp["Location"], saved) == (302, "/after/done/", ["甲"])
    assert [str(m) for m in get_messages(request)] == ["已保存：done"]


def test_submit_puts_service_errors_on_the_form_and_renders_400():
    request = _request("post", {"name": "甲"})
    form = NameForm(request.POST)

    def refuse(data: dict) -> None:
        raise ValidationError({"name": "重名了。"})

    resp = submit(
        request,
        form,
        refuse,
        success="x",
        next="/",
        page=lambda status: render_page(
            request, "sharing/form.html", {"form": form}, status=status
        ),
    )
    assert resp.status_code == 400
    assert form.errors == {"name": ["重名了。"]}
    assert list(get_messages(request)) == []


def test_a_get_renders_the_form_unbound_with_200():
    request = _request()
    resp = submit(
        request,
        NameForm(None),
        lambda data: pytest.fail("no save on GET"),
        success="x",
        next="/",
        template="sharing/form.html",
        context={"title": "标题"},
    )
    assert resp.status_code == 200 and "标题".encode() in resp.content


@pytest.mark.django_db
def test_service_errors_on_unshown_fields_are_named_by_their_label():
    form = ParkNameForm({"name": "甲"})
    assert form.is_valid()
    add_service_errors(
        form,
        ValidationError(
            {"short_name": ["已被占用。"], "nope": ["无名字段。"], "__all__": ["总体错误。"]}
        ),
    )
    assert form.non_field_errors() == ["简称：已被占用。", "无名字段。", "总体错误。"]


def test_act_flashes_the_outcome_and_goes_back_either_way():
    ok = _request("post")
    assert act(ok, lambda: 1, success="好了。", next="/back/")["Location"] == "/back/"
    assert [str(m) for m in get_messages(ok)] == ["好了。"]

    def fail() -> None:
        raise ValidationError(["第一条。", "第二条。"])

    bad = _request("post")
    assert act(bad, fail, success="好了。", next="/back/")["Location"] == "/back/"
    assert [str(m) for m in get_messages(bad)] == ["第一条。", "第二条。"]


class _Owner(forms.Form):
    owner = forms.IntegerField(label="负责人", min_value=1)


def test_act_form_runs_a_valid_form_and_flashes_its_or_the_services_errors():
    saved: list[dict] = []
    ok = _request("post", {"owner": "7"})
    r = act_form(ok, _Owner(ok.POST), saved.append, success="已更新。", next="/lead/1/")
    assert r["Location"] == "/lead/1/" and saved == [{"owner": 7}]
    assert [str(m) for m in get_messages(ok)] == ["已更新。"]

    bad = _request("post", {"owner": "0"})
    r = act_form(bad, _Owner(bad.POST), saved.append, success="已更新。", next="/lead/1/")
    assert r["Location"] == "/lead/1/" and len(saved) == 1
    assert [str(m) for m in get_messages(bad)] == ["确保该值大于或等于1。"]

    def refuse(data: dict) -> None:
        raise ValidationError({"owner": ["此人不在该园区。"]})

    no = _request("post", {"owner": "8"})
    act_form(no, _Owner(no.POST), refuse, success="已更新。", next="/lead/1/")
    assert [str(m) for m in get_messages(no)] == ["此人不在该园区。"]
