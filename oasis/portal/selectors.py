"""Reads of the portal, always scoped by the user. A member sees their own firm's
reports and the campaigns and notices of their park meant for them; staff see their
parks. The `*_get_for_user` helpers raise 404 for anything else."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import user_can
from oasis.core.selectors import first_or_404
from oasis.cultivation.selectors import enterprise_ids_holding, tiers_held
from oasis.enterprises.models import AnnualFigure, Enterprise
from oasis.parks.selectors import park_ids_for_user

from .checks import report_flags
from .models import (
    Campaign,
    Notice,
    NoticeRead,
    PeriodFigure,
    PeriodKind,
    Report,
    ReportValues,
    field_label,
)

# ------------------------------------------------------------------------- campaigns


def campaign_queryset_for_user(user: User) -> QuerySet[Campaign]:
    if not user.is_authenticated:
        return Campaign.objects.none()
    if (firm := user.enterprise) is not None:
        return Campaign.objects.filter(park_id=firm.park_id)
    parks = park_ids_for_user(user, roles.VIEW)
    return Campaign.objects.all() if parks is None else Campaign.objects.filter(park_id__in=parks)


def campaign_get_for_user(*, user: User, pk: int) -> Campaign:
    return first_or_404(campaign_queryset_for_user(user).select_related("park").filter(pk=pk))


def campaign_can_manage(*, user: User, park_id: int) -> bool:
    return not user.is_member and user_can(user, park_id, roles.CAMPAIGN_MANAGE)


def report_can_review(*, user: User, park_id: int) -> bool:
    return not user.is_member and user_can(user, park_id, roles.REPORT_REVIEW)


def expected_firms(*, park_id: int) -> QuerySet[Enterprise]:
    """Who must answer a campaign: the park's settled firms."""
    return Enterprise.objects.filter(park_id=park_id, status=Enterprise.Status.SETTLED)


