from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "tresen.mail"
    label = "mail"
