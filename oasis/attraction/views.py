"""Attraction pages: parse, one access helper, one service or selector, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oasis.accounts.http import AuthedHttpRequest
from oasis.accounts.models import User
from oasis.core import excel as excel_kit
from oasis.core.filters import ParkFilter, parse_filters
from oasis.core.forms import add_service_errors, form_errors_text
from oasis.core.identifiers import industry_label
from oasis.core.models import AuditEntry
from oasis.core.validation import error_fields
from oasis.core.views import act, act_form, render_page, submit
from oasis.enterprises.models import Enterprise, FocusIndustry
from oasis.parks.models import Unit

from . import excel, selectors, services
from .filters import LeadFilter, LeadPrefill, PartnerFilter
from .forms import (
    ActivityForm,
    AssignForm,
    CommitmentFormSet,
    ImportForm,
    LeadForm,
    MoveForm,
    PartnerForm,
    SettingsForm,
    SignForm,
)
from .models import OPEN_STAGES, PIPELINE, Activity, Intent, Partner, Source, Stage

T = TypeVar("T")

PAGE_SIZE = 25


def _staff(request: AuthedHttpRequest) -> None:
    selectors.require_staff(request.user)


def _filters(request: AuthedHttpRequest) -> tuple[LeadFilter, list[str]]:
    return parse_filters(LeadFilter, request.GET)


def _owners(user: User) -> QuerySet[User]:
    return selectors.lead_owner_candidates(user=user)


def _list_context(
    request: AuthedHttpRequest, filters: LeadFilter, errors: list[str]
) -> dict[str, Any]:
    return {
        "nav": "attraction",
        "filters": filters,
        "errors": errors,
        "parks": selectors.park_queryset(request.user),
        "stages": Stage.choices,
        "sources": Source.choices,
        "focus_industries": FocusIndustry.choices,
        "intents": Intent.choices,
        "owners": _owners(request.user),
        "can_create": selectors.changeable_parks(request.user).exists(),
    }


# --- board, list, pool ---------------------------------------------------------------


@login_required
def lead_board(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    filters, errors = _filters(request)
    context = _list_context(request, filters, errors)
    context["columns"] = selectors.lead_board(user=request.user, filters=filters)
    context["board_limit"] = selectors.BOARD_LIMIT
    context["can_move"] = selectors.changeable_parks(request.user).exists()
    return render_page(request, "attraction/lead_board.html", context, partial="board")


@login_required
def lead_list(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    filters, errors = _filters(request)
    qs = selectors.lead_list(user=request.user, filters=filters)
    if request.GET.get("export") == "xlsx":
        sheet = excel.leads_sheet(qs.iterator(chunk_size=2000))
        return excel_kit.export_response(_("招商线索.xlsx"), [sheet])
    context = _list_context(request, filters, errors)
    context["page"] = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context["title"] = _("招商线索")
    context["list_url"] = reverse("attraction:lead-list")
    return render_page(request, "attraction/lead_list.html", context)


@login_required
def pool_list(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    filters, errors = _filters(request)
    qs = selectors.pool_list(user=request.user, filters=filters)
    if request.GET.get("export") == "xlsx":
        sheet = excel.leads_sheet(qs.iterator(chunk_size=2000))
        return excel_kit.export_response(_("公海线索.xlsx"), [sheet])
    context = _list_context(request, filters, errors)
    context["page"] = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context["title"] = _("线索公海")
    context["is_pool"] = True
    context["list_url"] = reverse("attraction:pool")
    return render_page(request, "attraction/lead_list.html", context)


# --- one lead ------------------------------------------------------------------------


def _history(lead: Any) -> list[AuditEntry]:
    activity_ids = [str(pk) for pk in lead.activities.values_list("pk", flat=True)]
    return list(
        AuditEntry.objects.filter(
            Q(model="attraction.lead", object_id=str(lead.pk))
            | Q(model="attraction.activity", object_id__in=activity_ids)
        ).select_related("actor")[:100]
    )


def _detail_context(request: AuthedHttpRequest, lead: Any, **extra: Any) -> dict[str, Any]:
    user = request.user
    can_change = selectors.can_change(user, lead.park_id)
    agreement = selectors.agreement_for_lead(lead=lead)
    context = {
        "nav": "attraction",
        "lead": lead,
        "conf_ok": lead.conf_ok,
        "industry": industry_label(lead.industry_code) if lead.industry_code else "",
        "activities": selectors.lead_activities(lead=lead),
        "stage_changes": selectors.lead_stage_changes(lead=lead),
        "agreement": agreement,
        "progress": selectors.agreement_progress(agreement=agreement) if agreement else [],
        "can_change": can_change,
        "can_manage": selectors.can_manage(user, lead.park_id),
        "can_claim": can_change and lead.owner_id is None and lead.stage in OPEN_STAGES,
        "can_sign": can_change
        and lead.stage in (Stage.SIGNED, Stage.SETTLED)
        and agreement is None,
        "move_form": MoveForm(initial={"stage": lead.stage}),
        "activity_form": extra.pop("activity_form", None) or ActivityForm(),
        "assign_form": AssignForm(
            users=selectors.assignable_users(park_id=lead.park_id), initial={"owner": lead.owner_id}
        ),
        "stages": [(s, Stage(s).label) for s in (*PIPELINE, Stage.LOST)],
        "duplicates": selectors.lead_duplicates(
            park_id=lead.park_id,
            company_name=lead.company_name,
            uscc=lead.uscc,
            exclude_lead_id=lead.pk,
        )
        if can_change
        else [],
        "history": _history(lead) if lead.conf_ok else [],
    }
    context.update(extra)
    return context


@login_required
def lead_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    lead = selectors.lead_get_for_user(user=request.user, pk=pk)
    return render(request, "attraction/lead_detail.html", _detail_context(request, lead))


def _detail_url(lead: Any) -> str:
    return reverse("attraction:lead-detail", args=[lead.pk])


def _noting_duplicates(found: list[Any], save: Callable[[dict[str, Any]], T]) -> Any:
    """`save`, keeping the records a duplicate warning names so the form can list them."""

    def run(data: dict[str, Any]) -> T:
        try:
            return save(data)
        except services.DuplicateWarning as exc:
            found.extend(exc.duplicates)
            raise

    return run


@login_required
def lead_create(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    parks = selectors.changeable_parks(request.user)
    if not parks.exists():
        raise PermissionDenied
    initial = {}
    asked = parse_filters(LeadPrefill, request.GET)[0].partner
    partner = Partner.objects.filter(park__in=parks, pk=asked).first() if asked else None
    if partner:
        initial = {"partner": partner.pk, "source": partner.kind, "park": partner.park_id}
    form = LeadForm(request.POST or None, parks=parks, initial=initial)
    duplicates: list[selectors.Duplicate] = []
    return submit(
        request,
        form,
        _noting_duplicates(
            duplicates,
            lambda data: services.lead_create(
                actor=request.user,
                park=data["park"],
                data=form.lead_data(),
                confirm_duplicates=data["confirm_duplicates"],
            ),
        ),
        success=_("线索已创建。"),
        next=_detail_url,
        template="attraction/lead_form.html",
        context={"nav": "attraction", "duplicates": duplicates},
    )


@login_required
def lead_edit(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    lead = selectors.lead_get_for_change(user=request.user, pk=pk)
    form = LeadForm(
        request.POST or None,
        instance=lead,
        parks=selectors.changeable_parks(request.user).filter(pk=lead.park_id),
        initial={"park": lead.park_id},
    )
    duplicates: list[selectors.Duplicate] = []
    return submit(
        request,
        form,
        _noting_duplicates(
            duplicates,
            lambda data: services.lead_update(
                actor=request.user,
                lead=lead,
                data=form.lead_data(),
                confirm_duplicates=data["confirm_duplicates"],
            ),
        ),
        success=_("已保存。"),
        next=_detail_url(lead),
        template="attraction/lead_form.html",
        context={"nav": "attraction", "lead": lead, "duplicates": duplicates},
    )


def _errors_text(exc: ValidationError) -> str:
    return " ".join(m for msgs in error_fields(exc).values() for m in msgs)


@login_required
@require_POST
def lead_move(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """From the detail page's form (redirect back) or the board's drag (htmx / fetch:
    204 on success, 400 with the message otherwise)."""
    _staff(request)
    lead = selectors.lead_get_for_change(user=request.user, pk=pk)
    form = MoveForm(request.POST)
    ajax = bool(request.htmx or request.headers.get("X-Requested-With"))
    error = ""
    if not form.is_valid():
        error = form_errors_text(form)
    else:
        try:
            services.lead_move(
                actor=request.user,
                lead=lead,
                stage=form.cleaned_data["stage"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            error = _errors_text(exc)
    if ajax:
        return (
            HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
            if error
            else HttpResponse(status=204)
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("阶段已更新。"))
    return redirect("attraction:lead-detail", pk=lead.pk)


@login_required
@require_POST
def activity_add(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    lead = selectors.lead_get_for_change(user=request.user, pk=pk)
    form = ActivityForm(request.POST)
    if form.is_valid():
        try:
            services.activity_add(actor=request.user, lead=lead, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            form = ActivityForm()
    status = 400 if form.errors else 200
    if request.htmx:
        context = {
            "lead": lead,
            "activities": selectors.lead_activities(lead=lead),
            "activity_form": form,
            "can_change": True,
        }
        return render(request, "attraction/lead_detail.html#activities", context, status=status)
    if status == 400:
        lead = selectors.lead_get_for_user(user=request.user, pk=pk)
        return render(
            request,
            "attraction/lead_detail.html",
            _detail_context(request, lead, activity_form=form),
            status=400,
        )
    messages.success(request, _("跟进已记录。"))
    return redirect("attraction:lead-detail", pk=lead.pk)


@login_required
@require_POST
def activity_done(request: AuthedHttpRequest, pk: int, activity_id: int) -> HttpResponse:
    _staff(request)
    lead = selectors.lead_get_for_change(user=request.user, pk=pk)
    activity = (
        Activity.objects.filter(lead=lead, pk=activity_id, kind=Activity.Kind.NEXT_STEP)
        .select_related("lead")
        .first()
    )
    if activity is None:
        raise Http404
    services.activity_complete(actor=request.user, activity=activity)
    return redirect("attraction:lead-detail", pk=lead.pk)


@login_required
@require_POST
def lead_claim(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    lead = selectors.lead_get_for_change(user=request.user, pk=pk)
    return act(
        request,
        lambda: services.lead_claim(actor=request.user, lead=lead),
        success=_("已认领。"),
        next=_detail_url(lead),
    )


@login_required
@require_POST
def lead_assign(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    lead = selectors.lead_get_for_user(user=request.user, pk=pk)
    if not selectors.can_manage(request.user, lead.park_id):
        raise PermissionDenied
    return act_form(
        request,
        AssignForm(request.POST, users=selectors.assignable_users(park_id=lead.park_id)),
        lambda data: services.lead_assign(actor=request.user, lead=lead, owner=data["owner"]),
        success=_("负责人已更新。"),
        next=reverse("attraction:lead-detail", args=[lead.pk]),
    )


@login_required
def lead_sign(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Convert a signed lead: enterprise (new or linked), agreement, yearly commitments."""
    _staff(request)
    lead = selectors.lead_get_for_change(user=request.user, pk=pk)
    enterprises = Enterprise.objects.filter(park_id=lead.park_id).order_by("name")
    units = Unit.objects.filter(
        building__park_id=lead.park_id, status=Unit.Status.VACANT
    ).select_related("building")
    form = SignForm(
        request.POST or None,
        enterprises=enterprises,
        units=units.order_by("building__code", "code"),
    )
    formset = CommitmentFormSet(request.POST or None, prefix="c")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        commitments = [
            {k: v for k, v in f.cleaned_data.items()}
            for f in formset.forms
            if f.cleaned_data and f.cleaned_data.get("year") is not None
        ]
        sign = services.SignInput(
            signed_on=form.cleaned_data["signed_on"],
            total_investment=form.cleaned_data["total_investment"],
            note=form.cleaned_data["note"],
            enterprise=form.cleaned_data["enterprise"],
            commitments=commitments,
            unit_ids=[u.pk for u in form.cleaned_data["units"]],
            lease_start=form.cleaned_data["lease_start"],
            lease_years=form.cleaned_data["lease_years"] or 3,
            rent_rate=form.cleaned_data["rent_rate"],
        )
        try:
            services.lead_convert(actor=request.user, lead=lead, sign=sign)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已签约并建立企业档案与投资协议。"))
            return redirect("attraction:lead-detail", pk=lead.pk)
    status = 400 if form.errors or (request.method == "POST" and not formset.is_valid()) else 200
    return render(
        request,
        "attraction/lead_sign.html",
        {"nav": "attraction", "lead": lead, "form": form, "formset": formset},
        status=status,
    )


