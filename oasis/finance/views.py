"""Shared finance pages (融资对接): institutions and products, needs and their matches.
Parse, one access helper, one service or selector, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from oasis.accounts.http import AuthedHttpRequest
from oasis.core.views import act, act_form
from oasis.sharing import selectors as sharing
from oasis.sharing.pages import ctx, edit_target, form_page, park_page

from . import selectors, services
from .forms import InstitutionForm, NeedForm, OutcomeForm, ProductForm
from .models import FinanceProduct, Institution, Match


@login_required
def finance(request: AuthedHttpRequest) -> HttpResponse:
    return park_page(
        request,
        "finance/finance.html",
        lambda park: {
            "institutions": selectors.institution_list(user=request.user, park=park),
            "needs": selectors.need_list(user=request.user)[:200],
        },
    )


@login_required
def need_create(request: AuthedHttpRequest) -> HttpResponse:
    if not request.user.is_member:
        raise PermissionDenied
    return form_page(
        request,
        NeedForm(request.POST or None),
        lambda data: services.need_create(actor=request.user, data=data),
        title=_("提交融资需求"),
        success=_("融资需求已提交。"),
        next=lambda need: reverse("finance:need", args=[need.pk]),
    )


@login_required
def need_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    need = selectors.need_get_for_user(user=request.user, pk=pk)
    can_manage = sharing.can_manage(user=request.user, park_id=need.enterprise.park_id)
    if request.method == "POST":
        here = reverse("finance:need", args=[need.pk])
        action = request.POST.get("action")
        if action == "match":
            return act(
                request,
                lambda: services.need_match(actor=request.user, need=need),
                success=_("已更新。"),
                next=here,
            )
        if action == "outcome":
            return act_form(
                request,
                OutcomeForm(request.POST),
                lambda data: services.match_set_outcome(
                    actor=request.user,
                    match=selectors.match_get_for_user(user=request.user, pk=data["match"]),
                    outcome=data["outcome"],
                    funded_amount=data["funded_amount"],
                ),
                success=_("已更新。"),
                next=here,
            )
        raise PermissionDenied
    return render(
        request,
        "finance/need_detail.html",
        ctx(
            request,
            need=need,
            matches=selectors.match_list(need=need),
            can_manage=can_manage,
            outcomes=Match.Outcome.choices,
        ),
    )


@login_required
def institution_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (pk None, in ?park=) or change a partner institution."""
    user = request.user
    institution, park, instance = edit_target(request, pk, selectors.institution_get_for_user)
    back = f"{reverse('finance:finance')}?park={park.pk}"
    return form_page(
        request,
        InstitutionForm(request.POST or None, instance=instance),
        lambda data: services.institution_save(
            actor=user, park=park, data=data, institution=institution
        ),
        title=_("修改合作机构：%(name)s") % {"name": institution.name}
        if institution
        else _("新增合作机构"),
        next=back,
        back_url=back,
    )


def _product_page(
    request: AuthedHttpRequest, institution: Institution, product: FinanceProduct | None
) -> HttpResponse:
    user = request.user
    sharing.require_manage(user=user, park_id=institution.park_id)
    form = ProductForm(
        request.POST or None,
        instance=FinanceProduct.objects.get(pk=product.pk) if product else None,
    )
    back = f"{reverse('finance:finance')}?park={institution.park_id}"
    return form_page(
        request,
        form,
        lambda data: services.product_save(
            actor=user, institution=institution, data=data, product=product
        ),
        title=_("修改金融产品：%(name)s") % {"name": product.name}
        if product
        else _("新增金融产品：%(name)s") % {"name": institution.name},
        next=back,
        back_url=back,
    )


@login_required
def product_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """A new financing product of institution `pk`."""
    return _product_page(
        request, selectors.institution_get_for_user(user=request.user, pk=pk), None
    )


@login_required
def product_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    product = selectors.product_get_for_user(user=request.user, pk=pk)
    return _product_page(request, product.institution, product)
