"""The enterprise file (一企一档): the firm, its contacts and its annual figures."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oasis.core.fields import count_field, figure_field, money_field
from oasis.core.identifiers import validate_industry_code, validate_uscc
from oasis.parks.models import Park, Unit


class FocusIndustry(models.TextChoices):
    AUTOMOTIVE = "automotive", _("汽车")
    NEXTGEN_IT = "nextgen_it", _("新一代信息技术")
    LIFE_HEALTH = "life_health", _("生命健康")
    NEW_ENERGY = "new_energy", _("新能源")
    OTHER = "other", _("其他")


class EnterpriseQuerySet(models.QuerySet):
    def settled(self) -> "EnterpriseQuerySet":
        return self.filter(status=Enterprise.Status.SETTLED)


class Enterprise(models.Model):
    """A firm known to the park, from first contact to exit."""

    class Status(models.TextChoices):
        PROSPECT = "prospect", _("意向")
        SIGNED = "signed", _("已签约")
        SETTLED = "settled", _("已入驻")
        EXITED = "exited", _("已迁出")

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.PROTECT, related_name="enterprises"
    )
    name = models.CharField(_("企业名称"), max_length=120)
    # NULL when not yet known; unique when known (NULLs never collide).
    uscc = models.CharField(
        _("统一社会信用代码"),
        max_length=18,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_uscc],
        error_messages={"unique": _("该统一社会信用代码已存在。")},
    )
    # Lower-case pinyin initials and full pinyin, so "lgxx" finds 临港芯星.
    search_key = models.CharField(max_length=400, blank=True, editable=False)
    industry_code = models.CharField(
        _("行业代码"), max_length=5, validators=[validate_industry_code]
    )
    industry_section = models.CharField(max_length=1, blank=True, editable=False, db_index=True)
    focus_industry = models.CharField(
        _("主导产业"), max_length=20, choices=FocusIndustry.choices, default=FocusIndustry.OTHER
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PROSPECT
    )
    legal_representative = models.CharField(_("法定代表人"), max_length=60, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    registered_capital = money_field(_("注册资本（万元）"), validators=(), null=True, blank=True)
    settled_on = models.DateField(_("入驻日期"), null=True, blank=True)
    website = models.URLField(_("网站"), blank=True)
    description = models.TextField(_("主营业务"), blank=True)
    units = models.ManyToManyField(
        Unit, verbose_name=_("园区地址（单元）"), blank=True, related_name="enterprises"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name", "id"]
        indexes = [
            models.Index(fields=["park", "status"], name="enterprise_park_status_idx"),
            models.Index(fields=["park", "focus_industry"], name="enterprise_park_focus_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at the firm the park talks to."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("姓名"), max_length=60)
    title = models.CharField(_("职务"), max_length=60, blank=True)
    phone = models.CharField(_("电话"), max_length=30, blank=True)
    email = models.EmailField(_("邮箱"), blank=True)
    is_primary = models.BooleanField(_("主要联系人"), default=False)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return self.name


class AnnualFigure(models.Model):
    """One year of a firm's figures, in yuan and persons. Blank means not reported,
    never zero: the tier engine and the dashboard must tell the two apart."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField(_("年度"))
    revenue = figure_field(_("营业收入（元）"))
    main_business_revenue = figure_field(_("主营业务收入（元）"))
    rd_expense = figure_field(_("研发费用（元）"))
    total_assets = figure_field(_("资产总额（元）"))
    total_liabilities = figure_field(_("负债总额（元）"))
    net_profit = figure_field(_("净利润（元）"))
    tax_paid = figure_field(_("纳税额（元）"))
    output_value = figure_field(_("产值（元）"))
    headcount = count_field(_("从业人数"), null=True, blank=True)
    rd_staff = count_field(_("研发人员"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    MONEY_FIELDS = (
        "revenue",
        "main_business_revenue",
        "rd_expense",
        "total_assets",
        "total_liabilities",
        "net_profit",
        "tax_paid",
        "output_value",
    )
    NONNEGATIVE_MONEY = tuple(f for f in MONEY_FIELDS if f != "net_profit")
    COUNT_FIELDS = ("headcount", "rd_staff")
    #: Every reported figure, in the order forms and exports show them.
    FIGURE_FIELDS = MONEY_FIELDS + COUNT_FIELDS

    class Meta:
        verbose_name = _("年度数据")
        verbose_name_plural = _("年度数据")
        ordering = ["enterprise_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="figure_year_unique"),
            models.CheckConstraint(
                condition=Q(year__gte=1990) & Q(year__lte=2100), name="figure_year_range"
            ),
            models.CheckConstraint(
                condition=Q(revenue__gte=0)
                & Q(main_business_revenue__gte=0)
                & Q(rd_expense__gte=0)
                & Q(total_assets__gte=0)
                & Q(total_liabilities__gte=0)
                & Q(tax_paid__gte=0)
                & Q(output_value__gte=0),
                name="figure_money_nonnegative",
            ),
        ]
        indexes = [models.Index(fields=["year"], name="figure_year_idx")]

    def __str__(self) -> str:
        return f"{self.enterprise_id}/{self.year}"
