"""What the tier engine needs beyond the enterprise file: innovation profile, titles,
awards, equity rounds, development scores, extra yearly figures; and the cultivation
pool (培育库) with its reminders.

Unknown stays NULL, never zero: every fact the engine reads is nullable here, and a
NULL becomes an absent fact (the engine then answers `review`, not a silent pass/fail).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from oasis.core.fields import NONNEGATIVE, count_field, figure_field, money_field
from oasis.enterprises.models import Enterprise
from oasis.rules import tiers


class MainProductField(models.TextChoices):
    CHAIN_GAP_FILLING = "chain_gap_filling", _("产业链补短板、锻长板、填空白")
    BASIC_OR_SUPPLIER = "basic_or_supplier", _("工业基础领域或重点产业链配套")
    OTHER = "other", _("其他领域")


class RdInstitution(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    MUNICIPAL = "municipal", _("市级")
    BELOW_MUNICIPAL = "below_municipal", _("市级以下")
    NONE = "none", _("无")


class ChuangkeGroup(models.TextChoices):
    NONE = "none", _("未获名次")
    TOP50 = "top50", _("全国 50 强")
    TOP500 = "top500", _("全国 500 强")


class Tier(models.TextChoices):
    """The tiers of `oasis.rules.tiers.Tier` as Django choices, with the labels people read.
    Every model, form and schema that names a tier uses these (or `GRADIENT_CHOICES`)."""

    INNOVATIVE_SME = tiers.Tier.INNOVATIVE_SME.value, _("创新型中小企业")
    TECH_SME = tiers.Tier.TECH_SME.value, _("科技型中小企业")
    SRDI_SME = tiers.Tier.SRDI_SME.value, _("专精特新中小企业")
    LITTLE_GIANT = tiers.Tier.LITTLE_GIANT.value, _("专精特新“小巨人”企业")


#: Choices of a field that names one step of the three-step gradient (a notice's
#: audience, a finance product's minimum tier).
GRADIENT_CHOICES = [(t.value, t.label) for t in Tier if t.value in tiers.GRADIENT]


class TitleKind(models.TextChoices):
    # A tier is also a title a firm is granted (and holds until it expires).
    INNOVATIVE_SME = Tier.INNOVATIVE_SME.value, Tier.INNOVATIVE_SME.label
    TECH_SME = Tier.TECH_SME.value, Tier.TECH_SME.label
    SRDI_SME = Tier.SRDI_SME.value, Tier.SRDI_SME.label
    LITTLE_GIANT = Tier.LITTLE_GIANT.value, Tier.LITTLE_GIANT.label
    HIGH_TECH = "high_tech_enterprise", _("高新技术企业")
    TECH_INNOVATION_DEMO = "tech_innovation_demo", _("国家级技术创新示范企业")
    IP_ADVANTAGE = "ip_advantage", _("知识产权优势企业")
    IP_DEMO = "ip_demo", _("知识产权示范企业")


def _bool(verbose: StrOrPromise) -> models.BooleanField:
    return models.BooleanField(verbose, null=True, blank=True)


def _count(verbose: StrOrPromise) -> models.PositiveIntegerField:
    return count_field(verbose, null=True, blank=True)


class InnovationProfile(models.Model):
    """The facts about a firm's innovation that the annual figures do not carry.

    One per enterprise; every field NULL until someone knows it. The list facts
    (titles, awards, equity rounds) count as known once their `*_complete` flag is set
    or at least one row is recorded; until then they are unknown.
    """

    enterprise = models.OneToOneField(
        Enterprise, on_delete=models.CASCADE, related_name="innovation_profile"
    )
    ip_class1 = _count(_("Ⅰ类知识产权（有效，与主导产品相关）"))
    ip_class1_self_developed = _count(_("其中自主研发"))
    ip_class1_high_value = _count(_("其中高价值"))
    ip_class1_applied = _count(_("Ⅰ类知识产权实际应用并产生效益"))
    ip_class2 = _count(_("Ⅱ类知识产权（有效，与主导产品相关）"))
    niche_years = models.DecimalField(
        _("从事细分市场年限"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0))],
    )
    strategic_emerging = _bool(_("主导产品属于战略性新兴产业"))
    main_product_field = models.CharField(
        _("主导产品所属领域"),
        max_length=20,
        choices=MainProductField.choices,
        null=True,
        blank=True,
    )
    rd_institution = models.CharField(
        _("自建/共建研发机构级别"),
        max_length=20,
        choices=RdInstitution.choices,
        null=True,
        blank=True,
    )
    digital_level = models.PositiveSmallIntegerField(
        _("数字化水平等级"), null=True, blank=True, validators=[MaxValueValidator(4)]
    )
    quality_award = _bool(_("获得质量奖"))
    quality_certified = _bool(_("通过质量管理体系认证"))
    quality_own_brand = _bool(_("拥有自主品牌"))
    quality_standards = _bool(_("参与制修订标准"))
    chuangke_group = models.CharField(
        _("创客中国名次"), max_length=10, choices=ChuangkeGroup.choices, null=True, blank=True
    )
    chuangke_year = models.PositiveSmallIntegerField(_("创客中国获奖年度"), null=True, blank=True)
    market_share = models.DecimalField(
        _("细分市场占有率（0–1）"),
        max_digits=7,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    market_domestic_rank = models.PositiveIntegerField(
        _("国内市场排名"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    market_leading_confirmed = _bool(_("市场地位较为靠前（经确认）"))
    provincial_points = models.DecimalField(
        _("省级特色化指标得分（0–15）"),
        max_digits=8,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(15))],
    )
    led_standard_5y = _bool(_("近五年主导制定国际、国家或行业标准"))
    compliance_independent_legal_person = _bool(_("境内注册、独立法人"))
    compliance_abnormal_list = _bool(_("列入经营异常名录"))
    compliance_dishonest_list = _bool(_("列入严重失信主体名单"))
    compliance_serious_incident_3y = _bool(_("近三年发生重大安全、质量、环境事件"))
    compliance_restricted_industry = _bool(_("产品属于禁止、限制或淘汰类"))
    qualitative_key_chain_role = _bool(_("在重点产业链中发挥关键作用"))
    qualitative_key_field = _bool(_("属于重点领域"))
    qualitative_info_system = _bool(_("建立完善的信息化管理系统"))
    qualitative_intl_certification = _bool(_("获得国际认证"))
    qualitative_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("定性判断人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    qualitative_at = models.DateTimeField(_("定性判断时间"), null=True, blank=True)
    is_re_review = _bool(_("本次为复核"))
    titles_complete = models.BooleanField(_("已登记全部资质"), default=False)
    awards_complete = models.BooleanField(_("已登记全部奖项"), default=False)
    equity_complete = models.BooleanField(_("已登记全部股权融资"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    QUALITATIVE_FIELDS = (
        "qualitative_key_chain_role",
        "qualitative_key_field",
        "qualitative_info_system",
        "qualitative_intl_certification",
    )

    class Meta:
        verbose_name = _("创新档案")
        verbose_name_plural = _("创新档案")
        constraints = [
            models.CheckConstraint(
                condition=Q(digital_level__lte=4), name="profile_digital_level_range"
            ),
            models.CheckConstraint(
                condition=Q(market_share__gte=0) & Q(market_share__lte=1),
                name="profile_market_share_range",
            ),
            models.CheckConstraint(
                condition=Q(provincial_points__gte=0) & Q(provincial_points__lte=15),
                name="profile_provincial_points_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} innovation profile"


class Title(models.Model):
    """A title (资质) the firm holds, with its certificate and validity."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="titles")
    kind = models.CharField(_("资质类型"), max_length=30, choices=TitleKind.choices)
    certificate_no = models.CharField(_("证书编号"), max_length=60, blank=True)
    valid_from = models.DateField(_("生效日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"))

    class Meta:
        verbose_name = _("资质")
        verbose_name_plural = _("资质")
        ordering = ["valid_until", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="title_valid_range",
            ),
        ]
        indexes = [models.Index(fields=["valid_until"], name="title_valid_until_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.valid_until})"


class Award(models.Model):
    """A national or provincial science and technology award."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("国家级")
        PROVINCIAL = "provincial", _("省级")

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="awards")
    name = models.CharField(_("奖项名称"), max_length=120, blank=True)
    level = models.CharField(_("级别"), max_length=12, choices=Level.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    rank = models.PositiveSmallIntegerField(
        _("获奖单位排名"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("科技奖励")
        verbose_name_plural = _("科技奖励")
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=1900) & Q(year__lte=2999), name="award_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name or self.get_level_display()} {self.year}"


class EquityFinancing(models.Model):
    """New equity paid in by a qualified institutional investor."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="equity_rounds"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount = money_field(_("实缴金额（元）"), max_digits=16)
    investor = models.CharField(_("投资机构"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("股权融资")
        verbose_name_plural = _("股权融资")
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="equity_amount_nonnegative"),
            models.CheckConstraint(
                condition=Q(year__gte=1900) & Q(year__lte=2999), name="equity_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.amount}"


class DevelopmentScore(models.Model):
    """The official 专精特新发展评价 score of a year."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="development_scores"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    score = models.DecimalField(
        _("评价得分"), max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        verbose_name = _("发展评价得分")
        verbose_name_plural = _("发展评价得分")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="devscore_year_unique"),
            models.CheckConstraint(condition=Q(score__gte=0), name="devscore_nonnegative"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.score}"


class ExtraFigure(models.Model):
    """Per-year figures the tier facts read that the annual figures lack."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="extra_figures"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    total_cost_expense = figure_field(_("成本费用总额（元）"), validators=NONNEGATIVE)
    st_staff = count_field(_("科技人员"), null=True, blank=True)

    class Meta:
        verbose_name = _("补充年度数据")
        verbose_name_plural = _("补充年度数据")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="extrafigure_year_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=1990) & Q(year__lte=2100), name="extrafigure_year_range"
            ),
            models.CheckConstraint(
                condition=Q(total_cost_expense__gte=0), name="extrafigure_cost_nonnegative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}/{self.year}"


class PoolEntry(models.Model):
    """A firm in the cultivation pool (培育库): targeted at a tier in a year."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("培育中")
        ACHIEVED = "achieved", _("已认定")
        DROPPED = "dropped", _("已退出")

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="pool_entries"
    )
    target_tier = models.CharField(_("目标梯度"), max_length=20, choices=Tier.choices)
    target_year = models.PositiveSmallIntegerField(_("目标年度"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cultivation_entries",
    )
    plan = models.TextField(_("培育计划"), blank=True)
    progress = models.PositiveSmallIntegerField(
        _("进度（%）"), default=0, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("培育库企业")
        verbose_name_plural = _("培育库企业")
        ordering = ["target_year", "enterprise__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "target_tier", "target_year"], name="pool_entry_unique"
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="pool_progress_range"),
            models.CheckConstraint(
                condition=Q(target_year__gte=2000) & Q(target_year__lte=2100),
                name="pool_target_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.get_target_tier_display()} {self.target_year}"


class Reminder(models.Model):
    """A title about to expire or due for re-review. Unique per title, kind and due
    date, so the daily command records each reminder once however often it runs."""

    class Kind(models.TextChoices):
        EXPIRY = "expiry", _("资质即将到期")
        RE_REVIEW = "re_review", _("资质复核")

    title = models.ForeignKey(Title, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("提醒类型"), max_length=10, choices=Kind.choices)
    due_on = models.DateField(_("截止日期"))
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(_("处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("资质提醒")
        verbose_name_plural = _("资质提醒")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["title", "kind", "due_on"], name="reminder_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.due_on}"
