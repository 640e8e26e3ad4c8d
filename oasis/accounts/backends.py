"""Authentication with a guard against password guessing."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from . import services
from .models import User


class ThrottledModelBackend(ModelBackend):
    """Django's model backend behind the login throttle (`services.login_attempt_reserve`).
    Sits under every login path (pages, admin, API session login)."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        username = username or kwargs.get("username") or ""
        if not username or password is None:
            return None
        # The attempt is reserved (committed) before the password is looked at.
        attempt = services.login_attempt_reserve(username=username, ip=services.client_ip(request))
        if attempt.refused:
            if request is not None:
                request.oasis_login_throttled = True
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            services.login_failure_record(attempt)
        else:
            services.login_success_record(attempt)
        return user
