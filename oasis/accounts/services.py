"""Writes for accounts: login throttling, API tokens and park roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from oasis.core.writes import record, record_deletion, snapshot

from .models import ApiToken, LoginFailure, ParkRole, User

TOKEN_PREFIX = "oas_"


def client_ip(request: HttpRequest | None) -> str:
    # Behind a reverse proxy set OASIS_TRUST_X_FORWARDED_FOR; otherwise the header is a lie
    # any client can tell, and would let a guesser dodge the throttle.
    if request is None:
        return ""
    if getattr(settings, "OASIS_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return str(forwarded).split(",")[0].strip()
    return str(request.META.get("REMOTE_ADDR", ""))


def login_throttled(*, username: str, ip: str) -> bool:
    """True when this username or this address failed too often in the window."""
    since = timezone.now() - dt.timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    limit = settings.LOGIN_THROTTLE_FAILURES
    recent = LoginFailure.objects.filter(at__gte=since)
    if username and recent.filter(username=username.lower()).count() >= limit:
        return True
    # An address gets more room: a whole office may share one NAT address.
    return bool(ip) and recent.filter(ip=ip).count() >= limit * 4


def login_failure_record(*, username: str, ip: str) -> None:
    LoginFailure.objects.create(username=username.lower()[:150], ip=ip[:45])
    # Old rows are useless after the window; trimming here keeps the table small.
    horizon = timezone.now() - dt.timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS * 4)
    LoginFailure.objects.filter(at__lt=horizon).delete()


def login_success_record(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.lower()).delete()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal token; returns the row and the clear token (shown once). The
    audit row keeps its name and prefix, never the digest."""
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip()[:60] or "token", prefix=clear[:12], digest=_digest(clear)
    )
    record(actor=user, instance=token, park_id=None)
    return token, clear


def api_token_authenticate(clear: str) -> User | None:
    if not clear or not clear.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(clear)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    # Touch at most once a minute: a busy client must not turn reads into writes.
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_revoke(*, user: User, token_id: int) -> bool:
    """Revoke one of the user's own tokens; False when they have no such token."""
    token = ApiToken.objects.select_for_update().filter(user=user, pk=token_id).first()
    if token is None:
        return False
    record_deletion(actor=user, instance=token, park_id=None)
    return True


@transaction.atomic
def api_token_withdraw(*, actor: User, token: ApiToken) -> None:
    """A platform superuser revokes someone's token (the admin's delete): audited like
    the owner's own revocation."""
    record_deletion(actor=actor, instance=token, park_id=None)


@transaction.atomic
def park_role_grant(*, actor: User | None, user: User, park_id: int, role: str) -> ParkRole:
    """Give a staff member a role in a park (a second grant of the same role is a no-op)."""
    if user.is_member:
        raise ValueError("an enterprise member cannot hold a park role")
    role_row, created = ParkRole.objects.get_or_create(user=user, park_id=park_id, role=role)
    if created:
        record(actor=actor, instance=role_row, park_id=park_id)
    return role_row


@transaction.atomic
def park_role_change(
    *, actor: User | None, role_row: ParkRole, park_id: int, role: str
) -> ParkRole:
    """Move a role grant to another park or role (the admin's inline edit)."""
    role_row = ParkRole.objects.select_for_update().get(pk=role_row.pk)
    before = snapshot(role_row)
    role_row.park_id, role_row.role = park_id, role
    role_row.save()
    record(actor=actor, instance=role_row, before=before, park_id=park_id)
    return role_row


@transaction.atomic
def park_role_revoke(*, actor: User | None, role_row: ParkRole) -> None:
    """Take a role away from a staff member."""
    record_deletion(actor=actor, instance=role_row, park_id=role_row.park_id)
