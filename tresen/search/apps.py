from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "tresen.search"
    label = "search"

    def ready(self) -> None:
        from tresen.search import receivers  # noqa: F401 - connects the signal receivers
