"""One filter style for every list, page and API alike.

A list's filters are one `ListFilter` (a django-ninja Schema) in its app's filters.py:
its fields are the URL parameters, its `apply` (or the selector it is passed to) filters
the queryset. The API takes it as `Query[TheFilter]`, so a bad value is a 422 naming the
parameter; the page parses the same class from its query string with `parse_filters`,
so a bad value is dropped (the list is not filtered by it) and shown above the results,
never a 500. An empty parameter (`?park=`, what an unset <select> sends) means "not
given", so the field keeps its default.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, ClassVar, TypeVar

from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from ninja import Schema
from pydantic import Field, ValidationInfo, field_validator
from pydantic import ValidationError as PydanticError

F = TypeVar("F", bound="ListFilter")
M = TypeVar("M", bound=Model)

# Page-only parameters a filter never reads (pagination, the export switch).
NOT_FILTERS = frozenset({"page", "export"})


class ListFilter(Schema):
    #: What people call each parameter, for the error a page shows (field name otherwise).
    labels: ClassVar[Mapping[str, str | Promise]] = {}
    #: The parameters that are plain "equals" filters, each with its queryset lookup.
    lookups: ClassVar[Mapping[str, str]] = {}
    #: The orders a `sort` parameter may name, each with its order_by fields.
    sorts: ClassVar[Mapping[str, tuple[str, ...]]] = {}

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: Any, info: ValidationInfo) -> Any:
        if value == "" and info.field_name is not None:
            return cls.model_fields[info.field_name].get_default(call_default_factory=True)
        return value

    @field_validator("sort", check_fields=False)
    @classmethod
    def _known_sort(cls, value: str) -> str:
        if value not in cls.sorts:
            raise ValueError(f"sort must be one of {', '.join(cls.sorts)}")
        return value

    def filter_equal(self, qs: QuerySet[M], *, skip: Collection[str] = ()) -> QuerySet[M]:
        """`qs` narrowed by each `lookups` parameter that was given (not in `skip`)."""
        for name, lookup in self.lookups.items():
            value = getattr(self, name)
            if value and name not in skip:
                qs = qs.filter(**{lookup: value})
        return qs

    def order(self, qs: QuerySet[M], sort: str) -> QuerySet[M]:
        """`qs` in the order `sort` (a key of `sorts`) names."""
        return qs.order_by(*self.sorts[sort])


def _query_dict(query: QueryDict | Mapping[str, Any]) -> dict[str, Any]:
    data = query.dict() if isinstance(query, QueryDict) else dict(query)
    return {k: v for k, v in data.items() if k not in NOT_FILTERS}


def parse_filters(cls: type[F], query: QueryDict | Mapping[str, Any]) -> tuple[F, list[str]]:
    """The page's filters from its query string, and a sentence per bad parameter.
    A bad parameter is left out; the good ones still filter."""
    data = _query_dict(query)
    try:
        return cls.model_validate(data), []
    except PydanticError as exc:
        bad = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
    errors = [
        _("筛选条件“%(label)s”的值“%(value)s”无效，已忽略。")
        % {"label": cls.labels.get(name, name), "value": str(data.get(name, ""))[:40]}
        for name in sorted(bad)
    ]
    try:
        filters = cls.model_validate({k: v for k, v in data.items() if k not in bad})
    except PydanticError:
        filters = cls()
    return filters, errors


class ParkFilter(ListFilter):
    """A page or report narrowed to one park (?park=, an id the user may see; the
    selector scopes it, so an unseen id finds nothing)."""

    labels = {"park": _lazy("园区")}
    park: int | None = None


MONTH = r"^\d{4}-\d{1,2}$"


class MonthFilter(ListFilter):
    """A month, `YYYY-MM` (the selector reads it; unset means this month)."""

    labels = {"month": _lazy("月份")}
    month: str | None = Field(None, pattern=MONTH)


class ParkMonthFilter(MonthFilter):
    """The API's park (`park_id`, an id the user may see) and month."""

    park_id: int | None = None
