from django.contrib import admin

from oasis.parks.admin_scoping import ParkScopedAdmin, ParkScopedInline

from .models import AnnualFigure, Contact, Enterprise


class ContactInline(ParkScopedInline):
    model = Contact
    extra = 0


class FigureInline(ParkScopedInline):
    model = AnnualFigure
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(ParkScopedAdmin):
    list_display = ["name", "uscc", "park", "focus_industry", "status"]
    list_filter = ["park", "status", "focus_industry"]
    search_fields = ["name", "uscc", "search_key"]
    raw_id_fields = ["units"]
    inlines = [ContactInline, FigureInline]
    list_select_related = ["park"]
