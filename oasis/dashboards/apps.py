from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "oasis.dashboards"
    verbose_name = _("园区驾驶舱")
