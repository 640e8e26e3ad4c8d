"""The demo park: 常熟·绿洲芯城 with its buildings, space, firms, figures and a login for
every role, built deterministically from a seed.

The same functions make the small park a newcomer clicks through (`oasis seed-demo`)
and the large sets the benchmarks need (`--enterprises 100000`), so every write is a
`bulk_create` in batches and nothing queries per row. Seeding bypasses the services on
purpose: it writes thousands of rows that were never "changed by" anyone, so there is
no actor and no audit row, and `full_clean()` per row would cost more than the rest of
the run. The tests check what `full_clean()` would (codes, USCCs, ratios) instead.

Dates are computed from `REFERENCE_DATE`, never `today`, so one seed is one park.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from importlib import import_module
from typing import Any, Protocol

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Model
from pypinyin import Style, lazy_pinyin

from oasis.accounts.models import ParkRole, Role, User
from oasis.core.identifiers import USCC_CHARSET, industry_section, industry_table, make_uscc
from oasis.core.models import AuditEntry
from oasis.enterprises.models import AnnualFigure, Contact, Enterprise, FocusIndustry
from oasis.parks.models import Building, Floor, Park, Unit, UnitUse

REFERENCE_DATE = dt.date(2026, 11, 1)
OPENED_ON = dt.date(2023, 6, 21)
FIGURE_YEARS = (2023, 2024, 2025)
BATCH_SIZE = 2000

PARK_NAME = "常熟·绿洲芯城"
# The description carries this marker so `--reset` only ever deletes a park this module
# made, never a real park someone happened to give the same name.
DEMO_MARKER = "（演示数据，由 oasis seed-demo 生成，可用 --reset 重建。）"
# Documented on purpose: the point of the demo is that a newcomer can log in.
DEMO_PASSWORD = "oasis-demo-2026"
# Demo users are recognised by this address domain (.invalid is reserved, RFC 2606), so a
# reset never deletes a developer's own account that happens to be called "admin".
DEMO_EMAIL_DOMAIN = "demo.oasis.invalid"


class Writer(Protocol):
    def write(self, msg: str, /) -> Any: ...


class DemoConflict(Exception):
    """The demo cannot be written without touching data it did not make."""


# ---------------------------------------------------------------------------- buildings


@dataclass(frozen=True)
class BuildingSpec:
    code: str
    name: str
    phase: int
    use: str
    floors: int
    gross_area: int
    status: str
    completed_on: dt.date | None = None


def _series(prefix: str, name: str, first: int, last: int, **kw: Any) -> list[BuildingSpec]:
    return [BuildingSpec(f"{prefix}{n:02d}", f"{name}{n}#", **kw) for n in range(first, last + 1)]


_DONE, _BUILDING, _PLANNED = (
    Building.Status.COMPLETED,
    Building.Status.BUILDING,
    Building.Status.PLANNED,
)
_MFG, _RND, _OFFICE, _APT, _COM = (
    UnitUse.MANUFACTURING,
    UnitUse.RND,
    UnitUse.OFFICE,
    UnitUse.APARTMENT,
    UnitUse.COMMERCIAL,
)

# Phase one (70,000 m², open since 2023) is the real first phase: eight factory buildings
# and 常熟临港中心. The later phases fill the 518,000 m² plan; the last building is sized
# so the total is exact (checked below, at import, and by a test).
BUILDINGS: tuple[BuildingSpec, ...] = (
    *_series(
        "F",
        "智能制造厂房",
        1,
        8,
        phase=1,
        use=_MFG,
        floors=4,
        gross_area=7000,
        status=_DONE,
        completed_on=dt.date(2023, 5, 30),
    ),
    BuildingSpec("C01", "常熟临港中心", 1, _OFFICE, 12, 14000, _DONE, dt.date(2023, 5, 30)),
    *_series(
        "F",
        "智能制造厂房",
        9,
        14,
        phase=2,
        use=_MFG,
        floors=4,
        gross_area=9000,
        status=_DONE,
        completed_on=dt.date(2024, 9, 30),
    ),
    *_series(
        "R",
        "研发楼",
        1,
        4,
        phase=2,
        use=_RND,
        floors=8,
        gross_area=15000,
        status=_DONE,
        completed_on=dt.date(2025, 3, 31),
    ),
    *_series(
        "A",
        "人才公寓",
        1,
        4,
        phase=2,
        use=_APT,
        floors=16,
        gross_area=20000,
        status=_DONE,
        completed_on=dt.date(2024, 12, 20),
    ),
    BuildingSpec("S01", "绿洲邻里中心", 2, _COM, 3, 12000, _DONE, dt.date(2025, 6, 30)),
    *_series("R", "研发楼", 5, 8, phase=3, use=_RND, floors=8, gross_area=15000, status=_BUILDING),
    BuildingSpec("O01", "绿洲商务中心A座", 3, _OFFICE, 18, 22000, _BUILDING),
    BuildingSpec("O02", "绿洲商务中心B座", 3, _OFFICE, 18, 22000, _BUILDING),
    *_series(
        "A", "人才公寓", 5, 6, phase=3, use=_APT, floors=16, gross_area=20000, status=_BUILDING
    ),
    *_series(
        "F", "智能制造厂房", 15, 20, phase=4, use=_MFG, floors=4, gross_area=9000, status=_PLANNED
    ),
    BuildingSpec("S02", "绿洲商业休闲综合体", 4, _COM, 5, 44000, _PLANNED),
)
PLANNED_FLOOR_AREA = 518_000
assert sum(b.gross_area for b in BUILDINGS) == PLANNED_FLOOR_AREA, "buildings must fill the plan"

# Net lettable share of a floor's gross area, by use (cores, corridors, plant rooms).
_NET_SHARE: dict[str, float] = {_MFG: 0.92, _RND: 0.85, _OFFICE: 0.85, _APT: 0.80, _COM: 0.85}
# Typical apartment layouts (m²) and how common each is in a talent apartment block.
_APT_LAYOUTS = ((35, 3), (45, 4), (55, 5), (65, 3), (75, 2), (90, 1))


@dataclass
class _UnitPlan:
    floor_number: int
    code: str
    use: str
    area: Decimal


def _split(rng: random.Random, net: float, count: int, lo: float, hi: float) -> list[float]:
    """Cut a floor into `count` units of unequal size, each kept within [lo, hi]."""
    weights = [rng.uniform(0.75, 1.25) for _ in range(count)]
    total = sum(weights)
    return [min(hi, max(lo, net * w / total)) for w in weights]


def _plan_units(rng: random.Random, spec: BuildingSpec) -> list[_UnitPlan]:
    per_floor = spec.gross_area / spec.floors * _NET_SHARE[spec.use]
    plans: list[_UnitPlan] = []
    for number in range(1, spec.floors + 1):
        use = spec.use
        if spec.use == _MFG:
            count = max(1, math.ceil(per_floor / 3000)) + (rng.random() < 0.5)
            areas = _split(rng, per_floor, count, 500, 3000)
        elif spec.use == _APT:
            sizes, weights = zip(*_APT_LAYOUTS)
            areas = [float(a) for a in rng.choices(sizes, weights, k=20)]
        elif spec.use == _COM:
            areas = _split(rng, per_floor, rng.randint(6, 10), 80, 3000)
        else:
            # 临港中心 is offices above R&D space: firms test on the low floors.
            if spec.code == "C01" and number <= 6:
                use = _RND
            areas = _split(rng, per_floor, rng.randint(3, 8), 80, 800)
        for i, area in enumerate(areas, start=1):
            plans.append(_UnitPlan(number, f"{number}{i:02d}", use, Decimal(f"{area:.2f}")))
    return plans


# ----------------------------------------------------------------------------- firms

# Where firms come from: mostly Changshu, then the rest of Suzhou and Shanghai (the park
# exists to take in Shanghai projects). (region code for the USCC, place in the name, weight)
_REGIONS = (
    ("320581", "常熟", 45),
    ("320581", "江苏", 6),
    ("320505", "苏州", 10),
    ("320594", "苏州", 6),
    ("320583", "昆山", 5),
    ("310115", "上海", 14),
    ("310112", "上海", 8),
    ("310104", "上海", 6),
)
_ZIHAO_FIRST = "临芯华瑞盛德恒通博创科明亿凯越启鼎晟宏星辰澜泓睿智卓锐嘉元天中海森远新安"
_ZIHAO_SECOND = "芯微达驰源泰丰航联拓讯腾信诺思维捷弘峰和洲澄宇景杰成锋奥迈川辉"
# Industry words and the GB/T 4754-2017 classes a firm so named would register under.
_TRADES: dict[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    FocusIndustry.AUTOMOTIVE: (
        ("汽车零部件", ("3670",)),
        ("汽车电子", ("3670",)),
        ("智驾科技", ("3670",)),
        ("车身系统", ("3660",)),
        ("新能源汽车", ("3612",)),
        ("精密部件", ("3670",)),
        ("汽车科技", ("3670", "3660")),
    ),
    FocusIndustry.NEXTGEN_IT: (
        ("半导体科技", ("3973", "3972")),
        ("微电子", ("3973", "6520")),
        ("集成电路设计", ("6520",)),
        ("光电科技", ("3976",)),
        ("传感技术", ("3983",)),
        ("软件科技", ("6513",)),
        ("信息技术", ("6513", "6531")),
        ("数据科技", ("6550",)),
        ("电子科技", ("3979", "3982")),
    ),
    FocusIndustry.LIFE_HEALTH: (
        ("生物医药", ("2761",)),
        ("医药科技", ("2720",)),
        ("医疗器械", ("3581", "3584")),
        ("医疗科技", ("3581",)),
        ("康复科技", ("3586",)),
        ("生物科技", ("2761", "7340")),
        ("基因科技", ("2762",)),
    ),
    FocusIndustry.NEW_ENERGY: (
        ("新能源科技", ("3841", "3849")),
        ("储能技术", ("3849",)),
        ("锂电科技", ("3841",)),
        ("光伏科技", ("3825",)),
        ("电力电子", ("3824",)),
        ("氢能科技", ("3849",)),
        ("能源科技", ("4416", "3825")),
    ),
    FocusIndustry.OTHER: (
        ("智能装备", ("3491", "3499")),
        ("检测技术", ("7452",)),
        ("精密机械", ("3499",)),
        ("仪器科技", ("4019", "4090")),
    ),
}
_FOCUS_WEIGHTS = (
    (FocusIndustry.AUTOMOTIVE, 26),
    (FocusIndustry.NEXTGEN_IT, 32),
    (FocusIndustry.LIFE_HEALTH, 20),
    (FocusIndustry.NEW_ENERGY, 17),
    (FocusIndustry.OTHER, 5),
)
_STATUS_WEIGHTS = (
    (Enterprise.Status.SETTLED, 70),
    (Enterprise.Status.SIGNED, 10),
    (Enterprise.Status.PROSPECT, 14),
    (Enterprise.Status.EXITED, 6),
)
# Which space each industry looks for first: makers want factory floors, designers want labs.
_SPACE_PREFERENCE: dict[str, tuple[tuple[str, int], ...]] = {
    FocusIndustry.AUTOMOTIVE: ((_MFG, 7), (_RND, 3)),
    FocusIndustry.NEW_ENERGY: ((_MFG, 7), (_RND, 3)),
    FocusIndustry.LIFE_HEALTH: ((_RND, 7), (_MFG, 3)),
    FocusIndustry.NEXTGEN_IT: ((_RND, 6), (_OFFICE, 4)),
    FocusIndustry.OTHER: ((_OFFICE, 6), (_MFG, 4)),
}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈姚陆顾钱"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉宁志海峰晨浩宇欣怡俊凯嘉"
_TITLES = ("总经理", "副总经理", "财务总监", "行政人事经理", "研发总监", "董事会秘书", "运营经理")
_CAPITALS = (
    (100, 8),
    (200, 10),
    (500, 18),
    (1000, 22),
    (2000, 14),
    (3000, 9),
    (5000, 11),
    (10000, 6),
    (20000, 2),
)


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*weighted)
    return rng.choices(values, weights)[0]


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _person(rng: random.Random) -> tuple[str, str]:
    """A surname and a one- or two-character given name."""
    return rng.choice(_SURNAMES), "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2, 2))))


@cache
def _pinyin(text: str) -> str:
    return "".join(lazy_pinyin(text, errors="ignore")).lower()


@cache
def _initials(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore")).lower()


def _search_key(parts: tuple[str, ...]) -> str:
    """`enterprises.services.search_key_for` of the joined parts, built from cached
    pinyin of each part: converting 100,000 whole names would take most of the run.
    A test checks the two agree on the names the generator makes."""
    return f"{''.join(map(_initials, parts))} {''.join(map(_pinyin, parts))}"[:400]


def _yuan(value: float) -> Decimal:
    # Firms report to the thousand yuan; whole figures read as real, cents as generated.
    return Decimal(round(value / 1000) * 1000)


def _org_body(serial: int, founded: dt.date) -> str:
    """An 8-character organisation-code body. Codes issued since the 2015 reform start
    with "MA"; older firms keep their numeric GB 11714 code."""
    if founded.year >= 2016:
        digits = []
        for _ in range(6):
            serial, rem = divmod(serial, len(USCC_CHARSET))
            digits.append(USCC_CHARSET[rem])
        return "MA" + "".join(reversed(digits))
    return f"{serial:08d}"


@dataclass
class _Firm:
    enterprise: Enterprise
    contacts: list[Contact]
    figures: list[dict[str, Any]]


def _figures(rng: random.Random, focus: str, founded: dt.date, status: str) -> list[dict[str, Any]]:
    """Three years of figures with sensible ratios, growth that varies, and gaps."""
    if status not in (Enterprise.Status.SETTLED, Enterprise.Status.EXITED):
        return []
    # A young park: median firm ¥15m revenue, a long tail of larger ones.
    revenue = min(8e8, max(1e6, rng.lognormvariate(math.log(15e6), 1.1)))
    rd_share = (
        rng.uniform(0.06, 0.15)
        if focus in (FocusIndustry.NEXTGEN_IT, FocusIndustry.LIFE_HEALTH)
        else rng.uniform(0.02, 0.08)
    )
    per_head = rng.uniform(5e5, 1.2e6)
    rows: list[dict[str, Any]] = []
    for year in reversed(FIGURE_YEARS):
        if year >= founded.year and not (year == FIGURE_YEARS[0] and rng.random() < 0.08):
            assets = revenue * rng.uniform(0.8, 2.5)
            headcount = int(min(800, max(10, revenue / per_head)))
            row: dict[str, Any] = {
                "year": year,
                "revenue": _yuan(revenue),
                "main_business_revenue": _yuan(revenue * rng.uniform(0.85, 1.0)),
                "rd_expense": _yuan(revenue * rd_share * rng.uniform(0.85, 1.15)),
                "total_assets": _yuan(assets),
                "total_liabilities": _yuan(assets * rng.uniform(0.2, 0.65)),
                "net_profit": _yuan(revenue * rng.uniform(-0.08, 0.15)),
                "tax_paid": _yuan(revenue * rng.uniform(0.02, 0.06)),
                "output_value": _yuan(revenue * rng.uniform(0.95, 1.2)),
                "headcount": headcount,
                "rd_staff": max(1, int(headcount * rng.uniform(0.1, 0.45))),
            }
            # Not every firm reports every line: blank is "not reported", never zero.
            for key in (
                "total_assets",
                "total_liabilities",
                "net_profit",
                "tax_paid",
                "output_value",
                "rd_staff",
            ):
                if rng.random() < 0.04:
                    row[key] = None
            if row["total_assets"] is None:
                row["total_liabilities"] = None
            row["main_business_revenue"] = min(row["main_business_revenue"], row["revenue"])
            rows.append(row)
        # Walk back a year: most firms grew, a few shrank.
        revenue /= 1 + rng.uniform(-0.12, 0.55)
    return rows


class _FirmMaker:
    """Makes one firm at a time from the shared random stream, keeping names unique."""

    def __init__(self, rng: random.Random, park: Park, count: int) -> None:
        self.rng = rng
        self.park = park
        self.names: set[str] = set()
        # Distinct organisation codes without a lookup per firm: a random sample of serials
        # below 10^8, which both code families (numeric and "MA" + six base-31 characters)
        # encode one-to-one.
        self.serials = rng.sample(range(10**8), count)

    def _name(self, place: str, focus: str) -> tuple[str, str, str, str, str]:
        rng = self.rng
        while True:
            zihao = rng.choice(_ZIHAO_FIRST) + rng.choice(_ZIHAO_SECOND)
            trade, codes = rng.choice(_TRADES[focus])
            suffix = "股份有限公司" if rng.random() < 0.12 else "有限公司"
            # A local subsidiary of an outside firm puts the place in brackets: 临芯（常熟）….
            branch = place != "上海" and rng.random() < 0.1
            parts = (zihao, place, trade, suffix) if branch else (place, zihao, trade, suffix)
            name = f"{zihao}（{place}）{trade}{suffix}" if branch else "".join(parts)
            if name not in self.names:
                self.names.add(name)
                return name, _search_key(parts), zihao, trade, rng.choice(codes)

    def make(self, index: int) -> _Firm:
        rng = self.rng
        region, place, _w = rng.choices(_REGIONS, [r[2] for r in _REGIONS])[0]
        focus = _pick(rng, _FOCUS_WEIGHTS)
        # The first two firms are settled so the member logins always have a firm to see.
        status = Enterprise.Status.SETTLED if index < 2 else _pick(rng, _STATUS_WEIGHTS)
        name, search_key, zihao, trade, code = self._name(place, focus)
        founded = _date_between(rng, dt.date(2003, 1, 1), dt.date(2024, 6, 30))
        known = status != Enterprise.Status.PROSPECT or rng.random() < 0.6
        uscc = make_uscc(region, _org_body(self.serials[index], founded)) if known else None
        settled_on = None
        if status in (Enterprise.Status.SETTLED, Enterprise.Status.EXITED):
            settled_on = _date_between(
                rng, max(OPENED_ON, founded), REFERENCE_DATE - dt.timedelta(days=30)
            )
        enterprise = Enterprise(
            park=self.park,
            name=name,
            uscc=uscc,
            search_key=search_key,
            industry_code=code,
            industry_section=industry_section(code),
            focus_industry=focus,
            status=status,
            legal_representative="".join(_person(rng)),
            founded_on=founded,
            registered_capital=Decimal(_pick(rng, _CAPITALS)),
            settled_on=settled_on,
            description=f"{industry_table()[code].name}：{trade}相关产品的研发、生产与销售。",
        )
        domain = f"{_pinyin(zihao)}{index}.example.com"
        contacts = []
        for n in range(rng.choice((1, 1, 2, 2, 3))):
            surname, given = _person(rng)
            person = surname + given
            contacts.append(
                Contact(
                    name=person,
                    title=_TITLES[0] if n == 0 else rng.choice(_TITLES[1:]),
                    phone="1"
                    + rng.choice("3578")
                    + "".join(rng.choice("0123456789") for _ in range(9)),
                    email=f"{_pinyin(surname)}{''.join(map(_pinyin, given))}@{domain}",
                    is_primary=n == 0,
                )
            )
        return _Firm(enterprise, contacts, _figures(rng, focus, founded, status))


# ------------------------------------------------------------------------------ users


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    enterprise: str = ""


_STAFF_USERS = (
    ("parkadmin", "周园", Role.PARK_ADMIN),
    ("attraction", "陈招商", Role.ATTRACTION),
    ("service", "李服务", Role.SERVICE),
    ("leasing", "王物业", Role.LEASING),
    ("sharing", "赵共享", Role.SHARING),
    ("viewer", "钱观察", Role.VIEWER),
)
DEMO_USERNAMES = ("admin", *(u for u, _n, _r in _STAFF_USERS), "member-admin", "member", "member2")


# ----------------------------------------------------------------------------- summary


@dataclass
class DemoSummary:
    """What was built, with the logins to print and the time each step took."""

    park_id: int
    enterprises: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    buildings: int = 0
    units: int = 0
    leased_units: int = 0
    residents: int = 0
    figures: int = 0
    contacts: int = 0
    output_2025: Decimal = Decimal(0)
    headcount_2025: int = 0
    logins: list[DemoLogin] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def total_seconds(self) -> float:
        return sum(self.seconds.values())


def _say(stdout: Writer | None, msg: str) -> None:
    if stdout is not None:
        stdout.write(msg)


# ------------------------------------------------------------------------------- API


def demo_park_get() -> Park | None:
    """The demo park if it exists. Raises DemoConflict when a park has the demo's name
    but was not made here: that is someone's real data."""
    park = Park.objects.filter(name=PARK_NAME).first()
    if park is not None and DEMO_MARKER not in park.description:
        raise DemoConflict(f"园区“{PARK_NAME}”已存在且不是演示数据，未做任何修改。")
    return park


