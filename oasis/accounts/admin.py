from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from . import services
from .models import ApiToken, ParkRole, User
from .selectors import admin_site_has_permission

# Park administrators reach the admin through their role, not Django's is_staff flag.
admin.site.has_permission = admin_site_has_permission  # type: ignore[method-assign]


class ParkRoleFormSet(forms.BaseInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if kept and self.instance.enterprise_id is not None:
            raise ValidationError(_("企业成员不能担任园区角色。"))


class ParkRoleInline(admin.TabularInline):
    model = ParkRole
    formset = ParkRoleFormSet
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
    actions = ["unlock_logins"]

    @admin.action(description=gettext_lazy("解除登录锁定"))
    def unlock_logins(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        lifted = services.login_unlock(actor=request.user, users=queryset)  # type: ignore[arg-type]
        self.message_user(
            request,
            gettext("已解除 %(users)d 个账号的登录锁定（清除 %(rows)d 次失败记录）。")
            % {"users": queryset.count(), "rows": lifted},
            messages.SUCCESS,
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        if formset.model is not ParkRole:
            super().save_formset(request, form, formset, change)
            return
        # Role grants, changes and revocations take the services' write path (audited).
        formset.save(commit=False)
        for row in formset.deleted_objects:
            services.park_role_revoke(actor=request.user, role_row=row)
        for row, _fields in formset.changed_objects:
            services.park_role_change(
                actor=request.user, role_row=row, park_id=row.park_id, role=row.role
            )
        for row in formset.new_objects:
            services.park_role_grant(
                actor=request.user, user=form.instance, park_id=row.park_id, role=row.role
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners (profile page); a superuser may only look and
    revoke, and a revocation is audited like the owner's own."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_model(self, request: Any, obj: ApiToken) -> None:
        services.api_token_withdraw(actor=request.user, token=obj)

    def delete_queryset(self, request: Any, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.api_token_withdraw(actor=request.user, token=token)
