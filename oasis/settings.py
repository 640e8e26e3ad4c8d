"""The only settings file. Everything that differs between machines comes from the
environment, with defaults that make a fresh checkout run in development."""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

# Django's generic classes (ModelAdmin[Model], ModelForm[Model]…) subscriptable at run
# time, as the type annotations write them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("OASIS_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
if not DEBUG:
    # A guessable key lets anyone forge sessions and password-reset links: refuse to
    # start rather than run open (Django's own bar: 50+ characters, 5+ distinct).
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    if (
        len(SECRET_KEY) < 50
        or len(set(SECRET_KEY)) < 5
        or SECRET_KEY.startswith(("django-insecure", "change-me"))
        or SECRET_KEY == DEV_SECRET_KEY
    ):
        raise ImproperlyConfigured(
            "SECRET_KEY is too weak for production: use 50 or more random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
elif not SECRET_KEY:
    SECRET_KEY = DEV_SECRET_KEY

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from its own static files, not a CDN
    "template_partials",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "oasis.core",
    "oasis.accounts",
    "oasis.parks",
    "oasis.notifications",
    "oasis.enterprises",
    "oasis.cultivation",
    "oasis.leasing",
    "oasis.attraction",
    "oasis.sharing",
    "oasis.tickets",
    "oasis.portal",
    "oasis.finance",  # above sharing (its catalogue and scope), beside tickets
    "oasis.events",
    "oasis.dashboards",
    "oasis.demo",
]

MIDDLEWARE = [
    "oasis.core.observability.RequestIdMiddleware",
    "oasis.core.security.RequestSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "oasis.core.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "oasis.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # An oversized workbook upload is refused before the CSRF check reads the body.
    "oasis.core.excel.UploadLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",  # request.htmx: which element htmx asked for
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "oasis.urls"
WSGI_APPLICATION = "oasis.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "oasis" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "oasis.accounts.context_processors.access",
                "oasis.notifications.context_processors.inbox",
            ],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'oasis.sqlite3'}"),
        # Persistent connections (CONN_MAX_AGE=60) suit production; 0 by default so test
        # servers and short commands never leave sessions open.
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        # A persistent connection that died (database restarted) is replaced at the next
        # request instead of failing it: the app recovers without a restart.
        conn_health_checks=env_bool("CONN_HEALTH_CHECKS", True),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock at
    # BEGIN so two writers queue instead of failing mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["TEST"] = (
        {"NAME": os.environ.get("OASIS_TEST_SQLITE", "")}
        if os.environ.get("OASIS_TEST_SQLITE")
        else {}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["oasis.accounts.backends.ThrottledModelBackend"]
# Password guessing (accounts.services.login_attempt_reserve), all within the window:
# a username from one address gets LOGIN_THROTTLE_FAILURES tries; one address gets
# LOGIN_THROTTLE_ADDRESS_FAILURES over all usernames; past LOGIN_THROTTLE_USER_FAILURES
# for one username from everywhere, addresses it never logged in from wait a doubling
# pause (at most LOGIN_THROTTLE_BACKOFF_MAX_SECONDS) between tries.
LOGIN_THROTTLE_FAILURES = int(os.environ.get("LOGIN_THROTTLE_FAILURES", "5"))
LOGIN_THROTTLE_WINDOW_SECONDS = int(os.environ.get("LOGIN_THROTTLE_WINDOW_SECONDS", "900"))
LOGIN_THROTTLE_ADDRESS_FAILURES = int(os.environ.get("LOGIN_THROTTLE_ADDRESS_FAILURES", "20"))
LOGIN_THROTTLE_USER_FAILURES = int(os.environ.get("LOGIN_THROTTLE_USER_FAILURES", "20"))
LOGIN_THROTTLE_BACKOFF_MAX_SECONDS = int(
    os.environ.get("LOGIN_THROTTLE_BACKOFF_MAX_SECONDS", "300")
)

# Mail (login lock notices): SMTP in production, the console in development.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "oasis@localhost")

LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "oasis" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "oasis" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Media (ticket attachments, import files): local disk on one machine; S3-compatible object
# storage (MEDIA_STORAGE=s3) as soon as more than one node serves or works, because every
# node and worker must see every file.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
if MEDIA_STORAGE == "local":
    _media: dict[str, object] = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif MEDIA_STORAGE == "s3":
    if not os.environ.get("S3_BUCKET"):
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs S3_BUCKET.")
    from botocore.config import Config as _S3Config  # type: ignore[import-untyped]

    _media = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["S3_BUCKET"],
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            # Attachments are served through the access-checked view, never by URL.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
            "location": os.environ.get("S3_PREFIX", ""),
            # An outage must fail an upload within seconds, not hang the worker.
            "client_config": _S3Config(
                connect_timeout=3, read_timeout=15, retries={"max_attempts": 2}
            ),
        },
    }
