"""Users, their roles in parks, personal API tokens and failed logins."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PARK_ADMIN = "park_admin", _("园区管理员")
    ATTRACTION = "attraction", _("招商经理")
    SERVICE = "service", _("企业服务专员")
    LEASING = "leasing", _("租赁/物业专员")
    SHARING = "sharing", _("共享服务运营")
    VIEWER = "viewer", _("只读观察员")


class User(AbstractUser):
    """A person who logs in. Staff act through `ParkRole`s; an enterprise member is
    bound to exactly one enterprise and never holds a park role."""

    display_name = models.CharField(_("姓名"), max_length=60, blank=True)
    phone = models.CharField(_("手机"), max_length=20, blank=True)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("所属企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    is_enterprise_admin = models.BooleanField(_("企业管理员"), default=False)

    # Roles by park, memoised for one request by `oasis.accounts.selectors` (not a field).
    _oasis_roles: dict[int, set[str]]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_member(self) -> bool:
        return self.enterprise_id is not None


class ParkRole(models.Model):
    """A staff role in one park. A group such as Lingang gives one person roles in
    several parks; scoping every read by these rows is the staff security boundary."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="park_roles")
    park = models.ForeignKey("parks.Park", on_delete=models.CASCADE, related_name="staff_roles")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("园区角色")
        verbose_name_plural = _("园区角色")
        constraints = [
            models.UniqueConstraint(fields=["user", "park", "role"], name="parkrole_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.park} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the clear token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=60)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("有效期至"), null=True, blank=True)
    # The user's password fingerprint when the token was made (the session auth hash):
    # any password change, by any path, makes it differ and the token dead.
    password_stamp = models.CharField(max_length=128, blank=True, default="")

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def is_live(self, user: User | None = None) -> bool:
        """Not expired, and the owner's password unchanged since it was made."""
        from django.utils import timezone

        owner = user or self.user
        if self.expires_at is not None and self.expires_at <= timezone.now():
            return False
        return self.password_stamp == owner.get_session_auth_hash()


class LoginFailure(models.Model):
    """A login attempt that has not succeeded: written before the password is checked
    (the reservation that makes the throttle hold under concurrency), deleted when the
    attempt succeeds, kept for the throttle window otherwise."""

    username = models.CharField(max_length=150, db_index=True)
    ip = models.CharField(max_length=45, db_index=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.username}@{self.ip} {self.at:%Y-%m-%d %H:%M}"


class KnownAddress(models.Model):
    """An address a user has logged in from: the global back-off (many failures for one
    username from everywhere) never applies there, so guessing from elsewhere cannot
    keep the owner out."""

    username = models.CharField(max_length=150)
    ip = models.CharField(max_length=45)
    last_login_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "ip"], name="known_address_unique")
        ]

    def __str__(self) -> str:
        return f"{self.username}@{self.ip}"