def campaign_list(*, user: User) -> QuerySet[Campaign]:
    """Campaigns with their completion counts, in one query."""
    expected = (
        Enterprise.objects.filter(park_id=OuterRef("park_id"), status=Enterprise.Status.SETTLED)
        .order_by()
        .values("park_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return (
        campaign_queryset_for_user(user)
        .select_related("park")
        .annotate(
            expected=Subquery(expected),
            n_submitted=Count("reports", filter=Q(reports__status=Report.Status.SUBMITTED)),
            n_accepted=Count("reports", filter=Q(reports__status=Report.Status.ACCEPTED)),
            n_returned=Count("reports", filter=Q(reports__status=Report.Status.RETURNED)),
        )
        .order_by("-due_on", "-id")
    )


@dataclass(frozen=True)
class ProgressRow:
    enterprise: Enterprise
    report: Report | None
    late: bool

    @property
    def status(self) -> str:
        return self.report.status if self.report else ""


@dataclass(frozen=True)
class CampaignProgress:
    campaign: Campaign
    rows: list[ProgressRow]

    @property
    def expected(self) -> int:
        return len(self.rows)

    def _count(self, *statuses: str) -> int:
        return sum(1 for r in self.rows if r.status in statuses)

    @property
    def submitted(self) -> int:
        return self._count(Report.Status.SUBMITTED, Report.Status.ACCEPTED)

    @property
    def accepted(self) -> int:
        return self._count(Report.Status.ACCEPTED)

    @property
    def returned(self) -> int:
        return self._count(Report.Status.RETURNED)

    @property
    def completion_pct(self) -> Decimal | None:
        """Share of expected firms whose report is in (submitted or accepted)."""
        if not self.expected:
            return None
        return (Decimal(self.submitted) * 100 / self.expected).quantize(Decimal("0.1"))

    @property
    def late(self) -> list[ProgressRow]:
        return [r for r in self.rows if r.late]


def campaign_progress(*, campaign: Campaign, today: dt.date | None = None) -> CampaignProgress:
    """Every expected firm with its report (two queries whatever the park's size)."""
    today = today or timezone.localdate()
    firms = list(expected_firms(park_id=campaign.park_id).order_by("name", "id"))
    reports = {r.enterprise_id: r for r in campaign.reports.all()}
    overdue = today > campaign.due_on
    rows = []
    for firm in firms:
        report = reports.get(firm.pk)
        done = report is not None and report.status in Report.DONE
        rows.append(ProgressRow(enterprise=firm, report=report, late=overdue and not done))
    return CampaignProgress(campaign=campaign, rows=rows)


# --------------------------------------------------------------------------- reports


def report_queryset_for_user(user: User) -> QuerySet[Report]:
    if not user.is_authenticated:
        return Report.objects.none()
    if (firm_id := user.enterprise_id) is not None:
        return Report.objects.filter(enterprise_id=firm_id)
    parks = park_ids_for_user(user, roles.VIEW)
    return (
        Report.objects.all()
        if parks is None
        else Report.objects.filter(campaign__park_id__in=parks)
    )


def report_get_for_user(*, user: User, pk: int) -> Report:
    return first_or_404(
        report_queryset_for_user(user)
        .select_related("campaign", "campaign__park", "enterprise", "submitted_by", "reviewed_by")
        .filter(pk=pk)
    )


def report_for_member(*, user: User, campaign: Campaign) -> Report | None:
    return report_queryset_for_user(user).filter(campaign=campaign).first()


def review_queue(*, user: User, status: str = Report.Status.SUBMITTED) -> QuerySet[Report]:
    """Reports waiting for review in the parks the user may review."""
    if user.is_member:
        return Report.objects.none()
    parks = park_ids_for_user(user, roles.REPORT_REVIEW)
    qs = Report.objects.filter(status=status)
    if parks is not None:
        qs = qs.filter(campaign__park_id__in=parks)
    return qs.select_related("campaign", "enterprise").order_by("submitted_at", "id")


def previous_values(*, enterprise_id: int, campaign: Campaign) -> dict[str, Any] | None:
    """The same period a year earlier, as official figures (None when never reported)."""
    if campaign.kind == PeriodKind.ANNUAL:
        official = AnnualFigure.objects.filter(
            enterprise_id=enterprise_id, year=campaign.year - 1
        ).first()
        return (
            None
            if official is None
            else {f: getattr(official, f) for f in ReportValues.ANNUAL_FIGURE_FIELDS}
        )
    row = PeriodFigure.objects.filter(
        enterprise_id=enterprise_id,
        kind=campaign.kind,
        year=campaign.year - 1,
        period=campaign.period,
    ).first()
    return None if row is None else row.values()


def _labels() -> dict[str, str]:
    return {f: str(field_label(f)).split("（")[0] for f in ReportValues.FIELDS}


def report_flags_preview(
    *, enterprise_id: int, campaign: Campaign, values: dict[str, Any]
) -> list[dict[str, str]]:
    """The plausibility flags these values would raise (for the form and the service)."""
    previous = previous_values(enterprise_id=enterprise_id, campaign=campaign)
    flags = report_flags(
        values=values, previous=previous, threshold_pct=campaign.jump_threshold, labels=_labels()
    )
    return [f.as_dict() for f in flags]


def member_campaigns(*, user: User) -> list[tuple[Campaign, Report | None]]:
    """Open campaigns of the member's park with the firm's report (two queries)."""
    if not user.is_member:
        return []
    campaigns = list(
        campaign_queryset_for_user(user)
        .filter(status=Campaign.Status.OPEN)
        .order_by("due_on", "id")
    )
    reports = {
        r.campaign_id: r for r in report_queryset_for_user(user).filter(campaign__in=campaigns)
    }
    return [(c, reports.get(c.pk)) for c in campaigns]


def member_reports(*, user: User) -> QuerySet[Report]:
    return (
        report_queryset_for_user(user)
        .select_related("campaign")
        .order_by("-campaign__due_on", "-id")
    )


def period_figures(*, enterprise: Enterprise) -> list[PeriodFigure]:
    return list(enterprise.period_figures.order_by("-year", "kind", "-period")[:24])


# --------------------------------------------------------------------------- notices


def _audience_q(enterprise: Enterprise, *, on: dt.date) -> Q:
    buildings = enterprise.units.values("building_id")
    q = (Q(audience_industry="") | Q(audience_industry=enterprise.focus_industry)) & (
        Q(audience_building__isnull=True) | Q(audience_building__in=buildings)
    )
    tiers = tiers_held(enterprise_id=enterprise.pk, on=on)
    return q & (Q(audience_tier="") | Q(audience_tier__in=tiers))


def notice_queryset_for_user(user: User) -> QuerySet[Notice]:
    if not user.is_authenticated:
        return Notice.objects.none()
    if (firm := user.enterprise) is not None:
        now = timezone.now()
        return Notice.objects.filter(park_id=firm.park_id, published_at__lte=now).filter(
            _audience_q(firm, on=timezone.localdate(now))
        )
    parks = park_ids_for_user(user, roles.VIEW)
    return Notice.objects.all() if parks is None else Notice.objects.filter(park_id__in=parks)


def notice_get_for_user(*, user: User, pk: int) -> Notice:
    return first_or_404(
        notice_queryset_for_user(user)
        .select_related("park", "audience_building", "published_by")
        .filter(pk=pk)
    )


def notice_can_publish(*, user: User, park_id: int) -> bool:
    return not user.is_member and user_can(user, park_id, roles.NOTICE_PUBLISH)


def notice_list(*, user: User) -> QuerySet[Notice]:
    qs = notice_queryset_for_user(user).select_related("park", "audience_building")
    if user.is_member:
        return qs.annotate(
            is_read=Exists(NoticeRead.objects.filter(notice=OuterRef("pk"), user=user))
        )
    return qs.annotate(read_count=Count("reads__enterprise", distinct=True)).order_by(
        "-published_at", "-id"
    )


def notice_unread_count(*, user: User) -> int:
    if not user.is_member:
        return 0
    return notice_queryset_for_user(user).exclude(reads__user=user).count()


def notice_audience(*, notice: Notice, on: dt.date | None = None) -> QuerySet[Enterprise]:
    """The firms a notice is meant for (settled firms of its park matching its filters)."""
    on = on or timezone.localdate()
    qs = Enterprise.objects.filter(park_id=notice.park_id, status=Enterprise.Status.SETTLED)
    if notice.audience_industry:
        qs = qs.filter(focus_industry=notice.audience_industry)
    if notice.audience_building_id:
        qs = qs.filter(units__building_id=notice.audience_building_id)
    if notice.audience_tier:
        qs = qs.filter(pk__in=enterprise_ids_holding(tier=notice.audience_tier, on=on))
    return qs.distinct()


@dataclass(frozen=True)
class ReceiptRow:
    enterprise: Enterprise
    readers: list[NoticeRead]


def notice_receipts(*, notice: Notice) -> list[ReceiptRow]:
    """Who read the notice, firm by firm (two queries)."""
    reads: dict[int, list[NoticeRead]] = {}
    for r in notice.reads.select_related("user").order_by("read_at"):
        reads.setdefault(r.enterprise_id, []).append(r)
    firms = notice_audience(notice=notice).order_by("name", "id")
    return [ReceiptRow(enterprise=f, readers=reads.get(f.pk, [])) for f in firms]


# --------------------------------------------------------------------------- members


def firm_members(*, enterprise: Enterprise) -> QuerySet[User]:
    return User.objects.filter(enterprise=enterprise, is_active=True).order_by(
        "-is_enterprise_admin", "username"
    )


def member_get_for_admin(*, user: User, pk: int) -> User:
    """A colleague the firm's administrator may manage (404 for anyone else)."""
    firm_id = user.enterprise_id
    if firm_id is None or not user.is_enterprise_admin:
        raise Http404
    return first_or_404(User.objects.filter(pk=pk, enterprise_id=firm_id, is_active=True))