# --- partners ------------------------------------------------------------------------


@login_required
def partner_list(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    filters, errors = parse_filters(PartnerFilter, request.GET)
    kind = filters.kind
    qs = selectors.partner_list(user=request.user, kind=kind)
    if request.GET.get("export") == "xlsx":
        headers = [
            _("类型"),
            _("名称"),
            _("所在单位"),
            _("职务/领域"),
            _("带来线索"),
            _("签约"),
            _("转化率%"),
            _("签约投资额（元）"),
        ]
        rows = (
            [
                p.get_kind_display(),
                p.name,
                p.organisation,
                p.title,
                p.leads_count,
                p.signed_count,
                round(100 * p.signed_count / p.leads_count, 1) if p.leads_count else None,
                p.signed_value if p.conf_ok else None,
            ]
            for p in qs
        )
        return excel_kit.export_response(
            _("合作方.xlsx"), [excel_kit.SheetData(_("合作方"), headers, rows)]
        )
    context = {
        "nav": "attraction",
        "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
        "kinds": Partner.Kind.choices,
        "kind": kind,
        "errors": errors,
        "can_create": selectors.changeable_parks(request.user).exists(),
    }
    return render(request, "attraction/partner_list.html", context)


@login_required
def partner_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _staff(request)
    partner = selectors.partner_get_for_user(user=request.user, pk=pk)
    stats = selectors.partner_list(user=request.user).get(pk=partner.pk)
    leads = (
        selectors.lead_queryset_for_user(request.user)
        .filter(partner=partner)
        .select_related("owner")
        .order_by("-created_at")[:200]
    )
    context = {
        "nav": "attraction",
        "partner": partner,
        "stats": stats,
        "leads": leads,
        "can_change": selectors.can_change(request.user, partner.park_id),
    }
    return render(request, "attraction/partner_detail.html", context)


@login_required
def partner_edit(request: AuthedHttpRequest, pk: int | None = None) -> HttpResponse:
    _staff(request)
    parks = selectors.changeable_parks(request.user)
    partner = None
    if pk is not None:
        partner = selectors.partner_get_for_user(user=request.user, pk=pk)
        if not selectors.can_change(request.user, partner.park_id):
            raise PermissionDenied
    elif not parks.exists():
        raise PermissionDenied
    return submit(
        request,
        PartnerForm(request.POST or None, instance=partner, parks=parks),
        lambda data: services.partner_save(
            actor=request.user,
            park=partner.park if partner else data["park"],
            data={k: v for k, v in data.items() if k != "park"},
            partner=partner,
        ),
        success=_("已保存。"),
        next=lambda saved: reverse("attraction:partner-detail", args=[saved.pk]),
        template="attraction/partner_form.html",
        context={"nav": "attraction", "partner": partner},
    )


# --- funnel, import, settings --------------------------------------------------------


@login_required
def funnel(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    parks = list(selectors.park_queryset(request.user))
    wanted = parse_filters(ParkFilter, request.GET)[0].park
    park = next((p for p in parks if p.pk == wanted), parks[0] if parks else None)
    report = selectors.funnel_report(user=request.user, park_id=park.pk if park else None)
    progress = selectors.pipeline_progress(user=request.user, park=park) if park else None
    if request.GET.get("export") == "xlsx":
        headers = [
            _("维度"),
            _("分组"),
            _("线索数"),
            *[str(label) for _s, label in report["stages"]],
            _("流失"),
            _("签约转化率%"),
        ]
        names = {
            "source": _("来源渠道"),
            "focus_industry": _("主导产业"),
            "owner": _("负责人"),
            "month": _("创建月份"),
        }
        rows = (
            [names.get(dim, dim), r["label"], r["total"], *r["reached"], r["lost"], r["conversion"]]
            for dim in selectors.DIMENSIONS
            for r in report[dim]
        )
        return excel_kit.export_response(
            _("招商漏斗.xlsx"), [excel_kit.SheetData(_("招商漏斗"), headers, rows)]
        )
    dims = [
        ("source", _("来源渠道")),
        ("focus_industry", _("主导产业")),
        ("owner", _("负责人")),
        ("month", _("创建月份")),
    ]
    context = {
        "nav": "attraction",
        "report": report,
        "progress": progress,
        "parks": parks,
        "park": park,
        "sections": [(key, label, report[key]) for key, label in dims],
        "day_stages": [label for _s, label in report["stages"][:-1]],
    }
    return render(request, "attraction/funnel.html", context)


@excel_kit.upload_view
@login_required
def lead_import(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    parks = selectors.changeable_parks(request.user)
    if not parks.exists():
        raise PermissionDenied
    too_large = excel_kit.upload_refusal(request) if request.method == "POST" else None
    if too_large:  # answered before Django reads the body
        context = {"nav": "attraction", "form": ImportForm(parks=parks), "file_errors": [too_large]}
        return render(request, "attraction/lead_import.html", context, status=413)
    form = ImportForm(request.POST or None, request.FILES or None, parks=parks)
    result = None
    file_errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        park = form.cleaned_data["park"]
        rows, file_errors = excel.parse_leads(form.cleaned_data["file"], park_id=park.pk)
        if not file_errors:
            try:
                result = services.leads_import(
                    actor=request.user,
                    park=park,
                    rows=rows,
                    dry_run=form.cleaned_data["dry_run"],
                    confirm_duplicates=form.cleaned_data["confirm_duplicates"],
                    labels=excel.labels(),
                )
            except ValidationError as exc:
                file_errors = [_errors_text(exc)]
        if result and result.created:
            messages.success(request, _("已导入 %(n)d 条线索。") % {"n": result.created})
            return redirect("attraction:lead-list")
    status = (
        400
        if form.errors
        or file_errors
        or (result and (result.errors or (result.duplicates and not result.dry_run)))
        else 200
    )
    return render(
        request,
        "attraction/lead_import.html",
        {"nav": "attraction", "form": form, "result": result, "file_errors": file_errors},
        status=status,
    )


@login_required
def import_template(request: AuthedHttpRequest) -> HttpResponse:
    _staff(request)
    return excel_kit.response(excel.template_bytes(), "lead-import-template.xlsx")


@login_required
def settings_edit(request: AuthedHttpRequest, park_id: int) -> HttpResponse:
    _staff(request)
    park = selectors.park_queryset(request.user).filter(pk=park_id).first()
    if park is None:
        raise Http404
    if not selectors.can_manage(request.user, park.pk):
        raise PermissionDenied
    current = selectors.settings_for(park)
    form = SettingsForm(
        request.POST or None,
        instance=current if current.pk else None,
        initial={"neglect_days": current.neglect_days, "claim_limit": current.claim_limit},
    )
    return submit(
        request,
        form,
        lambda data: services.settings_save(actor=request.user, park=park, data=data),
        success=_("已保存。"),
        next="attraction:pool",
        template="attraction/settings_form.html",
        context={"nav": "attraction", "park": park},
    )
