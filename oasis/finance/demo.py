"""Demo data for shared finance, called by the demo generator after sharing's seed:
partner institutions and their products, and financing needs (the home firm's first)
matched through the service as the park's sharing operator. Deterministic for a given
rng seed and reference date."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from oasis.parks.models import Park
from oasis.sharing.demo import firms_and_members, operator_of

from . import services
from .models import FinanceProduct, FinancingNeed, Institution

D = Decimal

INSTITUTIONS = (
    ("常熟农商银行科技支行", Institution.Kind.BANK, "周经理"),
    ("苏州科创投资基金", Institution.Kind.FUND, "投资部"),
    ("江苏省信用再担保（常熟）", Institution.Kind.GUARANTEE, "业务部"),
)

# (institution index, name, kind, min, max, rate lo, hi, term lo, hi, stages, industries, tier, revenue, rd %, figures)
PRODUCTS: tuple[tuple[Any, ...], ...] = (
    (
        0,
        "科创贷",
        FinanceProduct.Kind.LOAN,
        "1000000",
        "10000000",
        "3.10",
        "3.85",
        6,
        36,
        [],
        [],
        "",
        "10000000",
        "3",
        ["revenue", "rd_expense"],
    ),
    (
        0,
        "专精特新贷",
        FinanceProduct.Kind.LOAN,
        "2000000",
        "30000000",
        "2.90",
        "3.50",
        12,
        36,
        [],
        [],
        "srdi_sme",
        "30000000",
        "3",
        ["revenue", "rd_expense", "headcount"],
    ),
    (
        1,
        "芯片与汽车电子成长基金",
        FinanceProduct.Kind.EQUITY,
        "10000000",
        "50000000",
        None,
        None,
        36,
        84,
        ["growth"],
        ["nextgen_it", "automotive"],
        "innovative_sme",
        "20000000",
        "6",
        ["revenue", "rd_expense", "net_profit"],
    ),
    (
        2,
        "科技担保通",
        FinanceProduct.Kind.GUARANTEE,
        "500000",
        "5000000",
        "1.00",
        "1.50",
        6,
        24,
        ["startup", "growth"],
        [],
        "",
        None,
        None,
        ["revenue"],
    ),
)


@transaction.atomic
def seed_finance(*, park: Park, rng: random.Random, reference_date: dt.date) -> None:
    firms, members = firms_and_members(park)
    operator = operator_of(park)
    if not firms:
        return
    booker_for = {u.enterprise_id: u for u in members}
    insts = [
        Institution.objects.create(park=park, name=n, kind=k, contact=c) for n, k, c in INSTITUTIONS
    ]
    for (
        idx,
        name,
        kind,
        lo,
        hi,
        r_lo,
        r_hi,
        t_lo,
        t_hi,
        stages,
        inds,
        tier,
        rev,
        rd,
        figs,
    ) in PRODUCTS:
        FinanceProduct.objects.create(
            institution=insts[idx],
            name=name,
            kind=kind,
            amount_min=D(lo),
            amount_max=D(hi),
            rate_min=D(r_lo) if r_lo else None,
            rate_max=D(r_hi) if r_hi else None,
            term_months_min=t_lo,
            term_months_max=t_hi,
            stages=stages,
            industries=inds,
            min_tier=tier,
            min_revenue=D(rev) if rev else None,
            min_rd_ratio=D(rd) if rd else None,
            required_figures=figs,
        )
    need_firms = [firms[0], *rng.sample(firms[1:], min(3, len(firms) - 1))]
    for i, firm in enumerate(need_firms):
        need = FinancingNeed.objects.create(
            enterprise=firm,
            created_by=booker_for.get(firm.pk) or operator or members[0],
            amount=D(rng.choice([3000000, 5000000, 8000000, 20000000])),
            purpose=rng.choice(["扩建 SMT 产线", "研发投入与流片", "流动资金", "购置检测设备"]),
            needed_by=reference_date + dt.timedelta(days=60),
            term_months=rng.choice([12, 24, 36]),
            consent=i < 3,
            consent_at=timezone.now() if i < 3 else None,
        )
        if need.consent and operator is not None:
            matches = services.need_match(actor=operator, need=need, on=reference_date)
            for m in matches[:1]:
                if m.verdict == "eligible":
                    m.outcome = "contacted"
                    m.save(update_fields=["outcome", "updated_at"])
