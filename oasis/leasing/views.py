"""Leasing pages: parse, one access helper, one service or selector, render."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oasis.accounts import roles
from oasis.accounts.http import AuthedHttpRequest
from oasis.core import excel as excel_kit
from oasis.core.audit import audit_history
from oasis.core.filters import ParkFilter, parse_filters
from oasis.core.forms import add_service_errors
from oasis.core.tasks import enqueue_with_write
from oasis.core.views import act, render_page, submit
from oasis.enterprises.models import Enterprise
from oasis.parks.models import Unit
from oasis.parks.selectors import building_get_for_user, park_queryset_for_user, unit_get_for_user

from . import excel, selectors, services, statements, tasks
from .filters import BillFilter, LeaseFilter
from .forms import (
    AmendForm,
    CreditRefundForm,
    DepositRefundForm,
    ImportForm,
    LeaseForm,
    PaymentForm,
    RenewForm,
    SettlementForm,
    TerminateForm,
)
from .models import Lease

PAGE_SIZE = 50


def _staff_only(request: AuthedHttpRequest) -> None:
    if request.user.is_member:
        raise PermissionDenied


def _detail_url(lease: Lease) -> str:
    return reverse("leasing:lease-detail", args=[lease.pk])


def _require_change(request: AuthedHttpRequest, lease: Lease) -> None:
    if not selectors.lease_can_change(user=request.user, lease=lease):
        raise PermissionDenied


@login_required
def lease_list(request: AuthedHttpRequest) -> HttpResponse:
    if request.user.is_member:
        return redirect("leasing:my-leases")
    filters, errors = parse_filters(LeaseFilter, request.GET)
    qs = selectors.lease_list(user=request.user, filters=filters)
    if request.GET.get("export") == "xlsx":
        return excel.export_leases(qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "nav": "leasing",
        "page": page,
        "filters": filters,
        "errors": errors,
        "counts": selectors.expiry_counts(user=request.user),
        "can_change": selectors.can_change_any(request.user),
        "parks": park_queryset_for_user(request.user, roles.VIEW),
    }
    return render_page(request, "leasing/lease_list.html", context)


@login_required
def lease_create(request: AuthedHttpRequest) -> HttpResponse:
    parks = park_queryset_for_user(request.user, roles.SPACE_CHANGE)
    if request.user.is_member or not parks.exists():
        raise PermissionDenied
    tenants = (
        Enterprise.objects.filter(park__in=parks)
        .exclude(status=Enterprise.Status.EXITED)
        .order_by("name")
    )
    units = (
        Unit.objects.filter(building__park__in=parks)
        .exclude(status=Unit.Status.UNAVAILABLE)
        .select_related("building")
        .order_by("building__code", "code")
    )
    initial = {}
    if request.GET.get("unit", "").isdigit():
        initial["units"] = [int(request.GET["unit"])]
    form = LeaseForm(request.POST or None, tenants=tenants, units=units, initial=initial)
    if request.method == "POST" and "preview" in request.POST:
        # The rates year by year and the bills, shown before anything is saved.
        preview = None
        if form.is_valid():
            try:
                preview = services.lease_preview(
                    tenant=form.cleaned_data["tenant"],
                    unit_ids=[u.pk for u in form.cleaned_data["units"]],
                    data=form.service_data(),
                    free_periods=form.free_periods(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
        return render_page(
            request,
            "leasing/lease_form.html",
            {"nav": "leasing", "form": form, "preview": preview},
            status=400 if form.errors else 200,
        )
    return submit(
        request,
        form,
        lambda data: services.lease_create(
            actor=request.user,
            tenant=data["tenant"],
            unit_ids=[u.pk for u in data["units"]],
            data=form.service_data(),
            free_periods=form.free_periods(),
            activate=data["activate"],
        ),
        success=lambda lease: (
            _("合同已签约生效。") if lease.status == Lease.Status.ACTIVE else _("合同草稿已保存。")
        ),
        next=_detail_url,
        template="leasing/lease_form.html",
        context={"nav": "leasing"},
    )


@login_required
def lease_detail(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lease = selectors.lease_get_for_user(user=request.user, pk=pk)
    can_change = selectors.lease_can_change(user=request.user, lease=lease)
    balance = selectors.lease_balance(lease=lease)
    context = {
        "nav": "enterprises" if request.user.is_member else "leasing",
        "lease": lease,
        "units": lease.lease_units.select_related("unit__building", "unit__floor").order_by(
            "unit__code"
        ),
        "free_periods": lease.free_periods.all(),
        "bills": selectors.lease_bills(lease=lease),
        "rates": selectors.lease_rates(lease=lease),
        "balance": balance,
        "can_refund": can_change and selectors.deposit_refundable(lease=lease, balance=balance),
        "payments": lease.payments.all(),
        "credit_refunds": lease.credit_refunds.select_related("recorded_by"),
        "settlement": selectors.lease_settlement(lease=lease),
        "amendments": lease.amendments.select_related("created_by"),
        "successor": Lease.objects.filter(predecessor=lease).first(),
        "reminders": lease.reminders.all(),
        "can_change": can_change,
        "payment_form": PaymentForm(lease=lease, initial={"paid_on": services.today()})
        if can_change and lease.status != Lease.Status.DRAFT
        else None,
        "history": audit_history(lease) if not request.user.is_member else [],
        "today": services.today(),
    }
    return render(request, "leasing/lease_detail.html", context)


@login_required
@require_POST
def lease_activate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lease = selectors.lease_get_for_user(user=request.user, pk=pk)
    _require_change(request, lease)
    return act(
        request,
        lambda: services.lease_activate(actor=request.user, lease=lease),
        success=_("合同已签约生效。"),
        next=_detail_url(lease),
    )


@login_required
def payment_create(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lease = selectors.lease_get_for_user(user=request.user, pk=pk)
    _require_change(request, lease)
    return submit(
        request,
        PaymentForm(request.POST or None, lease=lease, initial={"paid_on": services.today()}),
        lambda d: services.payment_record(
            actor=request.user,
            lease=lease,
            amount=d["amount"],
            paid_on=d["paid_on"],
            bill=d["bill"],
            allow_prepayment=d["allow_prepayment"],
            reference=d["reference"],
        ),
        success=_("收款已登记。"),
        next=_detail_url(lease),
        template="leasing/action_form.html",
        context={"nav": "leasing", "lease": lease, "title": _("登记收款")},
    )


def _action(
    request: AuthedHttpRequest, pk: int, form_class: type, title: str, run: Any, done: str
) -> HttpResponse:
    """A form on one lease (renew, terminate, amend, refund) ending on a lease's page."""
    lease = selectors.lease_get_for_user(user=request.user, pk=pk)
    _require_change(request, lease)
    form = form_class(request.POST or None)
    return submit(
        request,
        form,
        lambda _data: run(lease, form),
        success=done,
        next=_detail_url,
        template="leasing/action_form.html",
        context={"nav": "leasing", "lease": lease, "title": title},
    )


