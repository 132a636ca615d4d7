from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "tresen.desk"
    label = "desk"
