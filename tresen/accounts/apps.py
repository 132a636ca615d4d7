from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "tresen.accounts"
    label = "accounts"
