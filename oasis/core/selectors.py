"""Reads every app needs the same way."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

M = TypeVar("M", bound=Model)


def first_or_404(qs: QuerySet[M]) -> M:
    """The one row an access helper found (already scoped to what the user may see), or
    a 404: out of scope and not there look the same from outside."""
    obj = qs.first()
    if obj is None:
        raise Http404
    return obj
