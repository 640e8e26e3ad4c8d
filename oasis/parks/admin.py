from django.contrib import admin
from django.http import HttpRequest

from .admin_scoping import ParkScopedAdmin
from .models import Building, Floor, Park, Unit


@admin.register(Park)
class ParkAdmin(ParkScopedAdmin):
    park_lookup = "pk"
    list_display = ["name", "city", "land_mu", "planned_floor_area", "target_enterprises"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser


@admin.register(Building)
class BuildingAdmin(ParkScopedAdmin):
    list_display = ["code", "name", "park", "phase", "use", "gross_area", "status"]
    list_filter = ["park", "phase", "use", "status"]
    search_fields = ["name", "code"]


@admin.register(Floor)
class FloorAdmin(ParkScopedAdmin):
    park_lookup = "building__park"
    list_display = ["building", "number"]


@admin.register(Unit)
class UnitAdmin(ParkScopedAdmin):
    park_lookup = "building__park"
    list_display = ["code", "building", "floor", "use", "area", "status", "occupants"]
    list_filter = ["use", "status", "building__park"]
    search_fields = ["code"]
    list_select_related = ["building", "floor__building"]