DOMAIN_APPS = (
    "portal",
    "tickets",
    "events",
    "finance",
    "sharing",
    "attraction",
    "leasing",
    "cultivation",
)


def _park_path(model: type[Model], seen: tuple[type[Model], ...] = ()) -> str | None:
    """The shortest foreign-key path from `model` to Park ("park", "enterprise__park", …)."""
    from django.db import models as m

    fks = [f for f in model._meta.concrete_fields if isinstance(f, m.ForeignKey)]
    for f in fks:
        if f.related_model is Park:
            return f.name
    best: str | None = None
    for f in fks:
        target = f.related_model
        if isinstance(target, str) or target is model or target in seen or len(seen) >= 3:
            continue
        rest = _park_path(target, (*seen, model))
        if rest and (best is None or rest.count("__") + 1 < best.count("__")):
            best = f"{f.name}__{rest}"
    return best


def _delete_domains(park: Park) -> None:
    """Delete every domain app's rows of the park. Their foreign keys mostly PROTECT (a
    lease must not vanish with a firm), so models whose rows are still referenced wait
    for a later pass, until nothing is left."""
    from django.apps import apps
    from django.db import models as m
    from django.db.models.deletion import ProtectedError

    pending = []
    for label in DOMAIN_APPS:
        if apps.is_installed(f"oasis.{label}"):
            for model in reversed(list(apps.get_app_config(label).get_models())):
                path = _park_path(model)
                if path is not None:
                    pending.append((model, path))
    for model, path in pending:
        # Self-references (a renewed lease's predecessor) would block their own delete.
        for f in model._meta.concrete_fields:
            if isinstance(f, m.ForeignKey) and f.related_model is model and f.null:
                model._default_manager.filter(**{path: park}).update(**{f.name: None})
    for _attempt in range(len(pending) + 1):
        blocked = []
        for model, path in pending:
            try:
                with transaction.atomic():
                    model._default_manager.filter(**{path: park}).delete()
            except ProtectedError:
                blocked.append((model, path))
        if not blocked:
            return
        pending = blocked
    raise RuntimeError(
        f"demo reset: rows still referenced in {[m._meta.label for m, _ in pending]}"
    )


