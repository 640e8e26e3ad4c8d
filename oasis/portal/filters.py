"""The report list's filters (the API's; the pages list reports per campaign)."""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from pydantic import field_validator
from pydantic_core import PydanticCustomError

from oasis.core.filters import ListFilter

from .models import Report


class ReportFilter(ListFilter):
    labels = {"status": _("状态"), "campaign_id": _("填报任务")}
    status: str | None = None
    campaign_id: int | None = None

    @field_validator("status")
    @classmethod
    def _known_status(cls, value: str | None) -> str | None:
        if value is not None and value not in Report.Status.values:
            raise PydanticCustomError("unknown_status", gettext("未知的状态。"))
        return value


class ProgressFilter(ListFilter):
    """A campaign's progress table: every firm, or only those late (?late=1)."""

    labels = {"late": _("只看逾期")}
    late: bool = False
