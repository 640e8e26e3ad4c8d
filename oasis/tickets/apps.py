from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "oasis.tickets"
    verbose_name = _("企业服务工单")
