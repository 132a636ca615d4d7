from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tresen.notifications"
    label = "notifications"

    def ready(self) -> None:
        from tresen.notifications import receivers  # noqa: F401 - connects the signal
