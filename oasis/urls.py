"""URL map: pages per app, the API under /api/v1/, Django's admin at /admin/."""

from django.contrib import admin
from django.urls import include, path

from oasis.accounts import views as account_views
from oasis.core import probes

from .api import api

urlpatterns = [
    path("", account_views.home, name="home"),
    path("ping/", account_views.ping, name="ping"),
    # For machines: liveness, readiness (database, cache, storage) and metrics.
    path("healthz", probes.healthz, name="healthz"),
    path("readyz", probes.readyz, name="readyz"),
    path("metrics", probes.metrics, name="metrics"),
    path("accounts/", include("oasis.accounts.urls")),
    path("dashboard/", include("oasis.dashboards.urls")),
    path("parks/", include("oasis.parks.urls")),
    path("enterprises/", include("oasis.enterprises.urls")),
    path("cultivation/", include("oasis.cultivation.urls")),
    path("leasing/", include("oasis.leasing.urls")),
    path("attraction/", include("oasis.attraction.urls")),
    path("sharing/", include("oasis.sharing.urls")),
    path("sharing/finance/", include("oasis.finance.urls")),
    path("sharing/", include("oasis.events.urls")),
    path("tickets/", include("oasis.tickets.urls")),
    path("portal/", include("oasis.portal.urls")),
    path("notifications/", include("oasis.notifications.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
