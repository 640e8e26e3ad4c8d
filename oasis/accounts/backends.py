"""Authentication with a guard against password guessing."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from . import services
from .models import User


class ThrottledModelBackend(ModelBackend):
    """Django's model backend, refusing while a username or address is throttled.
    Sits under every login path (pages, admin, API session login)."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        username = username or kwargs.get("username") or ""
        ip = services.client_ip(request)
        if services.login_throttled(username=username, ip=ip):
            if request is not None:
                request.oasis_login_throttled = True
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            services.login_failure_record(username=username, ip=ip)
        else:
            services.login_success_record(username=username)
        return user
