from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "oasis.events"
    verbose_name = _("活动与企业风采")
