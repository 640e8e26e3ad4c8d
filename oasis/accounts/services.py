"""Writes for accounts: login throttling, API tokens and park roles."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext

from oasis.core.writes import record, record_deletion, snapshot

from .models import ApiToken, KnownAddress, LoginFailure, ParkRole, User

TOKEN_PREFIX = "oas_"
logger = logging.getLogger("oasis.accounts")


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


@dataclass(frozen=True)
class LoginAttempt:
    """A reserved attempt: `refused` says whether its password may be checked at all."""

    row_id: int
    username: str
    ip: str
    refused: bool
    pair_count: int
    user_count: int


def login_attempt_reserve(*, username: str, ip: str) -> LoginAttempt:
    """Reserve one attempt *before* the password is checked, then decide on the counts.

    The reservation is committed first and the counts include every committed attempt,
    so of N simultaneous attempts the k-th to commit sees at least k: no more than the
    limit ever reach the password check, however many arrive at once (counting more
    only refuses more). Rules, each over the window:
    * one username from one address: LOGIN_THROTTLE_FAILURES tries (the guesser's own
      address is what gets locked, not the user);
    * one address over all usernames: LOGIN_THROTTLE_ADDRESS_FAILURES;
    * one username from all addresses past LOGIN_THROTTLE_USER_FAILURES: a doubling pause
      between tries (capped), except from an address the user has logged in from."""
    uname = username.lower()[:150]
    ip = ip[:45]
    now = timezone.now()
    # Two transactions on purpose: the reservation commits before anyone counts (on
    # PostgreSQL a count sees only committed rows); on SQLite each one takes the write
    # lock (IMMEDIATE), so attempts queue instead of failing.
    with transaction.atomic():
        row = LoginFailure.objects.create(username=uname, ip=ip)
    with transaction.atomic():
        recent = LoginFailure.objects.filter(at__gte=now - _window())
        pair = recent.filter(username=uname, ip=ip).count()
        user_count = recent.filter(username=uname).count() if uname else 0
        refused = pair > settings.LOGIN_THROTTLE_FAILURES
        if not refused and ip:
            refused = recent.filter(ip=ip).count() > settings.LOGIN_THROTTLE_ADDRESS_FAILURES
        over = user_count - settings.LOGIN_THROTTLE_USER_FAILURES
        if not refused and uname and over > 0 and not _known(uname, ip):
            pause = min(2**over, settings.LOGIN_THROTTLE_BACKOFF_MAX_SECONDS)
            refused = (
                recent.filter(username=uname, at__gte=now - dt.timedelta(seconds=pause))
                .exclude(pk=row.pk)
                .exists()
            )
    return LoginAttempt(row.pk, uname, ip, refused, pair, user_count)


def _window() -> dt.timedelta:
    return dt.timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)


def _known(username: str, ip: str) -> bool:
    return bool(ip) and KnownAddress.objects.filter(username=username, ip=ip).exists()


@transaction.atomic
def login_failure_record(attempt: LoginAttempt) -> None:
    """The reserved attempt failed: it stays as a failure. When this failure is the one
    that locks the username (from this address, or the start of the global back-off),
    the user is told by mail. Old rows are trimmed here, keeping the table small."""
    horizon = timezone.now() - _window() * 4
    LoginFailure.objects.filter(at__lt=horizon).delete()
    locks_pair = attempt.pair_count == settings.LOGIN_THROTTLE_FAILURES
    starts_backoff = attempt.user_count == settings.LOGIN_THROTTLE_USER_FAILURES + 1
    if attempt.username and not attempt.refused and (locks_pair or starts_backoff):
        _notify_lock(attempt, everywhere=starts_backoff and not locks_pair)


@transaction.atomic
def login_success_record(attempt: LoginAttempt) -> None:
    """Success: this address's failures for the user go, and the address becomes known."""
    LoginFailure.objects.filter(username=attempt.username, ip=attempt.ip).delete()
    LoginFailure.objects.filter(pk=attempt.row_id).delete()
    if attempt.username and attempt.ip:
        KnownAddress.objects.update_or_create(
            username=attempt.username,
            ip=attempt.ip,
            defaults={"last_login_at": timezone.now()},
        )


@transaction.atomic
def login_unlock(*, actor: User | None, users: Iterable[User]) -> int:
    """An administrator lifts every login lock of these users (all addresses)."""
    names = [u.username.lower() for u in users]
    deleted, _ = LoginFailure.objects.filter(username__in=names).delete()
    logger.info("login lock lifted for %s by %s", names, getattr(actor, "pk", None))
    return deleted


def _notify_lock(attempt: LoginAttempt, *, everywhere: bool) -> None:
    user = User.objects.filter(username__iexact=attempt.username, is_active=True).first()
    if user is None or not user.email:
        return
    minutes = settings.LOGIN_THROTTLE_WINDOW_SECONDS // 60
    with translation.override(settings.LANGUAGE_CODE):
        if everywhere:
            body = gettext(
                "您的账号 %(username)s 在 %(minutes)d 分钟内从多个地址登录失败多次，"
                "来自陌生地址的登录已放慢；您常用的地址不受影响。"
                "如果这不是您本人，请联系平台管理员并修改密码。"
            ) % {"username": user.username, "minutes": minutes}
        else:
            body = gettext(
                "您的账号 %(username)s 从地址 %(ip)s 连续登录失败，"
                "该地址的登录已暂停 %(minutes)d 分钟；其他地址不受影响。"
                "如果这不是您本人，请联系平台管理员并修改密码。"
            ) % {"username": user.username, "ip": attempt.ip or "?", "minutes": minutes}
        subject = gettext("绿洲园区运营平台：登录失败次数过多")
    # After commit, and never failing the login: a mail outage must not open or close a door.
    transaction.on_commit(lambda: send_mail(subject, body, None, [user.email], fail_silently=True))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal token; returns the row and the clear token (shown once). The
    audit row keeps its name and prefix, never the digest."""
    clear = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:60] or "token",
        prefix=clear[:12],
        digest=_digest(clear),
        expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS),
        password_stamp=user.get_session_auth_hash(),
    )
    record(actor=user, instance=token, park_id=None)
    return token, clear


def api_token_authenticate(clear: str) -> User | None:
    if not clear or not clear.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(digest=_digest(clear)).first()
    if token is None or not token.user.is_active:
        return None
    if not token.is_live():
        # Expired, or the password changed since: the token is dead for good.
        ApiToken.objects.filter(pk=token.pk).delete()
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
