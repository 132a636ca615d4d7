from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "tresen.notifications"
    label = "notifications"
