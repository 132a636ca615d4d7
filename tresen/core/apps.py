from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tresen.core"
    label = "core"
    verbose_name = "Tresen"