@transaction.atomic
def demo_delete() -> bool:
    """Delete the demo park, everything in it and the demo users. False if there was none."""
    park = demo_park_get()
    if park is not None:
        _delete_domains(park)
    User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").delete()
    if park is None:
        return False
    # Edits made through the services after seeding leave audit rows scoped to the park.
    AuditEntry.objects.filter(park_id=park.pk).delete()
    Enterprise.objects.filter(park=park).delete()
    Unit.objects.filter(building__park=park).delete()
    Floor.objects.filter(building__park=park).delete()
    Building.objects.filter(park=park).delete()
    park.delete()
    return True


def _create_park() -> Park:
    return Park.objects.create(
        name=PARK_NAME,
        short_name="绿洲芯城",
        city="江苏省苏州市常熟市",
        address="江苏省苏州市常熟市辛庄镇",
        opened_on=OPENED_ON,
        description="常熟市与上海临港集团合作共建，临港集团在上海以外首个重资产投资园区，"
        "打造长三角“专精特新”中小企业先行示范园区。" + DEMO_MARKER,
        land_mu=Decimal(460),
        planned_floor_area=Decimal(PLANNED_FLOOR_AREA),
        target_enterprises=300,
        target_jobs_min=6000,
        target_jobs_max=8000,
        target_output=Decimal(50_000_000_000),
        target_residents=3000,
    )


