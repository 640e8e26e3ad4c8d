"""Every write of the portal: campaigns, reports and their review, the official
figures an accepted report becomes, reminders, notices and a firm's colleagues.
Each runs in a transaction, validates fully and leaves an audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from oasis.accounts import roles
from oasis.accounts.models import User
from oasis.accounts.selectors import user_can
from oasis.core.writes import record, snapshot
from oasis.enterprises.models import Enterprise
from oasis.enterprises.services import annual_figure_save
from oasis.enterprises.validation import figure_errors
from oasis.notifications.models import Event as NotificationEvent
from oasis.notifications.services import notify
from oasis.parks.models import Park

from . import selectors
from .models import (
    Campaign,
    Notice,
    NoticeRead,
    PeriodFigure,
    PeriodKind,
    Report,
    ReportReminder,
    ReportValues,
)

CAMPAIGN_FIELDS = (
    "title",
    "kind",
    "year",
    "period",
    "fields",
    "opens_on",
    "due_on",
    "remind_days_before",
    "jump_threshold",
    "instructions",
    "status",
)


def _is_member(actor: User) -> bool:
    return actor.is_member


# ------------------------------------------------------------------------- campaigns


def _campaign_clean(campaign: Campaign) -> None:
    unknown = [f for f in campaign.fields or [] if f not in ReportValues.FIELDS]
    if not campaign.fields:
        raise ValidationError({"fields": [_("请至少选择一项填报指标。")]})
    if unknown:
        raise ValidationError(
            {"fields": [_("未知的填报指标：%(f)s。") % {"f": "、".join(unknown)}]}
        )
    campaign.fields = [f for f in ReportValues.FIELDS if f in campaign.fields]  # canonical order
    if campaign.kind == PeriodKind.ANNUAL:
        campaign.period = 0
    campaign.full_clean()


@transaction.atomic
def campaign_create(*, actor: User, park: Park, data: dict[str, Any]) -> Campaign:
    if _is_member(actor) or not user_can(actor, park.pk, roles.CAMPAIGN_MANAGE):
        raise PermissionDenied(_("没有在该园区发起填报任务的权限。"))
    unknown = set(data).difference(CAMPAIGN_FIELDS)
    if unknown:
        raise ValidationError({k: [_("不可设置的字段。")] for k in sorted(unknown)})
    campaign = Campaign(park=park, created_by=actor, **data)
    _campaign_clean(campaign)
    campaign.save()
    record(actor=actor, instance=campaign, park_id=park.pk)
    return campaign


@transaction.atomic
def campaign_update(*, actor: User, campaign: Campaign, data: dict[str, Any]) -> Campaign:
    if _is_member(actor) or not user_can(actor, campaign.park_id, roles.CAMPAIGN_MANAGE):
        raise PermissionDenied(_("没有修改该填报任务的权限。"))
    unknown = set(data).difference(CAMPAIGN_FIELDS)
    if unknown:
        raise ValidationError({k: [_("不可设置的字段。")] for k in sorted(unknown)})
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    before = snapshot(campaign)
    if campaign.reports.exists() and any(
        data.get(k, getattr(campaign, k)) != getattr(campaign, k)
        for k in ("kind", "year", "period")
    ):
        raise ValidationError({"kind": [_("已有企业填报，不能再修改周期。")]})
    for key, value in data.items():
        setattr(campaign, key, value)
    _campaign_clean(campaign)
    campaign.save()
    record(actor=actor, instance=campaign, before=before, park_id=campaign.park_id)
    return campaign


# --------------------------------------------------------------------------- reports


@transaction.atomic
def report_save(
    *,
    actor: User,
    campaign: Campaign,
    data: dict[str, Any],
    explanation: str = "",
    submit: bool = False,
    now: dt.datetime | None = None,
) -> Report:
    """A member saves (or submits) their firm's report. On submission every figure the
    campaign asks for is required, and any plausibility flag needs an explanation:
    without one, nothing is saved and the flags come back as the error on
    `explanation`."""
    firm = actor.enterprise
    if firm is None:
        raise PermissionDenied(_("只有企业用户可以填报。"))
    if campaign.park_id != firm.park_id:
        raise PermissionDenied(_("企业用户只能填报本企业的数据。"))
    if campaign.status != Campaign.Status.OPEN:
        raise ValidationError({"__all__": [_("该填报任务已结束。")]})
    unknown = set(data) - set(campaign.fields)
    if unknown:
        raise ValidationError({k: [_("本次填报不包含该指标。")] for k in sorted(unknown)})
    now = now or timezone.now()
    report, created = Report.objects.select_for_update().get_or_create(
        campaign=campaign,
        enterprise_id=firm.pk,
    )
    if report.status not in Report.EDITABLE:
        raise ValidationError({"__all__": [_("报表已提交，不能再修改。")]})
    before = None if created else snapshot(report)
    for key, value in data.items():
        setattr(report, key, value)
    report.explanation = explanation.strip()
    report.full_clean()
    # The official figures' own rules, written once in the enterprise app: a report
    # that could never become official figures is refused now, not at acceptance.
    errors = figure_errors({f: getattr(report, f) for f in ReportValues.ANNUAL_FIGURE_FIELDS})
    if errors:
        raise ValidationError(errors)
    if submit:
        missing = {
            f: [_("提交前请填写此项。")] for f in campaign.fields if getattr(report, f) is None
        }
        if missing:
            raise ValidationError(missing)
        flags = selectors.report_flags_preview(
            enterprise_id=firm.pk, campaign=campaign, values=report.values()
        )
        if flags and not report.explanation:
            raise ValidationError(
                {
                    "explanation": [
                        _("以下数据可能有误，请核对；如确认无误，请说明原因后再提交："),
                        *[f["message"] for f in flags],
                    ]
                }
            )
        report.flags = flags
        report.status = Report.Status.SUBMITTED
        report.submitted_at = now
        report.submitted_by = actor
    report.save()
    record(actor=actor, instance=report, before=before, park_id=campaign.park_id)
    return report


def _check_review(actor: User, report: Report) -> None:
    if _is_member(actor) or not user_can(actor, report.campaign.park_id, roles.REPORT_REVIEW):
        raise PermissionDenied(_("没有审核该填报的权限。"))


@transaction.atomic
def report_return(
    *, actor: User, report: Report, comment: str, now: dt.datetime | None = None
) -> Report:
    """Send a report back to the firm with what to fix."""
    _check_review(actor, report)
    report = Report.objects.select_for_update().select_related("campaign").get(pk=report.pk)
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError({"comment": [_("只有待审核的填报可以退回。")]})
    comment = comment.strip()
    if not comment:
        raise ValidationError({"comment": [_("退回时请填写审核意见。")]})
    before = snapshot(report)
    report.status = Report.Status.RETURNED
    report.review_comment = comment
    report.reviewed_at = now or timezone.now()
    report.reviewed_by = actor
    report.full_clean()
    report.save()
    record(actor=actor, instance=report, before=before, park_id=report.campaign.park_id)
    # The person who submitted it, else the firm's administrators.
    submitter = report.submitted_by
    recipients = (
        [submitter]
        if submitter is not None and submitter.is_active
        else list(User.objects.filter(enterprise_id=report.enterprise_id, is_enterprise_admin=True))
    )
    notify(
        recipients=recipients,
        event=NotificationEvent.REPORT_RETURNED,
        subject=RETURNED_SUBJECT,
        body=RETURNED_BODY,
        values={"t": report.campaign.title, "c": comment[:500]},
        link=reverse("portal:report-fill", args=[report.campaign_id]),
        park=report.campaign.park_id,
        actor=actor,
    )
    return report


@transaction.atomic
def report_accept(
    *, actor: User, report: Report, comment: str = "", now: dt.datetime | None = None
) -> Report:
    """Accept a report: its figures become the firm's official figures. Annual ones go
    through `annual_figure_save` (audited, dashboard refreshed); monthly and quarterly
    ones into PeriodFigure (audited). Figures the campaign did not ask for keep their
    value."""
    _check_review(actor, report)
    report = (
        Report.objects.select_for_update()
        .select_related("campaign", "enterprise")
        .get(pk=report.pk)
    )
    if report.status != Report.Status.SUBMITTED:
        raise ValidationError({"comment": [_("只有待审核的填报可以采纳。")]})
    campaign = report.campaign
    before = snapshot(report)
    report.status = Report.Status.ACCEPTED
    report.review_comment = comment.strip()
    report.reviewed_at = now or timezone.now()
    report.reviewed_by = actor
    report.full_clean()
    report.save()
    record(actor=actor, instance=report, before=before, park_id=campaign.park_id)
    collected = {f: getattr(report, f) for f in campaign.fields}
    if campaign.kind == PeriodKind.ANNUAL:
        data = {f: v for f, v in collected.items() if f in ReportValues.ANNUAL_FIGURE_FIELDS}
        if data:
            annual_figure_save(
                actor=actor, enterprise=report.enterprise, year=campaign.year, data=data
            )
    else:
        figure = (
            PeriodFigure.objects.select_for_update()
            .filter(
                enterprise=report.enterprise,
                kind=campaign.kind,
                year=campaign.year,
                period=campaign.period,
            )
            .first()
        )
        fig_before = None if figure is None else snapshot(figure)
        figure = figure or PeriodFigure(
            enterprise=report.enterprise,
            kind=campaign.kind,
            year=campaign.year,
            period=campaign.period,
        )
        for key, value in collected.items():
            setattr(figure, key, value)
        figure.report = report
        figure.full_clean()
        figure.save()
        record(actor=actor, instance=figure, before=fig_before, park_id=campaign.park_id)
    return report


# ------------------------------------------------------------------------- reminders


def _firm_members(enterprise_ids: list[int]) -> dict[int, list[User]]:
    people: dict[int, list[User]] = {}
    for user in User.objects.filter(enterprise_id__in=enterprise_ids, is_active=True):
        assert user.enterprise_id is not None  # filtered on it
        people.setdefault(user.enterprise_id, []).append(user)
    return people


DUE_SOON_SUBJECT = gettext_noop("【提醒】%(t)s 即将截止")
OVERDUE_SUBJECT = gettext_noop("【逾期】%(t)s 尚未填报")
DUE_BODY = gettext_noop("贵企业尚未提交“%(t)s”，截止日期 %(d)s。请登录绿洲园区平台填报。")
RETURNED_SUBJECT = gettext_noop("填报被退回：%(t)s")
RETURNED_BODY = gettext_noop("审核意见：%(c)s")


@transaction.atomic
def campaign_reminders_send(*, today: dt.date | None = None) -> dict[str, int]:
    """Remind firms that have not reported: once when the due date nears, once when it
    has passed, through the notification service (inbox, and email for those who want
    it). A firm counts as reminded only when someone was reached: a firm with no active
    account is counted as `unreached` and tried again on the next run. The (campaign,
    firm, kind) row is unique, so a second run sends nothing twice. `emailed` counts the
    firms at least one email went to."""
    today = today or timezone.localdate()
    counts = {
        ReportReminder.Kind.DUE_SOON: 0,
        ReportReminder.Kind.OVERDUE: 0,
        "emailed": 0,
        "unreached": 0,
    }
    campaigns = Campaign.objects.filter(
        status=Campaign.Status.OPEN, opens_on__lte=today
    ).select_related("park")
    for campaign in campaigns:
        if today > campaign.due_on:
            kind = ReportReminder.Kind.OVERDUE
        elif today >= campaign.due_on - dt.timedelta(days=campaign.remind_days_before):
            kind = ReportReminder.Kind.DUE_SOON
        else:
            continue
        done = campaign.reports.filter(status__in=Report.DONE).values("enterprise_id")
        already = ReportReminder.objects.filter(campaign=campaign, kind=kind).values(
            "enterprise_id"
        )
        firms = list(
            selectors.expected_firms(park_id=campaign.park_id)
            .exclude(pk__in=done)
            .exclude(pk__in=already)
        )
        people = _firm_members([f.pk for f in firms])
        reached: list[Enterprise] = []
        for firm in firms:
            reach = notify(
                recipients=people.get(firm.pk, []),
                event=NotificationEvent.REPORT_DUE,
                subject=OVERDUE_SUBJECT
                if kind == ReportReminder.Kind.OVERDUE
                else DUE_SOON_SUBJECT,
                body=DUE_BODY,
                values={"t": campaign.title, "d": campaign.due_on.isoformat()},
                link=reverse("portal:home"),
                park=campaign.park_id,
            )
            if reach.reached:
                reached.append(firm)
                counts["emailed"] += bool(reach.emailed)
            else:
                counts["unreached"] += 1
        ReportReminder.objects.bulk_create(
            [
                ReportReminder(campaign=campaign, enterprise=f, kind=kind, sent_on=today)
                for f in reached
            ],
            ignore_conflicts=True,
        )
        counts[kind] += len(reached)
    return {str(k): v for k, v in counts.items()}


# --------------------------------------------------------------------------- notices

NOTICE_FIELDS = frozenset(
    {"title", "body", "audience_industry", "audience_building", "audience_tier", "published_at"}
)


@transaction.atomic
def notice_publish(*, actor: User, park: Park, data: dict[str, Any]) -> Notice:
    if _is_member(actor) or not user_can(actor, park.pk, roles.NOTICE_PUBLISH):
        raise PermissionDenied(_("没有在该园区发布通知的权限。"))
    unknown = set(data) - NOTICE_FIELDS
    if unknown:
        raise ValidationError({k: [_("不可设置的字段。")] for k in sorted(unknown)})
    notice = Notice(park=park, published_by=actor, **data)
    notice.published_at = notice.published_at or timezone.now()
    building = notice.audience_building
    if building is not None and building.park_id != park.pk:
        raise ValidationError({"audience_building": [_("楼宇不属于本园区。")]})
    notice.full_clean()
    notice.save()
    record(actor=actor, instance=notice, park_id=park.pk)
    return notice


@transaction.atomic
def notice_mark_read(
    *, user: User, notice: Notice, now: dt.datetime | None = None
) -> NoticeRead | None:
    """Record that a member opened a notice (once). Staff reading leaves no receipt.
    No audit row: a receipt is itself the record, and it is not a change to anything."""
    if not _is_member(user):
        return None
    receipt, _created = NoticeRead.objects.get_or_create(
        notice=notice,
        user=user,
        defaults={"enterprise_id": user.enterprise_id, "read_at": now or timezone.now()},
    )
    return receipt


# --------------------------------------------------------------------------- members


def _check_firm_admin(actor: User) -> Enterprise:
    firm = actor.enterprise
    if firm is None or not actor.is_enterprise_admin:
        raise PermissionDenied(_("只有企业管理员可以管理本企业的账号。"))
    return firm


class InviteTokenGenerator(PasswordResetTokenGenerator):
    """The token of an invitation link. Beyond Django's (password hash, last login,
    timestamp: it dies once used or after PASSWORD_RESET_TIMEOUT), it covers whether the
    account is active and which firm it belongs to: a removed colleague's unused link
    stops working at once."""

    key_salt = "oasis.portal.InviteTokenGenerator"

    def _make_hash_value(self, user: User, timestamp: int) -> str:
        base = super()._make_hash_value(user, timestamp)
        return f"{base}|{int(user.is_active)}|{getattr(user, 'enterprise_id', '')}"


invite_token_generator = InviteTokenGenerator()

INVITE_SUBJECT = gettext_noop("邀请您加入绿洲园区平台（%(firm)s）")
INVITE_BODY = gettext_noop(
    "%(admin)s 邀请您使用绿洲园区平台，用户名 %(username)s。请在 3 天内通过下面的链接设置密码（链接只能使用一次）。"
)


def activation_path(user: User) -> str:
    """The one-time link a new colleague uses to set a password (see
    InviteTokenGenerator for when it dies)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "portal:member-activate",
        kwargs={"uidb64": uid, "token": invite_token_generator.make_token(user)},
    )


