"""Portal pages: the member's landing, reporting, notices and colleagues; the staff's
campaigns and review queue. Parse, one access helper, one service or selector, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oasis.accounts import roles
from oasis.accounts.http import AuthedHttpRequest
from oasis.accounts.selectors import user_is_staff
from oasis.core.audit import audit_history
from oasis.core.filters import ParkFilter, parse_filters
from oasis.core.forms import add_service_errors
from oasis.core.identifiers import industry_label
from oasis.core.views import act, submit
from oasis.cultivation.selectors import verdict_panel
from oasis.enterprises.models import Enterprise
from oasis.enterprises.selectors import enterprise_figures, enterprise_get_for_user
from oasis.enterprises.services import MEMBER_EDITABLE, STAFF_EDITABLE
from oasis.leasing.selectors import member_leases, member_open_bills
from oasis.parks.models import Park
from oasis.parks.selectors import park_queryset_for_user
from oasis.sharing.selectors import member_bookings, member_service_requests
from oasis.tickets.selectors import enterprise_tickets

from . import selectors, services
from .filters import ProgressFilter
from .forms import CampaignForm, InviteForm, NoticeForm, ReportForm, ReviewForm
from .models import Campaign, Report, field_label

PAGE_SIZE = 25


def _member_only(request: AuthedHttpRequest) -> int:
    """The id of the member's firm; 403 for anyone else."""
    if (firm_id := request.user.enterprise_id) is None:
        raise PermissionDenied
    return firm_id


def _staff_only(request: AuthedHttpRequest) -> None:
    if request.user.is_member or not user_is_staff(request.user):
        raise PermissionDenied


# ---------------------------------------------------------------------------- landing

# The profile as the member sees it: the fields staff keep, and whether the member may
# change each.
PROFILE_FIELDS = STAFF_EDITABLE


def _profile(enterprise: Enterprise) -> list[dict[str, Any]]:
    fields = {f.name: f for f in Enterprise._meta.concrete_fields}
    rows = []
    for name in PROFILE_FIELDS:
        field = fields[name]
        if name == "industry_code":
            value: Any = industry_label(enterprise.industry_code)
        elif getattr(field, "choices", None):
            value = getattr(enterprise, f"get_{name}_display")()
        else:
            value = getattr(enterprise, name)
        rows.append(
            {
                "name": name,
                "label": field.verbose_name,
                "value": value,
                "editable": name in MEMBER_EDITABLE,
            }
        )
    return rows


@login_required
def portal_home(request: AuthedHttpRequest) -> HttpResponse:
    """A member's landing: their firm, what they must report, what they asked, what the
    park told them, their tiers, leases, open bills, bookings and service requests."""
    user = request.user
    if (firm_id := user.enterprise_id) is None:
        if user_is_staff(user):
            return redirect("portal:campaign-list")
        raise PermissionDenied
    enterprise = enterprise_get_for_user(user=user, pk=firm_id)
    context = {
        "nav": "portal",
        "e": enterprise,
        "profile": _profile(enterprise),
        "campaigns": selectors.member_campaigns(user=user),
        "tickets": enterprise_tickets(user=user, enterprise_id=enterprise.pk),
        "notices": list(selectors.notice_list(user=user)[:5]),
        "unread": selectors.notice_unread_count(user=user),
        "figures": enterprise_figures(enterprise=enterprise)[:3],
        "period_figures": selectors.period_figures(enterprise=enterprise)[:8],
        "cultivation": verdict_panel(user=user, enterprise=enterprise),
        "leases": list(member_leases(user=user)[:10]),
        "bills": list(member_open_bills(user=user)[:10]),
        "bookings": list(member_bookings(user=user)[:10]),
        "service_requests": list(member_service_requests(user=user)[:10]),
    }
    return render(request, "portal/home.html", context)


# ---------------------------------------------------------------------- member reports


