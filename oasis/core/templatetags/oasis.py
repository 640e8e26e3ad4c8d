"""Template helpers: query-string editing and Chinese-style money units."""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django import template
from django.http import QueryDict

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context: dict[str, Any], **kwargs: Any) -> str:
    """The current query string with some keys replaced (for paging and sorting links)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


def _fmt(value: Any, digits: int) -> str:
    # Rounded half-up (Django's number_format truncates) with comma grouping, which
    # Chinese financial tables use too.
    quantum = Decimal(1).scaleb(-digits)
    return f"{Decimal(value).quantize(quantum, rounding=ROUND_HALF_UP):,.{digits}f}"


@register.filter
def yi(value: Any) -> str:
    """Yuan as 亿 (10^8) with two decimals: 5,000,000,000 → 50.00."""
    if value in (None, ""):
        return "—"
    return _fmt(Decimal(value) / Decimal(100_000_000), 2)


@register.filter
def wan(value: Any) -> str:
    """Yuan as 万 (10^4) with two decimals."""
    if value in (None, ""):
        return "—"
    return _fmt(Decimal(value) / Decimal(10_000), 2)


@register.filter
def num(value: Any, digits: int = 0) -> str:
    if value in (None, ""):
        return "—"
    return _fmt(value, int(digits))


@register.filter
def pct(part: Any, whole: Any) -> str:
    if not whole or part is None:
        return "—"
    return f"{Decimal(part) * 100 / Decimal(whole):.1f}%"


@register.filter
def pct_value(part: Any, whole: Any) -> float:
    """Percentage as a number capped at 100, for progress bars."""
    if not whole or part is None:
        return 0.0
    return float(min(Decimal(part) * 100 / Decimal(whole), Decimal(100)))
