"""Investment attraction (招商): leads from first contact to move-in, the people and
organisations who bring them, and the agreements signed with their yearly commitments."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from oasis.core.fields import MAX_MONEY, NONNEGATIVE, area_field, count_field, figure_field
from oasis.core.identifiers import validate_industry_code, validate_uscc
from oasis.core.texts import shown
from oasis.enterprises.models import Enterprise, FocusIndustry
from oasis.parks.models import Park, UnitUse


def _money(verbose: StrOrPromise) -> models.DecimalField:
    return figure_field(verbose, validators=NONNEGATIVE)


class Stage(models.TextChoices):
    LEAD = "lead", _("线索")
    NEGOTIATION = "negotiation", _("洽谈")
    VISIT = "visit", _("考察")
    INTENT = "intent", _("意向")
    SIGNED = "signed", _("签约")
    SETTLED = "settled", _("入驻")
    LOST = "lost", _("已流失")


# The pipeline in order; `lost` is off the line. Rank is what `max_rank` stores, so
# "reached stage X" is one comparison the database can count.
PIPELINE: tuple[str, ...] = (
    Stage.LEAD,
    Stage.NEGOTIATION,
    Stage.VISIT,
    Stage.INTENT,
    Stage.SIGNED,
    Stage.SETTLED,
)
STAGE_RANK: dict[str, int] = {s: i for i, s in enumerate(PIPELINE)}
OPEN_STAGES: tuple[str, ...] = (Stage.LEAD, Stage.NEGOTIATION, Stage.VISIT, Stage.INTENT)
# How much a lead in each stage counts toward the park's targets (pipeline weighting).
STAGE_WEIGHT: dict[str, Decimal] = {
    Stage.LEAD: Decimal("0.05"),
    Stage.NEGOTIATION: Decimal("0.15"),
    Stage.VISIT: Decimal("0.30"),
    Stage.INTENT: Decimal("0.50"),
    Stage.SIGNED: Decimal("0.90"),
    Stage.SETTLED: Decimal("1.00"),
}


class Source(models.TextChoices):
    SHANGHAI = "shanghai", _("上海推荐")
    AMBASSADOR = "ambassador", _("招商大使")
    ADVISOR = "advisor", _("产业顾问")
    INSTITUTION = "institution", _("投融资机构")
    EXHIBITION = "exhibition", _("展会")
    DIRECT = "direct", _("直接来访")


class Intent(models.TextChoices):
    HIGH = "high", _("高")
    MEDIUM = "medium", _("中")
    LOW = "low", _("低")


class AttractionSettings(models.Model):
    """Per-park pool rules: after how many quiet days a lead returns to the pool, and how
    many open leads one person may hold."""

    park = models.OneToOneField(Park, on_delete=models.CASCADE, related_name="attraction_settings")
    neglect_days = models.PositiveSmallIntegerField(
        _("无跟进退回公海（天）"), default=30, validators=[MinValueValidator(1)]
    )
    claim_limit = models.PositiveSmallIntegerField(
        _("每人最多持有线索"), default=50, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("招商设置")
        verbose_name_plural = _("招商设置")

    def __str__(self) -> str:
        return f"{self.park} · {self.neglect_days}d / {self.claim_limit}"


class Partner(models.Model):
    """An ambassador (招商大使), industry advisor (产业顾问) or investment institution
    (投融资机构) that brings leads. Leads point here, so attribution does not depend on
    who owns the lead now."""

    class Kind(models.TextChoices):
        AMBASSADOR = "ambassador", _("招商大使")
        ADVISOR = "advisor", _("产业顾问")
        INSTITUTION = "institution", _("投融资机构")

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.PROTECT, related_name="attraction_partners"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=120)
    organisation = models.CharField(_("所在单位"), max_length=120, blank=True)
    title = models.CharField(_("职务/领域"), max_length=120, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    note = models.TextField(_("备注"), blank=True)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("招商合作方")
        verbose_name_plural = _("招商合作方")
        ordering = ["kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["park", "kind", "name"], name="partner_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class LeadQuerySet(models.QuerySet):
    def open(self) -> LeadQuerySet:
        return self.filter(stage__in=OPEN_STAGES)

    def pool(self) -> LeadQuerySet:
        return self.open().filter(owner__isnull=True)


class Lead(models.Model):
    """A company the park is trying to bring in."""

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.PROTECT, related_name="leads"
    )
    company_name = models.CharField(_("企业名称"), max_length=120)
    # Name with place names and legal-form suffixes stripped: what duplicates compare.
    name_key = models.CharField(max_length=120, blank=True, editable=False, db_index=True)
    uscc = models.CharField(
        _("统一社会信用代码"), max_length=18, null=True, blank=True, validators=[validate_uscc]
    )
    contact_name = models.CharField(_("联系人"), max_length=60, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_title = models.CharField(_("联系人职务"), max_length=60, blank=True)
    focus_industry = models.CharField(
        _("主导产业"), max_length=20, choices=FocusIndustry.choices, default=FocusIndustry.OTHER
    )
    industry_code = models.CharField(
        _("行业代码"), max_length=5, blank=True, validators=[validate_industry_code]
    )
    need_area = area_field(_("需求面积（㎡）"), max_digits=10, null=True, blank=True)
    need_use = models.CharField(_("需求用途"), max_length=20, choices=UnitUse.choices, blank=True)
    need_timing = models.DateField(_("期望入驻时间"), null=True, blank=True)
    source = models.CharField(
        _("来源渠道"), max_length=20, choices=Source.choices, default=Source.DIRECT
    )
    partner = models.ForeignKey(
        Partner,
        verbose_name=_("引荐人/机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leads",
    )
    intent = models.CharField(
        _("意向程度"), max_length=10, choices=Intent.choices, default=Intent.MEDIUM
    )
    expected_investment = _money(_("预计投资（元）"))
    expected_output = _money(_("预计年产值（元）"))
    expected_tax = _money(_("预计年税收（元）"))
    expected_jobs = count_field(_("预计就业人数"), null=True, blank=True)
    negotiation_notes = models.TextField(_("洽谈要点（保密）"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attraction_leads",
    )
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, default=Stage.LEAD)
    # Furthest pipeline stage ever reached (kept when a lead is lost): conversion counts.
    max_rank = models.PositiveSmallIntegerField(default=0, editable=False)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    lost_reason = models.CharField(_("流失原因"), max_length=200, blank=True)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("企业档案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leads",
    )
    last_activity_at = models.DateTimeField(default=timezone.now)
    pooled_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LeadQuerySet.as_manager()

    CONFIDENTIAL_FIELDS = ("expected_investment", "negotiation_notes")

    class Meta:
        verbose_name = _("招商线索")
        verbose_name_plural = _("招商线索")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(stage="lost") | ~Q(lost_reason=""),
                name="lead_lost_needs_reason",
            ),
            models.CheckConstraint(
                condition=Q(expected_investment__lte=MAX_MONEY)
                & Q(expected_output__lte=MAX_MONEY)
                & Q(expected_tax__lte=MAX_MONEY),
                name="lead_money_ceiling",
            ),
        ]
        indexes = [
            models.Index(fields=["park", "stage"], name="lead_park_stage_idx"),
            models.Index(fields=["owner", "stage"], name="lead_owner_stage_idx"),
            models.Index(fields=["park", "uscc"], name="lead_park_uscc_idx"),
            models.Index(fields=["stage", "last_activity_at"], name="lead_stage_activity_idx"),
        ]

    def __str__(self) -> str:
        return self.company_name

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES


class StageChange(models.Model):
    """One move of a lead between stages, with who and when, and how long the lead had
    spent in the stage it left (stored, so time-in-stage is a plain database average)."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices)
    seconds_in_stage = models.PositiveIntegerField(default=0)
    reason = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["from_stage"], name="stagechange_from_idx")]

    def __str__(self) -> str:
        return f"{self.lead_id}: {self.from_stage} → {self.to_stage}"