def _create_space(
    rng: random.Random, park: Park, summary: DemoSummary
) -> dict[tuple[str, int], list[Unit]]:
    """Buildings, floors and units; returns the lettable units by (use, phase), in the
    order firms take them. Apartments and shops are let here; firms take the rest."""
    buildings = Building.objects.bulk_create(
        [
            Building(
                park=park,
                name=s.name,
                code=s.code,
                phase=s.phase,
                use=s.use,
                floors_above=s.floors,
                gross_area=Decimal(s.gross_area),
                status=s.status,
                completed_on=s.completed_on,
            )
            for s in BUILDINGS
        ]
    )
    plans = {b.code: _plan_units(rng, s) for b, s in zip(buildings, BUILDINGS) if s.status == _DONE}
    floors = Floor.objects.bulk_create(
        [
            Floor(building=b, number=n)
            for b in buildings
            if b.code in plans
            for n in range(1, b.floors_above + 1)
        ]
    )
    floor_by = {(f.building_id, f.number): f for f in floors}
    units: list[Unit] = []
    for b in buildings:
        for p in plans.get(b.code, []):
            unit = Unit(
                building=b,
                floor=floor_by[(b.pk, p.floor_number)],
                code=p.code,
                use=p.use,
                area=p.area,
            )
            roll = rng.random()
            if roll < 0.02:
                unit.status = Unit.Status.UNAVAILABLE  # fit-out or maintenance
            elif roll < 0.06:
                unit.status = Unit.Status.RESERVED  # held for a signed firm
            elif p.use == _APT and roll < 0.88:
                unit.status = Unit.Status.LEASED
                size = float(p.area)
                unit.occupants = (
                    1
                    if size < 40
                    else rng.randint(1, 2)
                    if size < 60
                    else 2
                    if size < 80
                    else rng.randint(2, 3)
                )
            elif p.use == _COM and roll < 0.75:
                unit.status = Unit.Status.LEASED  # shops and canteens, not in the enterprise file
            units.append(unit)
    Unit.objects.bulk_create(units, batch_size=BATCH_SIZE)
    phase_of = {b.pk: b.phase for b in buildings}
    pools: dict[tuple[str, int], list[Unit]] = {}
    for unit in units:
        if unit.status == Unit.Status.VACANT and unit.use in (_MFG, _RND, _OFFICE):
            pools.setdefault((unit.use, phase_of[unit.building_id]), []).append(unit)
    for pool in pools.values():
        rng.shuffle(pool)
    summary.buildings = len(buildings)
    summary.units = len(units)
    summary.residents = sum(u.occupants for u in units)
    return pools


