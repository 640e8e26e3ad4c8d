"""The park, its buildings, floors and units (房源)."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from oasis.core.fields import area_field, count_field, money_field


class Park(models.Model):
    """A park and the targets it is measured against (as data, editable per park)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=40, blank=True)
    city = models.CharField(_("所在地"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    opened_on = models.DateField(_("开园日期"), null=True, blank=True)
    description = models.TextField(_("简介"), blank=True)
    land_mu = area_field(_("用地（亩）"), max_digits=10, default=Decimal("0"))
    planned_floor_area = area_field(_("规划建筑面积（㎡）"), default=Decimal("0"))
    target_enterprises = count_field(_("目标引进企业数"), default=0)
    target_jobs_min = count_field(_("目标新增就业（下限）"), default=0)
    target_jobs_max = count_field(_("目标新增就业（上限）"), default=0)
    target_output = money_field(_("目标年产值（元）"), max_digits=16, default=Decimal("0"))
    target_residents = count_field(_("目标园区居住人才"), default=0)
    # The park's leasing conventions, the default of each new lease (the values are the
    # leasing schedule's: oasis.leasing.schedule.ACTUAL / MONTHLY_365, CALENDAR / LEASE_START).
    lease_day_count = models.CharField(
        _("租金计算默认规则"),
        max_length=8,
        choices=[
            ("actual", _("按实际天数（日租金 × 面积 × 天数）")),
            ("m365", _("按月（月租金 = 日租金 × 面积 × 365 ÷ 12）")),
        ],
        default="actual",
    )
    lease_billing_alignment = models.CharField(
        _("账期默认起算"),
        max_length=8,
        choices=[("calendar", _("自然月/季/年")), ("lease", _("自起租日起算"))],
        default="calendar",
    )

    class Meta:
        verbose_name = _("园区")
        verbose_name_plural = _("园区")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(target_jobs_max__gte=models.F("target_jobs_min")),
                name="park_jobs_range",
                violation_error_message=_("目标新增就业的上限不能小于下限。"),
            ),
            models.CheckConstraint(
                condition=Q(land_mu__gte=0)
                & Q(planned_floor_area__gte=0)
                & Q(target_output__gte=0),
                name="park_nonnegative",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    @property
    def land_hectares(self) -> Decimal:
        # 1 亩 = 666.67 m² (1/15 ha).
        return (self.land_mu / Decimal(15)).quantize(Decimal("0.01"))


class UnitUse(models.TextChoices):
    MANUFACTURING = "manufacturing", _("智能制造")
    RND = "rnd", _("研发生产")
    OFFICE = "office", _("商务办公")
    APARTMENT = "apartment", _("人才公寓")
    COMMERCIAL = "commercial", _("商业休闲")


class Building(models.Model):
    """A building of the park (e.g. 常熟临港中心, factory building 3)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("规划中")
        BUILDING = "building", _("在建")
        COMPLETED = "completed", _("已竣工")

    park = models.ForeignKey(
        Park, verbose_name=_("园区"), on_delete=models.PROTECT, related_name="buildings"
    )
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("编号"), max_length=20)
    phase = models.PositiveSmallIntegerField(_("期数"), default=1)
    use = models.CharField(_("主要用途"), max_length=20, choices=UnitUse.choices)
    floors_above = models.PositiveSmallIntegerField(_("地上层数"), default=1)
    gross_area = area_field(_("建筑面积（㎡）"), validators=[MinValueValidator(Decimal("0.01"))])
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.COMPLETED
    )
    completed_on = models.DateField(_("竣工日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("楼宇")
        verbose_name_plural = _("楼宇")
        ordering = ["park_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["park", "code"],
                name="building_code_unique",
                violation_error_message=_("本园区已有该编号的楼宇。"),
            ),
            models.CheckConstraint(condition=Q(gross_area__gt=0), name="building_area_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class Floor(models.Model):
    """A floor of a building; negative numbers are basements."""

    building = models.ForeignKey(
        Building, verbose_name=_("楼宇"), on_delete=models.CASCADE, related_name="floors"
    )
    number = models.SmallIntegerField(_("楼层"))

    class Meta:
        verbose_name = _("楼层")
        verbose_name_plural = _("楼层")
        ordering = ["building_id", "-number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="floor_unique")]

    def __str__(self) -> str:
        return f"{self.building} {self.label}"

    @property
    def label(self) -> str:
        return f"B{-self.number}" if self.number < 0 else f"{self.number}F"


class Unit(models.Model):
    """A lettable unit (房源). `occupants` counts residents of apartment units, which is
    what the dashboard's residents figure adds up."""

    class Status(models.TextChoices):
        VACANT = "vacant", _("空置")
        RESERVED = "reserved", _("已预订")
        LEASED = "leased", _("已出租")
        UNAVAILABLE = "unavailable", _("不可租")

    building = models.ForeignKey(
        Building, verbose_name=_("楼宇"), on_delete=models.PROTECT, related_name="units"
    )
    floor = models.ForeignKey(
        Floor, verbose_name=_("楼层"), on_delete=models.PROTECT, related_name="units"
    )
    code = models.CharField(_("房号"), max_length=30)
    use = models.CharField(_("用途"), max_length=20, choices=UnitUse.choices)
    area = area_field(
        _("面积（㎡）"),
        max_digits=10,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100000"))],
    )
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.VACANT, db_index=True
    )
    occupants = count_field(_("入住人数"), default=0)

    class Meta:
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        ordering = ["building_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "code"],
                name="unit_code_unique",
                violation_error_message=_("本楼宇已有该房号。"),
            ),
            models.CheckConstraint(
                condition=Q(area__gt=0) & Q(area__lte=100000), name="unit_area_range"
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.building.code}-{self.code}"
            if "building" in self._state.fields_cache
            else self.code
        )
