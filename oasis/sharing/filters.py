"""The sharing lists' filters: one definition per list for the pages and the API.

The pages name a park or firm `park` / `enterprise`, the API `park_id` / `enterprise_id`
(each as it always has); a month is `YYYY-MM` everywhere."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oasis.core.filters import ListFilter, MonthFilter, ParkMonthFilter

from .models import Booking, ServiceRequest

__all__ = [
    "BookingFilter",
    "BookingPageFilter",
    "MonthFilter",
    "ParkMonthFilter",
    "RequestFilter",
    "StatementFilter",
]


class BookingFilter(MonthFilter):
    resource_id: int | None = None
    enterprise_id: int | None = None
    status: Booking.Status | None = None


class BookingPageFilter(MonthFilter):
    labels = {"month": _("月份"), "enterprise": _("企业"), "status": _("状态")}
    enterprise: int | None = None
    status: Booking.Status | None = None


class StatementFilter(MonthFilter):
    """The statement page: a month and, for staff, a firm (an id they may see)."""

    labels = {"month": _("月份"), "enterprise": _("企业")}
    enterprise: int | None = None


class RequestFilter(ListFilter):
    labels = {"status": _("状态")}
    status: ServiceRequest.Status | None = None
