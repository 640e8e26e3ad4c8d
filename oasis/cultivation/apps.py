from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CultivationConfig(AppConfig):
    name = "oasis.cultivation"
    verbose_name = _("梯度培育")

    def ready(self) -> None:
        # The tier verdict on the enterprise page: enterprises sits below cultivation and
        # never imports it, so cultivation adds its panel there (oasis.enterprises.panels).
        from oasis.enterprises.panels import register_panel

        from .selectors import verdict_panel

        register_panel(
            key="cultivation",
            template="cultivation/_verdict.html",
            context=lambda user, enterprise: {
                "cultivation": verdict_panel(user=user, enterprise=enterprise)
            },
        )
