"""Shared finance (共享金融): partner institutions, their financing products, firms'
financing needs and the matches between them, tracked to outcome.

The models moved here from `oasis.sharing` (migration sharing 0005 / finance 0001): their
tables keep the names they had there (`Meta.db_table`), so no row moved.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from oasis.core.fields import figure_field, money_field
from oasis.cultivation.models import GRADIENT_CHOICES
from oasis.enterprises.models import AnnualFigure, Enterprise
from oasis.parks.models import Park


class Institution(models.Model):
    """A partner institution of shared finance (bank, fund, guarantee firm)."""

    class Kind(models.TextChoices):
        BANK = "bank", _("银行")
        FUND = "fund", _("投资基金")
        GUARANTEE = "guarantee", _("融资担保")
        OTHER = "other", _("其他")

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.PROTECT, related_name="finance_institutions"
    )
    name = models.CharField(_("机构名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    contact = models.CharField(_("联系人"), max_length=100, blank=True)

    class Meta:
        db_table = "sharing_institution"  # the table it had in sharing: moved, not copied
        verbose_name = _("合作机构")
        verbose_name_plural = _("合作机构")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["park", "name"], name="institution_park_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    STARTUP = "startup", _("初创期（<3年）")
    GROWTH = "growth", _("成长期（3–10年）")
    MATURE = "mature", _("成熟期（>10年）")


# The annual figures a product may require a firm to have reported.
FIGURE_FIELDS = AnnualFigure.FIGURE_FIELDS


class FinanceProduct(models.Model):
    """A financing product and who it is for. Empty lists mean "any"."""

    class Kind(models.TextChoices):
        LOAN = "loan", _("贷款")
        EQUITY = "equity", _("股权投资")
        GUARANTEE = "guarantee", _("担保")

    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="products"
    )
    name = models.CharField(_("产品名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.LOAN)
    amount_min = money_field(_("最低金额（元）"))
    amount_max = money_field(_("最高金额（元）"))
    rate_min = models.DecimalField(
        _("年利率下限（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    rate_max = models.DecimalField(
        _("年利率上限（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    term_months_min = models.PositiveSmallIntegerField(_("最短期限（月）"), default=1)
    term_months_max = models.PositiveSmallIntegerField(_("最长期限（月）"), default=36)
    stages = models.JSONField(_("目标阶段"), default=list, blank=True)
    industries = models.JSONField(_("目标产业"), default=list, blank=True)
    min_tier = models.CharField(_("最低梯度"), max_length=20, choices=GRADIENT_CHOICES, blank=True)
    min_revenue = figure_field(_("最低营业收入（元）"))
    min_rd_ratio = models.DecimalField(
        _("最低研发投入占比（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    required_figures = models.JSONField(_("须报送的数据"), default=list, blank=True)
    description = models.TextField(_("说明"), blank=True)
    is_active = models.BooleanField(_("在售"), default=True)

    class Meta:
        db_table = "sharing_financeproduct"  # the table it had in sharing: moved, not copied
        verbose_name = _("金融产品")
        verbose_name_plural = _("金融产品")
        ordering = ["institution_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_max__gte=F("amount_min")),
                name="product_amount_order",
                violation_error_message=_("最高金额不能小于最低金额。"),
            ),
            models.CheckConstraint(
                condition=Q(term_months_max__gte=F("term_months_min")), name="product_term_order"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FinancingNeed(models.Model):
    """A firm's stated financing need. Matching uses the firm's figures only with consent."""

    class Status(models.TextChoices):
        OPEN = "open", _("对接中")
        CLOSED = "closed", _("已结束")

    enterprise = models.ForeignKey(
        Enterprise, verbose_name=_("企业"), on_delete=models.PROTECT, related_name="financing_needs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    amount = models.DecimalField(
        _("金额（元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("1"))],
    )
    purpose = models.CharField(_("用途"), max_length=200)
    needed_by = models.DateField(_("期望到位时间"), null=True, blank=True)
    term_months = models.PositiveSmallIntegerField(_("期望期限（月）"), null=True, blank=True)
    consent = models.BooleanField(_("同意使用企业数据进行匹配"), default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "sharing_financingneed"  # the table it had in sharing: moved, not copied
        verbose_name = _("融资需求")
        verbose_name_plural = _("融资需求")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.purpose}"


class Match(models.Model):
    """One product matched to a need, with the verdict and reasons, tracked to outcome."""

    class Verdict(models.TextChoices):
        ELIGIBLE = "eligible", _("符合")
        NEAR = "near", _("接近")
        NOT = "not", _("不符合")

    class Outcome(models.TextChoices):
        PROPOSED = "proposed", _("已推荐")
        CONTACTED = "contacted", _("已对接")
        APPROVED = "approved", _("已审批")
        FUNDED = "funded", _("已放款")
        DECLINED = "declined", _("未成功")

    need = models.ForeignKey(FinancingNeed, on_delete=models.CASCADE, related_name="matches")
    product = models.ForeignKey(FinanceProduct, on_delete=models.PROTECT, related_name="matches")
    verdict = models.CharField(_("匹配结果"), max_length=10, choices=Verdict.choices)
    reasons = models.JSONField(_("理由"), default=list)
    outcome = models.CharField(
        _("进展"), max_length=10, choices=Outcome.choices, default=Outcome.PROPOSED
    )
    funded_amount = models.DecimalField(
        _("放款金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "sharing_match"  # the table it had in sharing: moved, not copied
        verbose_name = _("产品匹配")
        verbose_name_plural = _("产品匹配")
        ordering = ["need_id", "verdict", "id"]
        constraints = [
            models.UniqueConstraint(fields=["need", "product"], name="match_need_product_unique")
        ]

    def __str__(self) -> str:
        return f"{self.need_id} → {self.product_id}"
