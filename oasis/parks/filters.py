"""The unit lists' filters: one definition for the page and the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oasis.core.filters import ListFilter

from .models import Unit, UnitUse


class UnitFilter(ListFilter):
    """A building's units by status and use (the API lists one building's)."""

    labels = {"status": _("状态"), "use": _("用途"), "park": _("园区"), "building": _("楼宇")}
    status: Unit.Status | None = None
    use: UnitUse | None = None


class UnitListFilter(UnitFilter):
    """The unit page lists across buildings: also by park and building."""

    park: int | None = None
    building: int | None = None
