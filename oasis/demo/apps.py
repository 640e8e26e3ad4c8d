from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "oasis.demo"
    verbose_name = "Demo park"
