from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParksConfig(AppConfig):
    name = "oasis.parks"
    verbose_name = _("园区与空间")
