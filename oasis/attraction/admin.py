from django.contrib import admin

from oasis.parks.admin_scoping import ParkScopedAdmin

from .models import AttractionSettings, Partner


@admin.register(AttractionSettings)
class AttractionSettingsAdmin(ParkScopedAdmin):
    list_display = ["park", "neglect_days", "claim_limit"]


@admin.register(Partner)
class PartnerAdmin(ParkScopedAdmin):
    list_display = ["name", "kind", "organisation", "park", "active"]
    list_filter = ["park", "kind", "active"]
    search_fields = ["name", "organisation"]
