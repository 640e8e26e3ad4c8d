"""Request types for views and API endpoints.

Behind `login_required` (and every API route, which requires a session or a token)
`request.user` is always a saved `User`, never the anonymous user; annotate such views
with `AuthedHttpRequest` so the type checker knows it too."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User

#: Whoever sent a request that need not be logged in.
AnyUser = User | AnonymousUser


class AuthedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails  # set on every request by django_htmx's middleware