def _send_invitation(actor: User, user: User, path: str) -> None:
    """Email the link to the invitee when they have an address (they have no inbox
    until they log in)."""
    enterprise = actor.enterprise
    notify(
        recipients=[user],
        event=NotificationEvent.INVITATION,
        subject=INVITE_SUBJECT,
        body=INVITE_BODY,
        values={
            "firm": enterprise.name if enterprise else "",
            "admin": str(actor),
            "username": user.username,
        },
        link=path,
        park=enterprise.park_id if enterprise else None,
        actor=actor,
        inbox=False,
    )


@transaction.atomic
def member_invite(
    *, actor: User, username: str, display_name: str = "", email: str = "", phone: str = ""
) -> tuple[User, str]:
    """A firm's administrator adds a colleague to that firm. The account has no
    password until the colleague follows the one-time link (returned, shown once)."""
    enterprise = _check_firm_admin(actor)
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": [_("该用户名已被使用。")]})
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=email.strip(),
        phone=phone.strip(),
        enterprise=enterprise,
        is_enterprise_admin=False,
    )
    user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    record(actor=actor, instance=user, park_id=enterprise.park_id)
    path = activation_path(user)
    _send_invitation(actor, user, path)
    return user, path


@transaction.atomic
def member_invite_resend(*, actor: User, user: User) -> str:
    """A new one-time link for a colleague who has not set a password yet (the first
    expired or was lost); emailed again when they have an address."""
    enterprise = _check_firm_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.enterprise_id != enterprise.pk or not user.is_active:
        raise PermissionDenied(_("只能管理本企业的账号。"))
    if user.has_usable_password():
        raise ValidationError({"__all__": [_("该同事已设置密码，无需重新邀请。")]})
    path = activation_path(user)
    _send_invitation(actor, user, path)
    return path


@transaction.atomic
def member_remove(*, actor: User, user: User) -> User:
    """Deactivate a colleague (rows they wrote keep their author). Never oneself."""
    enterprise = _check_firm_admin(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.enterprise_id != enterprise.pk:
        raise PermissionDenied(_("只能管理本企业的账号。"))
    if user.pk == actor.pk:
        raise ValidationError({"__all__": [_("不能移除自己的账号。")]})
    before = snapshot(user)
    user.is_active = False
    user.is_enterprise_admin = False
    user.save(update_fields=["is_active", "is_enterprise_admin"])
    record(actor=actor, instance=user, before=before, park_id=enterprise.park_id)
    return user
