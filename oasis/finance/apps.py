from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceConfig(AppConfig):
    name = "oasis.finance"
    verbose_name = _("共享金融")
