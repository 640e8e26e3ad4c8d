"""The leasing section other apps' pages include (one line, no view changes there)."""

from typing import Any

from django import template

from oasis.leasing import selectors
from oasis.leasing.filters import LeaseFilter

register = template.Library()


@register.inclusion_tag("leasing/_enterprise_leases.html", takes_context=True)
def enterprise_leases(context: dict[str, Any], enterprise: Any) -> dict[str, Any]:
    """The firm's leases and balance, as the current user may see them (scoped)."""
    user = context["request"].user
    leases = list(
        selectors.lease_list(user=user, filters=LeaseFilter(tab="all", tenant=enterprise.pk))
    )
    balance = selectors.tenant_balance(user=user, tenant_id=enterprise.pk)
    return {
        "show": bool(leases),
        "leases": leases,
        "balance": balance,
        "request": context["request"],
    }
