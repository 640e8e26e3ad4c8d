"""Every write of shared finance: institutions and products (the park's operators),
needs (members), matching (with the firm's consent) and outcomes; each in a transaction,
fully validated, through the one write path."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oasis.accounts.models import User
from oasis.core.validation import check_order
from oasis.core.writes import apply_fields, record, save_validated, snapshot
from oasis.cultivation.models import Tier
from oasis.enterprises.models import AnnualFigure, Enterprise, FocusIndustry
from oasis.parks.models import Park
from oasis.sharing.selectors import require_manage

from . import matching, selectors
from .models import FIGURE_FIELDS, FinanceProduct, FinancingNeed, Institution, Match, Stage


@transaction.atomic
def institution_save(
    *, actor: User, park: Park, data: dict[str, Any], institution: Institution | None = None
) -> Institution:
    """Create or change a partner institution of the park's shared finance."""
    require_manage(user=actor, park_id=park.pk)
    if institution is not None and institution.park_id != park.pk:
        raise PermissionDenied
    before = snapshot(institution) if institution else None
    inst = institution or Institution(park=park)
    apply_fields(inst, data, frozenset({"name", "kind", "contact"}))
    if (
        inst.name
        and Institution.objects.filter(park=park, name=inst.name).exclude(pk=inst.pk).exists()
    ):
        raise ValidationError({"name": [_("本园区已有同名机构。")]})
    save_validated(inst)
    record(actor=actor, instance=inst, before=before, park_id=park.pk)
    return inst


PRODUCT_FIELDS = (
    "name",
    "kind",
    "amount_min",
    "amount_max",
    "rate_min",
    "rate_max",
    "term_months_min",
    "term_months_max",
    "stages",
    "industries",
    "min_tier",
    "min_revenue",
    "min_rd_ratio",
    "required_figures",
    "description",
    "is_active",
)


@transaction.atomic
def product_save(
    *,
    actor: User,
    institution: Institution,
    data: dict[str, Any],
    product: FinanceProduct | None = None,
) -> FinanceProduct:
    """Create or change an institution's financing product (an empty list means "any")."""
    require_manage(user=actor, park_id=institution.park_id)
    if product is not None and product.institution_id != institution.pk:
        raise PermissionDenied
    before = snapshot(product) if product else None
    product = product or FinanceProduct(institution=institution)
    apply_fields(product, data, PRODUCT_FIELDS)
    errors: dict[str, list[str]] = {}
    check_order(
        errors,
        product.amount_min,
        product.amount_max,
        "amount_max",
        _("最高金额不能小于最低金额。"),
    )
    check_order(
        errors,
        product.term_months_min,
        product.term_months_max,
        "term_months_max",
        _("最长期限不能小于最短期限。"),
    )
    check_order(
        errors, product.rate_min, product.rate_max, "rate_max", _("年利率上限不能小于下限。")
    )
    if set(product.stages) - set(Stage.values):
        errors["stages"] = [_("未知的发展阶段。")]
    if set(product.industries) - set(FocusIndustry.values):
        errors["industries"] = [_("未知的产业。")]
    if set(product.required_figures) - set(FIGURE_FIELDS):
        errors["required_figures"] = [_("未知的数据项。")]
    if errors:
        raise ValidationError(errors)
    save_validated(product)
    record(actor=actor, instance=product, before=before, park_id=institution.park_id)
    return product


@transaction.atomic
def need_create(*, actor: User, data: dict[str, Any]) -> FinancingNeed:
    """A member states their firm's financing need; with consent it is matched at once."""
    firm = actor.enterprise
    if firm is None:
        raise PermissionDenied(_("只有企业用户可以提交融资需求。"))
    need = FinancingNeed(enterprise=firm, created_by=actor)
    apply_fields(
        need, data, frozenset({"amount", "purpose", "needed_by", "term_months", "consent"})
    )
    if need.consent:
        need.consent_at = timezone.now()
    save_validated(need)
    record(actor=actor, instance=need, park_id=firm.park_id)
    if need.consent:
        need_match(actor=actor, need=need)
    return need


def _labels() -> dict[str, str]:
    labels = {k: str(v) for k, v in FocusIndustry.choices}
    labels.update({k: str(v) for k, v in Stage.choices})
    labels.update({k: str(v) for k, v in Tier.choices})
    fields = {f.name: f for f in AnnualFigure._meta.concrete_fields}
    labels.update({f: str(fields[f].verbose_name) for f in FIGURE_FIELDS})
    return labels


def firm_facts(enterprise: Enterprise, on: dt.date) -> matching.FirmFacts:
    figure = selectors.firm_latest_figure(enterprise)
    return matching.FirmFacts(
        focus_industry=enterprise.focus_industry,
        founded_on=enterprise.founded_on,
        tier=selectors.firm_tier(enterprise, on),
        year=figure.year if figure else None,
        revenue=figure.revenue if figure else None,
        rd_expense=figure.rd_expense if figure else None,
        reported=frozenset(
            f for f in FIGURE_FIELDS if figure is not None and getattr(figure, f) is not None
        ),
    )


@transaction.atomic
def need_match(*, actor: User, need: FinancingNeed, on: dt.date | None = None) -> list[Match]:
    """(Re)match a need against the park's active products using the firm's figures and
    tier. Only with the firm's consent. Outcomes already tracked are kept."""
    enterprise = need.enterprise
    if actor.is_member:
        if actor.enterprise_id != enterprise.pk:
            raise PermissionDenied
    else:
        require_manage(user=actor, park_id=enterprise.park_id)
    if not need.consent:
        raise ValidationError({"consent": [_("企业未同意使用其数据进行匹配。")]})
    on = on or timezone.localdate()
    facts = firm_facts(enterprise, on)
    labels = _labels()
    want = matching.Need(need.amount, need.term_months)
    existing = {m.product_id: m for m in need.matches.all()}
    out = []
    for p in FinanceProduct.objects.filter(institution__park_id=enterprise.park_id, is_active=True):
        terms = matching.Terms(
            p.amount_min,
            p.amount_max,
            p.term_months_min,
            p.term_months_max,
            tuple(p.stages),
            tuple(p.industries),
            p.min_tier,
            p.min_revenue,
            p.min_rd_ratio,
            tuple(p.required_figures),
        )
        result = matching.match(facts, want, terms, today=on, labels=labels)
        m = existing.get(p.pk)
        before = snapshot(m) if m else None
        m = m or Match(need=need, product=p)
        m.verdict, m.reasons = result.verdict, list(result.reasons)
        save_validated(m)
        record(actor=actor, instance=m, before=before, park_id=enterprise.park_id)
        out.append(m)
    return out


@transaction.atomic
def match_set_outcome(
    *, actor: User, match: Match, outcome: str, funded_amount: Decimal | None = None
) -> Match:
    """The operator tracks a match to its outcome (contacted, approved, funded, declined)."""
    match = Match.objects.select_for_update().select_related("need__enterprise").get(pk=match.pk)
    require_manage(user=actor, park_id=match.need.enterprise.park_id)
    if outcome == Match.Outcome.FUNDED and not funded_amount:
        raise ValidationError({"funded_amount": [_("请填写放款金额。")]})
    before = snapshot(match)
    match.outcome = outcome
    match.funded_amount = funded_amount if outcome == Match.Outcome.FUNDED else None
    save_validated(match)
    record(actor=actor, instance=match, before=before, park_id=match.need.enterprise.park_id)
    return match