def _take_units(
    rng: random.Random, pools: dict[tuple[str, int], list[Unit]], focus: str
) -> list[Unit]:
    """One to three units for a settled firm, phase one first (it has been open longest)."""
    use = _pick(rng, _SPACE_PREFERENCE[focus])
    order = (1, 2) if rng.random() < 0.7 else (2, 1)
    for phase in order:
        for pool_use in (use, _RND, _MFG, _OFFICE):
            pool = pools.get((pool_use, phase))
            if pool:
                extra = 2 if rng.random() < 0.06 else 1 if rng.random() < 0.2 else 0
                return [pool.pop() for _ in range(min(len(pool), 1 + extra))]
    return []


def _create_users(park: Park, firms: list[Enterprise]) -> list[DemoLogin]:
    # One hash for all demo users: they share the documented password anyway, and hashing
    # ten times at Django's iteration count would cost seconds in every test that seeds.
    password = make_password(DEMO_PASSWORD)
    email = f"@{DEMO_EMAIL_DOMAIN}"
    admin = User(
        username="admin",
        display_name="系统管理员",
        email="admin" + email,
        is_staff=True,
        is_superuser=True,
        password=password,
    )
    staff = [
        User(username=u, display_name=n, email=u + email, password=password)
        for u, n, _r in _STAFF_USERS
    ]
    members = [
        User(
            username="member-admin",
            display_name="孙企管",
            email="member-admin" + email,
            enterprise=firms[0],
            is_enterprise_admin=True,
            password=password,
        ),
        User(
            username="member",
            display_name="吴填报",
            email="member" + email,
            enterprise=firms[0],
            password=password,
        ),
        User(
            username="member2",
            display_name="郑填报",
            email="member2" + email,
            enterprise=firms[1],
            password=password,
        ),
    ]
    User.objects.bulk_create([admin, *staff, *members])
    ParkRole.objects.bulk_create(
        [ParkRole(user=u, park=park, role=r) for u, (_u, _n, r) in zip(staff, _STAFF_USERS)]
    )
    return existing_logins()