@login_required
def report_fill(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    firm_id = _member_only(request)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=campaign_id)
    report = selectors.report_for_member(user=request.user, campaign=campaign)
    if report is not None and report.status not in Report.EDITABLE:
        return redirect("portal:report-detail", report_id=report.pk)
    initial = {f: getattr(report, f) for f in campaign.fields} if report else {}
    if report:
        initial["explanation"] = report.explanation
    form = ReportForm(request.POST or None, campaign=campaign, initial=initial)
    flags: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        submitting = request.POST.get("action") == "submit"
        try:
            saved = services.report_save(
                actor=request.user,
                campaign=campaign,
                data=form.figures(),
                explanation=form.cleaned_data["explanation"],
                submit=submitting,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            flags = (
                selectors.report_flags_preview(
                    enterprise_id=firm_id,
                    campaign=campaign,
                    values=form.figures(),
                )
                if "explanation" in form.errors
                else []
            )
        else:
            messages.success(request, _("已提交，等待园区审核。") if submitting else _("已暂存。"))
            return (
                redirect("portal:report-detail", report_id=saved.pk)
                if submitting
                else redirect("portal:report-fill", campaign_id=campaign.pk)
            )
    status = 400 if form.errors else 200
    context = {
        "nav": "portal",
        "campaign": campaign,
        "report": report,
        "form": form,
        "flags": flags,
    }
    return render(request, "portal/report_form.html", context, status=status)


@login_required
def report_detail(request: AuthedHttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, pk=report_id)
    return _report_page(request, report)


def _report_page(
    request: AuthedHttpRequest, report: Report, *, form: ReviewForm | None = None, status: int = 200
) -> HttpResponse:
    campaign = report.campaign
    can_review = selectors.report_can_review(user=request.user, park_id=campaign.park_id)
    previous = (
        selectors.previous_values(enterprise_id=report.enterprise_id, campaign=campaign) or {}
    )
    rows = [
        {
            "name": f,
            "label": field_label(f),
            "value": getattr(report, f),
            "previous": previous.get(f),
            "flagged": any(x["field"] == f for x in report.flags),
        }
        for f in campaign.fields
    ]
    context = {
        "nav": "portal",
        "report": report,
        "campaign": campaign,
        "rows": rows,
        "can_review": can_review and report.status == Report.Status.SUBMITTED,
        "review_form": form or ReviewForm(),
        "history": _report_history(report),
    }
    return render(request, "portal/report_detail.html", context, status=status)


def _report_history(report: Report) -> list[Any]:
    return audit_history(report)


def _review(request: AuthedHttpRequest, report_id: int, accept: bool) -> HttpResponse:
    report = selectors.report_get_for_user(user=request.user, pk=report_id)
    if not selectors.report_can_review(user=request.user, park_id=report.campaign.park_id):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    review = services.report_accept if accept else services.report_return
    return submit(
        request,
        form,
        lambda data: review(actor=request.user, report=report, comment=data["comment"]),
        success=_("已采纳，数据已写入企业正式数据。") if accept else _("已退回企业修改。"),
        next="portal:review-queue",
        page=lambda status: _report_page(request, report, form=form, status=status),
    )


@login_required
@require_POST
def report_accept(request: AuthedHttpRequest, report_id: int) -> HttpResponse:
    return _review(request, report_id, accept=True)


@login_required
@require_POST
def report_return(request: AuthedHttpRequest, report_id: int) -> HttpResponse:
    return _review(request, report_id, accept=False)


# --------------------------------------------------------------------- staff campaigns


@login_required
def campaign_list(request: AuthedHttpRequest) -> HttpResponse:
    if request.user.is_member:
        return redirect("portal:home")
    _staff_only(request)
    page = Paginator(selectors.campaign_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "nav": "portal",
        "page": page,
        "can_create": not request.user.is_member
        and park_queryset_for_user(request.user, roles.CAMPAIGN_MANAGE).exists(),
        "queue_count": selectors.review_queue(user=request.user).count(),
    }
    return render(request, "portal/campaign_list.html", context)


@login_required
def campaign_create(request: AuthedHttpRequest) -> HttpResponse:
    _staff_only(request)
    parks = park_queryset_for_user(request.user, roles.CAMPAIGN_MANAGE)
    if not parks.exists():
        raise PermissionDenied
    form = CampaignForm(request.POST or None)
    form.fields["park"] = _park_field(parks)
    return submit(
        request,
        form,
        lambda data: services.campaign_create(
            actor=request.user,
            park=data["park"],
            data={k: v for k, v in data.items() if k != "park"},
        ),
        success=_("填报任务已发布。"),
        next=_campaign_url,
        template="portal/campaign_form.html",
        context={"nav": "portal"},
    )


def _campaign_url(campaign: Campaign) -> str:
    return reverse("portal:campaign-detail", args=[campaign.pk])


def _park_field(parks: QuerySet[Park]) -> forms.ModelChoiceField[Park]:
    return forms.ModelChoiceField(
        label=_("园区"), queryset=parks, initial=parks.first() if parks.count() == 1 else None
    )


@login_required
def campaign_edit(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    _staff_only(request)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=campaign_id)
    if not selectors.campaign_can_manage(user=request.user, park_id=campaign.park_id):
        raise PermissionDenied
    return submit(
        request,
        CampaignForm(request.POST or None, instance=campaign),
        lambda data: services.campaign_update(actor=request.user, campaign=campaign, data=data),
        success=_("已保存。"),
        next=_campaign_url(campaign),
        template="portal/campaign_form.html",
        context={"nav": "portal", "campaign": campaign},
    )


@login_required
def campaign_detail(request: AuthedHttpRequest, campaign_id: int) -> HttpResponse:
    _staff_only(request)
    campaign = selectors.campaign_get_for_user(user=request.user, pk=campaign_id)
    progress = selectors.campaign_progress(campaign=campaign)
    context = {
        "nav": "portal",
        "campaign": campaign,
        "progress": progress,
        "can_manage": selectors.campaign_can_manage(user=request.user, park_id=campaign.park_id),
        "field_labels": [field_label(f) for f in campaign.fields],
        "only_late": parse_filters(ProgressFilter, request.GET)[0].late,
    }
    return render(request, "portal/campaign_detail.html", context)


@login_required
def review_queue(request: AuthedHttpRequest) -> HttpResponse:
    _staff_only(request)
    page = Paginator(selectors.review_queue(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "portal/review_queue.html", {"nav": "portal", "page": page})


# --------------------------------------------------------------------------- notices


@login_required
def notice_list(request: AuthedHttpRequest) -> HttpResponse:
    if not (request.user.is_member or user_is_staff(request.user)):
        raise PermissionDenied
    page = Paginator(selectors.notice_list(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    can_publish = (
        not request.user.is_member
        and park_queryset_for_user(request.user, roles.NOTICE_PUBLISH).exists()
    )
    return render(
        request,
        "portal/notice_list.html",
        {"nav": "portal", "page": page, "can_publish": can_publish},
    )


@login_required
def notice_create(request: AuthedHttpRequest) -> HttpResponse:
    _staff_only(request)
    parks = park_queryset_for_user(request.user, roles.NOTICE_PUBLISH)
    asked = parse_filters(ParkFilter, request.GET)[0].park
    park = parks.filter(pk=asked).first() if asked is not None else parks.order_by("id").first()
    if park is None:
        raise PermissionDenied
    form = NoticeForm(request.POST or None, park_id=park.pk)
    return submit(
        request,
        form,
        lambda data: services.notice_publish(actor=request.user, park=park, data=data),
        success=_("通知已发布。"),
        next=lambda notice: reverse("portal:notice-detail", args=[notice.pk]),
        template="portal/notice_form.html",
        context={"nav": "portal", "park": park},
    )


@login_required
def notice_detail(request: AuthedHttpRequest, notice_id: int) -> HttpResponse:
    notice = selectors.notice_get_for_user(user=request.user, pk=notice_id)
    services.notice_mark_read(user=request.user, notice=notice)
    receipts = None if request.user.is_member else selectors.notice_receipts(notice=notice)
    return render(
        request,
        "portal/notice_detail.html",
        {"nav": "portal", "notice": notice, "receipts": receipts},
    )


# --------------------------------------------------------------------------- members


def _firm_admin(request: AuthedHttpRequest) -> int:
    """The id of the firm whose administrator is asking; 403 for anyone else."""
    firm_id = request.user.enterprise_id
    if firm_id is None or not request.user.is_enterprise_admin:
        raise PermissionDenied
    return firm_id


@login_required
def member_list(request: AuthedHttpRequest) -> HttpResponse:
    firm_id = _firm_admin(request)
    enterprise = enterprise_get_for_user(user=request.user, pk=firm_id)
    form = InviteForm(request.POST or None)
    invited: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            user, path = services.member_invite(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            invited = {"user": user, "link": request.build_absolute_uri(path)}
            form = InviteForm()
    status = 400 if form.errors else 200
    context = {
        "nav": "portal",
        "e": enterprise,
        "members": selectors.firm_members(enterprise=enterprise),
        "form": form,
        "invited": invited,
    }
    return render(request, "portal/member_list.html", context, status=status)


@login_required
@require_POST
def member_remove(request: AuthedHttpRequest, user_id: int) -> HttpResponse:
    _firm_admin(request)
    colleague = selectors.member_get_for_admin(user=request.user, pk=user_id)
    return act(
        request,
        lambda: services.member_remove(actor=request.user, user=colleague),
        success=_("已移除 %(name)s。") % {"name": colleague},
        next=reverse("portal:member-list"),
    )


@login_required
@require_POST
def member_invite_resend(request: AuthedHttpRequest, user_id: int) -> HttpResponse:
    firm_id = _firm_admin(request)
    colleague = selectors.member_get_for_admin(user=request.user, pk=user_id)
    try:
        path = services.member_invite_resend(actor=request.user, user=colleague)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("portal:member-list")
    enterprise = enterprise_get_for_user(user=request.user, pk=firm_id)
    context = {
        "nav": "portal",
        "e": enterprise,
        "members": selectors.firm_members(enterprise=enterprise),
        "form": InviteForm(),
        "invited": {"user": colleague, "link": request.build_absolute_uri(path)},
    }
    return render(request, "portal/member_list.html", context)


class MemberActivateView(PasswordResetConfirmView):
    """The one-time link of an invitation: set a password, then log in. A removed
    (deactivated) colleague's link does not work."""

    template_name = "portal/member_activate.html"
    success_url = reverse_lazy("accounts:login")
    post_reset_login = False
    token_generator = services.invite_token_generator

    def get_user(self, uidb64: str) -> Any:
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None

    def form_valid(self, form: Any) -> HttpResponse:
        messages.success(self.request, _("密码已设置，请登录。"))
        return super().form_valid(form)
