from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LeasingConfig(AppConfig):
    name = "oasis.leasing"
    verbose_name = _("租赁")