def existing_logins() -> list[DemoLogin]:
    """The demo users as they are now, in the order the table prints them."""
    users = User.objects.filter(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").select_related(
        "enterprise"
    )
    roles: dict[int, list[str]] = {}
    for user_id, role in ParkRole.objects.filter(user__in=users).values_list("user_id", "role"):
        roles.setdefault(user_id, []).append(str(Role(role).label))
    rank = {name: i for i, name in enumerate(DEMO_USERNAMES)}
    logins = []
    for user in sorted(users, key=lambda u: (rank.get(u.username, len(rank)), u.username)):
        if user.is_superuser:
            role = "超级管理员（含 /admin/）"
        elif user.enterprise_id:
            role = "企业管理员" if user.is_enterprise_admin else "企业用户"
        else:
            role = "、".join(sorted(roles.get(user.pk, []))) or "—"
        logins.append(
            DemoLogin(user.username, role, user.enterprise.name if user.enterprise else "")
        )
    return logins


def _write_firms(
    rng: random.Random,
    park: Park,
    count: int,
    pools: dict[tuple[str, int], list[Unit]],
    summary: DemoSummary,
    stdout: Writer | None,
) -> list[Enterprise]:
    """Make and write firms a batch at a time, so 100,000 firms never sit in memory.
    Returns the first two (settled) firms, for the member logins."""
    maker = _FirmMaker(rng, park, count)
    unit_link = Enterprise.units.through
    completed = {
        pk: on
        for pk, on in Building.objects.filter(park=park).values_list("pk", "completed_on")
        if on is not None
    }
    firsts: list[Enterprise] = []
    for start in range(0, count, BATCH_SIZE):
        firms = [maker.make(i) for i in range(start, min(count, start + BATCH_SIZE))]
        links: list[tuple[int, Unit]] = []
        for n, firm in enumerate(firms):
            e = firm.enterprise
            if e.status == Enterprise.Status.SETTLED:
                taken = _take_units(rng, pools, e.focus_industry)
                links += [(n, unit) for unit in taken]
                if taken:
                    # Nobody moves into a building before it is finished.
                    ready = max(completed[u.building_id] for u in taken)
                    if e.settled_on is None or e.settled_on < ready:
                        e.settled_on = _date_between(
                            rng, ready, REFERENCE_DATE - dt.timedelta(days=30)
                        )
            summary.by_status[e.status] = summary.by_status.get(e.status, 0) + 1
        Enterprise.objects.bulk_create([f.enterprise for f in firms])
        unit_link.objects.bulk_create(
            [unit_link(enterprise_id=firms[n].enterprise.pk, unit_id=u.pk) for n, u in links]
        )
        Unit.objects.filter(pk__in=[u.pk for _n, u in links]).update(status=Unit.Status.LEASED)
        contacts = [c for f in firms for c in f.contacts]
        for f in firms:
            for c in f.contacts:
                c.enterprise = f.enterprise
        Contact.objects.bulk_create(contacts)
        figures = [AnnualFigure(enterprise=f.enterprise, **row) for f in firms for row in f.figures]
        AnnualFigure.objects.bulk_create(figures)
        for fig in figures:
            if fig.year == 2025 and fig.enterprise.status == Enterprise.Status.SETTLED:
                summary.output_2025 += fig.output_value or 0
                summary.headcount_2025 += fig.headcount or 0
        summary.enterprises += len(firms)
        summary.contacts += len(contacts)
        summary.figures += len(figures)
        if not firsts:
            firsts = [f.enterprise for f in firms[:2]]
        if count > BATCH_SIZE:
            _say(stdout, f"  企业 {summary.enterprises:,}/{count:,}")
    return firsts


