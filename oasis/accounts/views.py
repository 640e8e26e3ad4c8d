from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import ApiTokenForm, LoginForm
from .http import AuthedHttpRequest


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True
    template_name = "accounts/login.html"


@login_required
def home(request: AuthedHttpRequest) -> HttpResponse:
    """Staff land on the dashboard, a member on their firm's portal."""
    if request.user.is_member:
        return redirect("portal:home")
    if selectors.user_is_staff(request.user):
        return redirect("dashboards:dashboard")
    return render(request, "accounts/no_role.html", status=403)


@login_required
def profile(request: AuthedHttpRequest) -> HttpResponse:
    new_token: str | None = None
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        _row, new_token = services.api_token_create(
            user=request.user, name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
    context: dict[str, Any] = {
        "form": form,
        "new_token": new_token,
        # Expired tokens and those made before a password change are dead: not listed.
        "tokens": [
            t for t in request.user.api_tokens.order_by("-created_at") if t.is_live(request.user)
        ],
        "park_roles": request.user.park_roles.select_related("park"),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@require_POST
def token_revoke(request: AuthedHttpRequest, pk: int) -> HttpResponse:
    # Only the caller's own tokens: anyone else's is not found (nothing is revoked).
    if not services.api_token_revoke(user=request.user, token_id=pk):
        raise Http404
    messages.success(request, _("令牌已撤销。"))
    return redirect("accounts:profile")


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
