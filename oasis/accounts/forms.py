from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form, with a clear message when the throttle refuses."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _("登录失败次数过多，请%(minutes)d分钟后再试。"),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except forms.ValidationError:
            if getattr(self.request, "oasis_login_throttled", False):
                from django.conf import settings

                raise forms.ValidationError(
                    self.error_messages["throttled"],
                    code="throttled",
                    params={"minutes": settings.LOGIN_THROTTLE_WINDOW_SECONDS // 60},
                ) from None
            raise


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=60)