class Activity(models.Model):
    """A follow-up: call, visit, meeting, note, or a next step with its due date."""

    class Kind(models.TextChoices):
        CALL = "call", _("电话")
        VISIT = "visit", _("拜访")
        MEETING = "meeting", _("会谈")
        NOTE = "note", _("备注")
        NEXT_STEP = "next_step", _("下一步")
        SYSTEM = "system", _("系统")

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    body = models.TextField(_("内容"))
    # A system entry's source string and values (oasis.core.texts): pages show it in the
    # reader's language; `body` keeps it in the default language.
    body_source = models.JSONField(null=True, blank=True, editable=False)
    due_on = models.DateField(_("截止日期"), null=True, blank=True)
    done = models.BooleanField(_("已完成"), default=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("跟进记录")
        verbose_name_plural = _("跟进记录")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="next_step") | Q(due_on__isnull=False),
                name="activity_next_step_due",
            ),
        ]
        indexes = [models.Index(fields=["lead", "at"], name="activity_lead_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.body[:30]}"

    @property
    def text(self) -> str:
        """The entry in the reader's language (written by the platform) or as its author
        wrote it."""
        return shown(self.body, self.body_source)


class Agreement(models.Model):
    """The investment agreement signed with a lead's company."""

    lead = models.OneToOneField(Lead, on_delete=models.PROTECT, related_name="agreement")
    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="agreements"
    )
    signed_on = models.DateField(_("签约日期"))
    total_investment = _money(_("协议投资总额（元）"))
    note = models.TextField(_("备注"), blank=True)
    # TODO(leasing): when oasis.leasing exists, signing should also create a draft lease
    # on the chosen units; see services.LEASE_DRAFT_HOOK.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("投资协议")
        verbose_name_plural = _("投资协议")
        ordering = ["-signed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.signed_on}"


class Commitment(models.Model):
    """What the firm committed to for one year; compared with its reported AnnualFigure."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments")
    year = models.PositiveSmallIntegerField(_("年度"))
    investment = _money(_("承诺投资（元）"))
    output = _money(_("承诺产值（元）"))
    tax = _money(_("承诺税收（元）"))
    jobs = count_field(_("承诺就业人数"), null=True, blank=True)

    class Meta:
        verbose_name = _("年度承诺")
        verbose_name_plural = _("年度承诺")
        ordering = ["agreement_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "year"], name="commitment_year_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=1990) & Q(year__lte=2100), name="commitment_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}/{self.year}"
