from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "tresen.search"
    label = "search"
