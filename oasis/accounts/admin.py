from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from .models import ApiToken, ParkRole, User


class ParkRoleInline(admin.TabularInline):
    model = ParkRole
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    """Users are managed by platform superusers only (roles cross parks)."""

    inlines = [ParkRoleInline]
    list_display = ["username", "display_name", "enterprise", "is_active", "is_superuser"]
    list_filter = ["is_active", "is_superuser", "park_roles__role"]
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Oasis", {"fields": ("display_name", "phone", "enterprise", "is_enterprise_admin")}),
    )
    raw_id_fields = ["enterprise"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
