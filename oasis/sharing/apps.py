from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SharingConfig(AppConfig):
    name = "oasis.sharing"
    verbose_name = _("共享服务")