else:
    raise ImproperlyConfigured("MEDIA_STORAGE must be 'local' or 's3'.")
STORAGES = {
    "default": _media,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = VAR_DIR / "media"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
        "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", ""),
        # A cache outage must slow pages down, not hang them.
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# Seconds a cached dashboard may serve before recomputing (writes invalidate at once).
DASHBOARD_CACHE_SECONDS = int(os.environ.get("DASHBOARD_CACHE_SECONDS", "60"))

# Excel imports (oasis.core.excel): refused before and while reading beyond these. A
# 50,000-row lease workbook is about 3 MB on disk and 40 MB unpacked.
EXCEL_MAX_UPLOAD_BYTES = int(os.environ.get("EXCEL_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
EXCEL_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("EXCEL_MAX_UNCOMPRESSED_BYTES", str(100 * 1024 * 1024))
)
EXCEL_MAX_SHARED_STRINGS = int(os.environ.get("EXCEL_MAX_SHARED_STRINGS", "1000000"))
EXCEL_MAX_ROWS = int(os.environ.get("EXCEL_MAX_ROWS", "50000"))
EXCEL_MAX_COLUMNS = int(os.environ.get("EXCEL_MAX_COLUMNS", "200"))

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Email (notifications): Django's mail settings from the environment. Development prints
# mail to the console unless an SMTP host is given.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@oasis.local")
# The address people reach the platform at, for links in emails.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# TLS (docs/operations.md lists the production values; `check --deploy` is then clean).
# Off by default so `make cluster` can serve plain HTTP on loopback.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    # Behind a proxy that terminates TLS and sets X-Forwarded-Proto (and strips the
    # client's own): without it the SSL redirect would loop.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy of every response (oasis.core.security): scripts only from our
# static files, never inline or eval; see that module for the one concession (styles).
# Styles keep 'unsafe-inline' (ECharts tooltips carry style attributes).
SECURE_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
# Probes and metrics answer over plain HTTP on the node itself, even once SSL redirects.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

NINJA_PAGINATION_PER_PAGE = 50
# Request bodies: refused above REQUEST_MAX_BYTES from the declared length, before
# reading (oasis.core.security; nginx's client_max_body_size is the same 25 MB). Form
# fields without files are bounded at 2.5 MB (Django's default, stated); uploads above
# 2.5 MB stream to a temporary file rather than memory.
REQUEST_MAX_BYTES = int(os.environ.get("REQUEST_MAX_BYTES", str(25 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Personal API tokens live this many days; a password change ends them at once.
API_TOKEN_DAYS = int(os.environ.get("API_TOKEN_DAYS", "90"))
# The OpenAPI docs (/api/docs, /api/openapi.json): public in development, behind login
# in production unless API_DOCS_PUBLIC=1.
API_DOCS_PUBLIC = env_bool("API_DOCS_PUBLIC", DEBUG)

# Background workers (`oasis worker`): a worker whose heartbeat is older than this is
# taken for dead, and the task it was running is given to another worker.
WORKER_HEARTBEAT_SECONDS = float(os.environ.get("WORKER_HEARTBEAT_SECONDS", "5"))
WORKER_LOST_SECONDS = float(os.environ.get("WORKER_LOST_SECONDS", "30"))

# Prometheus metrics at /metrics/, for a scraper that sends `Authorization: Bearer
# METRICS_TOKEN`. Without a token the path answers 404: never public by default.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
if METRICS_TOKEN:
    INSTALLED_APPS.append("django_prometheus")
    MIDDLEWARE.insert(0, "django_prometheus.middleware.PrometheusBeforeMiddleware")
    MIDDLEWARE.append("django_prometheus.middleware.PrometheusAfterMiddleware")

# Logs: one JSON object a line (LOG_FORMAT=json, production) or plain text (development),
# each with the request id; `oasis.request` writes one line per request. Tokens and
# activation links are redacted wherever they would land.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "oasis.core.observability.LogContextFilter"}},
    "formatters": {
        "json": {"()": "oasis.core.observability.JsonFormatter"},
        "text": {
            "()": "oasis.core.observability.TextFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["context"],
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "oasis.request": {"level": os.environ.get("REQUEST_LOG_LEVEL", "WARNING")},
        # runserver's access lines go through the same redaction as everything else.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django_tasks": {"level": os.environ.get("TASKS_LOG_LEVEL", "WARNING")},
        "django_tasks_db": {"level": os.environ.get("TASKS_LOG_LEVEL", "WARNING")},
    },
}