# Each domain app fills its part of the demo from the park built here. Every seed gets
# its own random stream, so adding one never changes what the others generate.
DOMAIN_SEEDS: tuple[tuple[str, str], ...] = (
    ("oasis.cultivation.demo", "seed_cultivation"),
    ("oasis.leasing.demo", "seed_leasing"),
    ("oasis.attraction.demo", "seed_attraction"),
    ("oasis.sharing.demo", "seed_sharing"),
    ("oasis.finance.demo", "seed_finance"),
    ("oasis.events.demo", "seed_events"),
    ("oasis.portal.demo", "seed_portal"),
)


def seed_domains(*, park: Park, seed: int, stdout: Writer | None = None) -> None:
    for module, function in DOMAIN_SEEDS:
        started = time.perf_counter()
        getattr(import_module(module), function)(
            park=park, rng=random.Random(f"{seed}:{module}"), reference_date=REFERENCE_DATE
        )
        _say(stdout, f"  {module.split('.')[1]}: {time.perf_counter() - started:.1f} s")


@transaction.atomic
def generate_park(
    *, enterprises: int = 150, seed: int = 2023, stdout: Writer | None = None, domains: bool = False
) -> DemoSummary:
    """Build the demo park. Fails with DemoConflict if the park or a demo username exists:
    call `demo_delete()` first to rebuild. `domains` also runs every app's demo seed
    (leases, leads, bookings, reports…); benchmarks leave it off."""
    if enterprises < 2:
        raise ValueError("the demo needs at least 2 enterprises (the member logins use them)")
    if demo_park_get() is not None:
        raise DemoConflict(f"演示园区“{PARK_NAME}”已存在。")
    taken = sorted(
        User.objects.filter(username__in=DEMO_USERNAMES).values_list("username", flat=True)
    )
    if taken:
        raise DemoConflict(f"用户名已被占用：{', '.join(taken)}。")
    rng = random.Random(seed)
    clock = time.perf_counter()
    park = _create_park()
    summary = DemoSummary(park_id=park.pk)

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        summary.seconds[step] = now - clock
        clock = now

    pools = _create_space(rng, park, summary)
    lap("space")
    _say(
        stdout,
        f"楼宇 {summary.buildings} 栋，单元 {summary.units:,} 个，公寓入住 {summary.residents:,} 人",
    )
    firsts = _write_firms(rng, park, enterprises, pools, summary, stdout)
    summary.leased_units = Unit.objects.filter(
        building__park=park, status=Unit.Status.LEASED
    ).count()
    lap("enterprises")
    summary.logins = _create_users(park, firsts)
    lap("users")
    if domains:
        seed_domains(park=park, seed=seed, stdout=stdout)
        lap("domains")
    return summary