@login_required
def lease_renew(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """Renew in two steps: the terms typed (or kept) are shown old beside new, then
    confirmed (a POST with confirm=1 signs the successor)."""
    lease = selectors.lease_get_for_user(user=request.user, pk=pk)
    _require_change(request, lease)
    form = RenewForm(request.POST or None)
    context: dict[str, Any] = {"nav": "leasing", "lease": lease, "title": _("续签合同")}
    if request.method == "POST" and request.POST.get("confirm") != "1":
        preview = None
        if form.is_valid():
            try:
                preview = services.renewal_preview(
                    lease=lease,
                    end_date=form.cleaned_data["end_date"],
                    data=form.data_for_service(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
        status = 400 if form.errors else 200
        return render_page(
            request,
            "leasing/renew.html",
            {**context, "form": form, "preview": preview},
            status=status,
        )
    return submit(
        request,
        form,
        lambda d: services.lease_renew(
            actor=request.user,
            lease=lease,
            end_date=d["end_date"],
            data=form.data_for_service(),
            deposit=d["deposit_action"] or None,
            reference=d["reference"],
        ),
        success=_("已续签，新合同已生效。"),
        next=_detail_url,
        template="leasing/renew.html",
        context=context,
    )


@login_required
def lease_terminate(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    def run(lease: Lease, form: TerminateForm) -> Lease:
        d = form.cleaned_data
        return services.lease_terminate(
            actor=request.user, lease=lease, on=d["terminated_on"], reason=d["reason"]
        )

    return _action(request, pk, TerminateForm, _("提前终止"), run, _("合同已提前终止。"))


@login_required
def lease_amend(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    def run(lease: Lease, form: AmendForm) -> Lease:
        d = form.cleaned_data
        return services.lease_amend(
            actor=request.user,
            lease=lease,
            data=form.changes(),
            effective_on=d["effective_on"],
            reason=d["reason"],
        )

    return _action(
        request, pk, AmendForm, _("合同变更"), run, _("变更已生效，账单已按变更后的租金重新核算。")
    )


@login_required
def credit_refund(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lease = selectors.lease_get_for_user(user=request.user, pk=pk)
    _require_change(request, lease)
    form = CreditRefundForm(
        request.POST or None,
        initial={
            "refunded_on": services.today(),
            "amount": selectors.lease_balance(lease=lease)["credit"],
            "request_key": uuid.uuid4().hex,
        },
    )
    return submit(
        request,
        form,
        lambda d: services.credit_refund(
            actor=request.user,
            lease=lease,
            amount=d["amount"],
            on=d["refunded_on"],
            reference=d["reference"],
            request_key=d["request_key"] or None,
        ),
        success=_("预收款退还已登记。"),
        next=_detail_url(lease),
        template="leasing/action_form.html",
        context={"nav": "leasing", "lease": lease, "title": _("退还预收款")},
    )


@login_required
def settlement(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """退租结算: the statement (print-friendly, or Excel with ?export=xlsx); before the
    settlement, the figures it would record and the form that records it."""
    lease = selectors.lease_get_for_user(user=request.user, pk=pk)
    _staff_only(request)
    done = selectors.lease_settlement(lease=lease)
    statement = services.settlement_statement(lease=lease) if done is None else None
    if request.GET.get("export") == "xlsx" and done is not None:
        return statements.export_settlement(lease, done)
    can_settle = (
        done is None
        and lease.status in services.SETTLEABLE
        and selectors.lease_can_change(user=request.user, lease=lease)
    )
    if request.method == "POST" and not can_settle:
        raise PermissionDenied
    form = SettlementForm(
        request.POST or None,
        initial={
            "settled_on": max(services.today(), lease.effective_end),
            "request_key": uuid.uuid4().hex,
        },
    )
    return submit(
        request,
        form,
        lambda d: services.lease_settle(
            actor=request.user,
            lease=lease,
            on=d["settled_on"],
            reference=d["reference"],
            request_key=d["request_key"] or None,
        ),
        success=_("退租结算已完成。"),
        next=reverse("leasing:settlement", args=[lease.pk]),
        template="leasing/settlement.html",
        context={
            "nav": "leasing",
            "lease": lease,
            "settlement": done,
            "statement": statement,
            "bills": statement.bills if statement else selectors.lease_bills(lease=lease),
            "can_settle": can_settle,
        },
    )


@login_required
def deposit_refund(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    lease = selectors.lease_get_for_user(user=request.user, pk=pk)
    _require_change(request, lease)
    return submit(
        request,
        DepositRefundForm(request.POST or None, initial={"refunded_on": services.today()}),
        lambda d: services.deposit_refund(
            actor=request.user, lease=lease, on=d["refunded_on"], reference=d["reference"]
        ),
        success=_("保证金退还已登记。"),
        next=_detail_url(lease),
        template="leasing/action_form.html",
        context={"nav": "leasing", "lease": lease, "title": _("退还保证金")},
    )


@login_required
def bill_list(request: AuthedHttpRequest) -> HttpResponse:
    _staff_only(request)
    filters, errors = parse_filters(BillFilter, request.GET)
    qs = selectors.bill_list(user=request.user, state=filters.state, park=filters.park)
    if request.GET.get("export") == "xlsx":
        return excel.export_bills(qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "leasing/bill_list.html",
        {
            "nav": "leasing",
            "page": page,
            "state": filters.state,
            "errors": errors,
            "today": services.today(),
        },
    )


@login_required
def receivables(request: AuthedHttpRequest) -> HttpResponse:
    _staff_only(request)
    filters, errors = parse_filters(ParkFilter, request.GET)
    total, rows = selectors.receivables_ageing(user=request.user, park=filters.park)
    if request.GET.get("export") == "xlsx":
        return excel.export_ageing(rows)
    return render(
        request,
        "leasing/receivables.html",
        {
            "nav": "leasing",
            "total": total,
            "rows": rows,
            "errors": errors,
            "today": services.today(),
        },
    )


@login_required
def occupancy(request: AuthedHttpRequest) -> HttpResponse:
    _staff_only(request)
    filters, errors = parse_filters(ParkFilter, request.GET)
    data = selectors.occupancy(user=request.user, park=filters.park)
    if request.GET.get("export") == "xlsx":
        return excel.export_occupancy(data)
    return render(request, "leasing/occupancy.html", {"nav": "leasing", "errors": errors, **data})


@login_required
def stacking_plan(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    _staff_only(request)
    building = building_get_for_user(user=request.user, pk=pk)
    floors = selectors.stacking_plan(building=building)
    cells = [c for _f, cs in floors for c in cs]
    counts: dict[str, int] = {}
    for c in cells:
        counts[c.state] = counts.get(c.state, 0) + 1
    lettable = sum((c.unit.area for c in cells if c.state != "unavailable"), 0)
    leased = sum((c.unit.area for c in cells if c.state in ("leased", "expiring")), 0)
    context = {
        "nav": "leasing",
        "building": building,
        "floors": floors,
        "counts": counts,
        "lettable": lettable,
        "leased": leased,
        "can_change": not request.user.is_member and selectors.can_change_any(request.user),
    }
    return render(request, "leasing/stacking_plan.html", context)


@login_required
def unit_panel(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    """The side panel a stacking-plan cell opens: the unit and its running lease."""
    _staff_only(request)
    unit = unit_get_for_user(user=request.user, pk=pk)
    lease = selectors.unit_current_lease(unit=unit)
    history = (
        Lease.objects.filter(lease_units__unit=unit)
        .select_related("tenant")
        .order_by("-start_date")[:10]
    )
    context = {
        "unit": unit,
        "lease": lease,
        "history": history,
        "can_change": selectors.can_change_any(request.user),
        "nav": "leasing",
    }
    # A stacking-plan cell opens the panel in place; a plain visit gets it inside a page.
    template = "leasing/unit_panel.html" if request.htmx else "leasing/unit_page.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
def my_leases(request: AuthedHttpRequest) -> HttpResponse:
    """An enterprise member's own leases, bills and balance."""
    tenant_id = request.user.enterprise_id
    if tenant_id is None:
        return redirect("leasing:lease-list")
    leases = selectors.member_leases(user=request.user)
    bills = (
        selectors.bill_list(user=request.user, state="all")
        .filter(tenant_id=tenant_id)
        .order_by("-due_date")[:60]
    )
    context = {
        "nav": "enterprises",
        "leases": leases,
        "bills": bills,
        "balance": selectors.tenant_balance(user=request.user, tenant_id=tenant_id),
        "today": services.today(),
    }
    return render(request, "leasing/my_leases.html", context)


# --- Excel ---------------------------------------------------------------------------


@login_required
def import_template(request: AuthedHttpRequest) -> HttpResponse:
    _staff_only(request)
    return excel.template_response()


@excel_kit.upload_view
@login_required
def import_start(request: AuthedHttpRequest) -> HttpResponse:
    parks = park_queryset_for_user(request.user, roles.SPACE_CHANGE)
    if request.user.is_member or not parks.exists():
        raise PermissionDenied
    too_large = excel_kit.upload_refusal(request) if request.method == "POST" else None
    if too_large:  # answered before Django reads the body
        context = {"nav": "leasing", "form": ImportForm(parks=parks), "error": too_large}
        return render(request, "leasing/import.html", context, status=413)
    form = ImportForm(request.POST or None, request.FILES or None, parks=parks)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                job = excel.import_submit(
                    actor=request.user,
                    park=form.cleaned_data["park"],
                    upload=form.cleaned_data["file"],
                    dry_run=form.cleaned_data["dry_run"],
                )
                enqueue_with_write(tasks.import_workbook, job.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("leasing:import-job", pk=job.pk)
    return render(
        request,
        "leasing/import.html",
        {"nav": "leasing", "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def import_confirm(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    try:
        with transaction.atomic():
            new = excel.import_confirm(actor=request.user, job=job)
            enqueue_with_write(tasks.import_workbook, new.pk)
    except ValidationError as exc:
        return render(
            request,
            "leasing/import_job.html",
            {
                "nav": "leasing",
                "job": job,
                "progress": excel.job_progress(job),
                "error": " ".join(exc.messages),
            },
            status=400,
        )
    return redirect("leasing:import-job", pk=new.pk)


@login_required
def import_job(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    job = selectors.import_job_get_for_user(user=request.user, pk=pk)
    context = {"nav": "leasing", "job": job, "progress": excel.job_progress(job)}
    return render_page(request, "leasing/import_job.html", context, partial="job")
